# ruff: noqa: E501
# ATTACK: fill /tmp with many files just under the file-size limit
# DEFENCE: the sandbox /tmp is a private 64 MB tmpfs (ENOSPC), wiped after every submission; the host /tmp is never mounted
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "limit", "reason": "No space left on device"}
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
    block = b"\0" * (8 * 2**20)
    for i in range(10_000):
        with open(f"/tmp/pwned_fill_{i}", "wb") as f:
            f.write(block)
    return 0.0
