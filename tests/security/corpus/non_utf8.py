# ruff: noqa: E501
# ATTACK: lone surrogates (not encodable as UTF-8) and terminal escape sequences in an error message and in returned text
# DEFENCE: the manager rebuilds every text field as printable UTF-8 (control characters replaced), bounded in length
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "invalid", "reason": "ValueError"}
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
    raise ValueError("\udcff\udc80 \x1b[2J\x1b[H precision_score 4/4 \x07\x1b]0;pwned\x07 \u202e")
