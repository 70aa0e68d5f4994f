"""Calibration (issue 15): ``calibration_curve`` against scikit-learn's, the expected
calibration error against torchmetrics' ``binary_/multiclass_calibration_error`` (an
independent implementation of Guo et al.'s definition), and the laws of both."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve as sk_calibration_curve
from torchmetrics.functional.classification import (
    binary_calibration_error,
    multiclass_calibration_error,
)

from solutions import metrics


@st.composite
def binary_probs(draw, grid=True):
    n = draw(st.integers(1, 40))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    if grid:  # probabilities on a grid: ties and values on the uniform bin edges
        p = np.array(draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))) / 20
    else:  # continuous: almost surely on no bin edge
        p = np.array(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    return y, p


@settings(max_examples=80)
@given(
    data=binary_probs(),
    n_bins=st.integers(1, 12),
    strategy=st.sampled_from(["uniform", "quantile"]),
    flip=st.booleans(),
)
def test_calibration_curve_matches_sklearn(data, n_bins, strategy, flip):
    y, p = data
    labels = np.where(y == 1, "spam", "egg") if flip else y
    kwargs = dict(n_bins=n_bins, strategy=strategy, pos_label="spam" if flip else None)
    try:
        expected = sk_calibration_curve(labels, p, **kwargs)
    except ValueError:
        with pytest.raises(ValueError):
            metrics.calibration_curve(labels, p, **kwargs)
        return
    got = metrics.calibration_curve(labels, p, **kwargs)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@settings(max_examples=60)
@given(data=binary_probs(grid=False), n_bins=st.integers(1, 20))
def test_binary_ece_matches_torchmetrics(data, n_bins):
    y, p = data
    # the conventions differ only on bin edges (torchmetrics' bins are left-closed, and
    # p = 1 gets a bin of its own): compare off the edges
    off_edge = np.abs(p * n_bins - np.round(p * n_bins)) > 1e-9
    y, p = y[off_edge], p[off_edge]
    if p.size == 0:
        return
    for norm in ("l1", "l2", "max"):
        expected = binary_calibration_error(
            torch.from_numpy(p), torch.from_numpy(y), n_bins=n_bins, norm=norm
        ).item()
        got = metrics.expected_calibration_error(y, p, n_bins=n_bins, norm=norm)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), norm


@settings(max_examples=60)
@given(
    n=st.integers(1, 30),
    k=st.integers(2, 5),
    n_bins=st.integers(1, 20),
    seed=st.integers(0, 2**16),
)
def test_top_label_ece_matches_torchmetrics(n, k, n_bins, seed):
    rng = np.random.default_rng(seed)
    logits = 2 * rng.normal(size=(n, k))
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = rng.integers(0, k, n)
    for norm in ("l1", "l2", "max"):
        expected = multiclass_calibration_error(
            torch.from_numpy(proba), torch.from_numpy(y), num_classes=k, n_bins=n_bins, norm=norm
        ).item()
        got = metrics.expected_calibration_error(y, proba, n_bins=n_bins, norm=norm)
        # torchmetrics bins float32 confidences (.float() in its update step)
        assert got == pytest.approx(expected, rel=1e-5, abs=1e-6), norm


def test_ece_is_zero_for_a_calibrated_forecaster_and_the_gap_otherwise():
    """Laws, no oracle: in every bin the frequency equals the forecast -> 0; always saying
    0.9 for a class seen half the time -> |0.5 - 0.9| = 0.4."""
    y = np.array([0, 1] * 10)
    assert metrics.expected_calibration_error(y, np.full(20, 0.5), n_bins=10) == 0.0
    assert metrics.expected_calibration_error(y, np.full(20, 0.9)) == pytest.approx(0.4)
    prob_true, prob_pred = metrics.calibration_curve(y, np.full(20, 0.9))
    assert prob_true.tolist() == [0.5] and prob_pred == pytest.approx([0.9])


def test_ece_equals_the_weighted_gap_of_the_calibration_curve():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=200)
    y = (rng.uniform(size=200) < p**2).astype(int)  # overconfident forecaster
    prob_true, prob_pred = metrics.calibration_curve(y, p, n_bins=10)
    counts = np.histogram(p, bins=np.linspace(0, 1, 11))[0]
    expected = np.sum(counts[counts > 0] / 200 * np.abs(prob_true - prob_pred))
    ece = metrics.expected_calibration_error(y, p, n_bins=10)
    assert ece == pytest.approx(expected, rel=1e-12)


def test_ece_quantile_edges_on_tied_values_leave_an_empty_bin():
    # edges np.percentile([.2]*5 + [.9], [0, 100/3, 200/3, 100]) = [.2, .2, .2, .9]: the first
    # bin [.2, .2] holds the five .2 (acc 2/5, gap .2), (.2, .2] is empty, (.2, .9] holds .9
    # (acc 1, gap .1); worked by hand from the statement's rule
    y, p = [0, 0, 1, 0, 1, 1], [0.2] * 5 + [0.9]
    ece = functools.partial(metrics.expected_calibration_error, y, p, n_bins=3)
    assert ece(strategy="quantile") == pytest.approx(5 / 6 * 0.2 + 1 / 6 * 0.1, rel=1e-12)
    assert ece(strategy="quantile", norm="max") == pytest.approx(0.2, rel=1e-12)
    assert ece(strategy="quantile", norm="l2") == pytest.approx(
        np.sqrt(5 / 6 * 0.2**2 + 1 / 6 * 0.1**2), rel=1e-12
    )


def test_ece_first_uniform_bin_holds_zero():
    # bins [0, .5] and (.5, 1]: p = 0 shares the first bin with .1 (acc 1/2, conf .05)
    ece = metrics.expected_calibration_error([1, 0, 1], [0.0, 0.1, 0.6], n_bins=2)
    assert ece == pytest.approx(2 / 3 * 0.45 + 1 / 3 * 0.4, rel=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: metrics.calibration_curve([0, 1], [0.5, 1.5]), "outside \\[0, 1\\]"),
        (lambda: metrics.calibration_curve([0, 1, 2], [0.5] * 3, pos_label=1), "Only binary"),
        (lambda: metrics.calibration_curve([0, 1], [0.5, 0.5], strategy="x"), "strategy"),
        (lambda: metrics.calibration_curve(["a", "b"], [0.5, 0.5]), "pos_label"),
        (lambda: metrics.expected_calibration_error([0, 1], [0.5, 0.5], norm="l3"), "norm"),
        (lambda: metrics.expected_calibration_error([0, 1], [0.5, 0.5], n_bins=0), "n_bins"),
        (
            lambda: metrics.expected_calibration_error([0, 3], [[0.5, 0.5], [0.2, 0.8]]),
            "not columns of y_prob",
        ),
    ],
)
def test_calibration_errors_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
