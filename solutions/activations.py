r"""Chapter 3: activation functions and their derivatives.

Each activation mirrors ``torch.nn.functional`` (names, defaults, values) and is followed by
``<name>_backward(grad_output, <same inputs>, <same options>)``, the hand-derived gradient.
At a kink the derivative is the one torch's autograd uses (a valid subgradient):

- ``relu'(0) = 0``; ``leaky_relu'(0) = prelu'(0) = rrelu'(0) = negative slope``;
- ``relu6'(0) = relu6'(6) = 0`` and ``hardtanh'(min_val) = hardtanh'(max_val) = 0``;
- ``elu'(0) = alpha``, ``selu'(0) = scale * alpha``, ``celu'(0) = 1`` (the left branch).

At a NaN input, ``relu`` passes the gradient through (as torch); ``hardtanh``/``relu6`` give 0
and ``elu``/``selu``/``celu`` NaN, as torch's vectorized CPU kernels (torch's scalar tail, the
last few elements of a tensor, passes the gradient through instead: torch's own answer there
depends on the position, so the OpInfo conformance suite leaves these entries out).

Everything is numerically stable for :math:`|x|` up to :math:`10^4`: the sigmoid is
:math:`1 / (1 + e^{-x})`, where an overflow of :math:`e^{-x}` to ``inf`` gives the right limit
0, logsigmoid uses :math:`e^{-|x|}`, softplus uses
:math:`\max(z, 0) + \log(1 + e^{-|z|})`, ELU-type functions use ``expm1`` on
:math:`\min(x, 0)` only, and softmax subtracts the maximum first (the naive
:math:`e^{x_i} / \sum_j e^{x_j}` overflows for :math:`x > 88.7` in float32 and
``softmax([1000, 1001, 1002])`` is NaN).

Inputs keep their floating dtype (integers are promoted to float64). Differences from torch:
``softmax``/``log_softmax`` need ``dim`` (torch's implicit ``dim=None`` is deprecated) and take
a ``temperature`` (and torch's ``dtype=``); ``rrelu`` can take its sampled slopes as
``noise`` so that its backward is well defined; ``swish`` and ``swiglu`` are not in
``torch.nn.functional``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erf

from solutions._checks import as_float_array, check_dim, check_positive

__worked_examples__ = ["tanh", "relu", "softmax"]

#: SELU constants (Klambauer et al., 2017), the values torch uses.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
#: GELU constants: 1/sqrt(2), 1/sqrt(2 pi), sqrt(2/pi) and the cubic coefficient of the tanh form.
SQRT1_2 = 1.0 / math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_TANH_KAPPA = 0.044715
GELU_APPROXIMATIONS = ("none", "tanh")


def _grad(grad_output, output_shape: tuple, dtype) -> np.ndarray:
    g = np.asarray(grad_output)
    if g.shape != tuple(output_shape):
        raise ValueError(
            f"grad_output must have the shape of the output {tuple(output_shape)}; got {g.shape}"
        )
    return g.astype(dtype, copy=False)


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^{-x}) in place on one new array (the formula of scipy's expit, 4x slower,
    # with numpy's vectorized exp). e^{-x} overflows to inf for x < -709 (float64) and
    # 1 / (1 + inf) = 0, the sigmoid there to below the smallest normal number: harmless, so
    # not reported.
    s = np.asarray(-x)  # a 0-d input gives a numpy scalar, which out= cannot take
    with np.errstate(over="ignore"):
        np.exp(s, out=s)
    s += 1
    return np.reciprocal(s, out=s)


def _softplus(z: np.ndarray) -> np.ndarray:
    # log(1 + e^z) = max(z, 0) + log(1 + e^{-|z|}): the exponent is <= 0, so no overflow
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def _mask(condition: np.ndarray, dtype) -> np.ndarray:
    # a 0/1 float mask: multiplying by it is branch-free (np.where on random signs is slow)
    return condition.astype(dtype)


# ----------------------------------------------------------------------------- sigmoid, tanh


def sigmoid(input) -> np.ndarray:
    r"""Logistic sigmoid, computed without overflow.

    .. math::
        \sigma(x) = \frac{1}{1 + e^{-x}} =
        \begin{cases} \frac{1}{1 + e^{-|x|}} & x \ge 0 \\[2pt]
                      \frac{e^{-|x|}}{1 + e^{-|x|}} & x < 0 \end{cases}

    Args:
        input: array of any shape.

    Example:
        >>> sigmoid(np.array([-1e4, 0.0, 1e4])).tolist()
        [0.0, 0.5, 1.0]
    """
    return _stable_sigmoid(as_float_array(input, "input"))


def sigmoid_backward(grad_output, input) -> np.ndarray:
    r""":math:`\partial L / \partial x = g \, \sigma(x)\,(1 - \sigma(x))`.

    Example:
        >>> sigmoid_backward(np.ones(1), np.zeros(1)).tolist()
        [0.25]
    """
    x = as_float_array(input, "input")
    s = _stable_sigmoid(x)
    grad = _grad(grad_output, x.shape, x.dtype) * s
    grad *= 1 - s
    return grad


def logsigmoid(input) -> np.ndarray:
    r"""Log of the sigmoid, ``torch.nn.functional.logsigmoid``, without overflow or log(0).

    .. math:: \log \sigma(x) = -\log(1 + e^{-x}) = \min(x, 0) - \log\big(1 + e^{-|x|}\big)

    (``log(sigmoid(x))`` gives ``-inf`` for :math:`x \lesssim -745`; this form gives
    :math:`\approx x`.)

    Example:
        >>> logsigmoid(np.array([-1e4, 0.0])).tolist()
        [-10000.0, -0.6931471805599453]
    """
    x = as_float_array(input, "input")
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def logsigmoid_backward(grad_output, input) -> np.ndarray:
    r""":math:`\partial L / \partial x = g\,(1 - \sigma(x)) = g\,\sigma(-x)`.

    Example:
        >>> logsigmoid_backward(np.ones(1), np.zeros(1)).tolist()
        [0.5]
    """
    x = as_float_array(input, "input")
    return _grad(grad_output, x.shape, x.dtype) * _stable_sigmoid(-x)


def tanh(input) -> np.ndarray:
    r"""Hyperbolic tangent.

    .. math:: \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1

    Zero-centred, unlike the sigmoid; saturates at :math:`\pm 1`.

    Example:
        >>> tanh(np.array([0.0, 1e4])).tolist()
        [0.0, 1.0]
    """
    return np.tanh(as_float_array(input, "input"))


def tanh_backward(grad_output, input) -> np.ndarray:
    r""":math:`\partial L / \partial x = g\,(1 - \tanh^2 x)`.

    Example:
        >>> tanh_backward(np.ones(1), np.zeros(1)).tolist()
        [1.0]
    """
    x = as_float_array(input, "input")
    t = np.tanh(x)
    return _grad(grad_output, x.shape, x.dtype) * (1 - t * t)


# ----------------------------------------------------------------------------- ReLU family


def relu(input) -> np.ndarray:
    r"""Rectified linear unit: :math:`\operatorname{relu}(x) = \max(x, 0)`.

    Example:
        >>> relu(np.array([-2.0, 0.0, 3.0])).tolist()
        [0.0, 0.0, 3.0]
    """
    return np.maximum(as_float_array(input, "input"), 0)


def relu_backward(grad_output, input) -> np.ndarray:
    r""":math:`\partial L / \partial x = g \cdot [x > 0]` (0 at :math:`x = 0`, as torch).

    Units whose input stays negative get no gradient at all: the "dying ReLU".

    Example:
        >>> relu_backward(np.ones(3), np.array([-2.0, 0.0, 3.0])).tolist()
        [0.0, 0.0, 1.0]
    """
    x = as_float_array(input, "input")
    # ~(x <= 0), not x > 0: a NaN input passes its gradient through, as in torch
    return _grad(grad_output, x.shape, x.dtype) * _mask(~(x <= 0), x.dtype)


def leaky_relu(input, negative_slope: float = 0.01) -> np.ndarray:
    r"""Leaky ReLU with slope :math:`a` = ``negative_slope`` for negative inputs.

    .. math:: \operatorname{leaky\_relu}(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}

    Example:
        >>> leaky_relu(np.array([-2.0, 3.0]), 0.1).tolist()
        [-0.2, 3.0]
    """
    x = as_float_array(input, "input")
    out = np.minimum(x, 0)
    out *= float(negative_slope)
    out += np.maximum(x, 0)
    return out


def leaky_relu_backward(grad_output, input, negative_slope: float = 0.01) -> np.ndarray:
    r""":math:`\partial L / \partial x = g` for :math:`x > 0`, else :math:`a g` (also at 0).

    Example:
        >>> leaky_relu_backward(np.ones(3), np.array([-2.0, 0.0, 3.0]), 0.1).tolist()
        [0.1, 0.1, 1.0]
    """
    x = as_float_array(input, "input")
    g = _grad(grad_output, x.shape, x.dtype)
    positive = _mask(x > 0, x.dtype)
    return g * positive + float(negative_slope) * g * (1 - positive)


def _prelu_slope(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The weight broadcast against ``x``: one slope, or one per channel (dim 1)."""
    if weight.ndim > 1:
        raise ValueError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}"
        )
    channels = x.shape[1] if x.ndim >= 2 else 1
    if weight.size not in (1, channels):
        raise ValueError(
            "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
            f"{weight.size} and channel size = {channels}."
        )
    if weight.size == 1:
        return weight.reshape(())
    return weight.reshape((1, channels) + (1,) * (x.ndim - 2))


