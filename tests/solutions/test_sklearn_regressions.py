"""Regression tests for the disagreements with scikit-learn found by its own tests (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics as skm

from solutions import metrics


def test_top_k_accuracy_refuses_nan_and_inf_scores():
    scores = [[np.nan, 0.2, 0.3], [0.1, np.nan, 0.3], [0.3, 0.3, np.nan]]
    for fn in (skm.top_k_accuracy_score, metrics.top_k_accuracy_score):
        with pytest.raises(ValueError, match="NaN"):
            fn([0, 1, 2], scores, k=1)
    with pytest.raises(ValueError, match="infinity"):
        metrics.top_k_accuracy_score([0, 1, 2], [[np.inf, 0, 0], [0, 1, 0], [0, 0, 1]], k=1)


def test_integer_sample_weights_keep_exact_counts():
    w = np.array([2**53 + 1])
    assert metrics.confusion_matrix([0], [0], sample_weight=w)[0, 0] == 2**53 + 1
    assert skm.confusion_matrix([0], [0], sample_weight=w)[0, 0] == 2**53 + 1
    big = np.full(3, np.iinfo(np.int64).max)
    ours = metrics.confusion_matrix([0, 1, 1], [0, 1, 1], sample_weight=big)
    np.testing.assert_array_equal(
        ours, skm.confusion_matrix([0, 1, 1], [0, 1, 1], sample_weight=big)
    )
    mcm = metrics.multilabel_confusion_matrix(
        [0, 1], [0, 1], sample_weight=np.array([2**53 + 1, 1])
    )
    assert mcm[0, 1, 1] == 2**53 + 1 and mcm.dtype == np.int64


def test_refusals_of_the_right_type():
    with pytest.raises(ValueError, match="Complex data not supported"):
        metrics.accuracy_score([0, 1], [0, 1], sample_weight=np.array([1 + 1j, 1]))
    with pytest.raises(TypeError, match="bytes"):
        metrics.accuracy_score(np.array([b"a", b"b"]), np.array([b"a", b"b"]))
    with pytest.raises(TypeError, match="bytes"):
        metrics.roc_curve([b"a", b"b"], [0.0, 1.0])


def test_object_sample_weights_as_sklearn():
    for w in (np.array([1, 2, 3], dtype=object), [1.0, 2, 3]):
        assert metrics.accuracy_score([0, 1, 1], [0, 1, 0], sample_weight=w) == pytest.approx(
            skm.accuracy_score([0, 1, 1], [0, 1, 0], sample_weight=w)
        )


def test_hinge_loss_refuses_nan_and_inf_decisions():
    """Found by scikit-learn's test_common.py (test_continuous_inf_nan_input)."""
    for bad in ([np.inf, np.inf], [np.nan, 1.0]):
        for fn in (skm.hinge_loss, metrics.hinge_loss):
            with pytest.raises(ValueError, match="contains (NaN|infinity)"):
                fn([0, 1], bad)


def test_sparse_targets_must_be_multilabel():
    """Found by scikit-learn's test__check_targets_sparse_inputs (private helper, ported)."""
    from scipy import sparse

    y = sparse.csr_matrix([[1], [0], [1], [0]])
    for fn in (skm.accuracy_score, metrics.accuracy_score):
        with pytest.raises(TypeError, match="Sparse input is only supported"):
            fn(y, y)
    y_ml = sparse.csr_matrix([[1, 0, 1], [0, 1, 0]])
    assert metrics.accuracy_score(y_ml, y_ml) == 1.0
