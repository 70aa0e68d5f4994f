"""Known mistakes of chapter 07 (metrics). Instructor material: see autograder/mistakes."""

import numpy as np

from autograder.mistakes import mistake
from solutions import metrics as _correct


@mistake(
    "metrics.f1_score",
    "f1-macro-harmonic-mean",
    anchor="err-macro-f1",
    sentence="Macro-F1 is the mean of the per-class F1 scores (scikit-learn), not the "
    "harmonic mean of macro precision and macro recall.",
)
def f1_score__harmonic_of_macros(
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
        p = _correct.precision_score(
            y_true, y_pred, labels=labels, average="macro", zero_division=zero_division
        )
        r = _correct.recall_score(
            y_true, y_pred, labels=labels, average="macro", zero_division=zero_division
        )
        return 2 * p * r / (p + r) if p + r else 0.0
    return _correct.f1_score(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )


@mistake(
    "metrics.f1_score",
    "micro-macro-swapped",
    anchor="err-macro-f1",
    sentence="Micro averaging pools the counts of all classes (for single-label data it "
    "equals accuracy); macro averaging takes the unweighted mean of the per-class scores.",
)
def f1_score__micro_macro_swapped(
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
    return _correct.f1_score(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=swap.get(average, average),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )


@mistake(
    "metrics.recall_score",
    "recall-is-precision",
    anchor="err-recall",
    sentence="Recall is TP / (TP + FN), the share of the true members of a class that are "
    "found; TP / (TP + FP), the share of the predictions that are right, is precision.",
)
def recall_score__precision(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    return _correct.precision_score(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )


@mistake(
    "metrics.average_precision_score",
    "ap-trapezoid",
    anchor="err-ap",
    sentence="scikit-learn's average precision is the step sum sum_n (R_n - R_{n-1}) P_n over "
    "the precision-recall curve, not the trapezoidal area under it (which interpolates "
    "linearly and is optimistic).",
)
def average_precision_score__trapezoid(
    y_true, y_score, *, average="macro", pos_label=1, sample_weight=None
):
    y_true, y_score = np.asarray(y_true), np.asarray(y_score, dtype=np.float64)

    def binary(t, s, w, label):
        p, r, _ = _correct.precision_recall_curve(t, s, pos_label=label, sample_weight=w)
        return float(abs(np.sum((r[1:] - r[:-1]) * (p[1:] + p[:-1]) / 2)))

    if y_score.ndim == 1:
        return binary(y_true, y_score, sample_weight, pos_label)
    if y_true.ndim == 1:
        y_true = (y_true[:, None] == np.arange(y_score.shape[1])).astype(int)
    if average == "micro":
        w = None if sample_weight is None else np.repeat(sample_weight, y_true.shape[1])
        return binary(y_true.ravel(), y_score.ravel(), w, 1)
    scores = np.array(
        [binary(y_true[:, j], y_score[:, j], sample_weight, 1) for j in range(y_true.shape[1])]
    )
    if average is None:
        return scores
    if average == "weighted":
        return float(np.average(scores, weights=y_true.sum(axis=0)))
    return float(scores.mean())


@mistake(
    "metrics.roc_curve",
    "roc-ties-split",
    anchor="mistake-roc-ties",
    sentence="Tied scores share one threshold, so they enter the curve together (one "
    "diagonal step); a point per sample splits the tie in an arbitrary order.",
)
def roc_curve__ties_split(
    y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=True
):
    y_true, y_score = np.asarray(y_true), np.asarray(y_score, dtype=np.float64)
    y = (y_true == (1 if pos_label is None else pos_label)).astype(np.float64)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    order = np.argsort(y_score, kind="stable")[::-1]
    tps, fps = np.cumsum((y * w)[order]), np.cumsum(((1 - y) * w)[order])
    thresholds = y_score[order]
    if drop_intermediate and len(fps) > 2:
        corner = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
        fps, tps, thresholds = fps[corner], tps[corner], thresholds[corner]
    tps, fps = np.r_[0.0, tps], np.r_[0.0, fps]
    with np.errstate(invalid="ignore", divide="ignore"):
        return fps / fps[-1], tps / tps[-1], np.r_[np.inf, thresholds]


@mistake(
    "metrics.mean_absolute_percentage_error",
    "mape-swapped-arguments",
    anchor="err-mape",
    sentence="MAPE divides by the true values: mean(|y - y_hat| / |y|) with y_true first; "
    "swapping the arguments divides by the predictions.",
)
def mean_absolute_percentage_error__swapped(
    y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"
):
    return _correct.mean_absolute_percentage_error(
        y_pred, y_true, sample_weight=sample_weight, multioutput=multioutput
    )


@mistake(
    "metrics.mean_absolute_error",
    "mae-sum",
    anchor="err-mse-mean",
    sentence="MAE is a mean, sum_i w_i |y_i - y_hat_i| / sum_i w_i; the plain sum grows with "
    "the number of samples.",
)
def mean_absolute_error__sum(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    e = np.abs(np.asarray(y_true, np.float64) - np.asarray(y_pred, np.float64))
    e = e[:, None] if e.ndim == 1 else e
    w = np.ones(len(e)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    per_output = (w[:, None] * e).sum(axis=0)
    if isinstance(multioutput, str) and multioutput == "raw_values":
        return per_output
    if isinstance(multioutput, str):
        return float(per_output.mean())
    return float(np.average(per_output, weights=multioutput))