def prelu(input, weight) -> np.ndarray:
    r"""Parametric ReLU (He et al., 2015) with a learned slope per channel.

    .. math:: \operatorname{prelu}(x)_{n c \dots} = \begin{cases} x & x > 0 \\
        w_c\, x & x \le 0 \end{cases}

    Args:
        input: ``(N, C, *)`` array, or any shape when ``weight`` has one element (a 1-D or
            0-D input has one channel).
        weight: slopes, a scalar or 1-D array of size 1 or ``C`` (``C = input.shape[1]``).

    Example:
        >>> prelu(np.array([[-1.0, 2.0], [-3.0, -4.0]]), np.array([0.5, 0.25])).tolist()
        [[-0.5, 2.0], [-1.5, -1.0]]
    """
    x = as_float_array(input, "input")
    w = _prelu_slope(x, as_float_array(weight, "weight"))
    out = w * np.minimum(x, 0)
    out += np.maximum(x, 0)
    return out


def prelu_backward(grad_output, input, weight) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradients w.r.t. the input and the slopes.

    .. math::
        \frac{\partial L}{\partial x} = \begin{cases} g & x > 0 \\ w_c\, g & x \le 0 \end{cases},
        \qquad
        \frac{\partial L}{\partial w_c} = \sum_{n, \dots:\ x \le 0} g\, x

    (one sum over all elements when ``weight`` has a single element).

    Returns:
        ``(grad_input, grad_weight)`` with the shapes of ``input`` and ``weight``.

    Example:
        >>> gx, gw = prelu_backward(np.ones(3), np.array([-1.0, 2.0, -3.0]), np.array([0.1]))
        >>> gx.tolist(), gw.tolist()
        ([0.1, 1.0, 0.1], [-4.0])
    """
    x = as_float_array(input, "input")
    weight = as_float_array(weight, "weight")
    w = _prelu_slope(x, weight)
    g = _grad(grad_output, x.shape, x.dtype)
    positive = _mask(x > 0, x.dtype)
    grad_input = g * positive + w * g * (1 - positive)
    per_element = g * np.minimum(x, 0)  # x where x <= 0, else 0
    if weight.size == 1:
        grad_weight = per_element.sum()
    else:
        grad_weight = per_element.sum(axis=tuple(i for i in range(x.ndim) if i != 1))
    return grad_input, np.asarray(grad_weight, dtype=weight.dtype).reshape(weight.shape)


def _check_rrelu_bounds(lower: float, upper: float) -> None:
    if not lower <= upper:
        raise ValueError(
            "Lower bound should be less than or equal to the upper bound: "
            f"got lower={lower}, upper={upper}"
        )


def rrelu_noise(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, generator=None):
    r"""Sample the per-element slopes of a training-mode :func:`rrelu`.

    .. math:: r_i \sim \mathcal{U}(\text{lower}, \text{upper}) \text{ where } x_i \le 0,
        \qquad r_i = 1 \text{ where } x_i > 0

    (torch keeps the same "noise" tensor for its backward). A slope is drawn for every
    element, so the draw depends only on the shape and the generator's state.

    Args:
        input: array of any shape; generator: a ``numpy.random.Generator`` or ``None``.

    Example:
        >>> r = rrelu_noise(np.array([-1.0, 2.0]), generator=np.random.default_rng(0))
        >>> bool(1 / 8 <= r[0] <= 1 / 3), float(r[1])
        (True, 1.0)
    """
    x = as_float_array(input, "input")
    _check_rrelu_bounds(lower, upper)
    rng = np.random.default_rng() if generator is None else generator
    slopes = rng.uniform(lower, upper, size=x.shape).astype(x.dtype)
    return np.where(x <= 0, slopes, np.ones((), dtype=x.dtype))


def _rrelu_training_noise(x, noise, lower, upper, generator):
    if noise is None:
        return rrelu_noise(x, lower, upper, generator)
    noise = np.asarray(noise, dtype=x.dtype)
    if noise.shape != x.shape:
        raise ValueError(f"noise must have the shape of input {x.shape}; got {noise.shape}")
    return noise


def rrelu(
    input,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator=None,
    noise=None,
) -> np.ndarray:
    r"""Randomized leaky ReLU (Xu et al., 2015).

    .. math::
        \operatorname{rrelu}(x) = \begin{cases} x & x > 0 \\ r\, x & x \le 0 \end{cases},
        \qquad r = \begin{cases} r_i \sim \mathcal{U}(\text{lower}, \text{upper})
                                   & \text{training} \\
                                 (\text{lower} + \text{upper}) / 2 & \text{eval} \end{cases}

    Args:
        input: array of any shape.
        lower, upper: range of the random slope (``lower <= upper``).
        training: sample a slope per element (True) or use the mean slope (False, default).
        generator: ``numpy.random.Generator`` for the slopes (training only).
        noise: the slopes to use in training mode, e.g. from :func:`rrelu_noise`; pass the
            same array to :func:`rrelu_backward`. ``None`` samples them with ``generator``.

    Returns an array of the input's shape and float dtype; ``noise`` is used in the input's
    dtype, whatever its own. Where :math:`x > 0` the output is :math:`x`, in training mode
    too. In training mode with neither ``noise`` nor ``generator``, the slopes come from a
    fresh ``np.random.default_rng()``.

    Example:
        >>> rrelu(np.array([-3.0, 3.0]), 0.1, 0.3).tolist()
        [-0.6000000000000001, 3.0]
    """
    x = as_float_array(input, "input")
    _check_rrelu_bounds(lower, upper)
    if not training:
        return leaky_relu(x, (lower + upper) / 2)
    return x * _rrelu_training_noise(x, noise, lower, upper, generator)


def rrelu_backward(
    grad_output,
    input,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator=None,
    noise=None,
) -> np.ndarray:
    r""":math:`\partial L / \partial x = g\, r` with the slope :math:`r` of the forward pass.

    In eval mode :math:`r = 1` for :math:`x > 0` and :math:`(\text{lower}+\text{upper})/2`
    otherwise (also at 0). In training mode the forward's slopes are needed: pass them as
    ``noise``, or a ``generator`` in the same state as the forward's (it redraws the same
    slopes). The gradient has the input's dtype (``noise`` is used in it, whatever its own).

    Example:
        >>> rrelu_backward(np.ones(2), np.array([-3.0, 3.0]), 0.1, 0.3).tolist()
        [0.2, 1.0]
    """
    x = as_float_array(input, "input")
    _check_rrelu_bounds(lower, upper)
    if not training:
        return leaky_relu_backward(grad_output, x, (lower + upper) / 2)
    if noise is None and generator is None:
        raise ValueError(
            "rrelu_backward in training mode needs the forward's slopes: pass noise= "
            "(see rrelu_noise) or a generator in the same state as in the forward"
        )
    g = _grad(grad_output, x.shape, x.dtype)
    return g * _rrelu_training_noise(x, noise, lower, upper, generator)


def relu6(input) -> np.ndarray:
    r"""ReLU capped at 6 (Krizhevsky, 2010; MobileNet): :math:`\min(\max(x, 0), 6)`.

    An activation that clamps the *output*; it is not gradient clipping (which rescales or
    clips *gradients*, e.g. ``torch.nn.utils.clip_grad_norm_``).

    Example:
        >>> relu6(np.array([-1.0, 3.0, 10.0])).tolist()
        [0.0, 3.0, 6.0]
    """
    return hardtanh(input, 0.0, 6.0)


def relu6_backward(grad_output, input) -> np.ndarray:
    r""":math:`\partial L / \partial x = g \cdot [0 < x < 6]` (0 at both kinks, as torch).

    Example:
        >>> relu6_backward(np.ones(4), np.array([0.0, 3.0, 6.0, 7.0])).tolist()
        [0.0, 1.0, 0.0, 0.0]
    """
    return hardtanh_backward(grad_output, input, 0.0, 6.0)


def _check_hardtanh_range(min_val: float, max_val: float) -> None:
    if min_val > max_val:
        raise ValueError(
            f"min_val cannot be greater than max_val: got min_val={min_val}, max_val={max_val}"
        )


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0) -> np.ndarray:
    r"""Hard tanh: :math:`\min(\max(x, \text{min\_val}), \text{max\_val})`.

    Example:
        >>> hardtanh(np.array([-3.0, 0.5, 3.0])).tolist()
        [-1.0, 0.5, 1.0]
    """
    _check_hardtanh_range(min_val, max_val)
    x = as_float_array(input, "input")
    return np.clip(x, float(min_val), float(max_val))


def hardtanh_backward(grad_output, input, min_val: float = -1.0, max_val: float = 1.0):
    r""":math:`\partial L / \partial x = g \cdot [\text{min\_val} < x < \text{max\_val}]`.

    Example:
        >>> hardtanh_backward(np.ones(3), np.array([-1.0, 0.5, 3.0])).tolist()
        [0.0, 1.0, 0.0]
    """
    _check_hardtanh_range(min_val, max_val)
    x = as_float_array(input, "input")
    # At a NaN input torch's own answer depends on the element's position (its vectorized
    # kernel gives 0, the scalar tail g): we give 0, as the vectorized kernel.
    inside = _mask((x > min_val) & (x < max_val), x.dtype)
    return _grad(grad_output, x.shape, x.dtype) * inside


# ----------------------------------------------------------------------------- exponential units


def elu(input, alpha: float = 1.0) -> np.ndarray:
    r"""Exponential linear unit (Clevert et al., 2015).

    .. math:: \operatorname{elu}(x) = \begin{cases} x & x > 0 \\
        \alpha\,(e^{x} - 1) & x \le 0 \end{cases}

    :math:`e^x - 1` is computed with ``expm1`` (exact for tiny :math:`|x|`) and only on
    :math:`\min(x, 0)`, so large positive inputs never overflow.

    Example:
        >>> elu(np.array([-1e4, 2.0])).tolist()
        [-1.0, 2.0]
    """
    x = as_float_array(input, "input")
    return np.maximum(x, 0) + float(alpha) * np.expm1(np.minimum(x, 0))


def elu_backward(grad_output, input, alpha: float = 1.0) -> np.ndarray:
    r""":math:`\partial L / \partial x = g` for :math:`x > 0`, else :math:`g\,\alpha e^{x}`
    (:math:`\alpha` at 0).

    Example:
        >>> elu_backward(np.ones(2), np.array([0.0, 2.0]), alpha=2.0).tolist()
        [2.0, 1.0]
    """
    x = as_float_array(input, "input")
    g = _grad(grad_output, x.shape, x.dtype)
    # At a NaN input torch's own answer depends on the element's position (its vectorized
    # kernel gives NaN, the scalar tail g): we give NaN, as the vectorized kernel.
    positive = _mask(x > 0, x.dtype)
    return g * (positive + (1 - positive) * float(alpha) * np.exp(np.minimum(x, 0)))


def selu(input) -> np.ndarray:
    r"""Scaled ELU (Klambauer et al., 2017): self-normalizing with LeCun-normal weights.

    .. math:: \operatorname{selu}(x) = \lambda \begin{cases} x & x > 0 \\
        \alpha\,(e^{x} - 1) & x \le 0 \end{cases},
        \quad \alpha \approx 1.6733,\ \lambda \approx 1.0507

    Example:
        >>> round(float(selu(np.array([1.0]))[0]), 4)
        1.0507
    """
    return SELU_SCALE * elu(input, SELU_ALPHA)


def selu_backward(grad_output, input) -> np.ndarray:
    r""":math:`\partial L / \partial x = \lambda g` for :math:`x > 0`, else
    :math:`\lambda \alpha e^{x} g` (:math:`\lambda\alpha \approx 1.758` at 0).

    Example:
        >>> round(float(selu_backward(np.ones(1), np.zeros(1))[0]), 4)
        1.7581
    """
    return SELU_SCALE * elu_backward(grad_output, input, SELU_ALPHA)


def _check_celu_alpha(alpha: float) -> None:
    if alpha == 0:
        raise ValueError("alpha cannot be 0 for CELU (it divides the input)")


def celu(input, alpha: float = 1.0) -> np.ndarray:
    r"""Continuously differentiable ELU (Barron, 2017).

    .. math:: \operatorname{celu}(x) = \max(0, x) + \min\big(0, \alpha\,(e^{x/\alpha} - 1)\big)

    Unlike ELU its derivative is 1 on both sides of 0 for every :math:`\alpha`.

    Example:
        >>> celu(np.array([-1e4, 2.0]), alpha=2.0).tolist()
        [-2.0, 2.0]
    """
    _check_celu_alpha(alpha)
    x = as_float_array(input, "input")
    alpha = float(alpha)
    return np.maximum(x, 0) + alpha * np.expm1(np.minimum(x, 0) / alpha)


def celu_backward(grad_output, input, alpha: float = 1.0) -> np.ndarray:
    r""":math:`\partial L / \partial x = g` for :math:`x > 0`, else :math:`g\, e^{x/\alpha}`.

    Example:
        >>> celu_backward(np.ones(2), np.array([0.0, 2.0])).tolist()
        [1.0, 1.0]
    """
    _check_celu_alpha(alpha)
    x = as_float_array(input, "input")
    g = _grad(grad_output, x.shape, x.dtype)
    # NaN input: NaN gradient, as torch's vectorized kernel (see elu_backward)
    positive = _mask(x > 0, x.dtype)
    return g * (positive + (1 - positive) * np.exp(np.minimum(x, 0) / float(alpha)))


# ----------------------------------------------------------------------------- smooth rectifiers


def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    r"""Softplus, a smooth ReLU; linear where :math:`\beta x` exceeds ``threshold`` (as torch).

    .. math:: \operatorname{softplus}(x) = \begin{cases}
        \frac{1}{\beta} \log(1 + e^{\beta x}) & \beta x \le \text{threshold} \\
        x & \beta x > \text{threshold} \end{cases}

    :math:`\log(1 + e^{z})` is evaluated as :math:`\max(z, 0) + \log(1 + e^{-|z|})`,
    finite for any :math:`z`.

    Example:
        >>> softplus(np.array([-1e4, 0.0, 1e4])).round(4).tolist()
        [0.0, 0.6931, 10000.0]
    """
    x = as_float_array(input, "input")
    beta = float(beta)
    z = x * beta
    return np.where(z > threshold, x, _softplus(z) / beta)


def softplus_backward(grad_output, input, beta: float = 1.0, threshold: float = 20.0):
    r""":math:`\partial L / \partial x = g\, \sigma(\beta x)` (and :math:`g` above the threshold).

    Example:
        >>> softplus_backward(np.ones(1), np.zeros(1)).tolist()
        [0.5]
    """
    x = as_float_array(input, "input")
    z = x * float(beta)
    g = _grad(grad_output, x.shape, x.dtype)
    return np.where(z > threshold, g, g * _stable_sigmoid(z))


def _check_approximate(approximate: str) -> None:
    if approximate not in GELU_APPROXIMATIONS:
        raise ValueError(f"approximate must be one of {GELU_APPROXIMATIONS}; got {approximate!r}")


def gelu(input, approximate: str = "none") -> np.ndarray:
    r"""Gaussian error linear unit (Hendrycks & Gimpel, 2016).

    .. math::
        \operatorname{gelu}(x) = x\,\Phi(x)
        = \frac{x}{2}\Big(1 + \operatorname{erf}\big(x/\sqrt{2}\big)\Big)

    Note the :math:`\sqrt 2`: :math:`\Phi` is the standard normal CDF and
    :math:`\Phi(x) = \frac12(1 + \operatorname{erf}(x/\sqrt2))`; without it gelu(1) would be
    0.9214 instead of 0.8413. ``approximate="tanh"`` gives the BERT/GPT-2 approximation

    .. math:: \frac{x}{2}\Big(1 + \tanh\big(\sqrt{2/\pi}\,(x + 0.044715\,x^3)\big)\Big)

    GELU is neither monotone (minimum :math:`-0.170` at :math:`x \approx -0.752`) nor convex
    for :math:`x > 0` (:math:`\operatorname{gelu}'' = \varphi(x)(2 - x^2)`).

    Args:
        input: array of any shape.
        approximate: ``"none"`` (exact, default) or ``"tanh"``.

    Example:
        >>> round(float(gelu(np.array([1.0]))[0]), 4)
        0.8413
    """
    _check_approximate(approximate)
    x = as_float_array(input, "input")
    if approximate == "tanh":
        inner = SQRT_2_OVER_PI * (x + GELU_TANH_KAPPA * x * x * x)
        return 0.5 * x * (1 + np.tanh(inner))
    # x * Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2, in place on one new array
    out = np.asarray(x * SQRT1_2)  # a 0-d input gives a numpy scalar, which out= cannot take
    erf(out, out=out)
    out += 1
    out *= 0.5
    out *= x
    return out


def gelu_backward(grad_output, input, approximate: str = "none") -> np.ndarray:
    r"""Derivative of GELU.

    .. math:: \operatorname{gelu}'(x) = \Phi(x) + x\,\varphi(x), \qquad
        \varphi(x) = \frac{e^{-x^2/2}}{\sqrt{2\pi}}

    and for the tanh form, with :math:`u = \sqrt{2/\pi}(x + 0.044715 x^3)`,
    :math:`\frac12(1 + \tanh u) + \frac x2 (1 - \tanh^2 u)\sqrt{2/\pi}(1 + 3 \cdot 0.044715 x^2)`.

    Example:
        >>> gelu_backward(np.ones(1), np.zeros(1)).tolist()
        [0.5]
    """
    _check_approximate(approximate)
    x = as_float_array(input, "input")
    g = _grad(grad_output, x.shape, x.dtype)
    if approximate == "tanh":
        x_sq = x * x
        t = np.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_KAPPA * x_sq * x))
        inner_derivative = SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_KAPPA * x_sq)
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * inner_derivative)
    cdf = 0.5 * (1 + erf(x * SQRT1_2))
    pdf = INV_SQRT_2PI * np.exp(-0.5 * x * x)
    return g * (cdf + x * pdf)


def silu(input) -> np.ndarray:
    r"""Sigmoid linear unit (= Swish with :math:`\beta = 1`): :math:`x\,\sigma(x)`.

    Example:
        >>> silu(np.array([-1e4, 0.0, 1e4])).tolist()
        [-0.0, 0.0, 10000.0]
    """
    x = as_float_array(input, "input")
    out = _stable_sigmoid(x)
    out *= x
    return out


def silu_backward(grad_output, input) -> np.ndarray:
    r""":math:`\partial L / \partial x = g\,\sigma(x)\,\big(1 + x\,(1 - \sigma(x))\big)`.

    Example:
        >>> silu_backward(np.ones(1), np.zeros(1)).tolist()
        [0.5]
    """
    x = as_float_array(input, "input")
    s = _stable_sigmoid(x)
    return _grad(grad_output, x.shape, x.dtype) * s * (1 + x * (1 - s))


def _sum_to_shape(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting: sum ``grad`` over the axes a ``shape`` operand was broadcast along."""
    extra = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(extra))) if extra else grad
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True) if stretched else grad


