# ruff: noqa: E501
# ATTACK: an infinite loop when the function is called
# DEFENCE: CPU-time limit per exercise (the manager SIGKILLs the child, re-runs the exercise once in a fresh child, then a fresh child grades the rest)
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "timeout", "reason": "timed out after"}
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
    while True:
        pass
