"""solutions.metrics (classification counts, P/R/F, regression, detection) vs scikit-learn.

Counts and confusion matrices must be exactly equal (value and dtype); every ratio agrees to
rtol 1e-12 (the two sides sum the same numbers, possibly in a different order). The curve and
ranking metrics are tested in test_metrics_curves.py.
"""

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
import torch
import torch.nn.functional as F
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


def assert_same(ours, theirs, *, exact=False, atol=0.0, what="value"):
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
            assert_same(a, b, exact=exact, atol=atol, what=f"{what}[{i}]")
        return
    if theirs is None:
        assert ours is None, what
        return
    if exact:
        np.testing.assert_array_equal(ours, theirs, err_msg=what)
        if exact == "dtype":
            assert np.asarray(ours).dtype == np.asarray(theirs).dtype, what
    else:
        assert_close(ours, np.asarray(theirs, dtype=np.float64), rtol=RTOL, atol=atol, what=what)


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
    # tn = total - tp - fp - fn cancels: with float weights allow eps-level error of the total
    atol = 0.0 if w is None else 1e-12 * float(np.sum(w))
    assert_same(ours, theirs, exact=w is None, atol=atol, what="multilabel_confusion_matrix")


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


def undefined_metric_warnings(fn, *args, **kwargs):
    """The messages of the ill-defined-metric warnings fn raises (ours or sklearn's)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn(*args, **kwargs)
        except ValueError:
            return None
    kinds = (UndefinedMetricWarning, M.UndefinedMetricWarning)
    return sorted(str(w.message) for w in caught if issubclass(w.category, kinds))


@given(
    label_data(strings=False),
    st.sampled_from(AVERAGES),
    st.sampled_from(["precision_score", "recall_score", "f1_score"]),
    st.sampled_from(["warn", 1.0]),
)
def test_we_warn_exactly_when_and_as_sklearn_warns(data, average, name, zero_division):
    y_true, y_pred, w, labels = data
    kw = dict(labels=labels, average=average, sample_weight=w, zero_division=zero_division)
    ours = undefined_metric_warnings(getattr(M, name), y_true, y_pred, **kw)
    theirs = undefined_metric_warnings(getattr(skm, name), y_true, y_pred, **kw)
    if theirs is not None:
        assert ours == theirs


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


@given(
    label_data(max_classes=2, strings=False),
    st.sampled_from(ZERO_DIVISIONS),
    st.sampled_from(["precision_score", "recall_score", "f1_score", "fbeta_score"]),
)
def test_binary_score_functions_match_sklearn(data, zero_division, name):
    y_true, y_pred, w, _ = data
    kw = dict(sample_weight=w, zero_division=zero_division, pos_label=int(y_true[0]))
    if name == "fbeta_score":
        kw["beta"] = 0.5
    assert_same(
        outcome(getattr(M, name), y_true, y_pred, **kw),
        outcome(getattr(skm, name), y_true, y_pred, **kw),
        what=name,
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


# ------------------------------------------------------------------------------------------
# Regression
# ------------------------------------------------------------------------------------------

REGRESSION = [
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "r2_score",
]


@st.composite
def regression_data(draw):
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    n = draw(st.integers(1, 12))
    n_outputs = draw(st.sampled_from([None, 1, 2, 3]))
    shape = (n,) if n_outputs is None else (n, n_outputs)
    width = 32 if dtype == np.float32 else 64
    # moderate values mixed with exact zeros (MAPE's epsilon) and constant columns (R^2)
    values = st.one_of(st.just(0.0), st.just(1.0), st.floats(-1e3, 1e3, width=width))
    y_true = draw(hnp.arrays(dtype, shape, elements=values))
    y_pred = draw(st.one_of(st.just(y_true.copy()), hnp.arrays(dtype, shape, elements=values)))
    w = draw(weights(n))
    w = None if w is None else w.astype(np.float64)
    return y_true, y_pred, w


@given(
    regression_data(),
    st.sampled_from(["uniform_average", "raw_values", "variance_weighted", "custom"]),
    st.booleans(),
)
def test_regression_metrics_match_sklearn(data, multioutput, force_finite):
    y_true, y_pred, w = data
    if multioutput == "custom":
        n_outputs = 1 if y_true.ndim == 1 else y_true.shape[1]
        multioutput = np.linspace(1.0, 2.0, n_outputs)
    # float32 agrees to 1e-5 (as elsewhere); float64 sums may be reordered: 1e-12
    rtol = 1e-5 if y_true.dtype == np.float32 else RTOL
    for name in REGRESSION:
        kw = dict(sample_weight=w, multioutput=multioutput)
        if name == "r2_score":
            kw["force_finite"] = force_finite
        ours = outcome(getattr(M, name), y_true, y_pred, **kw)
        theirs = outcome(getattr(skm, name), y_true, y_pred, **kw)
        if name == "root_mean_squared_error" and isinstance(ours, ValueError):
            # sklearn 1.9 forgets to refuse custom weights for a single output; we refuse
            assert "Custom weights" in str(ours) or isinstance(theirs, Exception)
            continue
        if isinstance(theirs, Exception):
            assert isinstance(ours, ValueError | TypeError), f"{name}: oracle raised {theirs!r}"
            continue
        assert type(ours) is type(theirs), name  # float when averaged, array for raw_values
        assert np.asarray(ours).dtype == np.asarray(theirs).dtype, name
        assert_close(ours, theirs, rtol=rtol, atol=0, what=name)


def test_mse_and_mae_are_means_and_mape_divides_by_the_true_value():
    y_true, y_pred = [100.0, 200.0, 50.0], [110.0, 150.0, 80.0]
    assert M.mean_squared_error(y_true, y_pred) == pytest.approx(3500 / 3)  # not SSE = 3500
    assert M.mean_absolute_error(y_true, y_pred) == pytest.approx(90 / 3)
    mape = M.mean_absolute_percentage_error(y_true, y_pred)
    assert mape == pytest.approx((10 / 100 + 50 / 200 + 30 / 50) / 3)  # 31.67 %
    swapped = M.mean_absolute_percentage_error(y_pred, y_true)
    assert swapped == pytest.approx((10 / 110 + 50 / 150 + 30 / 80) / 3)  # 26.64 %: wrong
    assert M.root_mean_squared_error(y_true, y_pred) == pytest.approx(np.sqrt(3500 / 3))


def test_r2_edge_cases_mirror_sklearn():
    assert M.r2_score([-2, -2, -2], [-2, -2, -2]) == 1.0
    assert M.r2_score([-2, -2, -2], [-2, -2, -2 + 1e-8]) == 0.0
    assert M.r2_score([-2, -2, -2], [-2, -2, -2 + 1e-8], force_finite=False) == -np.inf
    assert np.isnan(M.r2_score([-2, -2, -2], [-2, -2, -2], force_finite=False))
    with pytest.warns(M.UndefinedMetricWarning, match="less than two samples"):
        assert np.isnan(M.r2_score([1.0], [2.0]))


# ------------------------------------------------------------------------------------------
# Perplexity
# ------------------------------------------------------------------------------------------


@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(2, 5)),
        elements=st.floats(-30, 30),
    ),
    st.data(),
)
def test_perplexity_is_exp_of_torch_cross_entropy_with_ignore_index(logits, data):
    batch, steps, vocab = logits.shape
    targets = data.draw(hnp.arrays(np.int64, (batch, steps), elements=st.integers(0, vocab - 1)))
    mask = data.draw(hnp.arrays(np.bool_, (batch, steps)))
    mask.flat[0] = True
    log_probs = torch.log_softmax(torch.from_numpy(logits), dim=-1)
    token_log_probs = log_probs.gather(-1, torch.from_numpy(targets)[..., None])[..., 0].numpy()
    ignored = torch.from_numpy(np.where(mask, targets, -100))
    expected = torch.exp(F.cross_entropy(log_probs.reshape(-1, vocab), ignored.reshape(-1)))
    ours = M.perplexity(token_log_probs, mask=mask)
    assert ours == pytest.approx(float(expected), rel=1e-10)


def test_perplexity_of_a_uniform_guess_is_the_vocabulary_size():
    assert M.perplexity(np.full((3, 5), -np.log(50.0))) == pytest.approx(50.0, rel=1e-13)
    assert M.perplexity(np.zeros(4)) == 1.0
    assert M.perplexity([0.0, -np.inf]) == np.inf


# ------------------------------------------------------------------------------------------
# Box IoU and COCO AP
# ------------------------------------------------------------------------------------------


def iou_by_hand(a, b):
    """IoU of two boxes, one scalar step at a time (an independent oracle)."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


