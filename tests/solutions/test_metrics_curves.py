"""solutions.metrics ranking metrics: ROC / PR curves, AUC, average precision (three kinds).

Scores are drawn from a tiny set so ties are the rule, not the exception; thresholds must be
exactly equal to scikit-learn's, rates and areas agree to rtol 1e-12. The VOC 11-point and
all-point APs have no scikit-learn oracle: they are checked against the VOC devkit loops
(re-written here on scikit-learn's precision-recall curve) and against true laws.
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
from tests.solutions.test_metrics import (
    assert_same,
    outcome,
    undefined_metric_warnings,
    weights,
)

TIED_SCORES = st.sampled_from([-1.5, 0.0, 0.2, 0.5, 0.7, 1.0, 3.0])


@st.composite
def binary_scored(draw, min_size=1):
    """(y_true, y_score, sample_weight, pos_label) with {0,1}, {-1,1} or string labels."""
    n = draw(st.integers(min_size, 30))
    y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 1)))
    scores = draw(hnp.arrays(np.float64, n, elements=TIED_SCORES))
    kind = draw(st.sampled_from(["01", "-11", "str"]))
    pos_label = None
    if kind == "-11":
        y = 2 * y - 1
    elif kind == "str":
        y = np.array(["neg", "pos"])[y]
        pos_label = "pos"
    return y, scores, draw(weights(n)), pos_label


@st.composite
def multilabel_scored(draw):
    n = draw(st.integers(1, 20))
    n_labels = draw(st.integers(2, 4))
    y = draw(hnp.arrays(np.int64, (n, n_labels), elements=st.integers(0, 1)))
    scores = draw(hnp.arrays(np.float64, (n, n_labels), elements=TIED_SCORES))
    return y, scores, draw(weights(n))


@st.composite
def multiclass_scored(draw):
    n = draw(st.integers(3, 25))
    n_classes = draw(st.integers(3, 5))
    y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    raw = draw(hnp.arrays(np.float64, (n, n_classes), elements=st.sampled_from([1.0, 2.0, 3.0])))
    return y, raw / raw.sum(axis=1, keepdims=True), draw(weights(n))


# ------------------------------------------------------------------------------------------
# Curves
# ------------------------------------------------------------------------------------------


@given(binary_scored(), st.booleans())
@example((np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]), None, None), True)
def test_roc_curve_matches_sklearn(data, drop_intermediate):
    y, s, w, pos_label = data
    kw = dict(pos_label=pos_label, sample_weight=w, drop_intermediate=drop_intermediate)
    ours = outcome(M.roc_curve, y, s, **kw)
    theirs = outcome(skm.roc_curve, y, s, **kw)
    assert_same(ours, theirs, what="roc_curve")
    if not isinstance(theirs, Exception):
        np.testing.assert_array_equal(ours[2], theirs[2])  # thresholds, incl. the leading inf
        assert ours[2][0] == np.inf


@given(binary_scored(), st.booleans())
def test_precision_recall_curve_matches_sklearn(data, drop_intermediate):
    y, s, w, pos_label = data
    kw = dict(pos_label=pos_label, sample_weight=w, drop_intermediate=drop_intermediate)
    ours = outcome(M.precision_recall_curve, y, s, **kw)
    theirs = outcome(skm.precision_recall_curve, y, s, **kw)
    assert_same(ours, theirs, what="precision_recall_curve")
    if not isinstance(theirs, Exception):
        np.testing.assert_array_equal(ours[2], theirs[2])


@given(binary_scored())
def test_zero_weight_samples_create_no_thresholds(data):
    y, s, w, pos_label = data
    if w is None:
        return
    _, _, thresholds = outcome(M.roc_curve, y, s, pos_label=pos_label, sample_weight=w)
    assert set(thresholds[1:]) <= set(s[w != 0])


@pytest.mark.parametrize("y", [[1, 1, 1], [0, 0, 0]])
def test_roc_curve_with_one_class_warns_like_sklearn(y):
    s = [0.1, 0.5, 0.5]
    ours = undefined_metric_warnings(M.roc_curve, y, s)
    assert ours == undefined_metric_warnings(skm.roc_curve, y, s) and len(ours) == 1
    assert_same(outcome(M.roc_curve, y, s), outcome(skm.roc_curve, y, s))


# ------------------------------------------------------------------------------------------
# ROC AUC
# ------------------------------------------------------------------------------------------


@given(binary_scored(), st.sampled_from([None, 1.0, 0.5, 0.05]))
def test_binary_roc_auc_matches_sklearn(data, max_fpr):
    y, s, w, _ = data
    kw = dict(sample_weight=w, max_fpr=max_fpr)
    assert_same(
        outcome(M.roc_auc_score, y, s, **kw),
        outcome(skm.roc_auc_score, y, s, **kw),
        what="roc_auc_score",
    )


@given(binary_scored(min_size=2))
def test_roc_auc_is_the_probability_a_positive_outranks_a_negative(data):
    y, s, w, pos_label = data
    positive = y == (1 if pos_label is None else pos_label)
    if positive.all() or not positive.any():
        return
    w = np.ones(len(y)) if w is None else w.astype(np.float64)
    if not (w[positive].any() and w[~positive].any()):
        return
    # Mann-Whitney: every (positive, negative) pair, weighted, ties count one half
    sp, sn = s[positive][:, None], s[~positive][None, :]
    pair_w = w[positive][:, None] * w[~positive][None, :]
    wins = (sp > sn) + 0.5 * (sp == sn)
    expected = (pair_w * wins).sum() / pair_w.sum()
    assert outcome(M.roc_auc_score, positive, s, sample_weight=w) == pytest.approx(
        expected, rel=1e-12, abs=1e-15
    )


@given(multilabel_scored(), st.sampled_from([None, "micro", "macro", "weighted", "samples"]))
def test_multilabel_roc_auc_matches_sklearn(data, average):
    y, s, w = data
    assert_same(
        outcome(M.roc_auc_score, y, s, sample_weight=w, average=average),
        outcome(skm.roc_auc_score, y, s, sample_weight=w, average=average),
        what=f"roc_auc_score(average={average})",
    )


@given(
    multiclass_scored(),
    st.sampled_from(["ovr", "ovo"]),
    st.sampled_from([None, "micro", "macro", "weighted"]),
    st.booleans(),
)
def test_multiclass_roc_auc_matches_sklearn(data, multi_class, average, pass_labels):
    y, s, w = data
    kw = dict(
        multi_class=multi_class,
        average=average,
        sample_weight=w if multi_class == "ovr" else None,
        labels=np.arange(s.shape[1]) if pass_labels else None,
    )
    try:
        theirs = outcome(skm.roc_auc_score, y, s, **kw)
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            M.roc_auc_score(y, s, **kw)
        return
    ours = outcome(M.roc_auc_score, y, s, **kw)
    assert_same(ours, theirs, what=f"roc_auc_score({multi_class}, {average})")


def test_roc_auc_with_one_class_warns_and_returns_nan_like_sklearn_1_9():
    with pytest.warns(UndefinedMetricWarning):
        assert np.isnan(skm.roc_auc_score([1, 1, 1], [0.1, 0.5, 0.9]))
    with pytest.warns(M.UndefinedMetricWarning, match="Only one class is present"):
        assert np.isnan(M.roc_auc_score([1, 1, 1], [0.1, 0.5, 0.9]))


# ------------------------------------------------------------------------------------------
# Average precision: scikit-learn's step sum
# ------------------------------------------------------------------------------------------


@given(binary_scored())
def test_binary_average_precision_matches_sklearn(data):
    y, s, w, pos_label = data
    pos_label = 1 if pos_label is None else pos_label
    kw = dict(sample_weight=w, pos_label=pos_label)
    assert_same(
        outcome(M.average_precision_score, y, s, **kw),
        outcome(skm.average_precision_score, y, s, **kw),
        what="average_precision_score",
    )


@given(
    st.one_of(multilabel_scored(), multiclass_scored()),
    st.sampled_from([None, "micro", "macro", "weighted", "samples"]),
)
def test_multilabel_and_multiclass_average_precision_match_sklearn(data, average):
    y, s, w = data
    assert_same(
        outcome(M.average_precision_score, y, s, sample_weight=w, average=average),
        outcome(skm.average_precision_score, y, s, sample_weight=w, average=average),
        what=f"average_precision_score(average={average})",
    )


def test_auc_matches_sklearn_and_refuses_non_monotonic_x():
    x, y = np.array([1.0, 0.5, 0.0]), np.array([1.0, 0.9, 0.0])
    assert M.auc(x, y) == skm.auc(x, y)
    with pytest.raises(ValueError, match="neither increasing nor decreasing"):
        M.auc([0.0, 1.0, 0.5], [0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="At least 2 points"):
        M.auc([0.0], [1.0])


# ------------------------------------------------------------------------------------------
# VOC 11-point and all-point AP (no sklearn oracle)
# ------------------------------------------------------------------------------------------


def voc_points(y, s):
    """The curve points from scikit-learn, ordered as the VOC devkit's (recall increasing)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        precision, recall, _ = skm.precision_recall_curve(y, s)
    return recall[:-1][::-1], precision[:-1][::-1]


