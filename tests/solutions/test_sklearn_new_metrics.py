"""The metrics added for issue 15 against scikit-learn on random inputs (hypothesis):
labels, class counts, sample weights (integer and float), ties and degenerate cases."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from solutions import metrics


def _same(ours, theirs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = theirs()
        except ValueError as exc:
            with pytest.raises(ValueError):
                ours()
            return str(exc)
        got = ours()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, equal_nan=True)
    return None


@st.composite
def labelled(draw, max_classes=4):
    n = draw(st.integers(1, 30))
    k = draw(st.integers(1, max_classes))
    y_true = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    y_pred = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    weights = draw(st.sampled_from(["none", "int", "float"]))
    if weights == "none":
        w = None
    elif weights == "int":
        w = np.array(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)))
        if not w.any():
            w[0] = 1
    else:
        w = np.array(draw(st.lists(st.floats(0.01, 10), min_size=n, max_size=n)))
    return y_true, y_pred, w


LABEL_METRICS = [
    ("balanced_accuracy_score", {}),
    ("balanced_accuracy_score", {"adjusted": True}),
    ("matthews_corrcoef", {}),
    ("cohen_kappa_score", {}),
    ("cohen_kappa_score", {"weights": "linear"}),
    ("cohen_kappa_score", {"weights": "quadratic"}),
    ("zero_one_loss", {}),
    ("zero_one_loss", {"normalize": False}),
    ("hamming_loss", {}),
    ("jaccard_score", {"average": "macro", "zero_division": 0}),
    ("jaccard_score", {"average": "weighted", "zero_division": 1.0}),
    ("jaccard_score", {"average": "micro", "zero_division": 0}),
]


@pytest.mark.parametrize(("name", "kwargs"), LABEL_METRICS, ids=lambda v: str(v))
@settings(max_examples=60)  # 12 properties: keep their CI cost near 30 s
@given(data=labelled())
def test_label_metrics_match_sklearn(name, kwargs, data):
    y_true, y_pred, w = data
    _same(
        lambda: getattr(metrics, name)(y_true, y_pred, sample_weight=w, **kwargs),
        lambda: getattr(skm, name)(y_true, y_pred, sample_weight=w, **kwargs),
    )


@st.composite
def probabilistic(draw):
    n = draw(st.integers(2, 30))
    k = draw(st.integers(2, 4))
    y_true = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    raw = np.array(draw(st.lists(st.floats(0, 1), min_size=n * k, max_size=n * k))).reshape(n, k)
    raw[raw.sum(axis=1) == 0, 0] = 1.0
    proba = raw / raw.sum(axis=1, keepdims=True)
    w = draw(st.one_of(st.none(), st.lists(st.floats(0.01, 10), min_size=n, max_size=n)))
    return y_true, proba, k, None if w is None else np.array(w)


@settings(max_examples=60)  # 12 properties: keep their CI cost near 30 s
@given(data=probabilistic())
def test_log_loss_matches_sklearn(data):
    y_true, proba, k, w = data
    labels = list(range(k))
    for normalize in (True, False):
        _same(
            lambda norm=normalize: metrics.log_loss(
                y_true, proba, labels=labels, sample_weight=w, normalize=norm
            ),
            lambda norm=normalize: skm.log_loss(
                y_true, proba, labels=labels, sample_weight=w, normalize=norm
            ),
        )


@settings(max_examples=60)  # 12 properties: keep their CI cost near 30 s
@given(data=probabilistic())
def test_brier_score_loss_matches_sklearn(data):
    y_true, proba, k, w = data
    _same(
        lambda: metrics.brier_score_loss(y_true, proba, labels=list(range(k)), sample_weight=w),
        lambda: skm.brier_score_loss(y_true, proba, labels=list(range(k)), sample_weight=w),
    )
    binary = (y_true > 0).astype(int)
    _same(
        lambda: metrics.brier_score_loss(binary, proba[:, 0], sample_weight=w),
        lambda: skm.brier_score_loss(binary, proba[:, 0], sample_weight=w),
    )


@settings(max_examples=60)  # 12 properties: keep their CI cost near 30 s
@given(data=probabilistic(), binary=st.booleans())
def test_hinge_loss_matches_sklearn(data, binary):
    y_true, proba, k, w = data
    decision = 4 * proba - 2
    if binary:
        y = np.where(y_true > 0, 1, -1)
        _same(
            lambda: metrics.hinge_loss(y, decision[:, 0], sample_weight=w),
            lambda: skm.hinge_loss(y, decision[:, 0], sample_weight=w),
        )
    elif k > 2:
        labels = list(range(k))
        _same(
            lambda: metrics.hinge_loss(y_true, decision, labels=labels, sample_weight=w),
            lambda: skm.hinge_loss(y_true, decision, labels=labels, sample_weight=w),
        )


def test_log_loss_of_a_confident_mistake_is_finite():
    expected = -np.log(np.finfo(np.float64).eps)
    assert metrics.log_loss([0, 1], [[0.0, 1.0], [0.0, 1.0]]) == pytest.approx(expected / 2)


def test_matthews_corrcoef_of_a_constant_prediction_is_zero():
    assert metrics.matthews_corrcoef([0, 1, 1], [1, 1, 1]) == 0.0


@settings(max_examples=60)
@given(data=probabilistic(), drop=st.booleans())
def test_det_curve_matches_sklearn(data, drop):
    y_true, proba, _, w = data
    y = (y_true > 0).astype(int)
    score = np.round(proba[:, 0], 1)  # ties
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = skm.det_curve(y, score, sample_weight=w, drop_intermediate=drop)
        except ValueError:
            with pytest.raises(ValueError):
                metrics.det_curve(y, score, sample_weight=w, drop_intermediate=drop)
            return
        got = metrics.det_curve(y, score, sample_weight=w, drop_intermediate=drop)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@settings(max_examples=60)
@given(
    data=st.integers(1, 5).flatmap(
        lambda q: st.tuples(
            st.lists(st.lists(st.integers(0, 3), min_size=4, max_size=4), min_size=q, max_size=q),
            st.lists(st.lists(st.integers(0, 4), min_size=4, max_size=4), min_size=q, max_size=q),
        )
    ),
    k=st.one_of(st.none(), st.integers(1, 4)),
    ignore_ties=st.booleans(),
)
def test_dcg_and_ndcg_match_sklearn(data, k, ignore_ties):
    y_true, y_score = np.array(data[0]), np.array(data[1]) / 4  # integer scores: many ties
    for name in ("dcg_score", "ndcg_score"):
        _same(
            lambda f=name: getattr(metrics, f)(y_true, y_score, k=k, ignore_ties=ignore_ties),
            lambda f=name: getattr(skm, f)(y_true, y_score, k=k, ignore_ties=ignore_ties),
        )


@settings(max_examples=60)
@given(data=labelled(), digits=st.integers(1, 5), subset=st.booleans())
def test_classification_report_matches_sklearn(data, digits, subset):
    """Text (character for character) and dict, with labels absent from the data."""
    y_true, y_pred, w = data
    labels = [0, 2, 5] if subset else None
    names = ["cat", "dog", "a long class name"] if subset else None
    for output_dict in (False, True):
        kwargs = dict(
            labels=labels, target_names=names, sample_weight=w, digits=digits, zero_division=0
        )
        got = metrics.classification_report(y_true, y_pred, output_dict=output_dict, **kwargs)
        expected = skm.classification_report(y_true, y_pred, output_dict=output_dict, **kwargs)
        assert got == expected


@settings(max_examples=60)
@given(data=labelled(max_classes=2), replace=st.sampled_from([np.nan, 1.0, "dict"]))
def test_class_likelihood_ratios_match_sklearn(data, replace):
    y_true, y_pred, w = data
    if replace == "dict":
        replace = {"LR+": 7.0, "LR-": 0.25}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = skm.class_likelihood_ratios(
                y_true, y_pred, sample_weight=w, labels=[0, 1], replace_undefined_by=replace
            )
        except ValueError:  # one class only: not binary
            with pytest.raises(ValueError, match="binary"):
                metrics.class_likelihood_ratios(
                    y_true, y_pred, sample_weight=w, labels=[0, 1], replace_undefined_by=replace
                )
            return
        got = metrics.class_likelihood_ratios(
            y_true, y_pred, sample_weight=w, labels=[0, 1], replace_undefined_by=replace
        )
    np.testing.assert_allclose(got, expected, rtol=1e-12, equal_nan=True)


@settings(max_examples=60)
@given(data=probabilistic())
def test_d2_log_loss_and_brier_match_sklearn(data):
    y_true, proba, k, w = data
    labels = list(range(k))
    for name in ("d2_log_loss_score", "d2_brier_score"):
        _same(
            lambda f=name: getattr(metrics, f)(y_true, proba, labels=labels, sample_weight=w),
            lambda f=name: getattr(skm, f)(y_true, proba, labels=labels, sample_weight=w),
        )
    binary = (y_true > 0).astype(int)
    _same(
        lambda: metrics.d2_brier_score(binary, proba[:, 1], sample_weight=w),
        lambda: skm.d2_brier_score(binary, proba[:, 1], sample_weight=w),
    )


def test_classification_report_of_the_docstring_by_hand():
    """Counts worked out by hand: label 1 has TP=1, FN=1, FP=0 -> P=1, R=0.5, F1=2/3."""
    report = metrics.classification_report([0, 1, 1, 2], [0, 1, 2, 2], output_dict=True)
    assert report["1"] == {"precision": 1.0, "recall": 0.5, "f1-score": 2 / 3, "support": 2.0}
    assert report["accuracy"] == 0.75
    assert report["macro avg"]["precision"] == pytest.approx((1 + 1 + 0.5) / 3)


@settings(max_examples=60)
@given(
    data=st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(st.integers(0, 1), min_size=4, max_size=4), min_size=n, max_size=n),
            st.lists(st.lists(st.integers(0, 3), min_size=4, max_size=4), min_size=n, max_size=n),
            st.one_of(st.none(), st.lists(st.integers(0, 3), min_size=n, max_size=n)),
        )
    )
)
def test_multilabel_ranking_metrics_match_sklearn(data):
    y_true, y_score = np.array(data[0]), np.array(data[1]) / 3  # few score values: ties
    w = None if data[2] is None else np.array(data[2])
    if w is not None and not w.any():
        w[0] = 1
    for name in ("label_ranking_average_precision_score", "coverage_error", "label_ranking_loss"):
        _same(
            lambda f=name: getattr(metrics, f)(y_true, y_score, sample_weight=w),
            lambda f=name: getattr(skm, f)(y_true, y_score, sample_weight=w),
        )


@settings(max_examples=25)  # one metric call per threshold on both sides: keep it short
@given(data=probabilistic())
def test_metrics_at_thresholds_match_sklearn(data):
    y_true, proba, _, w = data
    y = (y_true > 0).astype(int)
    score = np.round(proba[:, 0], 1)  # ties
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = skm.confusion_matrix_at_thresholds(y, score, sample_weight=w)
        except ValueError:
            with pytest.raises(ValueError):
                metrics.confusion_matrix_at_thresholds(y, score, sample_weight=w)
            return
        got = metrics.confusion_matrix_at_thresholds(y, score, sample_weight=w)
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12)
        for metric in (skm.f1_score, skm.confusion_matrix):
            got = metrics.metric_at_thresholds(y, score, metric, sample_weight=w)
            expected = skm.metric_at_thresholds(y, score, metric, sample_weight=w)
            for a, b in zip(got, expected, strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-12)


def test_label_ranking_metrics_by_hand():
    """One sample, labels scored [0.9, 0.5, 0.7], relevant {0, 1}: label 1 is ranked 3rd
    behind the irrelevant label 2, so LRAP = (1/1 + 2/3) / 2, coverage 3, ranking loss 1/2."""
    y_true, y_score = [[1, 1, 0]], [[0.9, 0.5, 0.7]]
    assert metrics.label_ranking_average_precision_score(y_true, y_score) == pytest.approx(5 / 6)
    assert metrics.coverage_error(y_true, y_score) == 3.0
    assert metrics.label_ranking_loss(y_true, y_score) == 0.5