@st.composite
def boxes(draw, dtype=np.float64, max_n=5):
    n = draw(st.integers(0, max_n))
    width = 32 if dtype == np.float32 else 64
    corner = hnp.arrays(dtype, (n, 2), elements=st.floats(-50, 50, width=width))
    size = hnp.arrays(dtype, (n, 2), elements=st.floats(0.5, 40, width=width))
    xy, wh = draw(corner), draw(size)
    return np.concatenate([xy, xy + wh], axis=1).astype(dtype)


def test_box_iou_hand_worked_example():
    a = [[0, 0, 2, 2]]
    b = [[1, 1, 3, 3], [0, 0, 2, 2], [2, 0, 4, 2], [0, 0, 1, 1]]
    # overlap 1x1 of union 4 + 4 - 1; itself; touching edges; nested quarter
    np.testing.assert_allclose(M.box_iou(a, b), [[1 / 7, 1.0, 0.0, 1 / 4]], rtol=1e-15)


@given(st.sampled_from([np.float32, np.float64]).flatmap(lambda d: st.tuples(boxes(d), boxes(d))))
def test_box_iou_laws(pair):
    b1, b2 = pair
    iou = M.box_iou(b1, b2)
    assert iou.shape == (len(b1), len(b2)) and iou.dtype == b1.dtype
    np.testing.assert_array_equal(iou, M.box_iou(b2, b1).T)  # symmetric
    assert np.all((iou >= 0) & (iou <= 1 + 1e-6))
    np.testing.assert_array_equal(np.diag(M.box_iou(b1, b1)), 1.0)
    if b1.dtype == np.float64:
        expected = [[iou_by_hand(p, q) for q in b2] for p in b1]
        np.testing.assert_allclose(iou, np.reshape(expected, iou.shape), rtol=1e-12)


