# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (metrics): macro-F1 as the harmonic mean of macro precision and macro recall.
# Loses macro (public, hidden), zero_division and options (macro cases): 4 of 9 groups.
# EXPECT: {"metrics.f1_score": 2.222222}
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
    if average == "macro":
        p = precision_score(
            y_true, y_pred, labels=labels, average="macro", zero_division=zero_division
        )
        r = recall_score(
            y_true, y_pred, labels=labels, average="macro", zero_division=zero_division
        )
        return 2 * p * r / (p + r) if p + r else 0.0
    return fbeta_score(
        y_true,
        y_pred,
        beta=1.0,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
