"""The regression metrics added for issue 15 (MSLE, RMSLE, median absolute error, explained
variance, max error, pinball loss, the D^2 scores, Tweedie deviances) against scikit-learn on
random inputs (hypothesis): multi-output, sample weights (integer, float, zeros), ties."""

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
        except ValueError:
            with pytest.raises(ValueError):
                ours()
            return
        got = ours()
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12, equal_nan=True)


@st.composite
def regression(draw, outputs=True, positive=False):
    n = draw(st.integers(1, 12))
    m = draw(st.integers(1, 3)) if outputs else 1
    lo = 0 if positive else -3
    values = st.integers(lo, 6).map(lambda v: v / 2)  # halves: ties and exact medians
    y_true = np.array(draw(st.lists(values, min_size=n * m, max_size=n * m))).reshape(n, m)
    y_pred = np.array(draw(st.lists(values, min_size=n * m, max_size=n * m))).reshape(n, m)
    if m == 1 and draw(st.booleans()):
        y_true, y_pred = y_true[:, 0], y_pred[:, 0]
    kind = draw(st.sampled_from(["none", "int", "float"]))
    if kind == "none":
        w = None
    elif kind == "int":
        w = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
        w[0] = max(w[0], 1)
    else:
        w = np.array(draw(st.lists(st.floats(0.1, 5), min_size=n, max_size=n)))
    return y_true, y_pred, w


MULTIOUTPUT = [
    ("mean_squared_log_error", {}),
    ("root_mean_squared_log_error", {}),
    ("median_absolute_error", {}),
    ("explained_variance_score", {}),
    ("explained_variance_score", {"force_finite": False}),
    ("mean_pinball_loss", {"alpha": 0.1}),
    ("mean_pinball_loss", {"alpha": 0.5}),
    ("d2_pinball_score", {"alpha": 0.9}),
    ("d2_absolute_error_score", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), MULTIOUTPUT, ids=str)
@settings(max_examples=40)
@given(data=regression(), multioutput=st.sampled_from(["raw_values", "uniform_average"]))
def test_multioutput_regression_metrics_match_sklearn(name, kwargs, data, multioutput):
    y_true, y_pred, w = data
    _same(
        lambda: getattr(metrics, name)(
            y_true, y_pred, sample_weight=w, multioutput=multioutput, **kwargs
        ),
        lambda: getattr(skm, name)(
            y_true, y_pred, sample_weight=w, multioutput=multioutput, **kwargs
        ),
    )


@pytest.mark.parametrize("power", [-1, 0, 1, 1.5, 2, 3])
@settings(max_examples=30)
@given(data=regression(outputs=False, positive=True))
def test_tweedie_deviance_and_d2_match_sklearn(power, data):
    y_true, y_pred, w = data
    y_pred = y_pred + 0.25  # strictly positive predictions (zeros only in y_true)
    _same(
        lambda: metrics.mean_tweedie_deviance(y_true, y_pred, sample_weight=w, power=power),
        lambda: skm.mean_tweedie_deviance(y_true, y_pred, sample_weight=w, power=power),
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            skm.d2_tweedie_score(y_true, y_pred, sample_weight=w, power=power)
    except ZeroDivisionError:  # constant y_true: scikit-learn divides Python floats by 0
        got = metrics.d2_tweedie_score(y_true, y_pred, sample_weight=w, power=power)
        assert np.isnan(got) or got == -np.inf  # ours: 1 - 0/0 or 1 - x/0, as numpy
        return
    except ValueError:
        pass  # a domain error: _same checks that ours refuses too
    for name in ("d2_tweedie_score",):
        _same(
            lambda f=name: getattr(metrics, f)(y_true, y_pred, sample_weight=w, power=power),
            lambda f=name: getattr(skm, f)(y_true, y_pred, sample_weight=w, power=power),
        )


@settings(max_examples=40)
@given(data=regression(outputs=False))
def test_max_error_matches_sklearn(data):
    y_true, y_pred, _ = data
    _same(lambda: metrics.max_error(y_true, y_pred), lambda: skm.max_error(y_true, y_pred))


def test_weighted_median_equals_the_median_of_repeated_samples():
    """Integer weights act as repetitions (a law, no oracle)."""
    rng = np.random.default_rng(0)
    for _ in range(50):
        n = int(rng.integers(1, 9))
        y_true, y_pred = rng.integers(-5, 5, n) / 2, rng.integers(-5, 5, n) / 2
        w = rng.integers(1, 4, n)
        expected = np.median(np.abs(np.repeat(y_true - y_pred, w)))
        assert metrics.median_absolute_error(y_true, y_pred, sample_weight=w) == expected


def test_explained_variance_ignores_a_constant_bias():
    y = np.array([1.0, 4.0, 2.0, 8.0])
    assert metrics.explained_variance_score(y, y + 5) == 1.0
    assert metrics.r2_score(y, y + 5) < 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: metrics.mean_squared_log_error([1, -1], [1, 2]), "less than or equal to -1"),
        (lambda: metrics.max_error([[1, 2]], [[1, 2]]), "Multioutput not supported"),
        (lambda: metrics.mean_pinball_loss([1], [1], alpha=1.5), "alpha"),
        (lambda: metrics.mean_tweedie_deviance([1], [1], power=0.5), "power"),
        (lambda: metrics.mean_tweedie_deviance([-1], [1], power=1), "non-negative y"),
        (lambda: metrics.mean_gamma_deviance([0], [1]), "strictly positive y and y_pred"),
    ],
)
def test_domain_errors_name_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_d2_scores_of_one_sample_are_nan_with_a_warning():
    for fn in (metrics.d2_pinball_score, metrics.d2_absolute_error_score, metrics.d2_tweedie_score):
        with pytest.warns(metrics.UndefinedMetricWarning, match="less than two samples"):
            assert np.isnan(fn([1.0], [2.0]))