def test_box_iou_of_degenerate_boxes_is_nan_like_torchvision():
    assert np.isnan(M.box_iou([[1, 1, 1, 1]], [[1, 1, 1, 1]])[0, 0])


def two_image_example():
    """Hand-worked in the docstring of test_coco_ap_hand_worked_two_image_example."""
    gt = {"boxes": [[0, 0, 10, 10], [0, 0, 10, 10], [20, 20, 30, 30]], "image_ids": [0, 1, 1]}
    det = {
        "boxes": [[0, 0, 10, 10], [0, 0, 10, 5], [50, 50, 60, 60], [20, 20, 30, 27.7]],
        "scores": [0.9, 0.8, 0.7, 0.6],
        "image_ids": [0, 1, 1, 1],
    }
    return det, gt


def test_coco_ap_hand_worked_two_image_example():
    """IoUs of the detections (by score) with their objects: 1.0, 0.5, 0 (a false positive),
    0.77; 3 objects. Cumulative (TP, FP) and the envelope at the 101 recall levels:

    t = 0.50: TP TP FP TP -> R = 1/3 2/3 2/3 1, P = 1 1 2/3 3/4 -> 67 levels at 1, 34 at 3/4
    t = 0.55 ... 0.75 (5): TP FP FP TP -> R = 1/3 1/3 1/3 2/3, envelope 1 .5 .5 .5
                                       -> 34 levels at 1, 33 at 1/2, 34 at 0
    t = 0.80 ... 0.95 (4): TP FP FP FP -> 34 levels at 1, the rest 0
    AP = (92.5 + 5 * 50.5 + 4 * 34) / 101 / 10 = 481 / 1010.
    (pycocotools 2.0.11, given the same boxes in xywh and maxDets=1000, agreed exactly on
    this and on 300 random multi-image, multi-class cases; it is not a test dependency.)
    """
    det, gt = two_image_example()
    assert M.coco_average_precision(det, gt) == pytest.approx(481 / 1010, rel=1e-12)
    ap50 = M.coco_average_precision(det, gt, iou_thresholds=[0.5])
    assert ap50 == pytest.approx(92.5 / 101, rel=1e-12)


