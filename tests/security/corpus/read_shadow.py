# ruff: noqa: E501
# ATTACK: read /etc/shadow and /etc/passwd
# DEFENCE: mount namespace: /etc is not mounted (and the sandbox user is nobody)
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "FileNotFoundError|PermissionError"}
def precision_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    with open("/etc/shadow") as f:
        secret = f.read()
    with open("/etc/passwd") as f:
        secret += f.read()
    return float(len(secret))
