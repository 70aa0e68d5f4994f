"""solutions.metrics (classification counts, P/R/F, regression, detection) vs scikit-learn.

Counts and confusion matrices must be exactly equal (value and dtype); every ratio agrees to
rtol 1e-12 (the two sides sum the same numbers, possibly in a different order). The curve and
ranking metrics are tested in test_metrics_curves.py.
"""

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import UndefinedMetricWarning

from solutions import metrics as M
from tests.solutions.strategies import assert_close

RTOL = 1e-12
AVERAGES = [None, "binary", "micro", "macro", "weighted"]
ZERO_DIVISIONS = ["warn", 0.0, 1.0, np.nan]


def quietly(fn, *args, **kwargs):
    """Call fn with scikit-learn's (and our) ill-defined-metric warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", M.UndefinedMetricWarning)
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # e.g. a mean over no class pairs
        return fn(*args, **kwargs)


def outcome(fn, *args, **kwargs):
    """The result, or the exception type and message (both sides must refuse alike)."""
    try:
        return quietly(fn, *args, **kwargs)
    except (ValueError, TypeError, ZeroDivisionError) as error:
        return error


def assert_same(ours, theirs, *, exact=False, what="value"):
    if isinstance(theirs, Exception):
        allowed = (
            ZeroDivisionError if isinstance(theirs, ZeroDivisionError) else (ValueError, TypeError)
        )
        assert isinstance(ours, allowed), f"{what}: oracle raised {theirs!r}, we gave {ours!r}"
        return
    assert not isinstance(ours, Exception), f"{what}: we raised {ours!r}, oracle {theirs!r}"
    if isinstance(theirs, tuple):
        assert len(ours) == len(theirs)
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(a, b, exact=exact, what=f"{what}[{i}]")
        return
    if theirs is None:
        assert ours is None, what
        return
    if exact:
        np.testing.assert_array_equal(ours, theirs, err_msg=what)
        if exact == "dtype":
            assert np.asarray(ours).dtype == np.asarray(theirs).dtype, what
    else:
        assert_close(ours, np.asarray(theirs, dtype=np.float64), rtol=RTOL, atol=0, what=what)


@st.composite
def weights(draw, n):
    """None, small integer weights, or float weights (never all zero: sklearn refuses that)."""
    kind = draw(st.sampled_from(["none", "int", "float"]))
    if kind == "none":
        return None
    if kind == "int":
        w = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 3)))
    else:
        w = draw(hnp.arrays(np.float64, n, elements=st.floats(0, 5, allow_subnormal=False)))
    if not w.any():
        w[0] = 1
    return w


@st.composite
def label_data(draw, max_classes=5, strings=True):
    """(y_true, y_pred, sample_weight, labels): small multiclass/binary/one-class problems."""
    n = draw(st.integers(1, 25))
    n_classes = draw(st.integers(1, max_classes))
    y_true = draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    y_pred = draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    labels = None
    if draw(st.booleans()):  # a subset / reordering / superset with an unseen label
        pool = list(range(n_classes + 2))
        labels = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6, unique=True))
    if strings and draw(st.booleans()):
        names = np.array(["ant", "bird", "cat", "dog", "eel", "fox", "gnu"])
        y_true, y_pred = names[y_true], names[y_pred]
        labels = None if labels is None else list(names[labels])
    return y_true, y_pred, draw(weights(n)), labels


@st.composite
def multilabel_data(draw):
    n = draw(st.integers(1, 15))
    n_labels = draw(st.integers(2, 5))
    y_true = draw(hnp.arrays(np.int64, (n, n_labels), elements=st.integers(0, 1)))
    y_pred = draw(hnp.arrays(np.int64, (n, n_labels), elements=st.integers(0, 1)))
    labels = None
    if draw(st.booleans()):
        labels = draw(st.lists(st.integers(0, n_labels - 1), min_size=1, unique=True))
    return y_true, y_pred, draw(weights(n)), labels


# ------------------------------------------------------------------------------------------
# Confusion matrices and accuracy
# ------------------------------------------------------------------------------------------


@given(label_data(), st.sampled_from([None, "true", "pred", "all"]))
@example((np.array([1, 1]), np.array([1, 1]), None, None), None)  # one class: a 1x1 matrix
def test_confusion_matrix_matches_sklearn(data, normalize):
    y_true, y_pred, w, labels = data
    kw = dict(labels=labels, sample_weight=w, normalize=normalize)
    assert_same(
        outcome(M.confusion_matrix, y_true, y_pred, **kw),
        outcome(skm.confusion_matrix, y_true, y_pred, **kw),
        exact="dtype" if normalize is None else False,
        what="confusion_matrix",
    )


@given(st.one_of(label_data(), multilabel_data()), st.booleans())
def test_multilabel_confusion_matrix_matches_sklearn(data, samplewise):
    y_true, y_pred, w, labels = data
    samplewise = samplewise and y_true.ndim == 2
    kw = dict(labels=labels, sample_weight=w, samplewise=samplewise)
    ours = outcome(M.multilabel_confusion_matrix, y_true, y_pred, **kw)
    theirs = outcome(skm.multilabel_confusion_matrix, y_true, y_pred, **kw)
    # values exact; dtype not compared: sklearn returns float counts when no label is ever hit
    assert_same(ours, theirs, exact=w is None, what="multilabel_confusion_matrix")


@given(st.one_of(label_data(), multilabel_data()), st.booleans())
def test_accuracy_matches_sklearn(data, normalize):
    y_true, y_pred, w, _ = data
    kw = dict(sample_weight=w, normalize=normalize)
    assert_same(M.accuracy_score(y_true, y_pred, **kw), skm.accuracy_score(y_true, y_pred, **kw))


def test_confusion_matrix_binary_layout_and_single_label_warning():
    tn, fp, fn, tp = M.confusion_matrix([0, 1, 0, 1], [1, 1, 1, 0]).ravel()
    assert (tn, fp, fn, tp) == (0, 2, 1, 1)
    with pytest.warns(UserWarning, match="single label"):
        M.confusion_matrix([3, 3], [3, 3])


# ------------------------------------------------------------------------------------------
# Precision, recall, F-beta
# ------------------------------------------------------------------------------------------


@given(
    label_data(),
    st.sampled_from(AVERAGES),
    st.sampled_from(ZERO_DIVISIONS),
    st.sampled_from([1.0, 0.5, 2.0, 0.0, np.inf]),
)
def test_precision_recall_fscore_support_matches_sklearn(data, average, zero_division, beta):
    y_true, y_pred, w, labels = data
    pos_label = y_true[0] if average == "binary" else 1
    kw = dict(
        beta=beta,
        labels=labels,
        average=average,
        pos_label=pos_label,
        sample_weight=w,
        zero_division=zero_division,
    )
    ours = outcome(M.precision_recall_fscore_support, y_true, y_pred, **kw)
    theirs = outcome(skm.precision_recall_fscore_support, y_true, y_pred, **kw)
    assert_same(ours, theirs, what=f"prfs(average={average})")
    if average is None and not isinstance(theirs, Exception) and w is None:
        np.testing.assert_array_equal(ours[3], theirs[3])  # support: exact counts


@given(
    multilabel_data(),
    st.sampled_from([None, "micro", "macro", "weighted", "samples"]),
    st.sampled_from(ZERO_DIVISIONS),
)
def test_multilabel_prfs_including_samples_average_match_sklearn(data, average, zero_division):
    y_true, y_pred, w, labels = data
    kw = dict(labels=labels, average=average, sample_weight=w, zero_division=zero_division)
    assert_same(
        outcome(M.precision_recall_fscore_support, y_true, y_pred, **kw),
        outcome(skm.precision_recall_fscore_support, y_true, y_pred, **kw),
        what=f"multilabel prfs(average={average})",
    )


@given(label_data(max_classes=2, strings=False), st.sampled_from(ZERO_DIVISIONS))
def test_binary_score_functions_match_sklearn(data, zero_division):
    y_true, y_pred, w, _ = data
    kw = dict(sample_weight=w, zero_division=zero_division, pos_label=int(y_true[0]))
    for name in ("precision_score", "recall_score", "f1_score"):
        assert_same(
            outcome(getattr(M, name), y_true, y_pred, **kw),
            outcome(getattr(skm, name), y_true, y_pred, **kw),
            what=name,
        )
    assert_same(
        outcome(M.fbeta_score, y_true, y_pred, beta=0.5, **kw),
        outcome(skm.fbeta_score, y_true, y_pred, beta=0.5, **kw),
        what="fbeta_score",
    )


@given(label_data(strings=False))
def test_micro_f1_equals_accuracy_for_single_label_multiclass(data):
    y_true, y_pred, w, _ = data
    micro = quietly(M.f1_score, y_true, y_pred, average="micro", sample_weight=w)
    assert micro == pytest.approx(M.accuracy_score(y_true, y_pred, sample_weight=w), rel=1e-12)


def test_macro_f1_is_mean_of_per_class_f1_not_harmonic_mean_of_macro_p_and_r():
    y_true = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    y_pred = [0, 0, 1, 2, 1, 1, 0, 2, 2, 2]
    p, r, f, _ = M.precision_recall_fscore_support(y_true, y_pred)
    macro_f1 = M.f1_score(y_true, y_pred, average="macro")
    assert macro_f1 == pytest.approx(np.mean(f), rel=1e-15)
    harmonic = 2 * p.mean() * r.mean() / (p.mean() + r.mean())
    assert abs(macro_f1 - harmonic) > 1e-3  # the seed notes' formula is a different number


def test_recall_is_tp_over_actual_positives():
    # 3 actual positives, 2 found, 1 false alarm: recall 2/3, precision 2/3 would be wrong twice
    y_true = [1, 1, 1, 0, 0]
    y_pred = [1, 1, 0, 1, 0]
    assert M.recall_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert M.precision_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert M.recall_score([1, 1, 1, 1], [1, 0, 0, 0]) == 0.25  # TP / (TP + FN)
    assert M.precision_score([1, 1, 1, 1], [1, 0, 0, 0]) == 1.0


@pytest.mark.parametrize("name", ["precision_score", "recall_score", "f1_score"])
def test_zero_division_warn_mirrors_sklearn_warning(name):
    y_true, y_pred = [0, 0, 0], [0, 0, 0]  # no positives at all: P, R and F are 0/0
    with pytest.warns(M.UndefinedMetricWarning, match="ill-defined"):
        ours = getattr(M, name)(y_true, y_pred)
    with pytest.warns(UndefinedMetricWarning):
        theirs = getattr(skm, name)(y_true, y_pred)
    assert ours == theirs == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert getattr(M, name)(y_true, y_pred, zero_division=1.0) == 1.0
        assert np.isnan(getattr(M, name)(y_true, y_pred, zero_division=np.nan))


def test_zero_division_nan_is_left_out_of_the_average():
    # class 2 is never predicted: its precision is NaN and the macro mean is over classes 0, 1
    y_true, y_pred = [0, 1, 2], [0, 1, 1]
    p = M.precision_score(y_true, y_pred, average=None, zero_division=np.nan)
    assert np.isnan(p[2])
    assert M.precision_score(y_true, y_pred, average="macro", zero_division=np.nan) == 0.75


# ------------------------------------------------------------------------------------------
# Top-k accuracy
# ------------------------------------------------------------------------------------------


@st.composite
def scored_data(draw):
    n = draw(st.integers(1, 20))
    n_classes = draw(st.integers(2, 5))
    y_true = draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    # scores from a tiny set so that ties are frequent
    scores = draw(
        hnp.arrays(np.float64, (n, n_classes), elements=st.sampled_from([0.0, 0.25, 0.5, 1.0]))
    )
    if n_classes == 2 and draw(st.booleans()):
        scores = scores[:, 1]
    labels = np.arange(n_classes) if draw(st.booleans()) else None
    return y_true, scores, draw(weights(n)), labels


@given(scored_data(), st.integers(1, 5), st.booleans())
def test_top_k_accuracy_matches_sklearn_with_ties(data, k, normalize):
    y_true, scores, w, labels = data
    kw = dict(k=k, normalize=normalize, sample_weight=w, labels=labels)
    assert_same(
        outcome(M.top_k_accuracy_score, y_true, scores, **kw),
        outcome(skm.top_k_accuracy_score, y_true, scores, **kw),
        what="top_k_accuracy_score",
    )


# ------------------------------------------------------------------------------------------
# Dice
# ------------------------------------------------------------------------------------------


@given(
    hnp.array_shapes(min_dims=1, max_dims=3, max_side=6).flatmap(
        lambda s: st.tuples(hnp.arrays(np.bool_, s), hnp.arrays(np.bool_, s))
    ),
    st.sampled_from([0.0, 1.0]),
)
def test_dice_equals_f1_of_the_flattened_masks(masks, zero_division):
    y_true, y_pred = masks
    dice = M.dice_score(y_true, y_pred, zero_division=zero_division)
    f1 = skm.f1_score(y_true.ravel(), y_pred.ravel(), zero_division=zero_division)
    assert dice == pytest.approx(f1, rel=1e-12, abs=0)
    assert 0.0 <= M.dice_score(y_true, y_pred, smooth=1.0) <= 1.0


def test_dice_smoothing():
    empty = np.zeros((2, 2), dtype=bool)
    assert M.dice_score(empty, empty, smooth=1.0) == 1.0
    assert M.dice_score([1, 1, 0], [1, 0, 0], smooth=1.0) == (2 * 1 + 1) / (2 + 1 + 1)


# ------------------------------------------------------------------------------------------
# Bad inputs
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: M.f1_score([0, 1], ["a", "b"]), "Mix of label input types"),
        (lambda: M.f1_score([0.5, 1.0], [0, 1]), "mix of continuous and binary"),
        (lambda: M.accuracy_score([0.5, 1.5], [0.5, 1.5]), "continuous is not supported"),
        (lambda: M.f1_score([0, 1, 1], [0, 1]), "inconsistent numbers of samples: \\[3, 2\\]"),
        (lambda: M.f1_score([0, 1, 2], [0, 1, 2]), "Target is multiclass but average='binary'"),
        (lambda: M.f1_score([0, 1], [0, 1], average="mean"), "average has to be one of"),
        (lambda: M.f1_score([0, 1], [0, 1], zero_division=2), "zero_division must be one of"),
        (lambda: M.f1_score([0, 1], [0, 1], pos_label=2), "pos_label=2 is not a valid label"),
        (lambda: M.fbeta_score([0, 1], [0, 1], beta=-1), "beta must be >= 0"),
        (lambda: M.accuracy_score([], []), "Found empty input array"),
        (lambda: M.accuracy_score([0, 1], [0, 1], sample_weight=[0, 0]), "non-zero"),
        (lambda: M.confusion_matrix([0, 1], [0, 1], labels=[]), "at least one label"),
        (lambda: M.confusion_matrix([0, 1], [0, 1], labels=[5]), "must be in y_true"),
        (lambda: M.confusion_matrix([0, 1], [0, 1], normalize="rows"), "normalize must be"),
        (lambda: M.accuracy_score([[0, 1]], [0, 1]), "inconsistent numbers of samples"),
        (lambda: M.dice_score([0, 2], [0, 1]), "y_true must be a binary mask"),
        (lambda: M.dice_score([0, 1], [0, 1, 1]), "same shape"),
        (lambda: M.top_k_accuracy_score([0, 1, 2], [0.1, 0.2, 0.3]), "n_samples, n_classes"),
        (
            lambda: M.multilabel_confusion_matrix([0, 1], [0, 1], samplewise=True),
            "Samplewise metrics are not available",
        ),
    ],
)
def test_bad_inputs_raise_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
