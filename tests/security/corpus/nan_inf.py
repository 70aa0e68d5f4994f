# ruff: noqa: E501
# ATTACK: return NaN / inf (NaN != NaN tricks)
# DEFENCE: the parent flags NaN/inf where the reference is finite
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "invalid", "reason": "NaN or inf"}
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
    return float("nan")