def voc2007_ap(rec, prec):
    """VOC2007 devkit ``voc_ap(use_07_metric=True)``, transcribed."""
    ap = 0.0
    for t in np.linspace(0, 1, 11):
        p = 0.0 if np.sum(rec >= t) == 0 else np.max(prec[rec >= t])
        ap += p / 11.0
    return ap


def voc2010_ap(rec, prec):
    """VOC2010+ devkit ``voc_ap(use_07_metric=False)``, transcribed with explicit loops."""
    mrec = [0.0, *rec, 1.0]
    mpre = [0.0, *prec, 0.0]
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    return sum(
        (mrec[i + 1] - mrec[i]) * mpre[i + 1]
        for i in range(len(mrec) - 1)
        if mrec[i + 1] != mrec[i]
    )


@st.composite
def binary_01(draw):
    n = draw(st.integers(1, 30))
    y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 1)))
    return y, draw(hnp.arrays(np.float64, n, elements=TIED_SCORES))


def interpolated_aps(y, s):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return M.eleven_point_average_precision(y, s), M.all_point_average_precision(y, s)


@given(binary_01())
@example((np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.7, 0.1])))
def test_interpolated_aps_match_the_voc_devkit_formulas(data):
    y, s = data
    eleven, every = interpolated_aps(y, s)
    rec, prec = voc_points(y, s)
    assert eleven == pytest.approx(voc2007_ap(rec, prec), rel=1e-12, abs=1e-15)
    assert every == pytest.approx(voc2010_ap(rec, prec), rel=1e-12, abs=1e-15)