def test_coco_ap_classes_duplicates_and_missing_detections():
    det, gt = two_image_example()
    one_class = M.coco_average_precision(det, gt)
    # class 1: one object found twice (the duplicate is a false positive after full recall)
    gt2 = {
        "boxes": gt["boxes"] + [[5, 5, 15, 15]],
        "labels": [0, 0, 0, 1],
        "image_ids": gt["image_ids"] + [0],
    }
    det2 = {
        "boxes": det["boxes"] + [[5, 5, 15, 15], [5, 5, 15, 15], [0, 0, 10, 10]],
        "scores": det["scores"] + [0.1, 0.05, 0.99],
        "labels": [0, 0, 0, 0, 1, 1, 2],  # class 2 has no ground truth: left out
        "image_ids": det["image_ids"] + [0, 0, 0],
    }
    assert M.coco_average_precision(det2, gt2) == pytest.approx((one_class + 1) / 2, rel=1e-12)
    # class 3 has an object but no detection: AP 0 for it
    gt3 = {**gt2, "boxes": gt2["boxes"] + [[0, 0, 1, 1]], "labels": [0, 0, 0, 1, 3]}
    gt3["image_ids"] = gt2["image_ids"] + [1]
    assert M.coco_average_precision(det2, gt3) == pytest.approx((one_class + 1) / 3, rel=1e-12)


@given(boxes(max_n=6), st.integers(1, 3))
def test_coco_ap_of_perfect_detections_is_one_and_always_in_unit_interval(gt_boxes, n_images):
    if len(gt_boxes) == 0:
        return
    image_ids = np.arange(len(gt_boxes)) % n_images
    gt = {"boxes": gt_boxes, "image_ids": image_ids}
    perfect = {
        "boxes": gt_boxes,
        "scores": np.linspace(1, 0.5, len(gt_boxes)),
        "image_ids": image_ids,
    }
    assert M.coco_average_precision(perfect, gt) == pytest.approx(1.0, rel=1e-12)
    shifted = {**perfect, "boxes": gt_boxes + 3.0}
    assert 0.0 <= M.coco_average_precision(shifted, gt) <= 1.0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: M.mean_squared_error([1, 2], [1, 2, 3]), "inconsistent numbers of samples"),
        (lambda: M.mean_squared_error([1, 2], [1, 2], multioutput="sum"), "Allowed 'multioutput'"),
        (lambda: M.mean_squared_error([1, 2], [1, 2], multioutput=[1, 2]), "multi-output cases"),
        (
            lambda: M.mean_squared_error([[1, 2]], [[1, 2, 3]]),
            "different number of output \\(2!=3\\)",
        ),
        (lambda: M.mean_absolute_error([1, np.nan], [1, 2]), "contains NaN"),
        (lambda: M.r2_score([[1, 2], [3, 4]], [[1, 2], [3, 4]], multioutput=[1]), "equally many"),
        (lambda: M.perplexity([-1.0, 0.5]), "log-probabilities"),
        (lambda: M.perplexity([-1.0], mask=[False]), "at least one token"),
        (lambda: M.box_iou([[0, 0, 1]], [[0, 0, 1, 1]]), "boxes1 must have shape \\(N, 4\\)"),
        (lambda: M.coco_average_precision({"boxes": [[0, 0, 1, 1]]}, {"boxes": []}), "scores"),
        (
            lambda: M.coco_average_precision(
                {"boxes": [[0, 0, 1, 1]], "scores": [1.0]},
                {"boxes": [[0, 0, 1, 1]]},
                iou_thresholds=[1.5],
            ),
            "iou_thresholds",
        ),
    ],
)
def test_bad_regression_and_detection_inputs_raise_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
