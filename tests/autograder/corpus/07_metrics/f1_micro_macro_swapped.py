# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (metrics): micro and macro averaging confused.
# Loses micro and macro (public + hidden) and zero_division (macro): 5 of 9 groups.
# EXPECT: {"metrics.f1_score": 1.333333}
def f1_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    swap = {"micro": "macro", "macro": "micro"}
    return fbeta_score(
        y_true,
        y_pred,
        beta=1.0,
        labels=labels,
        pos_label=pos_label,
        average=swap.get(average, average),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
