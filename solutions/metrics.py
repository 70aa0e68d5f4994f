r"""Chapter 7: evaluation metrics.

Classification counts (confusion matrix, accuracy, top-k accuracy, precision, recall, F-beta
with every averaging and zero-division rule), chance-corrected agreement (balanced accuracy,
Matthews correlation, Cohen's kappa, Jaccard), losses of hard labels (0-1, Hamming) and of
scores (log loss, Brier score, hinge loss), ranking scores (DCG, NDCG), ranking curves (ROC,
DET) (ROC and its AUC, the
precision-recall curve and three different "average precisions"), object detection (box IoU,
COCO-style AP over IoU thresholds), perplexity, Dice and the regression errors (MSE, RMSE,
MAE, MAPE, :math:`R^2`, explained variance, MSLE/RMSLE, median absolute error, max error,
the pinball loss, the Tweedie deviances and the :math:`D^2` scores).

Names, signatures, defaults, edge cases and error messages mirror ``sklearn.metrics`` 1.9
wherever scikit-learn has the metric; the functions it lacks (11-point and all-point AP, box
IoU, COCO AP, perplexity, Dice) say in their docstring which convention they follow.
Integer sample weights give exact integer counts (int64, as scikit-learn). The installed
scikit-learn's own metric tests run against these functions in
``tests/solutions/test_sklearn_metrics.py``.
"""

from __future__ import annotations

import warnings

import numpy as np

__worked_examples__ = [
    "_confusion_counts",  # the kernels of confusion_matrix, shown on the metrics page
    "_normalize_confusion",
    "accuracy_score",
    "mean_squared_error",
]

AVERAGE_OPTIONS = (None, "micro", "macro", "weighted", "samples")
ZERO_DIVISION_OPTIONS = ("warn", 0.0, 1.0, np.nan)
MULTIOUTPUT_OPTIONS = ("raw_values", "uniform_average")
#: VOC2007's 11 recall levels {0, 0.1, ..., 1} (linspace avoids arange's 0.30000000000000004).
VOC_RECALL_LEVELS = np.linspace(0.0, 1.0, 11)
#: COCO's IoU thresholds 0.50:0.05:0.95, built exactly as pycocotools builds them.
COCO_IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)
#: The float64 epsilon that keeps MAPE finite when y_true = 0 (as scikit-learn does).
MAPE_EPSILON = np.finfo(np.float64).eps


class UndefinedMetricWarning(UserWarning):
    """A metric is ill-defined on this input (e.g. a 0/0 precision); mirrors scikit-learn's."""


# --------------------------------------------------------------------------------------------
# Input validation (the subset of sklearn.utils.multiclass / validation the metrics need)
# --------------------------------------------------------------------------------------------


def _num_samples(x: np.ndarray) -> int:
    if x.ndim == 0:
        raise TypeError(f"Singleton array {x!r} cannot be considered a valid collection.")
    return x.shape[0]


def _check_consistent_length(*arrays) -> None:
    lengths = [_num_samples(np.asarray(a)) for a in arrays if a is not None]
    if len(set(lengths)) > 1:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {lengths}")


def _column_or_1d(y: np.ndarray, name: str) -> np.ndarray:
    if y.ndim == 2 and y.shape[1] == 1:
        return y.ravel()
    if y.ndim != 1:
        raise ValueError(f"{name} should be a 1d array, got an array of shape {y.shape} instead.")
    return y


def _check_finite(x: np.ndarray, name: str) -> None:
    if x.dtype.kind in "fc" and not np.all(np.isfinite(x)):
        what = "NaN" if np.isnan(x).any() else "infinity or a value too large"
        raise ValueError(f"Input {name} contains {what}.")