@given(binary_01())
def test_interpolated_ap_laws(data):
    y, s = data
    eleven, every = interpolated_aps(y, s)
    assert 0.0 <= eleven <= 1.0 and 0.0 <= every <= 1.0
    # same steps as sklearn's AP, each precision replaced by a maximum that includes it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert every >= skm.average_precision_score(y, s) - 1e-12
    # both integrate the same non-increasing interpolated precision; 11 points at spacing 0.1
    assert abs(eleven - every) <= 0.1 + 1e-12


@given(st.integers(1, 10), st.integers(0, 10), st.booleans())
def test_perfect_ranking_scores_one(n_pos, n_neg, ties_within_class):
    y = np.r_[np.ones(n_pos, int), np.zeros(n_neg, int)]
    s = np.r_[np.full(n_pos, 2.0), np.full(n_neg, 1.0)]
    if not ties_within_class:
        s = s + np.linspace(0, 0.5, n_pos + n_neg)[::-1]
    one = pytest.approx(1.0, rel=1e-14)  # sums of recall steps 1/n_pos round
    assert M.eleven_point_average_precision(y, s) == one
    assert M.all_point_average_precision(y, s) == one
    assert M.average_precision_score(y, s) == one
    if n_neg:
        assert M.roc_auc_score(y, s) == one


def test_three_aps_differ_on_one_example():
    # the course's "which AP?" example: three definitions, three numbers
    y = np.array([1, 0, 1, 1, 0, 0, 1, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    sk = M.average_precision_score(y, s)
    every = M.all_point_average_precision(y, s)
    eleven = M.eleven_point_average_precision(y, s)
    assert sk == pytest.approx((1 + 2 / 3 + 3 / 4 + 4 / 7) / 4)
    assert every == pytest.approx((1 + 3 / 4 + 3 / 4 + 4 / 7) / 4)
    assert eleven == pytest.approx((3 * 1 + 5 * 3 / 4 + 3 * 4 / 7) / 11)
    assert len({round(sk, 6), round(every, 6), round(eleven, 6)}) == 3


# ------------------------------------------------------------------------------------------
# Bad inputs
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: M.roc_curve(["a", "b"], [0.1, 0.2]), "pos_label is not specified"),
        (lambda: M.roc_curve([0, 1, 2], [0.1, 0.2, 0.3]), "multiclass format is not supported"),
        (lambda: M.roc_curve([0, 1], [0.1, np.nan]), "contains NaN"),
        (lambda: M.roc_curve([0, 1, 1], [0.1, 0.2]), "inconsistent numbers of samples"),
        (
            lambda: M.roc_auc_score([0, 1, 2], [[0.2, 0.3, 0.5]] * 3),
            "multi_class must be in \\('ovo', 'ovr'\\)",
        ),
        (
            lambda: M.roc_auc_score([0, 1, 2], [[0.2, 0.3, 0.6]] * 3, multi_class="ovr"),
            "need to be probabilities",
        ),
        (
            lambda: M.roc_auc_score([0, 1, 2], [[0.2, 0.8]] * 3, multi_class="ovr"),
            "Number of classes in y_true not equal",
        ),
        (lambda: M.roc_auc_score([0, 1], [0.2, 0.8], max_fpr=0), "max_fpr in range"),
        (
            lambda: M.roc_auc_score(
                [0, 1, 2], [[0.2, 0.3, 0.5]] * 3, multi_class="ovo", sample_weight=[1, 1, 1]
            ),
            "sample_weight is not supported",
        ),
        (lambda: M.average_precision_score([0, 1], [0.2, 0.8], pos_label=2), "not a valid label"),
        (
            lambda: M.average_precision_score(
                [[0, 1], [1, 0]], [[0.2, 0.8], [0.1, 0.3]], average="x"
            ),
            "average has to be one of",
        ),
    ],
)
def test_bad_inputs_raise_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
