# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (metrics): recall explained as "among the predictions of this class, the share that
# is correct" (that is precision). Micro averages coincide (both = accuracy), so only the
# micro groups survive: 2 of 9 groups of 4 points.
# EXPECT: {"metrics.recall_score": 0.888889}
def recall_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    return precision_score(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