def _check_sample_weight(sample_weight, n_samples: int) -> np.ndarray | None:
    """Return a finite 1-D weight array of length ``n_samples`` (ints stay ints, so integer
    counts stay exact; objects are read as float64)."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight)
    if w.ndim != 1:
        raise ValueError(f"Sample weights must be 1D array or scalar; got shape {w.shape}")
    if w.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: sample_weight has dtype {w.dtype}")
    if w.dtype == object:
        try:
            w = w.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"sample_weight must be numeric; got {exc}") from None
    if w.dtype.kind not in "biuf":
        raise ValueError(f"sample_weight must be numeric; got dtype {w.dtype}")
    if w.shape[0] != n_samples:
        raise ValueError(f"sample_weight.shape == {w.shape}, expected ({n_samples},)!")
    _check_finite(w, "sample_weight")
    if np.all(w == 0):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return w


def _is_sparse(y) -> bool:
    return hasattr(y, "toarray") and hasattr(y, "nnz")


def _dense(y) -> np.ndarray:
    """An array; a scipy sparse indicator matrix is densified (as scikit-learn accepts it)."""
    return np.asarray(y.toarray() if hasattr(y, "toarray") and hasattr(y, "nnz") else y)


def _refuse_bytes(y: np.ndarray) -> None:
    if y.dtype.kind == "S" or (y.dtype == object and y.size and isinstance(y.flat[0], bytes)):
        raise TypeError(
            "Support for labels represented as bytes is not supported. Convert the labels to "
            "a string or integer format."
        )


def _weighted_bincount(index: np.ndarray, weights, minlength: int) -> np.ndarray:
    """``np.bincount``, but integer weights are summed in int64 (exact, wrapping like
    scikit-learn's int64 counts) instead of float64 (which rounds beyond 2**53)."""
    if weights is None or weights.dtype.kind not in "biu":
        return np.bincount(index, weights, minlength=minlength)
    out = np.zeros(max(minlength, int(index.max(initial=-1)) + 1), dtype=np.int64)
    np.add.at(out, index, weights.astype(np.int64))
    return out


def _is_string_like(y: np.ndarray) -> bool:
    return y.dtype.kind in "US" or (y.dtype == object and y.size and isinstance(y.flat[0], str))


def _unique(y: np.ndarray) -> np.ndarray:
    """Sorted unique values; a counting pass for small-range integers (much faster than sort)."""
    y = np.ravel(y)
    if y.dtype.kind in "iu" and y.size > 1024:
        lo, hi = int(y.min()), int(y.max())
        if hi - lo < 4 * y.size:
            counts = np.bincount((y - lo).astype(np.intp), minlength=hi - lo + 1)
            return (np.flatnonzero(counts) + lo).astype(y.dtype)
    return np.unique(y)


def _is_integral(y: np.ndarray) -> bool:
    with np.errstate(invalid="ignore"):
        return bool(np.all(y == y.astype(np.int64)))


def _type_of_target(y: np.ndarray, name: str) -> str:
    """'binary', 'multiclass', 'multilabel-indicator', 'continuous', '...-multioutput' or
    'unknown', by the rules of ``sklearn.utils.multiclass.type_of_target``."""
    if y.ndim not in (1, 2):
        return "unknown"
    if min(y.shape) == 0:
        return "binary" if y.ndim == 1 else "unknown"
    if y.dtype == object and not isinstance(y.flat[0], str):
        return "unknown"
    multioutput = y.ndim == 2 and y.shape[1] > 1
    if multioutput and y.dtype.kind in "biuf":
        labels = np.unique(y)
        if len(labels) < 3 and (y.dtype.kind in "biu" or _is_integral(labels)):
            return "multilabel-indicator"
    suffix = "-multioutput" if multioutput else ""
    if y.dtype.kind == "f" and not _is_integral(y):
        _check_finite(y, name)
        return "continuous" + suffix
    if multioutput or len(_unique(y)) > 2:
        return "multiclass" + suffix
    return "binary"


def _check_targets(y_true, y_pred, sample_weight=None):
    """Check that ``y_true`` and ``y_pred`` are the same kind of classification target.

    Returns ``(y_type, labels, y_true, y_pred, sample_weight)``: the common type ('binary',
    'multiclass' or 'multilabel-indicator'), the sorted labels present in either, the targets
    (1-D, or 2-D indicator matrices) and the validated weights.
    """
    sparse = [_is_sparse(y) for y in (y_true, y_pred)]
    y_true, y_pred = _dense(y_true), _dense(y_pred)
    _refuse_bytes(y_true)
    _refuse_bytes(y_pred)
    _check_consistent_length(y_true, y_pred, sample_weight)
    type_true = _type_of_target(y_true, "y_true")
    type_pred = _type_of_target(y_pred, "y_pred")
    for is_sparse, y_type in zip(sparse, (type_true, type_pred), strict=True):
        if is_sparse and y_type != "multilabel-indicator":
            raise TypeError(
                "Sparse input is only supported when targets are of multilabel type "
                f"(a label indicator matrix); got {y_type}"
            )
    if y_true.shape[0] < 1:
        raise ValueError(
            "Found empty input array (e.g., `y_true` or `y_pred`) while a minimum "
            "of 1 sample is required."
        )
    sample_weight = _check_sample_weight(sample_weight, y_true.shape[0])
    y_types = {type_true, type_pred}
    if y_types == {"binary", "multiclass"}:
        y_types = {"multiclass"}
    if len(y_types) > 1:
        raise ValueError(
            f"Classification metrics can't handle a mix of {type_true} and {type_pred} targets"
        )
    y_type = y_types.pop()
    if y_type not in ("binary", "multiclass", "multilabel-indicator"):
        raise ValueError(f"{y_type} is not supported")
    if y_type == "multilabel-indicator":
        if y_true.shape[1] != y_pred.shape[1]:
            raise ValueError("Multi-label binary indicator input with different numbers of labels")
        return y_type, np.arange(y_true.shape[1]), y_true, y_pred, sample_weight
    y_true, y_pred = _column_or_1d(y_true, "y_true"), _column_or_1d(y_pred, "y_pred")
    if _is_string_like(y_true) != _is_string_like(y_pred):
        raise ValueError(
            "Mix of label input types (string and number); "
            f"Got {np.unique(y_true)} and {np.unique(y_pred)}."
        )
    labels = np.union1d(_unique(y_true), _unique(y_pred))
    if y_type == "binary" and len(labels) > 2:
        y_type = "multiclass"
    return y_type, labels, y_true, y_pred, sample_weight


def _label_indices(y: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Position of each ``y`` in ``labels``; ``len(labels)`` where ``y`` is not a label."""
    n = len(labels)
    if y.dtype.kind in "biu" and labels.dtype.kind in "biu":
        lo, hi = int(labels.min()), int(labels.max())
        if hi - lo <= 4 * y.size + 1024:  # a lookup table beats a binary search
            table = np.full(hi - lo + 2, n)  # the last slot means "not a label"
            table[labels.astype(np.int64)[::-1] - lo] = np.arange(n)[::-1]  # first one wins
            offset = y.astype(np.int64) - lo
            offset[(offset < 0) | (offset > hi - lo)] = hi - lo + 1
            return table[offset]
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    pos = np.clip(np.searchsorted(sorted_labels, y), 0, n - 1)
    return np.where(sorted_labels[pos] == y, order[pos], n)


def _weighted_mean(values: np.ndarray, weights: np.ndarray | None) -> float:
    """``np.average`` that falls back to the plain mean when the weights sum to zero."""
    if weights is not None and np.sum(weights) == 0:
        weights = None
    return float(np.average(values, weights=weights))


def _nan_average(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Weighted mean ignoring NaN entries (NaN if there is nothing left to average)."""
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    return _weighted_mean(values[keep], None if weights is None else np.asarray(weights)[keep])


def _check_zero_division(zero_division) -> float:
    """The value a 0/0 ratio takes: 0 for "warn" (which also warns), else 0, 1 or NaN."""
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
    elif isinstance(zero_division, (int, float, np.floating)) and not isinstance(
        zero_division, bool
    ):
        if zero_division in (0, 1):
            return float(zero_division)
        if np.isnan(zero_division):
            return float("nan")
    raise ValueError(
        "zero_division must be one of 'warn', 0.0, 1.0 or np.nan (the value a 0/0 ratio "
        f"takes); got {zero_division!r}"
    )


# --------------------------------------------------------------------------------------------
# Classification: counts
# --------------------------------------------------------------------------------------------


def _confusion_counts(true_index, pred_index, n: int, sample_weight=None) -> np.ndarray:
    r"""The confusion matrix's kernel: :math:`C_{ij} = \sum_n w_n [t_n = i][p_n = j]` for class
    indices ``t, p`` in ``0..n``, where ``n`` means "not one of the labels" (left out).

    Each sample falls into cell ``n * t + p`` of the flattened matrix, so one bincount counts
    them all. Integer (or no) weights give int64 counts, float weights float64 sums."""
    kept = (true_index < n) & (pred_index < n)
    weights = None if sample_weight is None else sample_weight[kept]
    cells = _weighted_bincount(n * true_index[kept] + pred_index[kept], weights, n * n)
    integer_counts = sample_weight is None or sample_weight.dtype.kind in "biu"
    return cells.reshape(n, n).astype(np.int64 if integer_counts else np.float64)


def _normalize_confusion(cm: np.ndarray, normalize: str | None) -> np.ndarray:
    """Rows (``"true"``), columns (``"pred"``) or the whole matrix (``"all"``) summing to 1;
    an empty row or column stays 0 (``None``: the counts)."""
    with np.errstate(all="ignore"):
        if normalize == "true":
            cm = cm / cm.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            cm = cm / cm.sum(axis=0, keepdims=True)
        elif normalize == "all":
            cm = cm / cm.sum()
    return np.nan_to_num(cm)


def confusion_matrix(y_true, y_pred, *, labels=None, sample_weight=None, normalize=None):
    r"""Confusion matrix: :math:`C_{ij}` = (weighted) number of samples of true class :math:`i`
    predicted as class :math:`j`.

    .. math:: C_{ij} = \sum_{n} w_n \,[y_n = \ell_i]\,[\hat y_n = \ell_j]

    In the binary case ``C.ravel()`` is ``(tn, fp, fn, tp)``.

    Args:
        y_true, y_pred: labels, shape ``(n_samples,)`` (ints, strings, bools ...).
        labels: the classes indexing rows and columns (``(n_classes,)``), in that order;
            default: every label present in ``y_true`` or ``y_pred``, sorted. Samples whose
            true or predicted label is not listed are left out.
        sample_weight: ``(n_samples,)``; integer weights give an integer matrix.
        normalize: ``None`` (counts), ``"true"`` (rows sum to 1), ``"pred"`` (columns sum to
            1) or ``"all"`` (the matrix sums to 1); empty rows/columns stay 0.

    Returns:
        ``(n_classes, n_classes)`` int64 (float64 with float weights or ``normalize``).

    Example:
        >>> confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
        array([[2, 0, 0],
               [0, 0, 1],
               [1, 0, 2]])
    """
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be one of None, 'true', 'pred', 'all'; got {normalize!r}")
    y_type, present, y_true, y_pred, sample_weight = _check_targets(
        y_true,
        y_pred,
        sample_weight,
    )
    if y_type not in ("binary", "multiclass"):
        raise ValueError(f"{y_type} is not supported")
    if labels is None:
        labels = present
    else:
        labels = np.asarray(labels)
        if labels.size == 0:
            raise ValueError("'labels' should contain at least one label.")
        if len(np.intersect1d(y_true, labels)) == 0:
            raise ValueError("At least one label specified must be in y_true")
    true_index = _label_indices(y_true, labels)
    pred_index = _label_indices(y_pred, labels)
    cm = _confusion_counts(true_index, pred_index, len(labels), sample_weight)
    cm = _normalize_confusion(cm, normalize)
    if cm.shape == (1, 1):
        warnings.warn(
            "A single label was found in 'y_true' and 'y_pred'. For the confusion matrix to "
            "have the correct shape, use the 'labels' parameter to pass all known labels.",
            UserWarning,
            stacklevel=2,
        )
    return cm


def multilabel_confusion_matrix(
    y_true, y_pred, *, sample_weight=None, labels=None, samplewise=False
):
    r"""One-vs-rest 2x2 confusion matrix ``[[tn, fp], [fn, tp]]`` per class (or per sample).

    .. math:: \mathrm{tp}_k = \sum_n w_n [y_n = k][\hat y_n = k],\quad
              \mathrm{fp}_k = \sum_n w_n [y_n \ne k][\hat y_n = k],\ \dots

    Args:
        y_true, y_pred: labels ``(n_samples,)`` or indicator matrices
            ``(n_samples, n_labels)`` (multilabel; then ``labels`` are column indices).
        sample_weight: ``(n_samples,)``.
        labels: classes to report, in this order (may include absent ones); default sorted
            present labels.
        samplewise: multilabel only: one matrix per sample instead of per label.

    Returns:
        ``(n_outputs, 2, 2)``.

    Example:
        >>> multilabel_confusion_matrix([0, 1, 1], [0, 1, 0])[1]
        array([[1, 0],
               [1, 1]])
    """
    y_type, present, y_true, y_pred, sample_weight = _check_targets(y_true, y_pred, sample_weight)
    n_selected = None if labels is None else len(labels)
    if labels is None:
        labels = present
    if y_true.ndim == 1:
        if samplewise:
            raise ValueError(
                "Samplewise metrics are not available outside of multilabel classification."
            )
        labels = np.asarray(labels)
        every_label = np.concatenate([labels, np.setdiff1d(present, labels)])
        n_all = len(every_label)
        true_index = _label_indices(y_true, every_label)
        pred_index = _label_indices(y_pred, every_label)
        hit = true_index == pred_index
        hit_weights = None if sample_weight is None else sample_weight[hit]
        tp = _weighted_bincount(true_index[hit], hit_weights, n_all)[:n_selected]
        pred_sum = _weighted_bincount(pred_index, sample_weight, n_all)[:n_selected]
        true_sum = _weighted_bincount(true_index, sample_weight, n_all)[:n_selected]
        total = y_true.shape[0] if sample_weight is None else np.sum(sample_weight)
    else:
        labels = np.asarray(labels)
        if n_selected is not None:
            if labels.max() > present.max():
                raise ValueError(
                    "All labels must be in [0, n labels) for multilabel targets. "
                    f"Got {labels.max()} > {present.max()}"
                )
            if labels.min() < 0:
                raise ValueError(
                    "All labels must be in [0, n labels) for multilabel targets. "
                    f"Got {labels.min()} < 0"
                )
            y_true, y_pred = y_true[:, labels], y_pred[:, labels]
        axis = 1 if samplewise else 0
        w = np.ones(y_true.shape[0]) if sample_weight is None else sample_weight
        w = w[:, None]

        def weighted_count(mask):
            counts = np.sum(np.where(mask, w, 0), axis=axis)
            return counts.astype(np.int64) if sample_weight is None else counts

        tp = weighted_count((y_true != 0) & (y_pred != 0))
        pred_sum = weighted_count(y_pred != 0)
        true_sum = weighted_count(y_true != 0)
        if samplewise:
            total = y_true.shape[1] * (1 if sample_weight is None else sample_weight)
        else:
            total = y_true.shape[0] if sample_weight is None else np.sum(sample_weight)
    fp, fn = pred_sum - tp, true_sum - tp
    tn = total - tp - fp - fn
    return np.stack([tn, fp, fn, tp]).T.reshape(-1, 2, 2)


def accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None):
    r"""Fraction (or weighted count) of samples predicted exactly right.

    .. math:: \mathrm{acc} = \frac{\sum_n w_n [\hat y_n = y_n]}{\sum_n w_n}

    For multilabel indicator matrices a sample counts only if its whole row matches (subset
    accuracy). For single-label multiclass data it equals micro-averaged P, R and F1.

    Args:
        y_true, y_pred: ``(n_samples,)`` labels or ``(n_samples, n_labels)`` indicators.
        normalize: ``False`` returns the (weighted) number of correct samples.
        sample_weight: ``(n_samples,)``.

    Example:
        >>> accuracy_score([0, 1, 2, 3], [0, 2, 1, 3])
        0.5
    """
    checked = _check_targets(y_true, y_pred, sample_weight)
    y_type, _, y_true, y_pred, sample_weight = checked
    if y_type == "multilabel-indicator":
        correct = np.all(y_true == y_pred, axis=1)
    else:
        correct = y_true == y_pred
    if normalize:
        return float(np.average(correct, weights=sample_weight))
    if sample_weight is None:
        return float(np.sum(correct))
    return float(np.dot(correct, sample_weight))


def top_k_accuracy_score(y_true, y_score, *, k=2, normalize=True, sample_weight=None, labels=None):
    r"""Fraction of samples whose true class is among the ``k`` highest-scored classes.

    .. math:: \frac{\sum_n w_n\,[\,\mathrm{rank}_n(y_n) < k\,]}{\sum_n w_n},\qquad
              \mathrm{rank}_n(c) = \#\{j : s_{nj} > s_{nc}\} + \#\{j > c : s_{nj} = s_{nc}\}

    Ties are broken as scikit-learn does (stable ascending sort, reversed): among equal scores
    the class with the larger index ranks first.

    Args:
        y_true: ``(n_samples,)`` labels.
        y_score: ``(n_samples, n_classes)`` scores (columns in the order of ``labels``, or of
            the sorted labels of ``y_true``); ``(n_samples,)`` in the binary case (score of the
            greater label).
        k: number of top guesses allowed.
        normalize: ``False`` returns the (weighted) number of hits.
        sample_weight: ``(n_samples,)``.
        labels: all classes, sorted, when ``y_true`` does not contain every column's class.

    Example:
        >>> top_k_accuracy_score([0, 1, 2], [[.5, .3, .2], [.1, .2, .7], [.2, .7, .1]], k=2)
        0.6666666666666666
    """
    y_true = _column_or_1d(np.asarray(y_true), "y_true")
    y_type = _type_of_target(y_true, "y_true")
    if y_type == "binary" and labels is not None and len(labels) > 2:
        y_type = "multiclass"
    if y_type not in ("binary", "multiclass"):
        raise ValueError(f"y type must be 'binary' or 'multiclass', got '{y_type}' instead.")
    y_score = np.asarray(y_score, dtype=np.float64)
    _check_finite(y_score, "y_score")  # a NaN score would rank arbitrarily
    if y_type == "binary":
        if y_score.ndim == 2 and y_score.shape[1] != 1:
            raise ValueError(
                f"`y_true` is binary while y_score is 2d with {y_score.shape[1]} classes. If "
                "`y_true` does not contain all the labels, `labels` must be provided."
            )
        y_score = _column_or_1d(y_score, "y_score")
    elif y_score.ndim != 2:
        raise ValueError(
            "`y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` contains "
            f"multiple classes. Got `y_score.shape={y_score.shape}`."
        )
    _check_consistent_length(y_true, y_score, sample_weight)
    sample_weight = _check_sample_weight(sample_weight, y_true.shape[0])
    n_score_columns = y_score.shape[1] if y_score.ndim == 2 else 2
    if labels is None:
        classes = _unique(y_true)
        if len(classes) != n_score_columns:
            raise ValueError(
                f"Number of classes in 'y_true' ({len(classes)}) not equal to the number of "
                f"classes in 'y_score' ({n_score_columns}). You can provide a list of all "
                "known classes by assigning it to the `labels` parameter."
            )
    else:
        labels = _column_or_1d(np.asarray(labels), "labels")
        classes = np.unique(labels)
        if len(classes) != len(labels):
            raise ValueError("Parameter 'labels' must be unique.")
        if not np.array_equal(classes, labels):
            raise ValueError("Parameter 'labels' must be ordered.")
        if len(classes) != n_score_columns:
            raise ValueError(
                f"Number of given labels ({len(classes)}) not equal to the number of classes "
                f"in 'y_score' ({n_score_columns})."
            )
        if len(np.setdiff1d(y_true, classes)):
            raise ValueError("'y_true' contains labels not in parameter 'labels'.")
    n_classes = len(classes)
    if k >= n_classes:
        warnings.warn(
            f"'k' ({k}) greater than or equal to 'n_classes' ({n_classes}) will result in a "
            "perfect score and is therefore meaningless.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    true_index = np.searchsorted(classes, y_true)
    if y_type == "binary":
        if k == 1:
            threshold = 0.5 if y_score.min() >= 0 and y_score.max() <= 1 else 0
            hits = (y_score > threshold).astype(np.int64) == true_index
        else:
            hits = np.ones(y_score.shape, dtype=bool)
    else:
        true_score = np.take_along_axis(y_score, true_index[:, None], axis=1)
        later_class = np.arange(n_classes)[None, :] > true_index[:, None]
        ahead = (y_score > true_score) | ((y_score == true_score) & later_class)
        hits = ahead.sum(axis=1) < k
    if normalize:
        return float(np.average(hits, weights=sample_weight))
    if sample_weight is None:
        return float(np.sum(hits))
    return float(np.dot(hits, sample_weight))


# --------------------------------------------------------------------------------------------
# Classification: precision, recall, F-beta
# --------------------------------------------------------------------------------------------


def _prf_divide(numerator, denominator, metric, modifier, average, warn_for, zero_division):
    """``numerator / denominator`` with 0/0 set to ``zero_division`` (and a warning if "warn")."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    undefined = denominator == 0
    result = numerator / np.where(undefined, 1.0, denominator)
    if not undefined.any():
        return result
    result[undefined] = _check_zero_division(zero_division)
    if isinstance(zero_division, str) and metric in warn_for:
        axis0, axis1 = ("label", "sample") if average == "samples" else ("sample", "label")
        where = "due to" if result.shape[0] == 1 else f"in {axis1}s with"
        warnings.warn(
            f"{metric.capitalize()} is ill-defined and being set to 0.0 {where} no {modifier} "
            f"{axis0}s. Use `zero_division` parameter to control this behavior.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
    return result


def _check_set_wise_labels(y_true, y_pred, average, labels, pos_label):
    """Validate ``average`` against the target type; the labels to score (binary: pos_label)."""
    if average not in AVERAGE_OPTIONS and average != "binary":
        raise ValueError(f"average has to be one of {AVERAGE_OPTIONS} or 'binary'; got {average!r}")
    y_type, present, _, _, _ = _check_targets(y_true, y_pred)
    if average == "binary":
        if y_type == "binary":
            if pos_label not in present and len(present) >= 2:
                raise ValueError(
                    f"pos_label={pos_label} is not a valid label. It should be one of {present}"
                )
            return [pos_label]
        options = [a for a in AVERAGE_OPTIONS if not (y_type == "multiclass" and a == "samples")]
        raise ValueError(
            f"Target is {y_type} but average='binary'. Please choose another average setting, "
            f"one of {options!r}."
        )
    if pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when average != 'binary' "
            f"(got {average!r}). You may use labels=[pos_label] to specify a single positive "
            "class.",
            UserWarning,
            stacklevel=3,
        )
    return labels


def precision_recall_fscore_support(
    y_true,
    y_pred,
    *,
    beta=1.0,
    labels=None,
    pos_label=1,
    average=None,
    warn_for=("precision", "recall", "f-score"),
    sample_weight=None,
    zero_division="warn",
):
    r"""Precision, recall, F-beta and support, per label or averaged.

    .. math::
        P = \frac{TP}{TP + FP},\quad R = \frac{TP}{TP + FN},\quad
        F_\beta = \frac{(1 + \beta^2)\,TP}{(1 + \beta^2)\,TP + \beta^2 FN + FP}
                = \frac{(1+\beta^2) P R}{\beta^2 P + R}

    Averages: ``"binary"`` reports ``pos_label`` only; ``"micro"`` pools the counts of all
    labels (for single-label multiclass data micro P = R = F = accuracy); ``"macro"`` is the
    unweighted mean of the per-label scores (macro-F1 is the mean of per-label F1, *not* the
    harmonic mean of macro-P and macro-R); ``"weighted"`` weights them by support;
    ``"samples"`` (multilabel) scores each sample's label set and averages over samples;
    ``None`` returns the per-label arrays.

    Args:
        y_true, y_pred: ``(n_samples,)`` labels or ``(n_samples, n_labels)`` indicators.
        beta: >= 0; ``beta=0`` gives precision, ``beta=inf`` recall.
        labels: labels to score (and their order when ``average=None``); may include absent
            labels (then their TP = FP = FN = 0). Column indices for multilabel targets.
        pos_label: the positive class for ``average="binary"``.
        average: one of ``None, "binary", "micro", "macro", "weighted", "samples"``.
        warn_for: which of "precision", "recall", "f-score" may warn on 0/0.
        sample_weight: ``(n_samples,)``.
        zero_division: value of a 0/0 ratio: ``"warn"`` (0 and an
            :class:`UndefinedMetricWarning`), 0, 1 or ``np.nan`` (NaN entries are then left
            out of the average).

    Returns:
        ``(precision, recall, fbeta, support)``: floats and ``support=None`` when averaged,
        else arrays of shape ``(n_labels,)``.

    Example:
        >>> p, r, f, s = precision_recall_fscore_support([0, 1, 1, 1], [0, 1, 0, 0])
        >>> p.tolist(), r.tolist(), s.tolist()
        ([0.3333333333333333, 1.0], [1.0, 0.3333333333333333], [1, 3])
    """
    _check_zero_division(zero_division)
    if not beta >= 0:
        raise ValueError(f"beta must be >= 0; got {beta!r}")
    labels = _check_set_wise_labels(y_true, y_pred, average, labels, pos_label)
    mcm = multilabel_confusion_matrix(
        y_true,
        y_pred,
        sample_weight=sample_weight,
        labels=labels,
        samplewise=average == "samples",
    )
    tp_sum = mcm[:, 1, 1]
    pred_sum = tp_sum + mcm[:, 0, 1]
    true_sum = tp_sum + mcm[:, 1, 0]
    if average == "micro":
        tp_sum, pred_sum, true_sum = (np.array([x.sum()]) for x in (tp_sum, pred_sum, true_sum))
    precision = _prf_divide(
        tp_sum, pred_sum, "precision", "predicted", average, warn_for, zero_division
    )
    recall = _prf_divide(tp_sum, true_sum, "recall", "true", average, warn_for, zero_division)
    if np.isposinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        beta2 = beta**2
        f_score = _prf_divide(
            (1 + beta2) * tp_sum.astype(np.float64),
            beta2 * true_sum.astype(np.float64) + pred_sum.astype(np.float64),
            "f-score",
            "true nor predicted",
            average,
            warn_for,
            zero_division,
        )
    if average is None:
        return precision, recall, f_score, true_sum
    if average == "weighted":
        weights = true_sum
    elif average == "samples":
        weights = None if sample_weight is None else np.asarray(sample_weight)
    else:
        weights = None
    averaged = (_nan_average(x, weights) for x in (precision, recall, f_score))
    return (*averaged, None)


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
    r"""Precision :math:`TP / (TP + FP)`: the share of predicted positives that are right.

    .. math:: P = \frac{TP}{TP + FP}

    Arguments as in :func:`precision_recall_fscore_support` (default ``average="binary"``).

    Example:
        >>> precision_score([0, 1, 1, 1], [0, 1, 1, 0])
        1.0
    """
    p, _, _, _ = precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("precision",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    return p


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
    r"""Recall :math:`TP / (TP + FN)`: the share of actual positives that are found.

    .. math:: R = \frac{TP}{TP + FN}

    Arguments as in :func:`precision_recall_fscore_support` (default ``average="binary"``).

    Example:
        >>> recall_score([0, 1, 1, 1], [0, 1, 1, 0])
        0.6666666666666666
    """
    _, r, _, _ = precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("recall",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    return r


def fbeta_score(
    y_true,
    y_pred,
    *,
    beta,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    r"""F-beta: the weighted harmonic mean of precision and recall (recall counts
    :math:`\beta` times as much).

    .. math:: F_\beta = \frac{(1 + \beta^2)\,TP}{(1 + \beta^2)\,TP + \beta^2 FN + FP}

    Arguments as in :func:`precision_recall_fscore_support` (default ``average="binary"``).

    Example:
        >>> round(fbeta_score([0, 1, 1, 1], [0, 1, 1, 0], beta=2), 4)
        0.7143
    """
    _, _, f, _ = precision_recall_fscore_support(
        y_true,
        y_pred,
        beta=beta,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("f-score",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    return f


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
    r"""F1: the harmonic mean of precision and recall.

    .. math:: F_1 = \frac{2\,TP}{2\,TP + FP + FN}

    Arguments as in :func:`precision_recall_fscore_support` (default ``average="binary"``).
    ``average="macro"`` is the mean of the per-class F1 scores.

    Example:
        >>> f1_score([0, 1, 1, 1], [0, 1, 1, 0])
        0.8
    """
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


def jaccard_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    r"""Jaccard index (intersection over union) of the predicted and true positives, per class
    and averaged as :func:`precision_recall_fscore_support`.

    .. math:: J_k = \frac{|Y_k \cap \hat Y_k|}{|Y_k \cup \hat Y_k|}
              = \frac{TP_k}{TP_k + FP_k + FN_k} = \frac{F_{1,k}}{2 - F_{1,k}}

    (weighted counts with ``sample_weight``). A class never true nor predicted is 0/0:
    ``zero_division`` (``"warn"`` gives 0 with an :class:`UndefinedMetricWarning`).

    Example:
        >>> jaccard_score([0, 1, 1, 1], [1, 1, 1, 0])
        0.5
    """
    _check_zero_division(zero_division)
    labels = _check_set_wise_labels(y_true, y_pred, average, labels, pos_label)
    mcm = multilabel_confusion_matrix(
        y_true,
        y_pred,
        sample_weight=sample_weight,
        labels=labels,
        samplewise=average == "samples",
    )
    numerator = mcm[:, 1, 1]
    denominator = mcm[:, 1, 1] + mcm[:, 0, 1] + mcm[:, 1, 0]
    if average == "micro":
        numerator, denominator = np.array([numerator.sum()]), np.array([denominator.sum()])
    jaccard = _prf_divide(
        numerator,
        denominator,
        "jaccard",
        "true or predicted",
        average,
        ("jaccard",),
        zero_division,
    )
    if average is None:
        return jaccard
    weights = None
    if average == "weighted":
        weights = mcm[:, 1, 0] + mcm[:, 1, 1]
        if not np.any(weights):
            weights = None
    elif average == "samples" and sample_weight is not None:
        weights = np.asarray(sample_weight)
    return float(np.average(jaccard, weights=weights))


def dice_score(y_true, y_pred, *, smooth=0.0, zero_division=1.0):
    r"""Dice coefficient of two binary masks (= F1 of the foreground pixels).

    .. math:: \mathrm{Dice}(A, B) = \frac{2|A \cap B| + s}{|A| + |B| + s}
              = \frac{2\,TP + s}{2\,TP + FP + FN + s}

    With ``smooth = 0`` this is exactly ``f1_score(y_true.ravel(), y_pred.ravel())``. A
    smoothing term :math:`s > 0` (common in segmentation losses) makes two empty masks score
    1 and biases small masks towards 1.

    Args:
        y_true, y_pred: binary masks of the same (any) shape: bool or {0, 1} values.
        smooth: :math:`s \ge 0`, added to numerator and denominator.
        zero_division: the value when both masks are empty and ``smooth = 0``; default 1.0
            (two empty masks agree perfectly: the segmentation convention, unlike
            ``f1_score``'s default of 0).

    Example:
        >>> dice_score([[1, 1], [0, 0]], [[1, 0], [0, 0]])
        0.6666666666666666
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_pred must have the same shape as y_true: got y_true.shape={y_true.shape}, "
            f"y_pred.shape={y_pred.shape}"
        )
    for name, mask in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.isin(mask, (0, 1)).all():
            raise ValueError(f"{name} must be a binary mask (values 0/1 or bool)")
    if not smooth >= 0:
        raise ValueError(f"smooth must be >= 0; got {smooth!r}")
    zero_value = _check_zero_division(zero_division)
    tp = np.count_nonzero(y_true.astype(bool) & y_pred.astype(bool))
    denominator = np.count_nonzero(y_true) + np.count_nonzero(y_pred) + smooth
    if denominator == 0:
        return zero_value
    return float((2 * tp + smooth) / denominator)


# --------------------------------------------------------------------------------------------
# Classification: chance-corrected agreement and the scores of probabilistic predictions
# --------------------------------------------------------------------------------------------


def balanced_accuracy_score(y_true, y_pred, *, sample_weight=None, adjusted=False):
    r"""Mean recall over the classes: accuracy that every class weighs alike.

    .. math:: \mathrm{BA} = \frac{1}{K} \sum_{k=1}^K \frac{C_{kk}}{\sum_j C_{kj}},
              \qquad \mathrm{BA}_{\text{adj}} = \frac{\mathrm{BA} - 1/K}{1 - 1/K}

    On imbalanced data plain accuracy rewards always predicting the majority class (99 % on a
    1 % positive rate); its balanced accuracy is :math:`1/K`. Classes predicted but absent
    from ``y_true`` are left out (with a warning). ``adjusted=True`` maps chance to 0.

    Example:
        >>> balanced_accuracy_score([0, 0, 0, 0, 1], [0, 0, 0, 0, 0])
        0.5
    """
    cm = confusion_matrix(y_true, y_pred, sample_weight=sample_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class = np.diag(cm) / cm.sum(axis=1)
    if np.any(np.isnan(per_class)):
        warnings.warn("y_pred contains classes not in y_true", UserWarning, stacklevel=2)
        per_class = per_class[~np.isnan(per_class)]
    score = np.mean(per_class)
    if adjusted:  # one class: chance is 1 and the adjusted score 0/0 = NaN, as scikit-learn
        chance = 1 / per_class.shape[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            score = (score - chance) / np.float64(1 - chance)
    return float(score)


def matthews_corrcoef(y_true, y_pred, *, sample_weight=None):
    r"""Matthews correlation coefficient (the :math:`R_K` of Gorodkin 2004 for K classes).

    .. math:: \mathrm{MCC} = \frac{c\,s - \sum_k p_k t_k}
              {\sqrt{\big(s^2 - \sum_k p_k^2\big)\big(s^2 - \sum_k t_k^2\big)}}

    with :math:`c = \sum_k C_{kk}` correct, :math:`s` samples, :math:`t_k` and :math:`p_k`
    the true and predicted counts of class :math:`k`. In the binary case it is
    :math:`\frac{tp\,tn - fp\,fn}{\sqrt{(tp+fp)(tp+fn)(tn+fp)(tn+fn)}}`, the correlation of
    the two 0/1 vectors: 1 perfect, 0 chance, -1 inverted. 0 when it is undefined (a
    constant ``y_true`` or ``y_pred``).

    Example:
        >>> round(matthews_corrcoef([1, 1, 1, 0], [1, 0, 1, 1]), 4)
        -0.3333
    """
    y_type, _, y_true, y_pred, sample_weight = _check_targets(y_true, y_pred, sample_weight)
    if y_type not in ("binary", "multiclass"):
        raise ValueError(f"{y_type} is not supported")
    cm = confusion_matrix(y_true, y_pred, sample_weight=sample_weight)
    t_sum = cm.sum(axis=1, dtype=np.float64)
    p_sum = cm.sum(axis=0, dtype=np.float64)
    n_correct = np.trace(cm, dtype=np.float64)
    n_samples = p_sum.sum()
    cov_ytyp = n_correct * n_samples - np.dot(t_sum, p_sum)
    cov_ypyp = n_samples**2 - np.dot(p_sum, p_sum)
    cov_ytyt = n_samples**2 - np.dot(t_sum, t_sum)
    if cov_ypyp * cov_ytyt == 0:
        return 0.0
    return float(cov_ytyp / np.sqrt(cov_ypyp * cov_ytyt))


def cohen_kappa_score(
    y1, y2, *, labels=None, weights=None, sample_weight=None, replace_undefined_by=np.nan
):
    r"""Cohen's kappa: agreement of two annotators beyond what chance would give.

    .. math:: \kappa = 1 - \frac{\sum_{ij} w_{ij} C_{ij}}{\sum_{ij} w_{ij} E_{ij}},
              \qquad E_{ij} = \frac{(\sum_k C_{ik})(\sum_k C_{kj})}{\sum_{kl} C_{kl}}

    :math:`E` is the confusion matrix of independent annotators with the same marginals;
    :math:`w_{ij} = [i \ne j]` (unweighted: :math:`\kappa = (p_o - p_e)/(1 - p_e)`),
    :math:`|i - j|` (``weights="linear"``) or :math:`(i - j)^2` (``"quadratic"``, for ordinal
    labels: a near miss costs less). ``replace_undefined_by`` is returned (with an
    :class:`UndefinedMetricWarning`) when a denominator is 0.

    Example:
        >>> round(cohen_kappa_score([0, 1, 1, 0], [0, 1, 0, 0]), 4)
        0.5
    """
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"weights must be None, 'linear' or 'quadratic'; got {weights!r}")
    undefined = replace_undefined_by
    if not (isinstance(undefined, float) and np.isnan(undefined)) and not -1 <= undefined <= 1:
        raise ValueError(f"replace_undefined_by must be in [-1, 1] or np.nan; got {undefined!r}")
    try:
        cm = confusion_matrix(y1, y2, labels=labels, sample_weight=sample_weight)
    except ValueError as exc:
        if "At least one label specified must be in y_true" in str(exc):
            raise ValueError(
                "At least one label in `labels` must be present in `y1` (even though "
                "`cohen_kappa_score` is otherwise agnostic to the order of `y1` and `y2`)."
            ) from exc
        raise
    cm = cm.astype(np.float64)
    n_classes = cm.shape[0]
    sum0, sum1 = cm.sum(axis=0), cm.sum(axis=1)
    total = sum0.sum()
    if total == 0:
        warnings.warn(
            "`y2` contains no labels that are present in both `y1` and `labels`. "
            "`cohen_kappa_score` is undefined and set to the value defined by the "
            f"`replace_undefined_by` param, which is set to {undefined}.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return undefined
    expected = np.outer(sum0, sum1) / total
    idx = np.arange(n_classes)
    if weights is None:
        w = (idx[:, None] != idx[None, :]).astype(np.float64)
    elif weights == "linear":
        w = np.abs(idx[:, None] - idx[None, :]).astype(np.float64)
    else:
        w = ((idx[:, None] - idx[None, :]) ** 2).astype(np.float64)
    denominator = np.sum(w * expected)
    if denominator == 0:
        warnings.warn(
            "`y1`, `y2` and `labels` have only one label in common. `cohen_kappa_score` is "
            "undefined and set to the value defined by the `replace_undefined_by` param, "
            f"which is set to {undefined}.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return undefined
    return float(1 - np.sum(w * cm) / denominator)


def zero_one_loss(y_true, y_pred, *, normalize=True, sample_weight=None):
    r"""Fraction (or weighted count) of samples predicted wrong: one minus accuracy.

    .. math:: L_{0/1} = \frac{\sum_n w_n [\hat y_n \ne y_n]}{\sum_n w_n}

    Multilabel rows count as wrong unless the whole row matches.

    Example:
        >>> zero_one_loss([1, 2, 3, 4], [2, 2, 3, 4])
        0.25
    """
    score = accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=sample_weight)
    if normalize:
        return 1 - score
    n = _num_samples(np.asarray(y_true)) if sample_weight is None else np.sum(sample_weight)
    return float(n - score)


def hamming_loss(y_true, y_pred, *, sample_weight=None):
    r"""Fraction of wrong labels: per sample in single-label data, per (sample, label) entry
    of a multilabel indicator matrix.

    .. math:: L_H = \frac{1}{L}\,\frac{\sum_n w_n \sum_{l=1}^L [\hat y_{nl} \ne y_{nl}]}
              {\sum_n w_n}

    (:math:`L = 1` for single-label data, where it equals :func:`zero_one_loss`.)

    Example:
        >>> hamming_loss(np.array([[0, 1], [1, 1]]), np.zeros((2, 2)))
        0.75
    """
    y_type, _, y_true, y_pred, sample_weight = _check_targets(y_true, y_pred, sample_weight)
    if y_type == "multilabel-indicator":
        wrong = np.count_nonzero(y_true != y_pred, axis=1)
        weight_average = 1.0 if sample_weight is None else float(np.mean(sample_weight))
        total = float(wrong.sum() if sample_weight is None else np.dot(wrong, sample_weight))
        return total / (y_true.shape[0] * y_true.shape[1] * weight_average)
    return float(np.average(y_true != y_pred, weights=sample_weight))


def _one_hot_targets(y_true, labels):
    """``y_true`` as an ``(n_samples, n_classes)`` 0/1 matrix (binary: two columns) and the
    sorted classes; scikit-learn's rules and messages for log_loss / brier_score_loss."""
    y_true = _dense(y_true)
    _refuse_bytes(y_true)
    if y_true.ndim == 2 and y_true.shape[1] > 1:  # already a label indicator matrix
        if _type_of_target(y_true, "y_true") != "multilabel-indicator":
            raise ValueError("Multioutput target data is not supported with label binarization")
        classes = np.arange(y_true.shape[1])
        onehot = (y_true != 0).astype(np.int64)
    else:
        y_true = _column_or_1d(y_true, "y_true")
        if labels is not None:
            given, labels = labels, np.asarray(labels)
            classes = np.unique(labels)
            if classes.shape != labels.shape or not np.all(classes == labels):
                warnings.warn(
                    f"Labels passed were {given}. But this function assumes labels are "
                    f"ordered lexicographically. Pass the ordered labels={classes.tolist()} "
                    "and ensure that the columns of y_prob correspond to this ordering.",
                    UserWarning,
                    stacklevel=3,
                )
            if not np.all(np.isin(y_true, labels)):
                raise ValueError(
                    f"y_true contains values {set(y_true.tolist()) - set(labels.tolist())} "
                    f"not belonging to the passed labels {given}."
                )
        else:
            classes = np.unique(y_true)
        if classes.shape[0] == 1:
            if labels is None:
                raise ValueError(
                    f"y_true contains only one label ({classes[0]}). Please provide the list "
                    "of all expected class labels explicitly through the labels argument."
                )
            raise ValueError(
                f"The labels array needs to contain at least two labels, got {classes}."
            )
        onehot = (y_true[:, None] == classes[None, :]).astype(np.int64)
    return onehot, classes


def _check_proba(y_proba, name="y_prob"):
    if y_proba.max(initial=0) > 1:
        raise ValueError(f"{name} contains values greater than 1: {y_proba.max()}")
    if y_proba.min(initial=0) < 0:
        raise ValueError(f"{name} contains values lower than 0: {y_proba.min()}")


def _multiclass_proba(y_true, y_proba, sample_weight, labels):
    """(one-hot targets, ``(n_samples, n_classes)`` probabilities), validated."""
    _check_finite(y_proba, "y_proba")
    _check_proba(y_proba)
    _check_consistent_length(y_proba, np.asarray(y_true), sample_weight)
    _check_sample_weight(sample_weight, y_proba.shape[0])
    onehot, classes = _one_hot_targets(y_true, labels)
    if y_proba.ndim == 1:
        y_proba = y_proba[:, None]
    if y_proba.shape[1] == 1:
        y_proba = np.concatenate([1 - y_proba, y_proba], axis=1)
    eps = np.finfo(y_proba.dtype).eps
    if not np.all(np.isclose(y_proba.sum(axis=1), 1, rtol=np.sqrt(eps))):
        warnings.warn(
            "The y_prob values do not sum to one. Make sure to pass probabilities.",
            UserWarning,
            stacklevel=3,
        )
    if classes.shape[0] != y_proba.shape[1]:
        if labels is None:
            raise ValueError(
                f"y_true and y_prob contain different number of classes: {onehot.shape[1]} vs "
                f"{y_proba.shape[1]}. Please provide the true labels explicitly through the "
                f"labels argument. Classes found in y_true: {classes}"
            )
        raise ValueError(
            "The number of classes in labels is different from that in y_prob. Classes found "
            f"in labels: {classes}"
        )
    return onehot, y_proba


def _as_proba_array(y_proba) -> np.ndarray:
    y = np.asarray(y_proba)
    if y.dtype.kind not in "biuf":
        raise ValueError(f"y_proba must be numeric; got dtype {y.dtype}")
    return y if y.dtype.kind == "f" else y.astype(np.float64)


def log_loss(y_true, y_proba, *, normalize=True, sample_weight=None, labels=None):
    r"""Cross-entropy of predicted class probabilities (negative log-likelihood).

    .. math:: L = -\frac{\sum_n w_n \sum_k y_{nk} \log p_{nk}}{\sum_n w_n}

    with one-hot :math:`y_{nk}` and probabilities clipped to :math:`[\epsilon, 1 - \epsilon]`
    (:math:`\epsilon` the machine epsilon of their dtype) so that a confident mistake costs
    :math:`-\log\epsilon \approx 36` instead of infinity. A 1-D ``y_proba`` is the probability
    of the greater class. ``normalize=False`` returns the (weighted) sum.

    Args:
        y_true: labels ``(n_samples,)`` (or a label indicator matrix).
        y_proba: ``(n_samples, n_classes)`` probabilities, columns in sorted label order (or
            ``(n_samples,)`` for a binary target).
        labels: every class, when ``y_true`` does not show them all.

    Example:
        >>> round(log_loss([0, 1, 1], [[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]]), 4)
        0.2284
    """
    y_proba = _as_proba_array(y_proba)
    onehot, y_proba = _multiclass_proba(y_true, y_proba, sample_weight, labels)
    eps = np.finfo(y_proba.dtype).eps
    p = np.clip(y_proba, eps, 1 - eps)
    loss = -np.sum(onehot * np.log(p), axis=1)
    if normalize:
        return float(np.average(loss, weights=sample_weight))
    return float(np.sum(loss if sample_weight is None else loss * np.asarray(sample_weight)))


def brier_score_loss(
    y_true, y_proba, *, sample_weight=None, pos_label=None, labels=None, scale_by_half="auto"
):
    r"""Brier score: mean squared error of the predicted probabilities.

    .. math:: \mathrm{BS} = \frac{s}{\sum_n w_n} \sum_n w_n \sum_k (p_{nk} - y_{nk})^2

    with one-hot :math:`y_{nk}`; :math:`s = 1/2` by default for binary targets (then it is
    the familiar :math:`\frac1N \sum_n (p_n - y_n)^2` of the positive class, in [0, 1]) and
    :math:`s = 1` for three or more classes (in [0, 2]). A proper scoring rule: it is
    minimized in expectation by the true probabilities, and it penalizes overconfidence less
    harshly than :func:`log_loss`.

    Args:
        y_proba: ``(n_samples,)`` probability of ``pos_label`` (default: the greater label),
            or ``(n_samples, n_classes)``.
        scale_by_half: ``"auto"`` (binary only), ``True`` or ``False``.

    Example:
        >>> round(brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]), 4)
        0.0375
    """
    if scale_by_half not in ("auto", True, False):
        raise ValueError(f"scale_by_half must be 'auto', True or False; got {scale_by_half!r}")
    y_proba = _as_proba_array(y_proba)
    if y_proba.ndim == 1 or y_proba.shape[1] == 1:
        onehot, y_proba = _binary_proba(y_true, y_proba, sample_weight, pos_label)
    else:
        onehot, y_proba = _multiclass_proba(y_true, y_proba, sample_weight, labels)
    score = float(np.average(np.sum((onehot - y_proba) ** 2, axis=1), weights=sample_weight))
    if scale_by_half == "auto":
        scale_by_half = y_proba.shape[1] < 3
    return score * 0.5 if scale_by_half else score


def _binary_proba(y_true, y_proba, sample_weight, pos_label):
    y_true = _column_or_1d(_dense(y_true), "y_true")
    y_proba = _column_or_1d(y_proba, "y_proba")
    _refuse_bytes(y_true)
    if y_true.dtype.kind == "f":
        _check_finite(y_true, "y_true")
    _check_finite(y_proba, "y_proba")
    _check_consistent_length(y_proba, y_true, sample_weight)
    _check_sample_weight(sample_weight, y_proba.shape[0])
    y_type = _type_of_target(y_true, "y_true")
    if y_type != "binary":
        raise ValueError(
            f"The type of the target inferred from y_true is {y_type} but should be binary "
            "according to the shape of y_prob."
        )
    if y_proba.max(initial=0) > 1:
        raise ValueError(f"y_prob contains values greater than 1: {y_proba.max()}")
    if y_proba.min(initial=0) < 0:
        raise ValueError(f"y_prob contains values less than 0: {y_proba.min()}")
    if pos_label is None:
        classes = np.unique(y_true)
        allowed = ([0, 1], [-1, 1], [0], [-1], [1])
        if not any(np.array_equal(classes, a) for a in allowed):
            if _is_string_like(classes):
                _check_pos_label(None, y_true)  # raises scikit-learn's message
            pos_label = classes[-1]  # numbers: the greater label is the positive one
        else:
            pos_label = 1
    positive = (y_true == pos_label).astype(np.int64)
    return np.stack([1 - positive, positive], axis=1), np.stack([1 - y_proba, y_proba], axis=1)


def hinge_loss(y_true, pred_decision, *, labels=None, sample_weight=None):
    r"""Average hinge loss of decision values (the loss a linear SVM minimizes).

    .. math:: L = \frac{\sum_n w_n \max(0,\ 1 - m_n)}{\sum_n w_n}, \qquad
              m_n = \begin{cases} y_n f_n & \text{binary},\ y_n \in \{-1, +1\} \\
              f_{n,y_n} - \max_{k \ne y_n} f_{n,k} & \text{multiclass (Crammer-Singer)}
              \end{cases}

    Binary: ``pred_decision`` is ``(n_samples,)`` and the greater label is +1. Multiclass:
    ``(n_samples, n_classes)``, columns in sorted label order (``labels`` lists every class).

    Example:
        >>> hinge_loss([-1, 1, 1], [-2.2, 0.5, 1.3])
        0.16666666666666666
    """
    pred = np.asarray(pred_decision)
    y_true = _column_or_1d(np.asarray(y_true), "y_true")
    _check_consistent_length(y_true, pred, sample_weight)
    if pred.dtype.kind not in "biuf":
        raise TypeError("pred_decision should be an array of floats.")
    pred = pred.astype(np.float64)
    _check_finite(pred, "pred_decision")  # NaN or inf decision values: refused, as sklearn
    classes = np.unique(labels if labels is not None else y_true)
    if classes.size > 2:
        n = y_true.shape[0]
        if pred.ndim <= 1:
            raise ValueError(
                "The shape of pred_decision cannot be 1d array with a multiclass target. "
                f"pred_decision shape must be (n_samples, n_classes), that is "
                f"({n}, {classes.size}). Got: {pred.shape}"
            )
        if classes.size != pred.shape[1]:
            if labels is None:
                raise ValueError(
                    "Please include all labels in y_true or pass labels as third argument"
                )
            raise ValueError(
                "The shape of pred_decision is not consistent with the number of classes. "
                "With a multiclass target, pred_decision shape must be (n_samples, n_classes), "
                f"that is ({n}, {classes.size}). Got: {pred.shape}"
            )
        index = np.searchsorted(classes, y_true)
        if np.any(index >= classes.size) or np.any(
            classes[np.minimum(index, classes.size - 1)] != y_true
        ):
            raise ValueError(
                f"y contains previously unseen labels: {np.setdiff1d(y_true, classes)}"
            )
        rows = np.arange(n)
        own = pred[rows, index]
        rivals = pred.copy()
        rivals[rows, index] = -np.inf
        margin = own - rivals.max(axis=1)
    else:
        pred = _column_or_1d(pred, "pred_decision")
        present = np.unique(y_true)  # the binary labels come from y_true, as LabelBinarizer's
        sign = np.where(y_true == present[-1], 1.0, -1.0) if present.size == 2 else -1.0
        margin = sign * pred
    losses = np.maximum(1 - margin, 0)
    return float(np.average(losses, weights=sample_weight))


# --------------------------------------------------------------------------------------------
# Reports and ratios of hard labels; D^2 of probabilistic predictions
# --------------------------------------------------------------------------------------------

REPORT_HEADERS = ("precision", "recall", "f1-score", "support")


def _report_averages(y_type: str) -> tuple[str, ...]:
    if y_type.startswith("multilabel"):
        return ("micro", "macro", "weighted", "samples")
    return ("micro", "macro", "weighted")


def classification_report(
    y_true,
    y_pred,
    *,
    labels=None,
    target_names=None,
    sample_weight=None,
    digits=2,
    output_dict=False,
    zero_division="warn",
):
    r"""Precision, recall, F1 and support of every label, then their averages, as a text
    table (or a dict with ``output_dict=True``).

    .. math:: P_k = \frac{TP_k}{TP_k + FP_k},\quad R_k = \frac{TP_k}{TP_k + FN_k},\quad
              F_{1,k} = \frac{2 P_k R_k}{P_k + R_k},\quad \mathrm{support}_k = TP_k + FN_k

    followed by the micro, macro and weighted averages (and ``samples`` for multilabel
    targets) as in :func:`precision_recall_fscore_support`. For single-label targets that
    cover every label, micro P = R = F1 = accuracy, so that row is printed as ``accuracy``
    (a single number in the dict).

    Args:
        y_true, y_pred: ``(n_samples,)`` labels or ``(n_samples, n_labels)`` indicators.
        labels: the labels to report (and their order); default: every label seen.
        target_names: display names of ``labels``, same length.
        digits: decimals in the text table (the dict keeps full precision).
        output_dict: return ``{name: {"precision", "recall", "f1-score", "support"}, ...}``.
        zero_division: as :func:`precision_recall_fscore_support`.

    Example:
        >>> print(classification_report([0, 1, 1, 2], [0, 1, 2, 2]))
                      precision    recall  f1-score   support
        <BLANKLINE>
                   0       1.00      1.00      1.00         1
                   1       1.00      0.50      0.67         2
                   2       0.50      1.00      0.67         1
        <BLANKLINE>
            accuracy                           0.75         4
           macro avg       0.83      0.83      0.78         4
        weighted avg       0.88      0.75      0.75         4
        <BLANKLINE>
    """
    y_type, seen, y_true, y_pred, sample_weight = _check_targets(y_true, y_pred, sample_weight)
    labels_given = labels is not None
    labels = np.asarray(labels) if labels_given else seen
    micro_is_accuracy = y_type in ("binary", "multiclass") and (
        not labels_given or set(labels.tolist()) >= set(seen.tolist())
    )
    if target_names is not None and len(labels) != len(target_names):
        if not labels_given:
            raise ValueError(
                f"Number of classes, {len(labels)}, does not match size of target_names, "
                f"{len(target_names)}. Try specifying the labels parameter"
            )
        warnings.warn(
            f"labels size, {len(labels)}, does not match size of target_names, "
            f"{len(target_names)}",
            stacklevel=2,
        )
    if target_names is None:
        target_names = [f"{label}" for label in labels]
    scores = dict(labels=labels, sample_weight=sample_weight, zero_division=zero_division)
    p, r, f1, s = precision_recall_fscore_support(y_true, y_pred, average=None, **scores)
    if sample_weight is not None:  # weighted supports print as floats, as in scikit-learn
        s = s.astype(np.float64)
    rows = [(name, *values) for name, *values in zip(target_names, p, r, f1, s, strict=False)]
    averages = []
    for average in _report_averages(y_type):
        heading = "accuracy" if average == "micro" and micro_is_accuracy else f"{average} avg"
        avg_p, avg_r, avg_f1, _ = precision_recall_fscore_support(
            y_true, y_pred, average=average, **scores
        )
        averages.append((heading, avg_p, avg_r, avg_f1, np.sum(s)))
    if output_dict:
        report = {name: _report_entry(values) for name, *values in rows}
        for heading, *values in averages:
            report[heading] = _report_entry(values)
        if "accuracy" in report:
            report["accuracy"] = report["accuracy"]["precision"]
        return report
    return _report_text(rows, averages, target_names, digits)


def _report_entry(values) -> dict[str, float]:
    return {header: float(v) for header, v in zip(REPORT_HEADERS, values, strict=True)}


def _report_text(rows, averages, target_names, digits: int) -> str:
    """scikit-learn's layout, character for character."""
    width = max(max((len(name) for name in target_names), default=0), len("weighted avg"), digits)
    head = "{:>{width}s} " + " {:>9}" * len(REPORT_HEADERS)
    row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
    text = head.format("", *REPORT_HEADERS, width=width) + "\n\n"
    for row in rows:
        text += row_fmt.format(*row, width=width, digits=digits)
    text += "\n"
    for heading, *values in averages:
        if heading == "accuracy":
            accuracy_fmt = "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f} {:>9}\n"
            text += accuracy_fmt.format(heading, "", "", *values[2:], width=width, digits=digits)
        else:
            text += row_fmt.format(heading, *values, width=width, digits=digits)
    return text


def _check_replace_undefined_by(replace_undefined_by):
    """``replace_undefined_by`` as NaN or a validated ``{"LR+": ..., "LR-": ...}`` dict."""
    if isinstance(replace_undefined_by, float) and np.isnan(replace_undefined_by):
        return replace_undefined_by
    if not isinstance(replace_undefined_by, dict) and replace_undefined_by == 1.0:
        return {"LR+": 1.0, "LR-": 1.0}
    message = (
        "The dictionary passed as `replace_undefined_by` needs to be in the form "
        "`{'LR+': `value_1`, 'LR-': `value_2`}` where the value for `LR+` ranges from `1.0` "
        "to `np.inf` or is `np.nan` and the value for `LR-` ranges from `0.0` to `1.0` or "
        f"is `np.nan`; got `{replace_undefined_by}`."
    )
    if not isinstance(replace_undefined_by, dict):
        raise ValueError(
            "replace_undefined_by must be np.nan, 1.0 or a dict {'LR+': value, 'LR-': value}; "
            f"got {replace_undefined_by!r}"
        )
    if "LR+" not in replace_undefined_by or "LR-" not in replace_undefined_by:
        raise ValueError(message)
    lr_pos, lr_neg = replace_undefined_by["LR+"], replace_undefined_by["LR-"]
    for value in (lr_pos, lr_neg):
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise ValueError(message)
    if lr_pos < 1.0 or lr_neg < 0.0 or lr_neg > 1.0:
        raise ValueError(message)
    return replace_undefined_by


def class_likelihood_ratios(
    y_true, y_pred, *, labels=None, sample_weight=None, replace_undefined_by=np.nan
):
    r"""Positive and negative likelihood ratios of a binary classifier: how much a positive
    (negative) prediction multiplies the odds of the positive class.

    .. math:: \mathrm{LR}_+ = \frac{\mathrm{TPR}}{\mathrm{FPR}}
              = \frac{TP / (TP + FN)}{FP / (FP + TN)},\qquad
              \mathrm{LR}_- = \frac{1 - \mathrm{TPR}}{1 - \mathrm{FPR}}
              = \frac{FN / (TP + FN)}{TN / (FP + TN)}

    Post-test odds = :math:`\mathrm{LR} \times` pre-test odds, which makes them independent
    of the prevalence (unlike precision). :math:`\mathrm{LR}_+ > 1` and
    :math:`\mathrm{LR}_- < 1` for a useful classifier. An undefined ratio (no positive
    sample, ``FP = 0`` or ``TN = 0``) warns (:class:`UndefinedMetricWarning`) and takes
    ``replace_undefined_by``: NaN, ``1.0`` (the worst value of both) or a dict
    ``{"LR+": value in [1, inf] or NaN, "LR-": value in [0, 1] or NaN}``.

    Returns:
        ``(positive_likelihood_ratio, negative_likelihood_ratio)``.

    Example:
        >>> class_likelihood_ratios([0, 1, 0, 1, 0], [1, 1, 0, 0, 0])
        (1.5, 0.75)
    """
    y_type, _, y_true, y_pred, sample_weight = _check_targets(y_true, y_pred, sample_weight)
    if y_type != "binary":
        raise ValueError(
            "class_likelihood_ratios only supports binary classification problems, got "
            f"targets of type: {y_type}"
        )
    replace = _check_replace_undefined_by(replace_undefined_by)
    cm = confusion_matrix(y_true, y_pred, sample_weight=sample_weight, labels=labels)
    tn, fp, fn, tp = cm.ravel()
    support_pos, support_neg = tp + fn, tn + fp
    advice = (
        "Use the `replace_undefined_by` param to control this behavior. To suppress this "
        "warning or turn it into an error, see Python's `warnings` module and "
        "`warnings.catch_warnings()`."
    )
    if support_pos == 0:
        warnings.warn(
            "No samples of the positive class are present in `y_true`. "
            "`positive_likelihood_ratio` and `negative_likelihood_ratio` are both set to "
            f"`np.nan`. {advice}",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        lr_pos = lr_neg = np.nan
    if fp == 0:
        start = (
            "No samples were predicted for the positive class and `positive_likelihood_ratio` is "
            if tp == 0
            else "`positive_likelihood_ratio` is ill-defined and "
        )
        warnings.warn(
            start + "set to `np.nan`. Use the `replace_undefined_by` param to ",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        lr_pos = replace if not isinstance(replace, dict) else replace["LR+"]
    else:
        lr_pos = (tp * support_neg) / (fp * support_pos)
    if tn == 0:
        warnings.warn(
            f"`negative_likelihood_ratio` is ill-defined and set to `np.nan`. {advice}",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        lr_neg = replace if not isinstance(replace, dict) else replace["LR-"]
    else:
        lr_neg = (fn * support_neg) / (tn * support_pos)
    return float(lr_pos), float(lr_neg)


def _null_model(onehot: np.ndarray, sample_weight) -> np.ndarray:
    """The constant prediction of the (weighted) class frequencies, one row per sample."""
    prior = np.average(onehot.astype(np.float64), axis=0, weights=sample_weight)
    return np.tile(prior, (onehot.shape[0], 1))


def _too_few_for_d2(y_proba, y_true, sample_weight) -> bool:
    _check_consistent_length(y_proba, np.asarray(y_true), sample_weight)
    return not _check_d2_samples(_num_samples(np.asarray(y_proba)))


def _log_loss_sum(onehot, proba, sample_weight) -> float:
    eps = np.finfo(proba.dtype).eps
    loss = -np.sum(onehot * np.log(np.clip(proba, eps, 1 - eps)), axis=1)
    return float(np.sum(loss if sample_weight is None else loss * np.asarray(sample_weight)))


def d2_log_loss_score(y_true, y_proba, *, sample_weight=None, labels=None):
    r""":math:`D^2` of the log loss: the share of the log loss of the best constant
    prediction (the class frequencies of ``y_true``) that the model removes.

    .. math:: D^2 = 1 - \frac{\mathrm{LogLoss}(y, p)}{\mathrm{LogLoss}(y, \bar p)},\qquad
              \bar p_k = \frac{\sum_n w_n y_{nk}}{\sum_n w_n}

    1 is perfect, 0 is no better than the prior, negative is worse. NaN (with an
    :class:`UndefinedMetricWarning`) for fewer than two samples. Arguments as
    :func:`log_loss` (deliberately without scikit-learn 1.9's deprecated ``y_pred=``
    alias).

    Example:
        >>> round(d2_log_loss_score([0, 1, 1], [[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]]), 4)
        0.6412
    """
    if _too_few_for_d2(y_proba, y_true, sample_weight):
        return float("nan")
    y_proba = _as_proba_array(y_proba)
    onehot, y_proba = _multiclass_proba(y_true, y_proba, sample_weight, labels)
    null = _null_model(onehot, sample_weight).astype(y_proba.dtype)
    numerator = _log_loss_sum(onehot, y_proba, sample_weight)
    denominator = _log_loss_sum(onehot, null, sample_weight)
    return float(1 - np.float64(numerator) / np.float64(denominator))


def d2_brier_score(y_true, y_proba, *, sample_weight=None, pos_label=None, labels=None):
    r""":math:`D^2` of the Brier score: the share of the Brier score of the best constant
    prediction (the class frequencies of ``y_true``) that the model removes.

    .. math:: D^2 = 1 - \frac{\sum_n w_n \sum_k (p_{nk} - y_{nk})^2}
              {\sum_n w_n \sum_k (\bar p_k - y_{nk})^2}

    (the scale of :func:`brier_score_loss` cancels). NaN (with an
    :class:`UndefinedMetricWarning`) for fewer than two samples. Arguments as
    :func:`brier_score_loss`.

    Example:
        >>> round(d2_brier_score([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]), 4)
        0.85
    """
    if _too_few_for_d2(y_proba, y_true, sample_weight):
        return float("nan")
    y_proba = _as_proba_array(y_proba)
    if y_proba.ndim == 1 or y_proba.shape[1] == 1:
        onehot, y_proba = _binary_proba(y_true, y_proba, sample_weight, pos_label)
    else:
        onehot, y_proba = _multiclass_proba(y_true, y_proba, sample_weight, labels)
    onehot = onehot.astype(y_proba.dtype)
    null = _null_model(onehot, sample_weight)
    score = np.average(np.sum((onehot - y_proba) ** 2, axis=1), weights=sample_weight)
    score_null = np.average(np.sum((onehot - null) ** 2, axis=1), weights=sample_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(1 - np.float64(score) / np.float64(score_null))


# --------------------------------------------------------------------------------------------
# Ranking: ROC and precision-recall curves, AUC, average precision
# --------------------------------------------------------------------------------------------


def _check_pos_label(pos_label, y_true: np.ndarray):
    """``pos_label``, defaulting to 1 when ``y_true`` takes values in {0, 1} or {-1, 1}."""
    _refuse_bytes(np.asarray(y_true))
    if pos_label is not None:
        return pos_label
    classes = np.unique(y_true)
    allowed = ([0, 1], [-1, 1], [0], [-1], [1])
    if _is_string_like(classes) or not any(np.array_equal(classes, a) for a in allowed):
        shown = ", ".join(repr(c) for c in classes.tolist())
        raise ValueError(
            f"y_true takes value in {{{shown}}} and pos_label is not specified: either make "
            "y_true take value in {0, 1} or {-1, 1} or pass pos_label explicitly."
        )
    return 1


def _binary_clf_curve(y_true, y_score, pos_label=None, sample_weight=None):
    r"""Weighted false and true positive counts at every distinct score, highest first.

    .. math:: \mathrm{tps}(t) = \sum_{n:\, s_n \ge t} w_n [y_n = +],\qquad
              \mathrm{fps}(t) = \sum_{n:\, s_n \ge t} w_n [y_n \ne +]

    Tied scores form one threshold (all of them are predicted positive together), which is
    what makes the curves independent of the order of tied samples.
    """
    y_true = np.asarray(y_true)
    y_type = _type_of_target(y_true, "y_true")
    if not (y_type == "binary" or (y_type == "multiclass" and pos_label is not None)):
        raise ValueError(f"{y_type} format is not supported")
    _check_consistent_length(y_true, y_score, sample_weight)
    pos_label = _check_pos_label(pos_label, y_true)
    y_true = _column_or_1d(y_true, "y_true") == pos_label
    y_score = _column_or_1d(np.asarray(y_score), "y_score")
    if y_score.dtype.kind not in "biuf":
        raise TypeError(f"y_score must be numeric; got dtype {y_score.dtype}")
    _check_finite(y_score, "y_score")
    sample_weight = _check_sample_weight(sample_weight, y_true.shape[0])
    if sample_weight is not None:
        nonzero = sample_weight != 0  # zero-weight samples must not create thresholds
        y_true, y_score, sample_weight = y_true[nonzero], y_score[nonzero], sample_weight[nonzero]
    # the order inside a run of tied scores is irrelevant (only the counts at the end of
    # each run are kept), so the fast unstable sort will do
    order = np.argsort(-y_score)
    y_score, y_true = y_score[order], y_true[order].astype(np.float64)
    threshold_idxs = np.r_[np.flatnonzero(np.diff(y_score)), y_true.size - 1]
    if sample_weight is None:
        tps = np.cumsum(y_true)[threshold_idxs]
        fps = 1 + threshold_idxs - tps
    else:
        weight = sample_weight[order]
        tps = np.cumsum(y_true * weight)[threshold_idxs]
        fps = np.cumsum((1 - y_true) * weight)[threshold_idxs]
    return fps, tps, y_score[threshold_idxs]


def roc_curve(y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=True):
    r"""Receiver operating characteristic: false- vs true-positive rate over all thresholds.

    .. math:: \mathrm{FPR}(t) = \frac{FP(t)}{N},\qquad \mathrm{TPR}(t) = \frac{TP(t)}{P},
              \qquad \text{predict positive iff } s \ge t

    One point per distinct score (ties move the curve diagonally), preceded by the point
    (0, 0) at threshold :math:`+\infty`.

    Args:
        y_true: ``(n_samples,)`` binary labels.
        y_score: ``(n_samples,)`` scores, higher = more likely positive.
        pos_label: the positive class (default 1 when labels are {0, 1} or {-1, 1}).
        sample_weight: ``(n_samples,)``.
        drop_intermediate: drop a threshold whose step in from its predecessor equals its
            step out to its successor (same change of FP count and of TP count, scikit-learn's
            rule: the second differences of both counts are 0). Such a point is on the
            segment between its neighbours, so the plot and the AUC do not change; a point on
            that line with unequal steps on each side is kept.

    Returns:
        ``(fpr, tpr, thresholds)``, with ``thresholds[0] = inf``. With no negatives (no
        positives) ``fpr`` (``tpr``) is NaN and an :class:`UndefinedMetricWarning` is raised.

    Example:
        >>> fpr, tpr, thr = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> fpr.tolist(), tpr.tolist(), thr.tolist()
        ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0], [inf, 0.8, 0.4, 0.35, 0.1])
    """
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and fps.shape[0] > 2:
        corner = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
        fps, tps, thresholds = fps[corner], tps[corner], thresholds[corner]
    tps, fps = np.r_[0.0, tps], np.r_[0.0, fps]
    thresholds = np.r_[np.inf, thresholds.astype(np.float64)]
    if fps[-1] <= 0:
        warnings.warn(
            "No negative samples in y_true, false positive value should be meaningless",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        fpr = np.full(fps.shape, np.nan)
    else:
        fpr = fps / fps[-1]
    if tps[-1] <= 0:
        warnings.warn(
            "No positive samples in y_true, true positive value should be meaningless",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        tpr = np.full(tps.shape, np.nan)
    else:
        tpr = tps / tps[-1]
    return fpr, tpr, thresholds


def det_curve(y_true, y_score, pos_label=None, sample_weight=None, drop_intermediate=False):
    r"""Detection error tradeoff: false negative rate against false positive rate, one point
    per distinct score threshold (plotted on normal-deviate axes, where two Gaussian score
    distributions give a straight line).

    .. math:: \mathrm{FPR}(t) = \frac{\mathrm{fps}(t)}{N_-}, \qquad
              \mathrm{FNR}(t) = 1 - \mathrm{TPR}(t) = \frac{P - \mathrm{tps}(t)}{P}

    The points run from the threshold where FPR first reaches its minimum to the one where
    FNR reaches 0, in decreasing FPR; ``drop_intermediate`` drops thresholds where the true
    positives do not change on either side.

    Returns:
        ``(fpr, fnr, thresholds)``.

    Example:
        >>> fpr, fnr, t = det_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> fpr.tolist(), fnr.tolist(), t.tolist()
        ([0.5, 0.5, 0.0], [0.0, 0.5, 0.5], [0.35, 0.4, 0.8])
    """
    fps, tps, thresholds = _binary_clf_curve(
        y_true, y_score, pos_label=pos_label, sample_weight=sample_weight
    )
    tps = np.r_[0.0, tps]
    fps = np.r_[0.0, fps]
    thresholds = np.r_[np.inf, thresholds.astype(np.float64)]
    if drop_intermediate and len(fps) > 2:
        keep = np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    if np.unique(np.asarray(y_true)).shape[0] != 2:
        raise ValueError(
            "Only one class is present in y_true. Detection error tradeoff curve is not "
            "defined in that case."
        )
    fns = tps[-1] - tps
    first = np.searchsorted(fps, fps[0], side="right") - 1
    last = np.searchsorted(tps, tps[-1]) + 1
    sl = slice(first if first > 0 else None, last)
    return fps[sl][::-1] / fps[-1], fns[sl][::-1] / tps[-1], thresholds[sl][::-1]


def auc(x, y):
    r"""Area under a curve given by points, with the trapezoidal rule.

    .. math:: \int y\,dx \approx \sum_i (x_{i+1} - x_i)\,\frac{y_i + y_{i+1}}{2}

    ``x`` must be monotonic (increasing or decreasing); at least 2 points.

    Example:
        >>> auc([0.0, 0.5, 1.0], [0.0, 1.0, 1.0])
        0.75
    """
    x_given = np.asarray(x)
    x = _column_or_1d(np.asarray(x, dtype=np.float64), "x")
    y = _column_or_1d(np.asarray(y, dtype=np.float64), "y")
    _check_consistent_length(x, y)
    if x.shape[0] < 2:
        raise ValueError(
            f"At least 2 points are needed to compute area under curve, but x.shape = {x.shape}"
        )
    dx = np.diff(x)
    direction = 1
    if np.any(dx < 0):
        if not np.all(dx <= 0):
            raise ValueError(f"x is neither increasing nor decreasing : {x_given}.")
        direction = -1
    return float(direction * np.trapezoid(y, x))


def _binary_roc_auc_score(y_true, y_score, sample_weight=None, max_fpr=None):
    if len(np.unique(y_true)) != 2:
        warnings.warn(
            "Only one class is present in y_true. ROC AUC score is not defined in that case.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return np.nan
    fpr, tpr, _ = roc_curve(y_true, y_score, sample_weight=sample_weight)
    if max_fpr is None or max_fpr == 1:
        return auc(fpr, tpr)
    # standardised partial AUC over [0, max_fpr] (McClish 1989): 0.5 random, 1 perfect
    stop = np.searchsorted(fpr, max_fpr, "right")
    tpr_at_max = np.interp(max_fpr, fpr[stop - 1 : stop + 1], tpr[stop - 1 : stop + 1])
    partial = auc(np.r_[fpr[:stop], max_fpr], np.r_[tpr[:stop], tpr_at_max])
    min_area, max_area = 0.5 * max_fpr**2, max_fpr
    return 0.5 * (1 + (partial - min_area) / (max_area - min_area))


def _average_binary_score(binary_metric, y_true, y_score, average, sample_weight=None):
    """Apply a binary metric per column of an indicator matrix and average (sklearn rules)."""
    if average not in AVERAGE_OPTIONS:
        raise ValueError(f"average has to be one of {AVERAGE_OPTIONS}; got {average!r}")
    y_type = _type_of_target(y_true, "y_true")
    if y_type not in ("binary", "multilabel-indicator"):
        raise ValueError(f"{y_type} format is not supported")
    if y_type == "binary":
        return binary_metric(y_true, y_score, sample_weight=sample_weight)
    _check_consistent_length(y_true, y_score, sample_weight)
    if y_score.shape != y_true.shape:
        raise ValueError(
            f"y_score must have the shape of y_true {y_true.shape}; got {y_score.shape}"
        )
    score_weight, average_weight, axis = sample_weight, None, 1
    if average == "micro":
        if score_weight is not None:
            score_weight = np.repeat(score_weight, y_true.shape[1])
        y_true, y_score = y_true.ravel()[:, None], y_score.ravel()[:, None]
    elif average == "weighted":
        w = np.ones(y_true.shape[0]) if sample_weight is None else sample_weight
        average_weight = np.sum(y_true * np.asarray(w)[:, None], axis=0)
        if np.isclose(np.sum(average_weight), 0):
            return 0
    elif average == "samples":
        average_weight, score_weight, axis = score_weight, None, 0
    n_scores = y_true.shape[axis]
    take = (lambda a, c: a[:, c]) if axis == 1 else (lambda a, c: a[c])
    score = np.array(
        [
            binary_metric(take(y_true, c), take(y_score, c), sample_weight=score_weight)
            for c in range(n_scores)
        ],
        dtype=np.float64,
    )
    if average is None:
        return score
    if average_weight is not None:
        score[average_weight == 0] = 0  # a zero-weight NaN must not poison the average
    return float(np.average(score, weights=average_weight))


def _one_hot(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    return (y[:, None] == classes[None, :]).astype(np.int64)


def roc_auc_score(
    y_true,
    y_score,
    *,
    average="macro",
    sample_weight=None,
    max_fpr=None,
    multi_class="raise",
    labels=None,
):
    r"""Area under the ROC curve: the probability that a random positive outscores a random
    negative (ties count one half).

    .. math:: \mathrm{AUC} = \int_0^1 \mathrm{TPR}\, d\,\mathrm{FPR}
              = P(s^+ > s^-) + \tfrac12 P(s^+ = s^-)

    Args:
        y_true: ``(n_samples,)`` binary or multiclass labels, or ``(n_samples, n_labels)``
            indicators (multilabel).
        y_score: ``(n_samples,)`` (binary: score of the greater label) or
            ``(n_samples, n_classes)`` (multiclass: probabilities summing to 1 per row).
        average: ``"macro"``, ``"weighted"``, ``"micro"``, ``"samples"`` or ``None``
            (multilabel and one-vs-rest; one-vs-one supports macro and weighted).
        sample_weight: ``(n_samples,)`` (not with ``multi_class="ovo"``).
        max_fpr: if set, the standardised partial AUC over FPR in [0, max_fpr] (binary).
        multi_class: ``"ovr"`` (each class vs the rest) or ``"ovo"`` (Hand & Till average
            over pairs); the default ``"raise"`` refuses multiclass input, as scikit-learn.
        labels: multiclass only: the sorted classes indexing the columns of ``y_score``.

    Returns:
        A float (an array for ``average=None``). With one class in ``y_true`` (binary) the
        AUC is undefined: NaN and an :class:`UndefinedMetricWarning` (as scikit-learn 1.9).

    Example:
        >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        0.75
    """
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score, dtype=np.float64)
    y_type = _type_of_target(y_true, "y_true")
    if max_fpr is not None and not 0 < max_fpr <= 1:
        raise ValueError(f"Expected max_fpr in range (0, 1], got: {max_fpr!r}")
    if multi_class not in ("raise", "ovr", "ovo"):
        raise ValueError(f"multi_class must be one of 'raise', 'ovr', 'ovo'; got {multi_class!r}")
    sample_weight = (
        None if sample_weight is None else _column_or_1d(np.asarray(sample_weight), "sample_weight")
    )
    if y_type == "multiclass" or (
        y_type == "binary" and y_score.ndim == 2 and y_score.shape[1] > 2
    ):
        if max_fpr is not None and max_fpr != 1.0:
            raise ValueError(
                "Partial AUC computation not available in multiclass setting, 'max_fpr' must "
                f"be set to `None`, received `max_fpr={max_fpr}` instead"
            )
        if multi_class == "raise":
            raise ValueError("multi_class must be in ('ovo', 'ovr')")
        return _multiclass_roc_auc_score(
            _column_or_1d(y_true, "y_true"), y_score, labels, multi_class, average, sample_weight
        )

    def binary_metric(y, s, sample_weight=None):
        return _binary_roc_auc_score(y, s, sample_weight=sample_weight, max_fpr=max_fpr)

    if y_type == "binary":
        y_true = _column_or_1d(y_true, "y_true")
        y_true = (y_true == np.unique(y_true)[-1]).astype(np.int64)  # 1 = the greater label
    return _average_binary_score(binary_metric, y_true, y_score, average, sample_weight)


def _multiclass_roc_auc_score(y_true, y_score, labels, multi_class, average, sample_weight):
    if y_score.ndim != 2:
        raise ValueError(
            "`y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` contains "
            f"multiple classes. Got `y_score.shape={y_score.shape}`."
        )
    if not np.allclose(1, y_score.sum(axis=1)):
        raise ValueError(
            "Target scores need to be probabilities for multiclass roc_auc, i.e. they should "
            "sum up to 1.0 over classes"
        )
    average_options = ("macro", "weighted", None)
    if multi_class == "ovr":
        average_options = ("micro", *average_options)
    if average not in average_options:
        raise ValueError(f"average must be one of {average_options} for multiclass problems")
    if average is None and multi_class == "ovo":
        raise NotImplementedError("average=None is not implemented for multi_class='ovo'.")
    if labels is not None:
        labels = _column_or_1d(np.asarray(labels), "labels")
        classes = np.unique(labels)
        if len(classes) != len(labels):
            raise ValueError("Parameter 'labels' must be unique")
        if not np.array_equal(classes, labels):
            raise ValueError("Parameter 'labels' must be ordered")
        if len(classes) != y_score.shape[1]:
            raise ValueError(
                f"Number of given labels, {len(classes)}, not equal to the number of columns "
                f"in 'y_score', {y_score.shape[1]}"
            )
        if len(np.setdiff1d(y_true, classes)):
            raise ValueError("'y_true' contains labels not in parameter 'labels'")
    else:
        classes = np.unique(y_true)
        if len(classes) != y_score.shape[1]:
            raise ValueError(
                "Number of classes in y_true not equal to the number of columns in 'y_score'"
            )
    if multi_class == "ovr":
        return _average_binary_score(
            _binary_roc_auc_score, _one_hot(y_true, classes), y_score, average, sample_weight
        )
    if sample_weight is not None:
        raise ValueError(
            "sample_weight is not supported for multiclass one-vs-one ROC AUC, "
            "'sample_weight' must be None in this case."
        )
    return _ovo_roc_auc(np.searchsorted(classes, y_true), y_score, average)


def _ovo_roc_auc(y_encoded, y_score, average):
    r"""Hand & Till (2001): mean over class pairs of :math:`(A(a|b) + A(b|a)) / 2`, where
    :math:`A(a|b)` is the AUC of column ``a`` separating class a from class b."""
    present = np.unique(y_encoded)
    pair_scores, prevalence = [], []
    for i, a in enumerate(present):
        for b in present[i + 1 :]:
            is_a, is_b = y_encoded == a, y_encoded == b
            pair = is_a | is_b
            a_vs_b = _binary_roc_auc_score(is_a[pair], y_score[pair, a])
            b_vs_a = _binary_roc_auc_score(is_b[pair], y_score[pair, b])
            pair_scores.append((a_vs_b + b_vs_a) / 2)
            prevalence.append(pair.mean())
    return float(np.average(pair_scores, weights=prevalence if average == "weighted" else None))


def precision_recall_curve(
    y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=False
):
    r"""Precision and recall at every distinct score threshold.

    .. math:: P(t) = \frac{TP(t)}{TP(t) + FP(t)},\qquad R(t) = \frac{TP(t)}{TP(t) + FN(t)}

    Returned by increasing threshold (recall decreasing), followed by the end point
    ``precision = 1, recall = 0`` which has no threshold. Precision at a threshold with no
    predicted positives is 0; with no positives in ``y_true`` recall is 1 everywhere (with a
    warning).

    Args:
        y_true: ``(n_samples,)`` binary labels.
        y_score: ``(n_samples,)`` scores.
        pos_label: the positive class (default 1 for {0, 1} / {-1, 1} labels).
        sample_weight: ``(n_samples,)``.
        drop_intermediate: drop thresholds where the true positives do not change (they lie
            on a vertical segment of the curve).

    Returns:
        ``(precision, recall, thresholds)`` of lengths ``m + 1``, ``m + 1``, ``m``.

    Example:
        >>> p, r, t = precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> np.round(p, 3).tolist(), r.tolist(), t.tolist()
        ([0.5, 0.667, 0.5, 1.0, 1.0], [1.0, 1.0, 0.5, 0.5, 0.0], [0.1, 0.35, 0.4, 0.8])
    """
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    predicted = tps + fps
    precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted != 0)
    if tps[-1] == 0:
        warnings.warn(
            "No positive class found in y_true, recall is set to one for all thresholds.",
            UserWarning,
            stacklevel=2,
        )
        recall = np.ones_like(tps)
    else:
        recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def average_precision_score(y_true, y_score, *, average="macro", pos_label=1, sample_weight=None):
    r"""Average precision as scikit-learn defines it: the precision-weighted step sum over the
    (non-interpolated) precision-recall curve.

    .. math:: \mathrm{AP} = \sum_n (R_n - R_{n-1})\, P_n

    over thresholds from high to low (:math:`R_0 = 0`). This is *not* the VOC 11-point or
    all-point interpolated AP (see :func:`eleven_point_average_precision` and
    :func:`all_point_average_precision`), which replace :math:`P_n` by the best precision at
    recall :math:`\ge R_n` and are never smaller.

    Args:
        y_true: ``(n_samples,)`` binary or multiclass labels or ``(n_samples, n_labels)``
            indicators.
        y_score: ``(n_samples,)`` or ``(n_samples, n_classes)``.
        average: ``"macro"``, ``"weighted"``, ``"micro"``, ``"samples"`` or ``None``.
        pos_label: the positive class (binary only; must stay 1 otherwise).
        sample_weight: ``(n_samples,)``.

    Example:
        >>> round(average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
        0.8333
    """
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score)
    if sample_weight is not None:
        sample_weight = _column_or_1d(np.asarray(sample_weight), "sample_weight")
    y_type = _type_of_target(y_true, "y_true")
    present = np.unique(y_true)
    if y_type == "binary":
        if present.shape[0] == 2 and pos_label not in present:
            raise ValueError(
                f"pos_label={pos_label} is not a valid label. It should be one of {present}"
            )
    elif y_type in ("multilabel-indicator", "multiclass") and pos_label != 1:
        raise ValueError(
            f"Parameter pos_label is fixed to 1 for {y_type} y_true. Do not set pos_label or "
            "set pos_label to 1."
        )
    if y_type == "multiclass":
        y_true = _one_hot(_column_or_1d(y_true, "y_true"), present)
        if y_score.shape != y_true.shape:
            raise ValueError(
                "`y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` "
                f"contains multiple classes. Got `y_score.shape={y_score.shape}`."
            )

    def binary_metric(y, s, sample_weight=None):
        precision, recall, _ = precision_recall_curve(
            y, s, pos_label=pos_label, sample_weight=sample_weight
        )
        # recall decreases to its final 0, so -diff(recall) >= 0 are the recall increments
        return max(0.0, float(-np.sum(np.diff(recall) * precision[:-1])))

    return _average_binary_score(binary_metric, y_true, y_score, average, sample_weight)


def _curve_points(y_true, y_score, pos_label, sample_weight):
    """(recall, precision) at each threshold, recall increasing, without the (0, 1) end."""
    precision, recall, _ = precision_recall_curve(
        y_true, y_score, pos_label=pos_label, sample_weight=sample_weight
    )
    return recall[-2::-1], precision[-2::-1]


def eleven_point_average_precision(y_true, y_score, *, pos_label=None, sample_weight=None):
    r"""PASCAL VOC2007 11-point interpolated average precision.

    .. math:: \mathrm{AP}_{11} = \frac{1}{11} \sum_{r \in \{0, 0.1, \dots, 1\}}
              p_{\mathrm{interp}}(r),\qquad
              p_{\mathrm{interp}}(r) = \max_{n:\ R_n \ge r} P_n \quad(0 \text{ if none})

    The 11 values are *recall levels* (not ranks), computed in floating point as the VOC
    devkit does (``0:0.1:1``, ``np.arange(0, 1.1, 0.1)``, ``np.linspace(0, 1, 11)``):
    :math:`k \times 0.1`, so the level 3 is ``0.30000000000000004`` and a recall of exactly
    3/10 does not reach it (nor 6/10 and 7/10 their levels); use ``np.linspace(0, 1, 11)``.
    :math:`(R_n, P_n)` are the points of
    :func:`precision_recall_curve` (tied scores form one point, so the result does not
    depend on the order of ties; the VOC devkit instead ranks tied detections one by one).
    No scikit-learn equivalent.

    Args: as :func:`precision_recall_curve` (binary ``y_true``, ``y_score``, ``pos_label``,
        ``sample_weight``).

    Example:
        >>> round(eleven_point_average_precision([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]), 4)
        0.8485
    """
    recall, precision = _curve_points(y_true, y_score, pos_label, sample_weight)
    interpolated = [precision[recall >= r].max(initial=0.0) for r in VOC_RECALL_LEVELS]
    return float(np.mean(interpolated))


def all_point_average_precision(y_true, y_score, *, pos_label=None, sample_weight=None):
    r"""PASCAL VOC2010+ all-point interpolated average precision: the exact area under the
    interpolated (monotone non-increasing) precision-recall curve.

    .. math:: \mathrm{AP}_{\mathrm{all}} = \sum_n (R_n - R_{n-1})\,
              \max_{k:\ R_k \ge R_n} P_k = \int_0^1 p_{\mathrm{interp}}(r)\,dr

    Always :math:`\ge` :func:`average_precision_score` (same steps, each precision replaced
    by a maximum that includes it) and within 0.1 of the 11-point AP (a Riemann sum of the
    same non-increasing function). Points as in :func:`eleven_point_average_precision`.

    Example:
        >>> round(all_point_average_precision([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]), 4)
        0.8333
    """
    recall, precision = _curve_points(y_true, y_score, pos_label, sample_weight)
    recall = np.r_[0.0, recall, 1.0]
    precision = np.r_[0.0, precision, 0.0]
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.flatnonzero(recall[1:] != recall[:-1])
    return float(np.sum((recall[steps + 1] - recall[steps]) * envelope[steps + 1]))


def _check_relevance(y_true, y_score):
    y_true, y_score = np.asarray(y_true), np.asarray(y_score)
    for arr, name in ((y_true, "y_true"), (y_score, "y_score")):
        if arr.dtype.kind not in "biuf":
            raise ValueError(f"{name} must be numeric; got dtype {arr.dtype}")
        _check_finite(arr.astype(np.float64), name)
    return y_true, y_score


def _check_dcg_target_type(y_true: np.ndarray) -> None:
    y_type = _type_of_target(y_true, "y_true")
    supported = ("multilabel-indicator", "continuous-multioutput", "multiclass-multioutput")
    if y_type not in supported:
        raise ValueError(f"Only {supported} formats are supported. Got {y_type} instead")


def _dcg_sample_scores(y_true, y_score, k=None, log_base=2, ignore_ties=False):
    """DCG of each row (a query): the gains ``y_true`` in the order of ``y_score``."""
    discount = 1 / (np.log(np.arange(y_true.shape[1]) + 2) / np.log(log_base))
    if k is not None:
        discount[k:] = 0
    if ignore_ties:
        ranking = np.argsort(y_score)[:, ::-1]
        ranked = y_true[np.arange(ranking.shape[0])[:, None], ranking]
        return discount.dot(ranked.T)
    discount_cumsum = np.cumsum(discount)
    return np.array(
        [_tie_averaged_dcg(t, s, discount_cumsum) for t, s in zip(y_true, y_score, strict=True)]
    )


def _tie_averaged_dcg(y_true, y_score, discount_cumsum):
    """DCG where tied scores share their positions: each tied item gets the mean gain of its
    group times the group's summed discount (McSherry & Najork, 2008)."""
    _, inv, counts = np.unique(-y_score, return_inverse=True, return_counts=True)
    ranked = np.zeros(len(counts))
    np.add.at(ranked, inv.ravel(), y_true)
    ranked /= counts
    groups = np.cumsum(counts) - 1
    discount_sums = np.diff(discount_cumsum[groups], prepend=0.0)
    return float((ranked * discount_sums).sum())


def dcg_score(y_true, y_score, *, k=None, log_base=2, sample_weight=None, ignore_ties=False):
    r"""Discounted cumulative gain of rankings, averaged over the queries (rows).

    .. math:: \mathrm{DCG@}k = \sum_{i=1}^{k} \frac{g_{\pi(i)}}{\log_b(i + 1)}

    where :math:`\pi` sorts each row's items by decreasing ``y_score`` and :math:`g` are the
    true relevances ``y_true`` (an item at rank 1 counts fully, at rank 3 half as much for
    :math:`b = 2`). Tied scores share their positions: the items of a tie get the tie's mean
    gain (``ignore_ties=True`` ranks them arbitrarily, faster).

    Args:
        y_true, y_score: ``(n_queries, n_items)``; ``y_true`` non-negative relevances.
        k: only the top ``k`` positions count (default all). log_base: :math:`b`.

    Example:
        >>> round(dcg_score([[10, 0, 0, 1, 5]], [[0.1, 0.2, 0.3, 4, 70]]), 4)
        9.4995
    """
    y_true, y_score = _check_relevance(y_true, y_score)
    _check_consistent_length(y_true, y_score, sample_weight)
    _check_dcg_target_type(y_true)
    gains = _dcg_sample_scores(y_true, y_score, k=k, log_base=log_base, ignore_ties=ignore_ties)
    return float(np.average(gains, weights=_check_sample_weight(sample_weight, len(gains))))


def ndcg_score(y_true, y_score, *, k=None, sample_weight=None, ignore_ties=False):
    r"""Normalized DCG: each query's DCG divided by the DCG of its ideal ranking, in [0, 1].

    .. math:: \mathrm{NDCG@}k = \frac{\mathrm{DCG@}k(y, s)}{\mathrm{DCG@}k(y, y)}

    (a query whose relevances are all 0 scores 0), then averaged over the queries.

    Example:
        >>> round(ndcg_score([[10, 0, 0, 1, 5]], [[0.1, 0.2, 0.3, 4, 70]]), 4)
        0.6957
    """
    y_true, y_score = _check_relevance(y_true, y_score)
    _check_consistent_length(y_true, y_score, sample_weight)
    if y_true.min() < 0:
        raise ValueError("ndcg_score should not be used on negative y_true values.")
    if y_true.ndim > 1 and y_true.shape[1] <= 1:
        raise ValueError(
            "Computing NDCG is only meaningful when there is more than 1 document. "
            f"Got {y_true.shape[1]} instead."
        )
    _check_dcg_target_type(y_true)
    gain = _dcg_sample_scores(y_true, y_score, k, ignore_ties=ignore_ties)
    ideal = _dcg_sample_scores(y_true, y_true, k, ignore_ties=True)
    gain = np.where(ideal == 0, 0.0, gain / np.where(ideal == 0, 1.0, ideal))
    return float(np.average(gain, weights=_check_sample_weight(sample_weight, len(gain))))


# --------------------------------------------------------------------------------------------
# Calibration: reliability diagram and expected calibration error
# --------------------------------------------------------------------------------------------

CALIBRATION_STRATEGIES = ("uniform", "quantile")


def _calibration_bins(y_prob: np.ndarray, n_bins, strategy: str) -> np.ndarray:
    r"""The bin of each probability: bins :math:`(b_{m-1}, b_m]` (the first one closed at
    0), edges evenly spaced (``"uniform"``) or at the quantiles of ``y_prob``."""
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ValueError(f"n_bins must be an integer >= 1; got {n_bins!r}")
    if strategy == "quantile":
        edges = np.percentile(y_prob, np.linspace(0, 1, n_bins + 1) * 100)
    elif strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        raise ValueError(
            "Invalid entry to 'strategy' input. Strategy must be either 'quantile' or 'uniform'."
        )
    return np.searchsorted(edges[1:-1], y_prob)


def _binned(values: np.ndarray, bins: np.ndarray, n_bins: int) -> np.ndarray:
    return np.bincount(bins, weights=values, minlength=n_bins)


def _binary_calibration_inputs(y_true, y_prob, pos_label):
    y_true = _column_or_1d(np.asarray(y_true), "y_true")
    y_prob = _column_or_1d(_as_proba_array(y_prob), "y_prob")
    _check_consistent_length(y_true, y_prob)
    _refuse_bytes(y_true)
    _check_finite(y_prob, "y_prob")
    if pos_label is None:
        pos_label = _check_pos_label(None, y_true)
    if y_prob.size and (y_prob.min() < 0 or y_prob.max() > 1):
        raise ValueError("y_prob has values outside [0, 1].")
    labels = np.unique(y_true)
    if len(labels) > 2:
        raise ValueError(f"Only binary classification is supported. Provided labels {labels}.")
    return (y_true == pos_label).astype(np.float64), y_prob


def calibration_curve(y_true, y_prob, *, pos_label=None, n_bins=5, strategy="uniform"):
    r"""The points of a reliability diagram: in each non-empty bin of predicted
    probability, the observed frequency of the positive class against the mean prediction.

    .. math:: \mathrm{prob\_true}_m = \frac{1}{|B_m|}\sum_{n \in B_m} y_n,\qquad
              \mathrm{prob\_pred}_m = \frac{1}{|B_m|}\sum_{n \in B_m} p_n

    with bins :math:`B_m = \{n : b_{m-1} < p_n \le b_m\}` (the first also holds
    :math:`p_n = 0`) whose edges are evenly spaced in [0, 1] (``"uniform"``) or the
    quantiles of ``y_prob`` (``"quantile"``: bins of equal count). A calibrated classifier
    lies on the diagonal. Empty bins are left out. ``sklearn.calibration.calibration_curve``.

    Args:
        y_true: ``(n_samples,)`` binary labels.
        y_prob: ``(n_samples,)`` predicted probability of ``pos_label`` (default: 1 when the
            labels are {0, 1} or {-1, 1}).
        n_bins: number of bins.

    Returns:
        ``(prob_true, prob_pred)``, one entry per non-empty bin, in bin order.

    Example:
        >>> calibration_curve([0, 0, 0, 1, 1, 1], [0.1, 0.2, 0.6, 0.4, 0.7, 0.9], n_bins=2)
        (array([0.33333333, 0.66666667]), array([0.23333333, 0.73333333]))
    """
    y_true, y_prob = _binary_calibration_inputs(y_true, y_prob, pos_label)
    bins = _calibration_bins(y_prob, n_bins, strategy)
    total = np.bincount(bins, minlength=n_bins)
    nonzero = total != 0
    prob_true = _binned(y_true, bins, n_bins)[nonzero] / total[nonzero]
    prob_pred = _binned(y_prob, bins, n_bins)[nonzero] / total[nonzero]
    return prob_true, prob_pred


def expected_calibration_error(
    y_true, y_prob, *, pos_label=None, labels=None, n_bins=15, strategy="uniform", norm="l1"
):
    r"""Expected calibration error: the gap between confidence and observed frequency,
    averaged over the bins of a reliability diagram, weighted by their share of samples.

    .. math:: \mathrm{ECE} = \sum_{m} \frac{|B_m|}{N}\,
              \bigl|\mathrm{acc}(B_m) - \mathrm{conf}(B_m)\bigr|

    (Naeini, Cooper & Hauskrecht, AAAI 2015; Guo, Pleiss, Sun & Weinberger, ICML 2017,
    eq. 3). For a 1-D ``y_prob`` (binary), :math:`\mathrm{conf}` is the mean predicted
    probability of ``pos_label`` and :math:`\mathrm{acc}` its observed frequency in the bin:
    the bins and points of :func:`calibration_curve`. For a 2-D ``y_prob`` (multiclass),
    Guo et al.'s *top-label* ECE: :math:`\mathrm{conf}` is the mean of
    :math:`\max_k p_{nk}` and :math:`\mathrm{acc}` the accuracy of the arg-max class.
    ``norm="max"`` gives the maximum calibration error (MCE, the largest gap over non-empty
    bins) and ``norm="l2"`` the root of
    :math:`\sum_m \frac{|B_m|}{N}(\mathrm{acc} - \mathrm{conf})^2` (torchmetrics'
    conventions). Bins are right-closed as in :func:`calibration_curve`
    (torchmetrics' are left-closed; the two differ only for probabilities on a bin edge):
    a confidence equal to an edge belongs to the bin that edge closes, and the first bin
    also holds the lowest edge (0 for ``"uniform"``). With ``"quantile"`` the edges are
    ``np.percentile(conf, 100 * m / n_bins)`` for :math:`m = 0, \dots, n_\text{bins}`
    (linear interpolation, as sklearn); tied confidences can make edges coincide, which
    leaves empty bins. Empty bins are left out of every norm.

    Args:
        y_true: ``(n_samples,)`` labels.
        y_prob: ``(n_samples,)`` probability of ``pos_label``, or ``(n_samples, n_classes)``
            probabilities whose columns are ``labels`` (default ``0, ..., n_classes - 1``).
        n_bins: number of bins (15, as Guo et al.).
        strategy: ``"uniform"`` or ``"quantile"`` bin edges.
        norm: ``"l1"`` (ECE), ``"l2"`` or ``"max"`` (MCE).

    Example:
        >>> round(expected_calibration_error(
        ...     [0, 0, 0, 1, 1, 1], [0.1, 0.2, 0.6, 0.4, 0.7, 0.9], n_bins=2), 4)
        0.0833
    """
    if norm not in ("l1", "l2", "max"):
        raise ValueError(f"norm must be 'l1', 'l2' or 'max'; got {norm!r}")
    prob = _as_proba_array(y_prob)
    if prob.ndim == 2:
        correct, confidence = _top_label(y_true, prob, labels)
    else:
        correct, confidence = _binary_calibration_inputs(y_true, prob, pos_label)
    if confidence.size == 0:
        raise ValueError("expected_calibration_error needs at least one sample")
    bins = _calibration_bins(confidence, n_bins, strategy)
    count = np.bincount(bins, minlength=n_bins).astype(np.float64)
    seen = count > 0
    gap = np.abs(_binned(correct, bins, n_bins) - _binned(confidence, bins, n_bins))[seen]
    gap /= count[seen]
    share = count[seen] / confidence.size
    if norm == "max":
        return float(gap.max())
    if norm == "l2":
        return float(np.sqrt(np.sum(share * gap**2)))
    return float(np.sum(share * gap))


def _top_label(y_true, prob, labels):
    """(1 where the arg-max column is the true label, the max probability) per sample."""
    _check_finite(prob, "y_prob")
    _check_proba(prob)
    y_true = _column_or_1d(np.asarray(y_true), "y_true")
    _check_consistent_length(y_true, prob)
    columns = np.arange(prob.shape[1]) if labels is None else np.asarray(labels)
    if columns.shape != (prob.shape[1],):
        raise ValueError(
            f"labels must name the {prob.shape[1]} columns of y_prob; got {columns.shape[0]}"
        )
    unknown = ~np.isin(y_true, columns)
    if unknown.any():
        raise ValueError(
            f"y_true contains labels {np.unique(y_true[unknown]).tolist()} that are not "
            f"columns of y_prob (labels={columns.tolist()})"
        )
    predicted = columns[np.argmax(prob, axis=1)]
    return (predicted == y_true).astype(np.float64), prob.max(axis=1)


# --------------------------------------------------------------------------------------------
# Multilabel ranking; confusion counts and any metric at every threshold
# --------------------------------------------------------------------------------------------


def _check_label_ranking(y_true, y_score, name: str, binary_2d_ok=False):
    """Dense ``(n_samples, n_labels)`` relevance indicators and finite scores, same shape."""
    y_true, y_score = _dense(y_true), np.asarray(y_score)
    for arr, arg in ((y_true, "y_true"), (y_score, "y_score")):
        if arr.dtype.kind not in "biuf":
            raise ValueError(f"{arg} must be numeric; got dtype {arr.dtype}")
        _check_finite(arr, arg)
    y_type = _type_of_target(y_true, "y_true")
    if y_type != "multilabel-indicator" and not (
        binary_2d_ok and y_type == "binary" and y_true.ndim == 2
    ):
        raise ValueError(f"{y_type} format is not supported")
    if y_true.shape != y_score.shape:
        raise ValueError("y_true and y_score have different shape")
    return y_true != 0, y_score.astype(np.float64)


def label_ranking_average_precision_score(y_true, y_score, *, sample_weight=None):
    r"""Label ranking average precision (LRAP): for each relevant label, the share of the
    labels ranked at or above it that are relevant, averaged over relevant labels and samples.

    .. math:: \mathrm{LRAP} = \frac{1}{\sum_i w_i} \sum_i \frac{w_i}{|Y_i|} \sum_{j \in Y_i}
              \frac{|\{k \in Y_i : s_{ik} \ge s_{ij}\}|}{|\{k : s_{ik} \ge s_{ij}\}|}

    (ties count as ranked above). A sample with no relevant label, or only relevant
    labels, scores 1. 1 is perfect; with one relevant label per sample it is the mean
    reciprocal rank.

    Args:
        y_true: ``(n_samples, n_labels)`` 0/1 relevance (a scipy sparse matrix is accepted).
        y_score: ``(n_samples, n_labels)`` scores, higher = more relevant.
        sample_weight: ``(n_samples,)``.

    Example:
        >>> round(label_ranking_average_precision_score(
        ...     [[1, 0, 0], [0, 0, 1]], [[0.75, 0.5, 1], [1, 0.2, 0.1]]), 4)
        0.4167
    """
    y_true = _dense(y_true)
    _check_consistent_length(y_true, y_score, sample_weight)
    relevant, y_score = _check_label_ranking(y_true, y_score, "lrap", binary_2d_ok=True)
    w = _check_sample_weight(sample_weight, relevant.shape[0])
    n_labels = relevant.shape[1]
    per_sample = np.ones(relevant.shape[0])
    for i, (rel, scores) in enumerate(zip(relevant, y_score, strict=True)):
        n_rel = int(rel.sum())
        if n_rel in (0, n_labels):
            continue
        at_or_above = scores[None, :] >= scores[rel][:, None]  # (relevant j, any k)
        rank = at_or_above.sum(axis=1)
        relevant_rank = at_or_above[:, rel].sum(axis=1)
        per_sample[i] = np.mean(relevant_rank / rank)
    if w is None:
        return float(per_sample.mean())
    return float(np.sum(per_sample * w) / np.sum(w))


def coverage_error(y_true, y_score, *, sample_weight=None):
    r"""Coverage error: how far down the ranking one must go, on average, to cover every
    relevant label.

    .. math:: \mathrm{coverage} = \frac{1}{\sum_i w_i} \sum_i w_i\,
              |\{k : s_{ik} \ge \min_{j \in Y_i} s_{ij}\}|

    (ties count as ranked above; a sample with no relevant label counts 0). The best value
    is the mean number of relevant labels.

    Example:
        >>> coverage_error([[1, 0, 0], [0, 0, 1]], [[0.75, 0.5, 1], [1, 0.2, 0.1]])
        2.5
    """
    y_true_arr, y_score_arr = _dense(y_true), np.asarray(y_score)
    for arr, arg in ((y_true_arr, "y_true"), (y_score_arr, "y_score")):
        if arr.ndim != 2:
            raise ValueError(
                f"Expected 2D array, got {arr.ndim}D array instead:\n{arg}={arr}.\nReshape "
                "your data either using array.reshape(-1, 1) if your data has a single "
                "feature or array.reshape(1, -1) if it contains a single sample."
            )
    _check_consistent_length(y_true_arr, y_score_arr, sample_weight)
    relevant, y_score = _check_label_ranking(y_true_arr, y_score_arr, "coverage_error")
    w = _check_sample_weight(sample_weight, relevant.shape[0])
    lowest = np.where(relevant, y_score, np.inf).min(axis=1, keepdims=True)
    coverage = np.where(relevant.any(axis=1), (y_score >= lowest).sum(axis=1), 0)
    return float(np.average(coverage, weights=w))


def label_ranking_loss(y_true, y_score, *, sample_weight=None):
    r"""Ranking loss: the share of (relevant, irrelevant) label pairs ordered wrongly.

    .. math:: \mathrm{RL} = \frac{1}{\sum_i w_i} \sum_i \frac{w_i}{|Y_i|\,|\bar Y_i|}
              |\{(j, k) \in Y_i \times \bar Y_i : s_{ik} \ge s_{ij}\}|

    (a tie counts as wrong). A sample with no relevant or no irrelevant label counts 0.

    Example:
        >>> label_ranking_loss([[1, 0, 0], [0, 0, 1]], [[0.75, 0.5, 1], [1, 0.2, 0.1]])
        0.75
    """
    y_true = _dense(y_true)
    _check_consistent_length(y_true, y_score, sample_weight)
    relevant, y_score = _check_label_ranking(y_true, y_score, "label_ranking_loss")
    w = _check_sample_weight(sample_weight, relevant.shape[0])
    n_labels = relevant.shape[1]
    loss = np.zeros(relevant.shape[0])
    for i, (rel, scores) in enumerate(zip(relevant, y_score, strict=True)):
        n_rel = int(rel.sum())
        if n_rel in (0, n_labels):
            continue
        wrong = np.count_nonzero(scores[~rel][:, None] >= scores[rel][None, :])
        loss[i] = wrong / (n_rel * (n_labels - n_rel))
    return float(np.average(loss, weights=w))


def _sorted_thresholds(y_true, y_score, sample_weight):
    """Inputs sorted by decreasing score (zero-weight samples dropped) and the index of the
    last sample of each run of tied scores: scikit-learn's threshold bookkeeping."""
    _check_consistent_length(y_true, y_score, sample_weight)
    y_true = _column_or_1d(np.asarray(y_true), "y_true")
    y_score = _column_or_1d(np.asarray(y_score), "y_score")
    if y_score.dtype.kind not in "biuf":
        raise TypeError(f"y_score must be numeric; got dtype {y_score.dtype}")
    _check_finite(y_score, "y_score")
    if y_true.dtype.kind == "f":
        _check_finite(y_true, "y_true")
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, y_true.shape[0])
        keep = sample_weight != 0
        y_true, y_score, sample_weight = y_true[keep], y_score[keep], sample_weight[keep]
    order = np.argsort(-y_score, kind="stable")
    y_true, y_score = y_true[order], y_score[order]
    if sample_weight is not None:
        sample_weight = sample_weight[order]
    threshold_idxs = np.r_[np.flatnonzero(np.diff(y_score)), y_true.size - 1]
    return y_true, y_score, sample_weight, threshold_idxs


def confusion_matrix_at_thresholds(y_true, y_score, *, pos_label=None, sample_weight=None):
    r"""The binary confusion counts at every distinct score, highest threshold first.

    .. math:: TP(t) = \sum_{n:\, s_n \ge t} w_n [y_n = +],\quad
              FP(t) = \sum_{n:\, s_n \ge t} w_n [y_n \ne +],\quad
              FN(t) = P - TP(t),\quad TN(t) = N - FP(t)

    Returns:
        ``(tns, fps, fns, tps, thresholds)``, float arrays of one entry per distinct score
        (decreasing), the building block of :func:`roc_curve`,
        :func:`precision_recall_curve` and :func:`det_curve`.

    Example:
        >>> tns, fps, fns, tps, thr = confusion_matrix_at_thresholds(
        ...     [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> tps.tolist(), fps.tolist(), thr.tolist()
        ([1.0, 1.0, 2.0, 2.0], [0.0, 1.0, 1.0, 2.0], [0.8, 0.4, 0.35, 0.1])
    """
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    fps, tps = fps.astype(np.float64), tps.astype(np.float64)
    return fps[-1] - fps, fps, tps[-1] - tps, tps, thresholds


def metric_at_thresholds(y_true, y_score, metric_func, *, sample_weight=None, metric_params=None):
    r"""Any metric of hard predictions, at every distinct score used as a threshold.

    .. math:: m(t) = \mathrm{metric\_func}(y,\ [s \ge t]),\qquad t \in \{s_n\}
              \text{ (decreasing)}

    ``metric_func(y_true, y_pred, **metric_params)`` gets the 0/1 predictions (and
    ``sample_weight=`` when given; zero-weight samples are dropped first, as they create no
    threshold). ``y_true`` is passed as given (so ``pos_label``-style arguments go in
    ``metric_params``).

    Returns:
        ``(metric_values, thresholds)``: an array of one metric value per threshold
        (stacked, when the metric returns arrays) and the thresholds, decreasing.

    Example:
        >>> values, thr = metric_at_thresholds([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8],
        ...                                    accuracy_score)
        >>> values.tolist(), thr.tolist()
        ([0.75, 0.5, 0.75, 0.5], [0.8, 0.4, 0.35, 0.1])
    """
    if not callable(metric_func):
        raise TypeError(f"metric_func must be callable; got {metric_func!r}")
    if metric_params is not None and not isinstance(metric_params, dict):
        raise TypeError(f"metric_params must be a dict or None; got {metric_params!r}")
    y_true, y_score, sample_weight, idxs = _sorted_thresholds(y_true, y_score, sample_weight)
    params = dict(metric_params or {})
    if sample_weight is not None:
        params["sample_weight"] = sample_weight
    thresholds = y_score[idxs]
    values = [metric_func(y_true, (y_score >= t).astype(np.int32), **params) for t in thresholds]
    return np.asarray(values), thresholds


# --------------------------------------------------------------------------------------------
# Object detection: box IoU and COCO-style AP
# --------------------------------------------------------------------------------------------


def _check_boxes(boxes, name: str) -> np.ndarray:
    boxes = np.asarray(boxes)
    if boxes.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a numeric array; got dtype {boxes.dtype}")
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4) (x1, y1, x2, y2); got {boxes.shape}")
    return boxes if boxes.dtype.kind == "f" else boxes.astype(np.float64)


def box_area(boxes) -> np.ndarray:
    r"""Areas of ``(N, 4)`` boxes in ``(x1, y1, x2, y2)`` format: :math:`(x_2-x_1)(y_2-y_1)`.

    Example:
        >>> box_area([[0, 0, 2, 3]]).tolist()
        [6.0]
    """
    boxes = _check_boxes(boxes, "boxes")
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def box_iou(boxes1, boxes2) -> np.ndarray:
    r"""Pairwise intersection over union of two sets of boxes (``torchvision.ops.box_iou``).

    .. math:: \mathrm{IoU}(A, B) = \frac{|A \cap B|}{|A| + |B| - |A \cap B|}

    Args:
        boxes1: ``(N, 4)`` boxes ``(x1, y1, x2, y2)`` with ``x1 <= x2``, ``y1 <= y2``.
        boxes2: ``(M, 4)``.

    Returns:
        ``(N, M)`` IoUs in [0, 1], in the floating dtype of the inputs (integers give
        float64). As in torchvision, two zero-area boxes give 0/0 = NaN.

    Example:
        >>> box_iou([[0, 0, 2, 2]], [[1, 1, 3, 3], [0, 0, 2, 2]]).round(4).tolist()
        [[0.1429, 1.0]]
    """
    boxes1, boxes2 = _check_boxes(boxes1, "boxes1"), _check_boxes(boxes2, "boxes2")
    top_left = np.maximum(boxes1[:, None, :2], boxes2[None, :, :2])
    bottom_right = np.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    width_height = np.clip(bottom_right - top_left, 0, None)
    intersection = width_height[..., 0] * width_height[..., 1]
    union = box_area(boxes1)[:, None] + box_area(boxes2)[None, :] - intersection
    with np.errstate(invalid="ignore", divide="ignore"):
        return intersection / union


def _detection_fields(data, name: str, with_scores: bool):
    """boxes, labels (default 0), image ids (default 0) [, scores] of a detection dict."""
    if not hasattr(data, "keys") or "boxes" not in data:
        raise TypeError(f"{name} must be a dict with at least a 'boxes' array; got {data!r}")
    boxes = _check_boxes(np.asarray(data["boxes"]).reshape(-1, 4), f"{name}['boxes']")
    n = boxes.shape[0]
    fields = [boxes]
    keys = ["labels", "image_ids"] + (["scores"] if with_scores else [])
    for key in keys:
        if key == "scores" and key not in data:
            raise ValueError(f"{name} must have a 'scores' array")
        value = np.asarray(data.get(key, np.zeros(n, dtype=np.int64)))
        if value.shape != (n,):
            raise ValueError(f"{name}['{key}'] must have shape ({n},); got {value.shape}")
        fields.append(value)
    return fields


def _greedy_matches(ious: np.ndarray, threshold: float) -> np.ndarray:
    """COCO matching in one image: detections (rows, by descending score) each take the
    still-unmatched ground truth of highest IoU >= threshold (ties: the later one)."""
    threshold = min(threshold, 1 - 1e-10)
    taken = np.zeros(ious.shape[1], dtype=bool)
    is_tp = np.zeros(ious.shape[0], dtype=bool)
    for d, row in enumerate(ious):
        candidates = np.flatnonzero(~taken & (row >= threshold))
        if candidates.size:
            best = candidates[::-1][np.argmax(row[candidates][::-1])]
            taken[best] = is_tp[d] = True
    return is_tp


def _interpolated_precision_at(recall, precision, recall_levels):
    """COCO: the precision envelope (max to the right) read at each recall level (0 beyond)."""
    if recall.size == 0:  # no detections: nothing is found at any recall level
        return np.zeros_like(recall_levels)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    index = np.searchsorted(recall, recall_levels, side="left")
    return np.where(index < recall.size, envelope[np.minimum(index, recall.size - 1)], 0.0)


def coco_average_precision(
    detections, ground_truths, *, iou_thresholds=COCO_IOU_THRESHOLDS, recall_points=101
):
    r"""COCO-style detection AP: the mean over IoU thresholds and classes of the 101-point
    interpolated precision.

    .. math:: \mathrm{AP} = \frac{1}{|T|\,|C|} \sum_{t \in T} \sum_{c \in C}
              \frac{1}{101} \sum_{r \in \{0, 0.01, \dots, 1\}}
              \max_{k:\ R_k^{t,c} \ge r} P_k^{t,c}

    For each class and IoU threshold ``t``: detections of all images are ranked by score;
    in each image every detection, best score first, is matched greedily to the unmatched
    ground truth of that class with the highest IoU, if IoU >= ``t`` (a true positive); the
    rest (duplicates, poor boxes) are false positives. Precision :math:`P_k` and recall
    :math:`R_k = TP_k / G_c` after the k-th ranked detection (:math:`G_c` ground truths of
    class c, so missed objects lower recall) give the interpolated precision at each of the
    101 recall levels (0 beyond the highest recall reached). Classes without ground truth are
    left out; a class with ground truth and no detections scores 0.

    Follows ``pycocotools.cocoeval`` (``iouType="bbox"``, area range "all") except: no
    ``maxDets`` cap (COCO keeps the 100 best detections per image and class), no crowd or
    ignore regions, boxes are ``(x1, y1, x2, y2)`` (COCO stores ``(x, y, w, h)``), and tied
    scores are ranked by image id, then input order (COCO: its own image order).

    Args:
        detections: dict with ``"boxes"`` ``(D, 4)``, ``"scores"`` ``(D,)`` and optional
            ``"labels"`` ``(D,)`` and ``"image_ids"`` ``(D,)`` (default: all 0).
        ground_truths: dict with ``"boxes"`` ``(G, 4)`` and optional ``"labels"``,
            ``"image_ids"``.
        iou_thresholds: the IoU thresholds ``T`` (default 0.50:0.05:0.95; ``[0.5]`` gives
            AP50).
        recall_points: number of equally spaced recall levels in [0, 1].

    Returns:
        A float in [0, 1]; NaN (with an :class:`UndefinedMetricWarning`) without any
        ground truth.

    Example:
        >>> gt = {"boxes": [[0, 0, 10, 10]]}
        >>> det = {"boxes": [[0, 0, 10, 10], [0, 0, 10, 5]], "scores": [0.9, 0.8]}
        >>> round(coco_average_precision(det, gt), 12)  # the duplicate is a false positive
        1.0
    """
    det_boxes, det_labels, det_images, scores = _detection_fields(detections, "detections", True)
    gt_boxes, gt_labels, gt_images = _detection_fields(ground_truths, "ground_truths", False)
    thresholds = np.atleast_1d(np.asarray(iou_thresholds, dtype=np.float64))
    if (
        thresholds.ndim != 1
        or thresholds.size == 0
        or not np.all((thresholds >= 0) & (thresholds <= 1))
    ):
        raise ValueError(f"iou_thresholds must be a non-empty 1-D list in [0, 1]; got {thresholds}")
    if not (isinstance(recall_points, (int, np.integer)) and recall_points >= 2):
        raise ValueError(f"recall_points must be an int >= 2; got {recall_points!r}")
    scores = np.asarray(scores, dtype=np.float64)
    _check_finite(scores, "detections['scores']")
    recall_levels = np.linspace(0.0, 1.0, recall_points)
    # rank by score (high first); ties by image id, then input order
    order = np.lexsort((np.arange(scores.size), det_images, -scores))
    per_class = []
    for label in np.unique(gt_labels):
        n_gt = np.count_nonzero(gt_labels == label)
        ranked = order[det_labels[order] == label]
        is_tp = np.zeros((thresholds.size, ranked.size), dtype=bool)
        for image in np.unique(det_images[ranked]):
            in_image = np.flatnonzero(det_images[ranked] == image)  # still score-ordered
            gt_here = (gt_labels == label) & (gt_images == image)
            ious = box_iou(det_boxes[ranked[in_image]], gt_boxes[gt_here])
            for t, threshold in enumerate(thresholds):
                is_tp[t, in_image] = _greedy_matches(ious, threshold)
        tp = np.cumsum(is_tp, axis=1)
        fp = np.cumsum(~is_tp, axis=1)
        recall = tp / n_gt
        precision = tp / (tp + fp + np.spacing(1))  # COCO's guard against 0/0
        per_class.append(
            [
                np.mean(_interpolated_precision_at(recall[t], precision[t], recall_levels))
                for t in range(thresholds.size)
            ]
        )
    if not per_class:
        warnings.warn(
            "ground_truths has no boxes: AP is undefined.", UndefinedMetricWarning, stacklevel=2
        )
        return float("nan")
    return float(np.mean(per_class))


# --------------------------------------------------------------------------------------------
# Language models
# --------------------------------------------------------------------------------------------


def perplexity(log_probs, mask=None) -> float:
    r"""Perplexity of a model from the (natural) log-probabilities it gave the actual tokens.

    .. math:: \mathrm{PPL} = \exp\Big(-\frac{1}{N} \sum_{i=1}^{N} \log p(x_i \mid x_{<i})\Big)

    i.e. the exponential of the mean token cross-entropy: 1 for a model that is always sure
    and right, ``V`` for a uniform guess over ``V`` tokens.

    Args:
        log_probs: log-probabilities (<= 0) of the target tokens, any shape, e.g.
            ``(batch, seq_len)``; ``-inf`` (probability 0) gives an infinite perplexity.
        mask: optional boolean array of the same shape; only True entries count (e.g. to
            skip padding). The mean is over all counted tokens of the batch, not a mean of
            per-sequence perplexities.

    Returns:
        A Python float (computed in float64).

    Example:
        >>> perplexity(np.log([[0.25, 0.25], [0.25, 0.5]]), mask=[[True, True], [True, False]])
        4.0
    """
    log_probs = np.asarray(log_probs)
    if log_probs.dtype.kind not in "biuf":
        raise TypeError(f"log_probs must be a real array; got dtype {log_probs.dtype}")
    log_probs = log_probs.astype(np.float64)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != log_probs.shape:
            raise ValueError(
                f"mask must have the shape of log_probs {log_probs.shape}; got {mask.shape}"
            )
        if mask.dtype != bool:
            raise TypeError(f"mask must be a boolean array; got dtype {mask.dtype}")
        log_probs = log_probs[mask]
    if log_probs.size == 0:
        raise ValueError("perplexity needs at least one token (log_probs or mask is empty)")
    if np.isnan(log_probs).any() or (log_probs > 0).any():
        raise ValueError("log_probs must be log-probabilities: values in [-inf, 0], no NaN")
    with np.errstate(over="ignore"):
        return float(np.exp(-np.mean(log_probs)))


# --------------------------------------------------------------------------------------------
# Regression
# --------------------------------------------------------------------------------------------


def _check_reg_targets(y_true, y_pred, sample_weight, multioutput, allowed=MULTIOUTPUT_OPTIONS):
    """2-D float ``(n_samples, n_outputs)`` targets, validated weights and multioutput."""
    arrays = [np.asarray(a) for a in (y_true, y_pred)]
    if sample_weight is not None:
        arrays.append(np.asarray(sample_weight))
    _check_consistent_length(*arrays)
    floating = [a.dtype for a in arrays if a.dtype.kind == "f"]
    dtype = np.result_type(*floating) if floating else np.float64
    checked = []
    for name, a in zip(("y_true", "y_pred"), arrays[:2], strict=True):
        if a.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be a real numeric array; got dtype {a.dtype}")
        if a.ndim > 2:
            raise ValueError(f"Found array with dim {a.ndim}. {name} expected <= 2.")
        if a.shape[0] < 1:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={a.shape}) while a minimum of 1 is required."
            )
        a = a.astype(dtype, copy=False)
        _check_finite(a, name)
        checked.append(a.reshape(-1, 1) if a.ndim == 1 else a)
    y_true, y_pred = checked
    if y_true.shape[1] != y_pred.shape[1]:
        raise ValueError(
            "y_true and y_pred have different number of output "
            f"({y_true.shape[1]}!={y_pred.shape[1]})"
        )
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, y_true.shape[0]).astype(dtype)
    if isinstance(multioutput, str):
        if multioutput not in allowed:
            raise ValueError(
                f"Allowed 'multioutput' string values are {allowed}. You provided "
                f"multioutput={multioutput!r}"
            )
    else:
        multioutput = np.asarray(multioutput, dtype=np.float64)
        if y_true.shape[1] == 1:
            raise ValueError("Custom weights are useful only in multi-output cases.")
        if multioutput.shape != (y_true.shape[1],):
            raise ValueError(
                f"There must be equally many custom weights ({multioutput.size}) as outputs "
                f"({y_true.shape[1]})."
            )
    return y_true, y_pred, sample_weight, multioutput


def _average_outputs(output_errors: np.ndarray, multioutput):
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return output_errors
        multioutput = None  # uniform_average
    return float(np.average(output_errors, weights=multioutput))


def mean_squared_error(
    y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"
):
    r"""Mean squared error (a mean, not the sum of squared errors).

    .. math:: \mathrm{MSE} = \frac{\sum_i w_i\, (y_i - \hat y_i)^2}{\sum_i w_i}

    Args:
        y_true, y_pred: ``(n_samples,)`` or ``(n_samples, n_outputs)``.
        sample_weight: ``(n_samples,)``.
        multioutput: ``"uniform_average"`` (mean over outputs), ``"raw_values"`` (one error
            per output) or an ``(n_outputs,)`` array of output weights.

    Example:
        >>> mean_squared_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
        0.375
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(
        y_true,
        y_pred,
        sample_weight,
        multioutput,
    )
    per_output = np.average((y_true - y_pred) ** 2, axis=0, weights=w)
    return _average_outputs(per_output, multioutput)


def root_mean_squared_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    r"""Root mean squared error, per output, then averaged over outputs.

    .. math:: \mathrm{RMSE} = \sqrt{\frac{\sum_i w_i\, (y_i - \hat y_i)^2}{\sum_i w_i}}

    (scikit-learn >= 1.6 has this function instead of ``mean_squared_error(squared=False)``.)
    Arguments as :func:`mean_squared_error`.

    Example:
        >>> root_mean_squared_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
        0.6123724356957945
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    mse = np.average((y_true - y_pred) ** 2, axis=0, weights=w)
    return _average_outputs(np.sqrt(mse), multioutput)


def mean_absolute_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    r"""Mean absolute error (a mean, not the sum of absolute errors).

    .. math:: \mathrm{MAE} = \frac{\sum_i w_i\, |y_i - \hat y_i|}{\sum_i w_i}

    Arguments as :func:`mean_squared_error`.

    Example:
        >>> mean_absolute_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
        0.5
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    return _average_outputs(np.average(np.abs(y_true - y_pred), axis=0, weights=w), multioutput)


def mean_absolute_percentage_error(
    y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"
):
    r"""Mean absolute percentage error, as a fraction (0.1 = 10 %), relative to the *true*
    value (the argument order matters).

    .. math:: \mathrm{MAPE} = \frac{\sum_i w_i\, \frac{|y_i - \hat y_i|}{\max(|y_i|,
              \epsilon)}}{\sum_i w_i},\qquad \epsilon = 2.2 \times 10^{-16}

    The :math:`\epsilon` (float64 machine epsilon, as scikit-learn) keeps it finite but huge
    when some :math:`y_i = 0`. Arguments as :func:`mean_squared_error`.

    Example:
        >>> round(mean_absolute_percentage_error([100, 200, 50], [110, 150, 80]), 4)
        0.3167
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    epsilon = np.asarray(MAPE_EPSILON, dtype=y_true.dtype)
    relative = np.abs(y_pred - y_true) / np.maximum(np.abs(y_true), epsilon)
    return _average_outputs(np.average(relative, axis=0, weights=w), multioutput)


def r2_score(
    y_true, y_pred, *, sample_weight=None, multioutput="uniform_average", force_finite=True
):
    r""":math:`R^2`, the coefficient of determination: the share of the variance of ``y_true``
    that the predictions explain.

    .. math:: R^2 = 1 - \frac{\sum_i w_i (y_i - \hat y_i)^2}{\sum_i w_i (y_i - \bar y)^2},
              \qquad \bar y = \frac{\sum_i w_i y_i}{\sum_i w_i}

    1 is perfect, 0 is predicting the mean, and it is unbounded below. In-sample it can only
    grow with the number of *predictors*, not with the number of samples.

    Args:
        y_true, y_pred: ``(n_samples,)`` or ``(n_samples, n_outputs)``; at least 2 samples
            (else NaN and an :class:`UndefinedMetricWarning`).
        sample_weight: ``(n_samples,)``.
        multioutput: ``"uniform_average"``, ``"raw_values"``, ``"variance_weighted"``
            (outputs weighted by the variance of ``y_true``) or ``(n_outputs,)`` weights.
        force_finite: for constant ``y_true`` (denominator 0) return 1.0 for a perfect
            prediction and 0.0 otherwise, instead of NaN / -inf.

    Example:
        >>> r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
        0.9486081370449679
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(
        y_true, y_pred, sample_weight, multioutput, (*MULTIOUTPUT_OPTIONS, "variance_weighted")
    )
    if y_pred.shape[0] < 2:
        warnings.warn(
            "R^2 score is not well-defined with less than two samples.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return float("nan")
    weight = 1.0 if w is None else w[:, None]
    numerator = np.sum(weight * (y_true - y_pred) ** 2, axis=0)
    mean = np.average(y_true, axis=0, weights=w)
    denominator = np.sum(weight * (y_true - mean) ** 2, axis=0)
    return _explained_fraction(numerator, denominator, multioutput, force_finite)


def _reg_average(values, w):
    """Column means of ``values``, weighted by ``w`` when given."""
    return np.average(values, axis=0, weights=w)


def _explained_fraction(numerator, denominator, multioutput, force_finite):
    r""":math:`1 - \mathrm{num}/\mathrm{den}` per output, then averaged; with
    ``force_finite`` a zero denominator gives 1.0 (perfect prediction) or 0.0."""
    if force_finite:
        scores = np.ones(numerator.shape[0], dtype=numerator.dtype)
        defined = (denominator != 0) & (numerator != 0)
        scores[defined] = 1 - numerator[defined] / denominator[defined]
        scores[(numerator != 0) & (denominator == 0)] = 0.0
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = 1 - numerator / denominator
    if isinstance(multioutput, str) and multioutput == "variance_weighted":
        # all-constant outputs give all-zero weights: fall back to the uniform mean
        multioutput = denominator if np.any(denominator != 0) else "uniform_average"
    return _average_outputs(scores, multioutput)


def mean_squared_log_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    r"""Mean squared logarithmic error: the MSE of :math:`\log(1 + y)`, a relative error
    for targets that grow exponentially (counts, prices).

    .. math:: \mathrm{MSLE} = \frac{\sum_i w_i\, (\log(1 + y_i) - \log(1 + \hat y_i))^2}
              {\sum_i w_i}

    Targets and predictions must be greater than -1. Arguments as
    :func:`mean_squared_error`.

    Example:
        >>> round(mean_squared_log_error([3, 5, 2.5, 7], [2.5, 5, 4, 8]), 4)
        0.0397
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    if np.any(y_true <= -1) or np.any(y_pred <= -1):
        raise ValueError(
            "Mean Squared Logarithmic Error cannot be used when targets contain values less "
            "than or equal to -1."
        )
    errors = _reg_average((np.log1p(y_true) - np.log1p(y_pred)) ** 2, w)
    return _average_outputs(errors, multioutput)


def root_mean_squared_log_error(
    y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"
):
    r"""Root mean squared logarithmic error, per output, then averaged over outputs.

    .. math:: \mathrm{RMSLE} = \sqrt{\mathrm{MSLE}}

    Arguments as :func:`mean_squared_log_error`.

    Example:
        >>> round(root_mean_squared_log_error([3, 5, 2.5, 7], [2.5, 5, 4, 8]), 4)
        0.1993
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    if np.any(y_true <= -1) or np.any(y_pred <= -1):
        raise ValueError(
            "Root Mean Squared Logarithmic Error cannot be used when targets contain values "
            "less than or equal to -1."
        )
    errors = _reg_average((np.log1p(y_true) - np.log1p(y_pred)) ** 2, w)
    return _average_outputs(np.sqrt(errors), multioutput)


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    r"""The weighted ``q``-quantile of one column, by the *averaged inverted CDF*: the
    smallest value whose cumulative weight reaches :math:`q\,W`; when it reaches it exactly,
    the mean of that value and the next one of positive weight (so unit weights give
    ``np.median``). scikit-learn's ``_weighted_percentile(..., average=True)``."""
    if not np.any(weights):
        return float("nan")
    # the order inside a run of tied values cannot change the result (the run's total weight
    # and its value are the same either way): the fast unstable sort will do
    order = np.argsort(values)
    v, cdf = values[order], np.cumsum(weights[order])
    target = q * cdf[-1]
    if target == 0:
        target = np.nextafter(target, 1)
    last = v.shape[0] - 1
    i = min(int(np.searchsorted(cdf, target)), last)
    if cdf[i] - target > np.finfo(v.dtype).eps:
        return v[i]
    j = int(np.searchsorted(cdf, cdf[i], side="right"))  # next value of positive weight
    return (v[i] + v[j if j <= last else i]) / 2


def _column_quantiles(values: np.ndarray, weights: np.ndarray, q: float) -> np.ndarray:
    return np.array([_weighted_quantile(col, weights, q) for col in values.T], dtype=values.dtype)


def median_absolute_error(y_true, y_pred, *, multioutput="uniform_average", sample_weight=None):
    r"""Median absolute error: robust to outliers, unlike the MAE.

    .. math:: \mathrm{MedAE} = \operatorname{median}_i\, |y_i - \hat y_i|

    With ``sample_weight``, the weighted median (averaged inverted CDF, which equals
    ``np.median`` for unit weights). Arguments as :func:`mean_squared_error` (note the
    order: ``multioutput`` comes before ``sample_weight``, as in scikit-learn).

    Example:
        >>> median_absolute_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
        0.5
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    errors = np.abs(y_pred - y_true)
    if w is None:
        output_errors = np.median(errors, axis=0)
    else:
        output_errors = _column_quantiles(errors, w, 0.5)
    return _average_outputs(output_errors, multioutput)


def explained_variance_score(
    y_true, y_pred, *, sample_weight=None, multioutput="uniform_average", force_finite=True
):
    r"""Explained variance: :math:`R^2` that ignores a constant bias of the predictions.

    .. math:: \mathrm{EV} = 1 - \frac{\operatorname{Var}(y - \hat y)}{\operatorname{Var}(y)}

    (weighted variances). It equals :func:`r2_score` when the residuals have mean zero, and
    exceeds it otherwise: :math:`\hat y = y + 5` scores 1.0. Arguments as
    :func:`r2_score`.

    Example:
        >>> round(explained_variance_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]), 4)
        0.9572
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(
        y_true, y_pred, sample_weight, multioutput, (*MULTIOUTPUT_OPTIONS, "variance_weighted")
    )
    residual = y_true - y_pred
    numerator = _reg_average((residual - _reg_average(residual, w)) ** 2, w)
    denominator = _reg_average((y_true - _reg_average(y_true, w)) ** 2, w)
    return _explained_fraction(numerator, denominator, multioutput, force_finite)


def max_error(y_true, y_pred):
    r"""The worst absolute error over the samples (a single output only).

    .. math:: \mathrm{MaxErr} = \max_i\, |y_i - \hat y_i|

    Example:
        >>> max_error([3, 2, 7, 1], [4, 2, 7, 1])
        1.0
    """
    y_true, y_pred, _, _ = _check_reg_targets(y_true, y_pred, None, "uniform_average")
    if y_true.shape[1] > 1:
        raise ValueError("Multioutput not supported in max_error")
    return float(np.max(np.abs(y_true - y_pred)))


def mean_pinball_loss(
    y_true, y_pred, *, sample_weight=None, alpha=0.5, multioutput="uniform_average"
):
    r"""Pinball (quantile) loss: minimized in expectation by the ``alpha``-quantile of
    :math:`y`, the loss of quantile regression.

    .. math:: L_\alpha = \frac{1}{\sum_i w_i}\sum_i w_i \begin{cases}
              \alpha\,(y_i - \hat y_i) & y_i \ge \hat y_i \\
              (1 - \alpha)\,(\hat y_i - y_i) & y_i < \hat y_i \end{cases}

    ``alpha=0.5`` gives half the mean absolute error. Arguments as
    :func:`mean_squared_error`; ``alpha`` in [0, 1].

    Example:
        >>> round(mean_pinball_loss([1, 2, 3], [0, 2, 3], alpha=0.1), 4)
        0.0333
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    _check_alpha(alpha)
    return _average_outputs(_pinball(y_true, y_pred, w, alpha), multioutput)


def _check_alpha(alpha) -> None:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float | np.number):
        raise TypeError(f"alpha must be a real number in [0, 1]; got {alpha!r}")
    if not 0 <= alpha <= 1:
        raise ValueError(f"The 'alpha' parameter must be a float in the range [0, 1]. Got {alpha}")


def _pinball(y_true, y_pred, w, alpha) -> np.ndarray:
    diff = y_true - y_pred
    sign = (diff >= 0).astype(diff.dtype)
    loss = alpha * sign * diff - (1 - alpha) * (1 - sign) * diff
    return _reg_average(loss, w)


def _check_d2_samples(n_samples: int) -> bool:
    if n_samples < 2:
        warnings.warn(
            "D^2 score is not well-defined with less than two samples.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return False
    return True


def d2_pinball_score(
    y_true, y_pred, *, sample_weight=None, alpha=0.5, multioutput="uniform_average"
):
    r""":math:`D^2` of the pinball loss: the share of the pinball loss of the best constant
    (the weighted ``alpha``-quantile of ``y_true``) that the predictions remove.

    .. math:: D^2_\alpha = 1 - \frac{L_\alpha(y, \hat y)}{L_\alpha(y, q_\alpha(y))}

    1 is perfect, 0 is the constant quantile; a zero denominator gives 1.0 or 0.0 as in
    :func:`r2_score` with ``force_finite``. NaN (with an :class:`UndefinedMetricWarning`)
    for fewer than two samples.

    Example:
        >>> round(d2_pinball_score([1, 2, 3], [1, 3, 3]), 4)
        0.5
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    _check_alpha(alpha)
    if not _check_d2_samples(y_pred.shape[0]):
        return float("nan")
    numerator = _pinball(y_true, y_pred, w, alpha)
    weights = np.ones(y_true.shape[0], dtype=y_true.dtype) if w is None else w
    quantile = _column_quantiles(y_true, weights, alpha)
    denominator = _pinball(y_true, np.broadcast_to(quantile, y_true.shape), weights, alpha)
    return _explained_fraction(numerator, denominator, multioutput, force_finite=True)


def d2_absolute_error_score(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    r""":math:`D^2` of the absolute error: the share of the absolute error of the weighted
    median of ``y_true`` that the predictions remove.

    .. math:: D^2_{\mathrm{abs}} = 1 - \frac{\sum_i w_i |y_i - \hat y_i|}
              {\sum_i w_i |y_i - \operatorname{median}(y)|}

    :func:`d2_pinball_score` with ``alpha=0.5``.

    Example:
        >>> round(d2_absolute_error_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]), 4)
        0.7647
    """
    return d2_pinball_score(
        y_true, y_pred, sample_weight=sample_weight, alpha=0.5, multioutput=multioutput
    )


def _tweedie_deviance(y_true, y_pred, w, power) -> float:
    p = power
    if p < 0:
        dev = 2 * (
            np.power(np.where(y_true > 0, y_true, 0.0), 2 - p) / ((1 - p) * (2 - p))
            - y_true * np.power(y_pred, 1 - p) / (1 - p)
            + np.power(y_pred, 2 - p) / (2 - p)
        )
    elif p == 0:
        dev = (y_true - y_pred) ** 2
    elif p == 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            xlogy = np.where(y_true == 0, 0.0, y_true * np.log(y_true / y_pred))
        dev = 2 * (xlogy - y_true + y_pred)
    elif p == 2:
        dev = 2 * (np.log(y_pred / y_true) + y_true / y_pred - 1)
    else:
        dev = 2 * (
            np.power(y_true, 2 - p) / ((1 - p) * (2 - p))
            - y_true * np.power(y_pred, 1 - p) / (1 - p)
            + np.power(y_pred, 2 - p) / (2 - p)
        )
    return float(np.average(dev, weights=w))


def _check_power(power) -> None:
    if isinstance(power, bool) or not isinstance(power, int | float | np.number):
        raise TypeError(f"power must be a real number; got {power!r}")
    if 0 < power < 1:
        raise ValueError(
            f"The 'power' parameter must be a float in the range (-inf, 0.0] or [1.0, inf). "
            f"Got {power} instead."
        )


def mean_tweedie_deviance(y_true, y_pred, *, sample_weight=None, power=0):
    r"""Mean Tweedie deviance: the deviance of the exponential-dispersion family with
    variance :math:`\propto \mu^p` (``power`` :math:`p`).

    .. math:: d_p(y, \mu) = 2\left(\frac{\max(y, 0)^{2-p}}{(1-p)(2-p)}
              - \frac{y\,\mu^{1-p}}{1-p} + \frac{\mu^{2-p}}{2-p}\right)

    with the limits :math:`p = 0`: :math:`(y - \mu)^2` (normal, the MSE); :math:`p = 1`:
    :math:`2(y \log(y/\mu) - y + \mu)` (Poisson); :math:`p = 2`:
    :math:`2(\log(\mu/y) + y/\mu - 1)` (gamma). :math:`p \in (0, 1)` is not a distribution.
    The domain depends on :math:`p` (e.g. Poisson: :math:`y \ge 0, \mu > 0`).

    Example:
        >>> round(mean_tweedie_deviance([2, 0, 1, 4], [0.5, 0.5, 2.0, 2.0], power=1), 4)
        1.426
    """
    _check_power(power)
    y_true, y_pred, w, _ = _check_reg_targets(y_true, y_pred, sample_weight, "uniform_average")
    if y_true.shape[1] > 1:
        raise ValueError("Multioutput not supported in mean_tweedie_deviance")
    y_true, y_pred = y_true[:, 0], y_pred[:, 0]
    message = f"Mean Tweedie deviance error with power={power} can only be used on "
    if power < 0:
        if np.any(y_pred <= 0):
            raise ValueError(message + "strictly positive y_pred.")
    elif 1 <= power < 2:
        if np.any(y_true < 0) or np.any(y_pred <= 0):
            raise ValueError(message + "non-negative y and strictly positive y_pred.")
    elif power >= 2:
        if np.any(y_true <= 0) or np.any(y_pred <= 0):
            raise ValueError(message + "strictly positive y and y_pred.")
    return _tweedie_deviance(y_true, y_pred, w, power)


def mean_poisson_deviance(y_true, y_pred, *, sample_weight=None):
    r"""Mean Poisson deviance, :func:`mean_tweedie_deviance` with ``power=1``.

    .. math:: d(y, \mu) = 2\,(y \log(y/\mu) - y + \mu)

    Example:
        >>> round(mean_poisson_deviance([2, 0, 1, 4], [0.5, 0.5, 2.0, 2.0]), 4)
        1.426
    """
    return mean_tweedie_deviance(y_true, y_pred, sample_weight=sample_weight, power=1)


def mean_gamma_deviance(y_true, y_pred, *, sample_weight=None):
    r"""Mean gamma deviance, :func:`mean_tweedie_deviance` with ``power=2`` (scale-free:
    multiplying ``y`` and ``y_pred`` by a constant leaves it unchanged).

    .. math:: d(y, \mu) = 2\,(\log(\mu/y) + y/\mu - 1)

    Example:
        >>> round(mean_gamma_deviance([2, 0.5, 1, 4], [0.5, 0.5, 2, 2]), 4)
        1.0569
    """
    return mean_tweedie_deviance(y_true, y_pred, sample_weight=sample_weight, power=2)


def d2_tweedie_score(y_true, y_pred, *, sample_weight=None, power=0):
    r""":math:`D^2` of the Tweedie deviance: the share of the deviance of the weighted mean
    of ``y_true`` that the predictions remove (``power=0`` gives :func:`r2_score`).

    .. math:: D^2 = 1 - \frac{\sum_i w_i\, d_p(y_i, \hat y_i)}{\sum_i w_i\, d_p(y_i, \bar y)}

    NaN (with an :class:`UndefinedMetricWarning`) for fewer than two samples. A constant
    ``y_true`` (zero denominator) gives NaN or ``-inf``, as numpy divides (deliberate:
    scikit-learn 1.9.1 raises ``ZeroDivisionError`` there).

    Example:
        >>> round(d2_tweedie_score([2, 0, 1, 4], [0.5, 0.5, 2.0, 2.0], power=1), 4)
        0.0538
    """
    _check_power(power)
    y_true_2d, y_pred_2d, w, _ = _check_reg_targets(
        y_true, y_pred, sample_weight, "uniform_average"
    )
    if y_true_2d.shape[1] > 1:
        raise ValueError("Multioutput not supported in d2_tweedie_score")
    if not _check_d2_samples(y_pred_2d.shape[0]):
        return float("nan")
    y_true, y_pred = y_true_2d[:, 0], y_pred_2d[:, 0]
    numerator = mean_tweedie_deviance(y_true, y_pred, sample_weight=w, power=power)
    mean = np.average(y_true, weights=w)
    denominator = _tweedie_deviance(y_true, np.full_like(y_true, mean), w, power)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(1 - np.float64(numerator) / np.float64(denominator))
