import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from solutions.backprop import gradient_check, numerical_gradient, relative_error
from tests.solutions.strategies import arrays, shapes


@given(arrays(np.float64, shapes(max_dims=3, max_side=4), bound=3.0))
def test_numerical_gradient_of_cubic_matches_derivative(x):
    g = numerical_gradient(lambda v: float((v**3).sum()), [x])
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-6, atol=1e-6)


def test_numerical_gradient_does_not_modify_inputs():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    numerical_gradient(lambda v: float(np.sin(v).sum()), [x])
    np.testing.assert_array_equal(x, before)


@given(st.floats(1e-3, 1e3), st.floats(1e-3, 1e3))
def test_relative_error_is_symmetric_and_zero_on_equality(a, b):
    x, y = np.array([a]), np.array([b])
    assert relative_error(x, y) == relative_error(y, x)
    assert relative_error(x, x) == 0.0


def test_gradient_check_accepts_right_and_rejects_wrong_backward():
    x = np.random.default_rng(0).standard_normal((3, 4))
    right = gradient_check(np.tanh, lambda g, v: g * (1 - np.tanh(v) ** 2), [x])
    wrong = gradient_check(np.tanh, lambda g, v: g * (1 - np.tanh(v)), [x])
    assert right[0] < 1e-7
    assert wrong[0] > 1e-2


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="h must be > 0"):
        numerical_gradient(lambda v: 0.0, [np.zeros(2)], h=0.0)
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.zeros(2), np.zeros(3))