def swish(input, beta=1.0) -> np.ndarray:
    r"""Swish (Ramachandran et al., 2017): :math:`x\,\sigma(\beta x)`; not in torch.

    :math:`\beta = 1` is SiLU; :math:`\beta \to \infty` tends to ReLU, :math:`\beta = 0` to
    :math:`x/2`. :math:`\beta` may be trainable: a float or an array broadcastable to
    ``input`` (e.g. one per channel), and :func:`swish_backward` returns its gradient.

    Example:
        >>> swish(np.array([0.0, 1e4]), beta=2.0).tolist()
        [0.0, 10000.0]
    """
    x = as_float_array(input, "input")
    beta = float(beta) if np.ndim(beta) == 0 else as_float_array(beta, "beta")
    return x * _stable_sigmoid(beta * x)


def swish_backward(grad_output, input, beta=1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradients w.r.t. the input and :math:`\beta`, with :math:`s = \sigma(\beta x)`.

    .. math::
        \frac{\partial L}{\partial x} = g\,\big(s + \beta x\, s (1 - s)\big), \qquad
        \frac{\partial L}{\partial \beta} = \sum g\, x^2 s (1 - s)

    (the sum runs over the elements that share a :math:`\beta`).

    Returns:
        ``(grad_input, grad_beta)``; ``grad_beta`` has the shape of ``beta`` (0-d for a float).

    Example:
        >>> gx, gb = swish_backward(np.ones(1), np.array([1.0]), beta=0.0)
        >>> gx.tolist(), gb.tolist()
        ([0.5], 0.25)
    """
    x = as_float_array(input, "input")
    beta_shape = np.shape(beta)
    beta = float(beta) if np.ndim(beta) == 0 else as_float_array(beta, "beta")
    s = _stable_sigmoid(beta * x)
    g = _grad(grad_output, np.broadcast_shapes(x.shape, beta_shape), s.dtype)
    ds = s * (1 - s)
    grad_input = _sum_to_shape(g * (s + beta * x * ds), x.shape)
    grad_beta = _sum_to_shape(g * x * x * ds, beta_shape)
    return grad_input, np.asarray(grad_beta).reshape(beta_shape)


def mish(input) -> np.ndarray:
    r"""Mish (Misra, 2019): :math:`x \tanh(\operatorname{softplus}(x))`, with a stable softplus.

    Example:
        >>> mish(np.array([-1e4, 0.0, 1e4])).tolist()
        [-0.0, 0.0, 10000.0]
    """
    x = as_float_array(input, "input")
    return x * np.tanh(_softplus(x))


def mish_backward(grad_output, input) -> np.ndarray:
    r""":math:`\partial L / \partial x = g\,\big(t + x\,(1 - t^2)\,\sigma(x)\big)`,
    :math:`t = \tanh(\operatorname{softplus}(x))` (since softplus' = :math:`\sigma`).

    Example:
        >>> round(float(mish_backward(np.ones(1), np.zeros(1))[0]), 4)
        0.6
    """
    x = as_float_array(input, "input")
    t = np.tanh(_softplus(x))
    return _grad(grad_output, x.shape, x.dtype) * (t + x * (1 - t * t) * _stable_sigmoid(x))


# ----------------------------------------------------------------------------- gated units


def _halves(x: np.ndarray, dim: int, name: str) -> tuple[np.ndarray, np.ndarray, int]:
    if x.ndim == 0:
        raise ValueError(f"{name} does not support scalars because halving size must be even")
    axis = check_dim(dim, x.ndim)
    if x.shape[axis] % 2:
        raise ValueError(
            f"Halving dimension must be even, but dimension {axis} is size {x.shape[axis]}"
        )
    a, b = np.split(x, 2, axis=axis)
    return a, b, axis


def glu(input, dim: int = -1) -> np.ndarray:
    r"""Gated linear unit (Dauphin et al., 2017), on an input split in two along ``dim``.

    .. math:: \operatorname{glu}(x) = a \odot \sigma(b), \qquad x = [a; b]

    ``a`` is the first half (the value), ``b`` the second (the gate), as in torch.

    Args:
        input: array whose size along ``dim`` is even; the output has half that size.
        dim: the axis to split.

    Example:
        >>> glu(np.array([3.0, 0.0])).tolist()
        [1.5]
    """
    a, b, _ = _halves(as_float_array(input, "input"), dim, "glu")
    out = _stable_sigmoid(b)
    out *= a
    return out


def glu_backward(grad_output, input, dim: int = -1) -> np.ndarray:
    r""":math:`\partial L/\partial a = g\,\sigma(b)`, :math:`\partial L/\partial b =
    g\, a\, \sigma(b)(1 - \sigma(b))`, concatenated back along ``dim``.

    Example:
        >>> glu_backward(np.ones(1), np.array([3.0, 0.0])).tolist()
        [0.5, 0.75]
    """
    x = as_float_array(input, "input")
    a, b, axis = _halves(x, dim, "glu")
    g = _grad(grad_output, a.shape, x.dtype)
    s = _stable_sigmoid(b)
    return np.concatenate([g * s, g * a * s * (1 - s)], axis=axis)


def swiglu(input, dim: int = -1) -> np.ndarray:
    r"""SwiGLU (Shazeer, 2020) on an input split in two along ``dim``; not in torch.

    .. math:: \operatorname{swiglu}(x) = \operatorname{silu}(a) \odot b, \qquad x = [a; b]

    Shazeer's :math:`\operatorname{Swish}_1(xW) \otimes xV` with the two projections
    computed as one matrix :math:`[W\ V]`: ``a`` (first half) goes through SiLU and gates
    ``b`` (second half). Mind the order: torch's :func:`glu` applies its sigmoid to the
    *second* half; here the activation is on the *first*.

    Example:
        >>> swiglu(np.array([1.0, 2.0])).round(4).tolist()
        [1.4621]
    """
    a, b, _ = _halves(as_float_array(input, "input"), dim, "swiglu")
    return a * _stable_sigmoid(a) * b


def swiglu_backward(grad_output, input, dim: int = -1) -> np.ndarray:
    r""":math:`\partial L/\partial a = g\, b\, \operatorname{silu}'(a)`,
    :math:`\partial L/\partial b = g\, \operatorname{silu}(a)`, concatenated along ``dim``.

    Example:
        >>> swiglu_backward(np.ones(1), np.array([0.0, 2.0])).tolist()
        [1.0, 0.0]
    """
    x = as_float_array(input, "input")
    a, b, axis = _halves(x, dim, "swiglu")
    g = _grad(grad_output, a.shape, x.dtype)
    s = _stable_sigmoid(a)
    return np.concatenate([g * b * s * (1 + a * (1 - s)), g * a * s], axis=axis)


# ----------------------------------------------------------------------------- softmax


def _as_dtype(input, dtype) -> np.ndarray:
    """``input`` as a float array, cast to ``dtype`` first when given (torch's ``dtype=``)."""
    x = as_float_array(input, "input")
    if dtype is None:
        return x
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"dtype must be a floating dtype (float16/32/64); got {dt}")
    return x.astype(dt, copy=False)


def _scaled_logits(input, dim: int, temperature: float, dtype=None) -> tuple[np.ndarray, int]:
    """``input`` (cast to ``dtype``) ``/ temperature`` (at least 1-D) and the normalised axis."""
    x = _as_dtype(input, dtype)
    axis = check_dim(dim, x.ndim)
    check_positive(temperature, "temperature")
    z = x if temperature == 1 else x / float(temperature)
    return np.atleast_1d(z), axis


def softmax(input, dim: int, dtype=None, *, temperature: float = 1.0) -> np.ndarray:
    r"""Softmax along ``dim``, optionally with a temperature :math:`T > 0`.

    .. math:: \operatorname{softmax}(x)_i = \frac{e^{x_i / T}}{\sum_j e^{x_j / T}}
        = \frac{e^{z_i - \max_j z_j}}{\sum_j e^{z_j - \max_j z_j}}, \quad z = x / T

    Subtracting the maximum changes nothing mathematically but keeps every exponent
    :math:`\le 0`: the naive form overflows (``exp(1000) = inf``, so ``softmax([1000, 1001,
    1002])`` would be NaN instead of ``[0.090, 0.245, 0.665]``). :math:`T > 1` flattens the
    distribution, :math:`T < 1` sharpens it (knowledge distillation, sampling).

    Args:
        input: array of any shape. dim: the axis that sums to 1 (negative counts from the end).
        dtype: cast the input to this float dtype before the softmax (torch's ``dtype=``:
            e.g. a float64 softmax of float32 logits); the result has this dtype.
        temperature: :math:`T`, a finite number > 0 (keyword-only; default 1).

    Example:
        >>> softmax(np.array([1000.0, 1001.0, 1002.0]), dim=0).round(3).tolist()
        [0.09, 0.245, 0.665]
    """
    z, axis = _scaled_logits(input, dim, temperature, dtype)
    e = z - np.max(z, axis=axis, keepdims=True, initial=-np.inf)
    np.exp(e, out=e)
    e /= e.sum(axis=axis, keepdims=True)
    return e.reshape(np.shape(input))


def softmax_backward(
    grad_output, input, dim: int, dtype=None, *, temperature: float = 1.0
) -> np.ndarray:
    r"""Vector-Jacobian product of softmax, :math:`s = \operatorname{softmax}(x/T)`:

    .. math:: \frac{\partial L}{\partial x_i} = \frac{1}{T}\, s_i \Big(g_i - \sum_j g_j s_j\Big)

    Example:
        >>> softmax_backward(np.array([1.0, 0.0]), np.zeros(2), dim=0).tolist()
        [0.25, -0.25]

    With ``dtype`` the product is taken in that dtype and cast back to the input's.
    """
    s = softmax(input, dim, dtype, temperature=temperature)
    g = _grad(grad_output, s.shape, s.dtype)
    axis = check_dim(dim, s.ndim)
    s1, g1 = np.atleast_1d(s), np.atleast_1d(g)
    grad = s1 * (g1 - (g1 * s1).sum(axis=axis, keepdims=True)) / float(temperature)
    return grad.reshape(s.shape).astype(as_float_array(input, "input").dtype, copy=False)


def log_softmax(input, dim: int, dtype=None, *, temperature: float = 1.0) -> np.ndarray:
    r"""Log of the softmax along ``dim``, via log-sum-exp (never ``log(softmax)``).

    .. math:: \log\operatorname{softmax}(x)_i = z_i - m - \log \sum_j e^{z_j - m},
        \quad z = x / T,\ m = \max_j z_j

    Finite wherever the inputs are, even where the softmax itself underflows to 0
    (e.g. :math:`-2000` for ``[0, 2000]``), which is why cross-entropy is computed from it.

    Args: as :func:`softmax`.

    Example:
        >>> log_softmax(np.array([0.0, 2000.0]), dim=0).tolist()
        [-2000.0, 0.0]
    """
    z, axis = _scaled_logits(input, dim, temperature, dtype)
    shifted = z - np.max(z, axis=axis, keepdims=True, initial=-np.inf)
    out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return out.reshape(np.shape(input))


def log_softmax_backward(grad_output, input, dim: int, dtype=None, *, temperature: float = 1.0):
    r""":math:`\frac{\partial L}{\partial x_i} = \frac{1}{T}\Big(g_i - s_i \sum_j g_j\Big)`,
    :math:`s = \operatorname{softmax}(x/T)`.

    Example:
        >>> log_softmax_backward(np.array([1.0, 0.0]), np.zeros(2), dim=0).tolist()
        [0.5, -0.5]
    """
    s = softmax(input, dim, dtype, temperature=temperature)
    g = _grad(grad_output, s.shape, s.dtype)
    axis = check_dim(dim, s.ndim)
    s1, g1 = np.atleast_1d(s), np.atleast_1d(g)
    grad = (g1 - s1 * g1.sum(axis=axis, keepdims=True)) / float(temperature)
    return grad.reshape(s.shape).astype(as_float_array(input, "input").dtype, copy=False)
