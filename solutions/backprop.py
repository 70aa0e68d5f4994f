r"""Prologue: gradients you can trust.

Numerical gradient checking (central differences, relative error), reused by every later
chapter, by the tests and by the autograder; the running (exponential moving average) loss;
and a small MLP with a hand-written backward pass (the four backprop equations BP1-BP4).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__worked_examples__ = ["numerical_gradient", "relative_error"]

#: Default central-difference step: about the cube root of float64 machine epsilon, which
#: balances truncation error O(h^2) against rounding error O(eps/h).
DEFAULT_STEP = 1e-6


def numerical_gradient(
    f: Callable[..., float],
    inputs: Sequence[np.ndarray],
    index: int = 0,
    *,
    h: float = DEFAULT_STEP,
) -> np.ndarray:
    r"""Central-difference gradient of a scalar function with respect to one input.

    .. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}

    Args:
        f: called as ``f(*inputs)``; must return a scalar (anything ``float()`` accepts).
        inputs: the arguments of ``f``; ``inputs[index]`` must be a float array. It is
            perturbed in a float64 copy and restored, so callers' arrays are never modified.
        index: which input to differentiate with respect to.
        h: the step (> 0).

    Returns:
        An array of the shape of ``inputs[index]`` (float64).

    Example:
        >>> import numpy as np
        >>> g = numerical_gradient(lambda x: float((x ** 2).sum()), [np.array([1.0, -2.0])])
        >>> np.allclose(g, [2.0, -4.0])
        True
    """
    if not h > 0:
        raise ValueError(f"h must be > 0; got {h!r}")
    args = list(inputs)
    if not 0 <= index < len(args):
        raise IndexError(f"index must be in [0, {len(args) - 1}]; got {index}")
    x = np.array(args[index], dtype=np.float64)  # a copy we may perturb
    args[index] = x
    grad = np.zeros_like(x)
    flat_x, flat_g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        saved = flat_x[i]
        flat_x[i] = saved + h
        f_plus = float(f(*args))
        flat_x[i] = saved - h
        f_minus = float(f(*args))
        flat_x[i] = saved
        flat_g[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray, *, floor: float = 1e-8) -> float:
    r"""Largest element-wise relative error between two gradients.

    .. math:: \max_i \frac{|a_i - b_i|}{\max(|a_i| + |b_i|,\ \text{floor})}

    The floor keeps entries where both gradients are (numerically) zero from dividing by 0.
    Rules of thumb for float64 with central differences: < 1e-7 is right, > 1e-4 is a bug.

    Example:
        >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9])) < 1e-9
        True
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)))


def gradient_check(
    f: Callable[..., np.ndarray],
    f_backward: Callable[..., np.ndarray | tuple],
    inputs: Sequence[np.ndarray],
    *,
    wrt: Sequence[int] | None = None,
    kwargs: dict | None = None,
    h: float = DEFAULT_STEP,
    seed: int = 0,
) -> list[float]:
    r"""Check a hand-written backward against central differences of its forward.

    The forward may return any array; it is reduced to a scalar with a fixed random
    projection :math:`L = \sum_j r_j\, f(x)_j`, so the upstream gradient passed to
    ``f_backward`` is :math:`r` (a check with ``ones`` would miss errors that cancel).

    Args:
        f: forward, called as ``f(*inputs, **kwargs)``.
        f_backward: called as ``f_backward(r, *inputs, **kwargs)``; returns the gradient
            w.r.t. each differentiable input in signature order (a tuple if more than one).
        inputs: the positional arrays.
        wrt: indices of ``inputs`` that ``f_backward`` returns gradients for (in order);
            default: ``[0]``.
        seed: seed of the projection ``r``.

    Returns:
        The :func:`relative_error` for each input in ``wrt``.
    """
    kwargs = kwargs or {}
    wrt = [0] if wrt is None else list(wrt)
    out = np.asarray(f(*inputs, **kwargs), dtype=np.float64)
    r = np.random.default_rng(seed).standard_normal(out.shape)

    def projected(*args):
        return float(np.sum(r * np.asarray(f(*args, **kwargs), dtype=np.float64)))

    analytic = f_backward(r, *inputs, **kwargs)
    if not isinstance(analytic, tuple):
        analytic = (analytic,)
    if len(analytic) != len(wrt):
        raise ValueError(f"f_backward returned {len(analytic)} gradients, expected {len(wrt)}")
    errors = []
    for grad, i in zip(analytic, wrt, strict=True):
        numeric = numerical_gradient(projected, inputs, i, h=h)
        errors.append(relative_error(np.asarray(grad), numeric))
    return errors
