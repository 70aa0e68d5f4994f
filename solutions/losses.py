r"""Chapter 4: loss functions and their gradients.

Every loss maps a prediction and a target to an element-wise loss :math:`\ell` and then
reduces it like torch:

.. math:: L = \begin{cases} \ell & \text{reduction='none'} \\
          \sum_i \ell_i & \text{reduction='sum'} \\
          \frac{1}{n}\sum_i \ell_i & \text{reduction='mean'} \end{cases}

(a few losses have their own "mean": the class-weighted mean of ``cross_entropy`` and
``nll_loss`` divides by the summed weight of the non-ignored targets, ``kl_div`` has
``'batchmean'``). Names, signatures, defaults and refusals mirror ``torch.nn.functional``
(options after a deprecated torch argument are keyword-only, so a positional call can never
mean something else than in torch). Losses torch lacks follow the paper or the library that
made them popular, named in their docstring.

Each ``f_backward(grad_output, *inputs, **options)`` returns the gradient with respect to the
differentiable predictions (never the labels), a tuple when there are several.

Deliberate differences from torch, each refusing a silent wrong answer:

- element-wise losses require ``target.shape == input.shape`` (torch broadcasts with a
  warning, the classic ``(N, 1)`` vs ``(N,)`` bug; ``hinge_embedding_loss`` even without
  one); shape errors are ``ValueError`` where
  torch raises ``RuntimeError``;
- ``cross_entropy`` refuses a negative ``label_smoothing`` (torch silently accepts it);
- ``triplet_margin_loss`` refuses ``p <= 0`` (not a norm; torch computes it anyway);
- the legacy ``size_average``/``reduce`` arguments (deprecated since torch 0.4) are not taken:
  ``reduction`` says the same.

``tests/solutions/opinfo_harness.py`` runs torch's own OpInfo inputs through every loss and
holds the table of these differences (``DELIBERATE``).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit, log_expit, log_softmax, logsumexp, softmax, xlogy

from solutions._checks import (
    as_float_array,
    check_choice,
    check_nonnegative,
    check_positive,
    check_reduction,
    check_same_shape,
    reduce,
    reduce_backward,
)

__worked_examples__ = ["mse_loss", "huber_loss", "nll_loss"]

Array = np.ndarray

#: torch clamps the logarithms of ``binary_cross_entropy`` to at least this value.
BCE_LOG_FLOOR = -100.0
#: torch's floor on :math:`x(1-x)` in the gradient of ``binary_cross_entropy`` (its
#: ``1e-12`` is a float32 constant, hence the rounding).
BCE_GRAD_EPS = float(np.float32(1e-12))
#: torch's ``EPSILON`` added to the squared norms in ``cosine_embedding_loss`` (a float32
#: constant there too).
COSINE_EMBEDDING_EPS = float(np.float32(1e-12))
#: ``F.normalize``'s default floor on the norm (used by ``info_nce``).
NORMALIZE_EPS = 1e-12
HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
#: Elements per block of the in-place loss kernels that need a temporary (64k float64 = 512
#: KiB: it stays in the CPU cache).
BLOCK = 1 << 16
LOG_2 = math.log(2.0)


# --------------------------------------------------------------------------------------
# shared helpers


def _pair(input, target, name_a: str = "input", name_b: str = "target") -> tuple[Array, Array]:
    """Two float arrays of the same shape, promoted to a common dtype as torch does."""
    x = as_float_array(input, name_a)
    t = as_float_array(target, name_b)
    check_same_shape(x, t, name_a, name_b)
    dtype = np.result_type(x, t)
    return x.astype(dtype, copy=False), t.astype(dtype, copy=False)


def _broadcast_weight(weight, shape: tuple, name: str = "weight") -> Array | None:
    """``weight`` as a float array broadcastable to ``shape`` (None stays None)."""
    if weight is None:
        return None
    w = as_float_array(weight, name)
    try:
        if np.broadcast_shapes(w.shape, shape) != tuple(shape):
            raise ValueError
    except ValueError:
        raise ValueError(
            f"{name} must be broadcastable to the input shape {tuple(shape)}; got shape {w.shape}"
        ) from None
    return w


def _same_shape_weight(weight, shape: tuple) -> Array | None:
    if weight is None:
        return None
    w = as_float_array(weight, "weight")
    if w.shape != tuple(shape):
        raise ValueError(
            f"weight must have the same shape as input {tuple(shape)}; got shape {w.shape}"
        )
    return w


def _weighted_mean_reduce(loss: Array, w: Array | None, reduction: str) -> Array:
    """torch's weighted ``mse_loss``/``l1_loss``: the mean divides by ``sum(weight)``."""
    check_reduction(reduction)
    if w is None:
        return reduce(loss, reduction)
    weighted = loss * w
    if reduction == "mean":
        return np.asarray(weighted.sum() / w.sum())
    return reduce(weighted, reduction)


def _weighted_mean_reduce_backward(grad_output, w, shape, reduction, dtype) -> Array:
    if w is None:
        return reduce_backward(grad_output, shape, reduction, dtype)
    g = reduce_backward(grad_output, shape, "sum" if reduction == "mean" else reduction, dtype)
    scale = w / w.sum() if reduction == "mean" else w
    return g * scale


def _sum_to_shape(grad: Array, shape: tuple) -> Array:
    """Undo broadcasting: sum ``grad`` down to ``shape``."""
    shape = tuple(shape)
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True).reshape(shape)


def _softplus(x: Array) -> Array:
    """:math:`\\log(1 + e^x)` without overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _check_number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}")
    return float(value)


# --------------------------------------------------------------------------------------
# regression


def mse_loss(input, target, *, reduction: str = "mean", weight=None) -> Array:
    r"""Mean squared error.

    .. math:: \ell_i = w_i (x_i - y_i)^2, \qquad
              L_{\text{mean}} = \frac{\sum_i w_i (x_i - y_i)^2}{\sum_i w_i}

    (without ``weight``, :math:`w_i = 1` and the mean divides by the number of elements).

    Args:
        input: predictions :math:`x`, any shape.
        target: :math:`y`, same shape as ``input``.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        weight: optional per-element weights, same shape as ``input``.

    Example:
        >>> float(mse_loss(np.array([1.0, 2.0]), np.array([0.0, 0.0])))
        2.5
    """
    x, t = _pair(input, target)
    w = _same_shape_weight(weight, x.shape)
    return _weighted_mean_reduce((x - t) ** 2, w, reduction)


def mse_loss_backward(grad_output, input, target, *, reduction="mean", weight=None) -> Array:
    r""":math:`\partial L / \partial x_i = 2 (x_i - y_i)\, \partial L / \partial \ell_i`."""
    x, t = _pair(input, target)
    w = _same_shape_weight(weight, x.shape)
    g = _weighted_mean_reduce_backward(grad_output, w, x.shape, reduction, x.dtype)
    return g * 2 * (x - t)


def l1_loss(input, target, *, reduction: str = "mean", weight=None) -> Array:
    r"""Mean absolute error.

    .. math:: \ell_i = w_i |x_i - y_i|

    The weighted mean divides by :math:`\sum_i w_i`, as in :func:`mse_loss`.

    Example:
        >>> float(l1_loss(np.array([1.0, -2.0]), np.array([0.0, 0.0])))
        1.5
    """
    x, t = _pair(input, target)
    w = _same_shape_weight(weight, x.shape)
    return _weighted_mean_reduce(np.abs(x - t), w, reduction)


def l1_loss_backward(grad_output, input, target, *, reduction="mean", weight=None) -> Array:
    r""":math:`\partial \ell_i / \partial x_i = \operatorname{sign}(x_i - y_i)` (0 at a tie)."""
    x, t = _pair(input, target)
    w = _same_shape_weight(weight, x.shape)
    g = _weighted_mean_reduce_backward(grad_output, w, x.shape, reduction, x.dtype)
    return g * np.sign(x - t)


def _check_huber_delta(delta) -> float:
    delta = _check_number(delta, "delta")
    if not delta > 0:
        raise ValueError(f"huber_loss does not support non-positive values for delta; got {delta}")
    return delta


def _huber_elementwise(x: Array, t: Array, delta: float) -> Array:
    r"""Element-wise Huber loss :math:`m\,(r - m/2)` with :math:`r = |x - t|`,
    :math:`m = \min(r, \delta)`: :math:`r^2/2` below :math:`\delta`, :math:`\delta(r - \delta/2)`
    above, one formula for both pieces. Computed in place, block by block: the loss is
    memory bound, and a block's temporary stays in the CPU cache where a second full-size
    array would not (scaling by 1/2 and 2 is exact)."""
    loss = np.asarray(x - t)  # 0-d inputs: x - t is a numpy scalar, which out= cannot take
    np.abs(loss, out=loss)
    flat = loss.reshape(-1)  # a view: loss is a new contiguous array
    for r in np.split(flat, range(BLOCK, flat.size, BLOCK)):  # views of flat
        half_m = np.minimum(r, delta)
        half_m *= 0.5
        r -= half_m
        r *= half_m
        r *= 2
    return loss


def huber_loss(
    input, target, reduction: str = "mean", delta: float = 1.0, weight=None
) -> Array:
    r"""Huber loss: quadratic near the target, linear (slope :math:`\delta`) beyond it.

    .. math:: \ell_i = w_i \begin{cases} \tfrac12 r_i^2 & |r_i| < \delta \\
              \delta\,(|r_i| - \tfrac12 \delta) & \text{otherwise} \end{cases},
              \qquad r_i = x_i - y_i

    With ``weight`` torch's mean is the plain mean of :math:`w_i \ell_i` (unlike
    :func:`mse_loss`, whose weighted mean divides by :math:`\sum w_i`).

    Args:
        delta: the switch point (> 0).

    Example:
        >>> huber_loss(np.array([0.5, 3.0]), np.zeros(2), reduction="none").tolist()
        [0.125, 2.5]
    """
    x, t = _pair(input, target)
    delta = _check_huber_delta(delta)
    w = _same_shape_weight(weight, x.shape)
    loss = _huber_elementwise(x, t, delta)
    return reduce(loss if w is None else loss * w, reduction)


def huber_loss_backward(
    grad_output, input, target, reduction="mean", delta=1.0, weight=None
) -> Array:
    r""":math:`\partial \ell / \partial x = \operatorname{clip}(x - y, -\delta, \delta)`."""
    x, t = _pair(input, target)
    delta = _check_huber_delta(delta)
    w = _same_shape_weight(weight, x.shape)
    g = reduce_backward(grad_output, x.shape, reduction, x.dtype)
    local = np.clip(x - t, -delta, delta)
    return g * local if w is None else g * w * local


def _check_beta(beta) -> float:
    beta = _check_number(beta, "beta")
    if beta < 0:
        raise ValueError(f"smooth_l1_loss does not support negative values for beta; got {beta}")
    return beta


def smooth_l1_loss(input, target, *, reduction: str = "mean", beta: float = 1.0) -> Array:
    r"""Smooth L1 loss (Fast R-CNN), a rescaled Huber loss.

    .. math:: \ell_i = \begin{cases} \tfrac{1}{2\beta} r_i^2 & |r_i| < \beta \\
              |r_i| - \tfrac12 \beta & \text{otherwise} \end{cases}

    so ``smooth_l1_loss(x, y, beta=b) == huber_loss(x, y, delta=b) / b`` for :math:`b > 0`:
    its linear part has slope 1 whatever :math:`\beta`, Huber's has slope :math:`\delta`.
    ``beta=0`` is the L1 loss.

    Example:
        >>> smooth_l1_loss(np.array([0.5, 3.0]), np.zeros(2), reduction="none").tolist()
        [0.125, 2.5]
    """
    x, t = _pair(input, target)
    beta = _check_beta(beta)
    if beta == 0:
        return reduce(np.abs(x - t), reduction)
    loss = _huber_elementwise(x, t, beta)
    loss /= beta
    return reduce(loss, reduction)


def smooth_l1_loss_backward(grad_output, input, target, *, reduction="mean", beta=1.0) -> Array:
    r""":math:`\partial \ell / \partial x = r/\beta` if :math:`|r| < \beta`, else
    :math:`\operatorname{sign}(r)`."""
    x, t = _pair(input, target)
    beta = _check_beta(beta)
    g = reduce_backward(grad_output, x.shape, reduction, x.dtype)
    r = x - t
    local = np.clip(r / beta, -1, 1) if beta > 0 else np.sign(r)
    return g * local


def log_cosh_loss(input, target, *, reduction: str = "mean") -> Array:
    r"""Log-cosh loss: :math:`\tfrac12 r^2` near 0, :math:`|r| - \log 2` far away.

    .. math:: \ell_i = \log\cosh(r_i) = |r_i| + \log(1 + e^{-2|r_i|}) - \log 2
              = \log\big(1 + 2\sinh^2(r_i/2)\big)

    The first form never overflows (``np.log(np.cosh(r))`` is ``inf`` from
    :math:`|r| \approx 710`) and is used for :math:`|r| \ge 1`; below, its
    :math:`|r| - \log 2 + \log 2` cancels, so the second (``log1p``) form is used. Not in
    torch; the formula is the definition.

    Example:
        >>> round(float(log_cosh_loss(np.array([1e4]), np.array([0.0]))), 4)
        9999.3069
    """
    x, t = _pair(input, target)
    r = np.abs(x - t)
    small = np.minimum(r, 1)  # the branch not taken must not overflow either
    near = np.log1p(2 * np.sinh(small / 2) ** 2)
    far = r + np.log1p(np.exp(-2 * r)) - LOG_2
    return reduce(np.where(r < 1, near, far), reduction)


def log_cosh_loss_backward(grad_output, input, target, *, reduction="mean") -> Array:
    r""":math:`\partial \ell / \partial x = \tanh(x - y)`."""
    x, t = _pair(input, target)
    return reduce_backward(grad_output, x.shape, reduction, x.dtype) * np.tanh(x - t)


def _check_quantile(quantile) -> float:
    q = _check_number(quantile, "quantile")
    if not 0 < q < 1:
        raise ValueError(f"quantile must be in (0, 1); got {q}")
    return q


def quantile_loss(input, target, quantile: float = 0.5, *, reduction: str = "mean") -> Array:
    r"""Quantile (pinball) loss; its minimiser is the ``quantile``-quantile of the target.

    .. math:: \ell_i = \begin{cases} q\, r_i & r_i \ge 0 \\ (q - 1)\, r_i & r_i < 0
              \end{cases}, \qquad r_i = y_i - x_i

    Under-prediction costs :math:`q` per unit, over-prediction :math:`1 - q`; ``quantile=0.5``
    is half the L1 loss. Not in torch (Koenker & Bassett 1978).

    Example:
        >>> quantile_loss(np.array([0.0, 0.0]), np.array([1.0, -1.0]), 0.9,
        ...               reduction="none").tolist()
        [0.9, 0.09999999999999998]
    """
    x, t = _pair(input, target)
    q = _check_quantile(quantile)
    r = t - x
    return reduce(np.where(r >= 0, q * r, (q - 1) * r), reduction)


def quantile_loss_backward(grad_output, input, target, quantile=0.5, *, reduction="mean"):
    r""":math:`\partial \ell / \partial x = -q` if :math:`y \ge x`, else :math:`1 - q`."""
    x, t = _pair(input, target)
    q = _check_quantile(quantile)
    g = reduce_backward(grad_output, x.shape, reduction, x.dtype)
    return g * np.where(t - x >= 0, -q, 1 - q).astype(x.dtype)


def poisson_nll_loss(
    input,
    target,
    log_input: bool = True,
    full: bool = False,
    *,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> Array:
    r"""Negative log-likelihood of a Poisson target, dropping the constant :math:`\log y!`.

    .. math:: \ell_i = \begin{cases} e^{x_i} - y_i x_i & \text{log\_input} \\
              x_i - y_i \log(x_i + \epsilon) & \text{otherwise} \end{cases}
              \;+\; [\text{full}]\,[y_i > 1]\,
              \big(y_i \log y_i - y_i + \tfrac12 \log(2\pi y_i)\big)

    The last term is Stirling's approximation of :math:`\log y!`, added only for
    :math:`y > 1` as torch does.

    Args:
        input: :math:`\log\lambda` (``log_input=True``) or the rate :math:`\lambda`.
        target: counts :math:`y \ge 0`, same shape.
        eps: keeps :math:`\log(\lambda + \epsilon)` finite at :math:`\lambda = 0`.

    Example:
        >>> float(poisson_nll_loss(np.array([0.0]), np.array([2.0])))
        1.0
    """
    x, t = _pair(input, target)
    loss = np.exp(x) - t * x if log_input else x - t * np.log(x + eps)
    if full:
        t_safe = np.where(t > 1, t, 1)
        stirling = t_safe * np.log(t_safe) - t_safe + 0.5 * np.log(2 * math.pi * t_safe)
        loss = loss + np.where(t > 1, stirling, 0)
    return reduce(loss.astype(x.dtype, copy=False), reduction)


def poisson_nll_loss_backward(
    grad_output, input, target, log_input=True, full=False, *, eps=1e-8, reduction="mean"
) -> Array:
    r""":math:`\partial \ell / \partial x = e^x - y` (log input) or :math:`1 - y/(x+\epsilon)`."""
    x, t = _pair(input, target)
    g = reduce_backward(grad_output, x.shape, reduction, x.dtype)
    return g * (np.exp(x) - t if log_input else 1 - t / (x + eps))


def _gaussian_var(var, x: Array) -> tuple[Array, tuple]:
    """torch's rules for ``var``: returns it broadcastable to ``x`` and its original shape."""
    if isinstance(var, (int, float, np.integer, np.floating)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError(f"var has negative entry/entries; got var={var}")
        return np.asarray(var, dtype=x.dtype), ()
    v = as_float_array(var, "var")
    if np.any(v < 0):
        raise ValueError("var has negative entry/entries")
    shape = v.shape
    if shape != x.shape:
        if x.shape[:-1] == shape:  # homoscedastic over the last axis
            v = v[..., None]
        elif not (
            x.ndim == v.ndim and sum(b for a, b in zip(x.shape, shape, strict=True) if a != b) == 1
        ):
            raise ValueError(
                f"var is of incorrect size: got var.shape={shape} for input.shape={x.shape}; "
                "allowed: input's shape, input's shape without the last axis, or input's shape "
                "with one axis of size 1"
            )
    return v, shape


def gaussian_nll_loss(
    input, target, var, full: bool = False, eps: float = 1e-6, reduction: str = "mean"
) -> Array:
    r"""Negative log-likelihood of a Gaussian with predicted mean and variance.

    .. math:: \ell_i = \tfrac12\Big(\log \max(\sigma^2_i, \epsilon)
              + \frac{(x_i - y_i)^2}{\max(\sigma^2_i, \epsilon)}\Big)
              + [\text{full}]\,\tfrac12 \log 2\pi

    Args:
        input: predicted means :math:`x`, shape ``(N, *)``.
        target: :math:`y`, same shape as ``input`` or broadcastable to it.
        var: predicted variances :math:`\sigma^2 \ge 0`: same shape as ``input``, or that
            shape without the last axis, or with one axis of size 1 (homoscedastic), or a
            Python number.
        eps: clamp on the variance for stability (the clamp does not block the gradient,
            as in torch).

    Example:
        >>> float(gaussian_nll_loss(np.array([1.0]), np.array([1.0]), np.array([1.0])))
        0.0
    """
    x = as_float_array(input, "input")
    t = _broadcast_weight(target, x.shape, "target")
    v, _ = _gaussian_var(var, x)
    check_reduction(reduction)
    v = np.maximum(v, eps)
    loss = 0.5 * (np.log(v) + (x - t) ** 2 / v)
    if full:
        loss = loss + HALF_LOG_2PI
    return reduce(loss, reduction)


def gaussian_nll_loss_backward(
    grad_output, input, target, var, full=False, eps=1e-6, reduction="mean"
) -> tuple[Array, Array]:
    r"""Returns ``(grad_input, grad_var)``; ``grad_var`` has ``var``'s shape (``()`` for a number).

    .. math:: \frac{\partial \ell}{\partial x} = \frac{x - y}{\sigma^2}, \qquad
              \frac{\partial \ell}{\partial \sigma^2} = \frac12\Big(\frac{1}{\sigma^2}
              - \frac{(x-y)^2}{\sigma^4}\Big)

    evaluated at the clamped variance and passed straight through the clamp (as torch does).
    """
    x = as_float_array(input, "input")
    t = _broadcast_weight(target, x.shape, "target")
    v, var_shape = _gaussian_var(var, x)
    v = np.maximum(v, eps)
    g = reduce_backward(grad_output, x.shape, reduction, x.dtype)
    r = x - t
    grad_input = g * r / v
    grad_var = g * 0.5 * (1 / v - r * r / (v * v))
    return grad_input, _sum_to_shape(grad_var, v.shape).reshape(var_shape)


# --------------------------------------------------------------------------------------
# binary classification


def _check_unit_interval(a: Array, name: str) -> None:
    if np.any((a < 0) | (a > 1)):
        raise ValueError(f"all elements of {name} should be between 0 and 1")


def binary_cross_entropy(input, target, weight=None, *, reduction: str = "mean") -> Array:
    r"""Binary cross-entropy between probabilities and targets in [0, 1].

    .. math:: \ell_i = -w_i\big(y_i \log p_i + (1 - y_i) \log(1 - p_i)\big)

    Both terms matter: with only :math:`y \log p` the negatives would cost nothing. As in
    torch each log is clamped to :math:`\ge -100`, so :math:`p \in \{0, 1\}` gives a finite
    loss. Prefer :func:`binary_cross_entropy_with_logits` on logits.

    Args:
        input: probabilities :math:`p \in [0, 1]`.
        target: :math:`y \in [0, 1]`, same shape.
        weight: rescales each element; broadcastable to ``input``.

    Example:
        >>> round(float(binary_cross_entropy(np.array([0.9, 0.2, 0.6]),
        ...                                  np.array([1.0, 0.0, 1.0]))), 4)
        0.2798
    """
    p, y = _pair(input, target)
    _check_unit_interval(y, "target")
    _check_unit_interval(p, "input")
    w = _broadcast_weight(weight, p.shape)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), BCE_LOG_FLOOR)
        log_1mp = np.maximum(np.log1p(-p), BCE_LOG_FLOOR)
    loss = -(y * log_p + (1 - y) * log_1mp)
    return reduce(loss if w is None else loss * w, reduction)


def binary_cross_entropy_backward(
    grad_output, input, target, weight=None, *, reduction="mean"
) -> Array:
    r""":math:`\partial \ell / \partial p = w\,(p - y) / \max(p(1-p), 10^{-12})` (torch's floor)."""
    p, y = _pair(input, target)
    w = _broadcast_weight(weight, p.shape)
    g = reduce_backward(grad_output, p.shape, reduction, p.dtype)
    grad = g * (p - y) / np.maximum(p * (1 - p), BCE_GRAD_EPS)
    return grad if w is None else grad * w


def binary_cross_entropy_with_logits(
    input, target, weight=None, *, reduction: str = "mean", pos_weight=None
) -> Array:
    r"""Binary cross-entropy on logits, stable for any magnitude.

    .. math:: \ell_i = w_i\big((1 - y_i)\, x_i + (1 + (p_w - 1) y_i)\,
              \log(1 + e^{-x_i})\big)

    which is :math:`-w_i[p_w y_i \log\sigma(x_i) + (1-y_i)\log(1-\sigma(x_i))]`;
    :math:`\log(1 + e^{-x})` is computed as ``logaddexp(0, -x)``, never through
    :math:`\sigma(x)`.

    Args:
        input: logits :math:`x`.
        target: :math:`y \in [0, 1]`, same shape (not checked, as in torch).
        weight: rescales each element; broadcastable to ``input``.
        pos_weight: weight :math:`p_w` of the positive term, broadcastable to ``input``
            (typically one per class, shape ``(C,)``).

    Example:
        >>> float(binary_cross_entropy_with_logits(np.array([1e4]), np.array([0.0])))
        10000.0
    """
    x, y = _pair(input, target)
    w = _broadcast_weight(weight, x.shape)
    pw = _broadcast_weight(pos_weight, x.shape, "pos_weight")
    log_weight = 1 if pw is None else 1 + (pw - 1) * y
    loss = (1 - y) * x + log_weight * _softplus(-x)
    return reduce(loss if w is None else loss * w, reduction)


def binary_cross_entropy_with_logits_backward(
    grad_output, input, target, weight=None, *, reduction="mean", pos_weight=None
) -> Array:
    r""":math:`\partial \ell / \partial x = w\big((1 + (p_w-1)y)\,\sigma(x) - p_w y\big)`,
    i.e. :math:`w(\sigma(x) - y)` without ``pos_weight``."""
    x, y = _pair(input, target)
    w = _broadcast_weight(weight, x.shape)
    pw = _broadcast_weight(pos_weight, x.shape, "pos_weight")
    g = reduce_backward(grad_output, x.shape, reduction, x.dtype)
    local = expit(x) - y if pw is None else (1 + (pw - 1) * y) * expit(x) - pw * y
    return g * local if w is None else g * w * local


def sigmoid_focal_loss(
    inputs, targets, alpha: float = 0.25, gamma: float = 2.0, reduction: str = "none"
) -> Array:
    r"""Binary focal loss (Lin et al. 2017), as ``torchvision.ops.sigmoid_focal_loss``.

    .. math:: \ell_i = \alpha_t\,(1 - p_t)^\gamma\, \mathrm{BCE}(x_i, y_i), \quad
              p_t = p y + (1-p)(1-y),\ p = \sigma(x), \quad
              \alpha_t = \alpha y + (1 - \alpha)(1 - y)

    (:math:`\alpha_t = 1` when ``alpha < 0``). :math:`1 - p_t = \sigma(x)(1-y) + \sigma(-x) y`
    is computed without the cancellation of ``1 - p_t``. ``gamma=0, alpha=-1`` is
    :func:`binary_cross_entropy_with_logits`. The default reduction is ``'none'``, as in
    torchvision.

    Args:
        inputs: logits :math:`x`, any shape.
        targets: :math:`y \in [0, 1]`, same shape.
        alpha: weight of the positives in (0, 1), or negative for none.
        gamma: focusing exponent :math:`\ge 0`.

    Example:
        >>> float(sigmoid_focal_loss(np.array([0.0]), np.array([1.0]), gamma=0.0, alpha=-1.0)[0])
        0.6931471805599453
    """
    x, y = _pair(inputs, targets, "inputs", "targets")
    check_nonnegative(gamma, "gamma")
    check_reduction(reduction)
    loss = _focal_modulation(x, y, alpha, gamma) * binary_cross_entropy_with_logits(
        x, y, reduction="none"
    )
    return reduce(loss, reduction)


def _focal_modulation(x: Array, y: Array, alpha: float, gamma: float) -> Array:
    one_minus_pt = expit(x) * (1 - y) + expit(-x) * y
    alpha_t = 1 if alpha < 0 else alpha * y + (1 - alpha) * (1 - y)
    return alpha_t * one_minus_pt**gamma


def sigmoid_focal_loss_backward(
    grad_output, inputs, targets, alpha=0.25, gamma=2.0, reduction="none"
) -> Array:
    r"""With :math:`u = 1 - p_t` and :math:`\partial u/\partial x = \sigma(x)\sigma(-x)(1-2y)`:

    .. math:: \frac{\partial \ell}{\partial x} = \alpha_t\Big(u^\gamma (\sigma(x) - y)
              + \gamma u^{\gamma-1} \frac{\partial u}{\partial x}\,\mathrm{BCE}\Big)

    (the second term is 0 where :math:`u = 0`, its limit).
    """
    x, y = _pair(inputs, targets, "inputs", "targets")
    g = reduce_backward(grad_output, x.shape, reduction, x.dtype)
    s, s_neg = expit(x), expit(-x)
    u = s * (1 - y) + s_neg * y
    alpha_t = 1 if alpha < 0 else alpha * y + (1 - alpha) * (1 - y)
    bce = binary_cross_entropy_with_logits(x, y, reduction="none")
    du = s * s_neg * (1 - 2 * y)
    with np.errstate(divide="ignore", invalid="ignore"):
        focus = np.where(u > 0, gamma * u ** (gamma - 1) * du * bce, 0) if gamma else 0
    return g * alpha_t * (u**gamma * (s - y) + focus)


# --------------------------------------------------------------------------------------
# multi-class classification


def _class_axis_last(x: Array) -> Array:
    """``(C,)`` / ``(N, C, d1, ...)`` -> ``(..., C)`` (a view)."""
    return x if x.ndim == 1 else np.moveaxis(x, 1, -1)


def _class_axis_back(z: Array, ndim: int) -> Array:
    return z if ndim == 1 else np.moveaxis(z, -1, 1)


def _check_class_input(x: Array) -> int:
    if x.ndim == 0:
        raise ValueError("input must have 1 or more dimensions, (C,) or (N, C, d1, ...); got 0")
    return x.shape[0] if x.ndim == 1 else x.shape[1]


def _class_weight(weight, n_classes: int, dtype) -> Array:
    if weight is None:
        return np.ones(n_classes, dtype=dtype)
    w = as_float_array(weight, "weight")
    if w.shape != (n_classes,):
        raise ValueError(
            f"weight must have one entry per class, shape ({n_classes},); got shape {w.shape}"
        )
    return w


def _class_indices(target, x: Array, ignore_index: int) -> tuple[Array, Array]:
    """Validated integer targets: (targets with ignored set to 0, mask of non-ignored)."""
    t = np.asarray(target)
    if not np.issubdtype(t.dtype, np.integer):
        raise TypeError(f"target must hold integer class indices; got dtype {t.dtype}")
    expected = () if x.ndim == 1 else (x.shape[0], *x.shape[2:])
    if t.shape != expected:
        raise ValueError(
            f"target must have shape {expected} for input of shape {x.shape}; got {t.shape}"
        )
    n_classes = _check_class_input(x)
    valid = t != ignore_index
    safe = np.where(valid, t, 0)
    if safe.size and (safe.min() < 0 or safe.max() >= n_classes):
        bad = (safe < 0) | (safe >= n_classes)
        raise IndexError(
            f"Target {safe[bad].flat[0]} is out of bounds: class indices must be in "
            f"[0, {n_classes}) or equal ignore_index={ignore_index}"
        )
    return safe, valid


def _target_entries(z: Array, t: Array) -> Array:
    """``z[..., t]`` position by position: each target's entry along the last (class) axis.

    The same as ``np.take_along_axis(z, t[..., None], axis=-1)[..., 0]``, as one gather at
    the flat positions ``start of the row + t`` (take_along_axis indexes every axis with its
    own index array: several times slower on a large batch)."""
    flat = np.ascontiguousarray(z).reshape(-1)  # a copy only for an (N, C, d1, ...) input
    positions = np.arange(0, flat.size, z.shape[-1]).reshape(t.shape)  # the rows' starts
    positions += t
    return flat.take(positions)


def nll_loss(
    input, target, weight=None, *, ignore_index: int = -100, reduction: str = "mean"
) -> Array:
    r"""Negative log-likelihood of the target class, given log-probabilities.

    .. math:: \ell_n = -w_{y_n}\, x_{n, y_n}\,[y_n \ne \text{ignore\_index}], \qquad
              L_{\text{mean}} = \frac{\sum_n \ell_n}{\sum_n w_{y_n} [y_n \ne
              \text{ignore\_index}]}

    It takes no log itself: apply ``log_softmax`` first (then it equals
    :func:`cross_entropy`). With every target ignored the mean is ``0/0 = nan``, as in torch.

    Args:
        input: log-probabilities, ``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``.
        target: class indices, ``()``, ``(N,)`` or ``(N, d1, ...)``, in ``[0, C)`` or
            ``ignore_index``.
        weight: per-class weights ``(C,)``.

    Example:
        >>> float(nll_loss(np.log([[0.5, 0.5], [0.25, 0.75]]), np.array([0, 1])))
        0.4904146265058631
    """
    x = as_float_array(input, "input")
    check_reduction(reduction)
    w = _class_weight(weight, _check_class_input(x), x.dtype)
    t, valid = _class_indices(target, x, ignore_index)
    picked = _target_entries(_class_axis_last(x), t)
    w_target = np.where(valid, w[t], 0).astype(x.dtype, copy=False)
    loss = -w_target * picked
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(loss.sum() / w_target.sum())
    return reduce(loss, reduction)


def nll_loss_backward(
    grad_output, input, target, weight=None, *, ignore_index=-100, reduction="mean"
) -> Array:
    r""":math:`\partial L / \partial x_{n,c} = -w_{y_n} [c = y_n]\,\partial L/\partial \ell_n`
    (divided by :math:`\sum_n w_{y_n}` for the mean; 0 for ignored targets)."""
    x = as_float_array(input, "input")
    w = _class_weight(weight, _check_class_input(x), x.dtype)
    t, valid = _class_indices(target, x, ignore_index)
    w_target = np.where(valid, w[t], 0).astype(x.dtype, copy=False)
    per_target = _per_target_scale(grad_output, w_target, valid, reduction, x.dtype)
    grad = np.zeros_like(_class_axis_last(x))
    np.put_along_axis(grad, t[..., None], (-per_target * w_target)[..., None], axis=-1)
    return _class_axis_back(grad, x.ndim)


def _per_target_scale(grad_output, w_target, valid, reduction, dtype) -> Array:
    """dL/d(loss of each target) for the class-weighted mean; 0 for ignored targets."""
    check_reduction(reduction)
    if reduction != "mean":
        return reduce_backward(grad_output, w_target.shape, reduction, dtype)
    total = w_target.sum()
    g = np.asarray(grad_output, dtype=dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(valid, g / total, 0).astype(dtype, copy=False)


def _check_label_smoothing(label_smoothing) -> float:
    ls = _check_number(label_smoothing, "label_smoothing")
    if not 0 <= ls <= 1:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0; got {ls}")
    return ls


def _probability_targets(x, target, w, ls):
    """The weighted, smoothed target distribution :math:`q` (class axis last)."""
    t = np.asarray(target)
    if t.shape != x.shape:
        raise ValueError(
            f"target of class probabilities must have the input's shape {x.shape}; got {t.shape}"
        )
    n_classes = len(w)
    return (w * (_class_axis_last(t) * (1 - ls) + ls / n_classes)).astype(x.dtype, copy=False)


def _is_probability_target(target) -> bool:
    return np.issubdtype(np.asarray(target).dtype, np.floating)


def cross_entropy(
    input,
    target,
    weight=None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Array:
    r"""Cross-entropy between logits and class indices or class probabilities.

    .. math:: \ell_n = -\sum_c q_{n,c} \log s_{n,c}, \qquad s_n = \mathrm{softmax}(x_n),
              \qquad q_{n,c} = \begin{cases} (1-\varepsilon)\,w_{y_n} [c = y_n]
              + \frac{\varepsilon}{C} w_c & \text{class index } y_n \\
              w_c\big((1 - \varepsilon)\, t_{n,c} + \varepsilon / C\big)
              & \text{probabilities } t_n \end{cases}

    The ``'mean'`` of class-index targets divides by :math:`\sum_n w_{y_n}` over the
    non-ignored targets (``nan`` if there are none, as in torch); the mean of probability
    targets divides by the number of rows. Ignored targets cost 0. ``log softmax`` uses the
    log-sum-exp trick, so logits of any size are fine.

    Args:
        input: logits, ``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``.
        target: integer class indices ``()``, ``(N,)`` or ``(N, d1, ...)``, or float class
            probabilities of the input's shape.
        weight: per-class weights ``(C,)``.
        ignore_index: class-index value that is skipped.
        label_smoothing: :math:`\varepsilon \in [0, 1]`.

    Example:
        >>> round(float(cross_entropy(np.array([[2.0, 0.0, -1.0]]), np.array([0]))), 4)
        0.1698
    """
    x = as_float_array(input, "input")
    check_reduction(reduction)
    ls = _check_label_smoothing(label_smoothing)
    n_classes = _check_class_input(x)
    w = _class_weight(weight, n_classes, x.dtype)
    log_probs = log_softmax(_class_axis_last(x), axis=-1)
    if _is_probability_target(target):
        loss = -(_probability_targets(x, target, w, ls) * log_probs).sum(axis=-1)
        total = np.asarray(loss.size, dtype=x.dtype)
    else:
        t, valid = _class_indices(target, x, ignore_index)
        w_target = np.where(valid, w[t], 0).astype(x.dtype, copy=False)
        picked = np.take_along_axis(log_probs, t[..., None], axis=-1)[..., 0]
        loss = -(1 - ls) * w_target * picked
        total = w_target.sum()
        if ls:
            smooth = np.where(valid, ls / n_classes * (log_probs @ w), 0)
            if reduction == "mean":  # as torch: each part over the weight total (0/0 + x/0 = nan)
                with np.errstate(invalid="ignore", divide="ignore"):
                    return np.asarray(loss.sum() / total - smooth.sum() / total)
            loss = loss - smooth
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(loss.sum() / total)
    return reduce(loss, reduction)


def cross_entropy_backward(
    grad_output,
    input,
    target,
    weight=None,
    *,
    ignore_index=-100,
    reduction="mean",
    label_smoothing=0.0,
) -> Array:
    r""":math:`\partial \ell_n / \partial x_n = s_n \sum_c q_{n,c} - q_n`; without weights
    or smoothing, softmax minus one-hot (every wrong class gets :math:`+s_c`, not 0)."""
    x = as_float_array(input, "input")
    check_reduction(reduction)
    ls = _check_label_smoothing(label_smoothing)
    n_classes = _check_class_input(x)
    w = _class_weight(weight, n_classes, x.dtype)
    probs = softmax(_class_axis_last(x), axis=-1)
    if _is_probability_target(target):
        q = _probability_targets(x, target, w, ls)
        rows = np.ones(q.shape[:-1], dtype=bool)
        a = _per_target_scale(grad_output, np.ones(rows.shape, x.dtype), rows, reduction, x.dtype)
        grad = a[..., None] * (probs * q.sum(axis=-1, keepdims=True) - q)
        return _class_axis_back(grad, x.ndim)
    t, valid = _class_indices(target, x, ignore_index)
    w_target = np.where(valid, w[t], 0).astype(x.dtype, copy=False)
    a = _per_target_scale(grad_output, w_target, valid, reduction, x.dtype)
    with np.errstate(invalid="ignore"):  # all-zero class weights give nan, as in torch
        smooth = np.where(valid, a * (ls / n_classes), 0).astype(x.dtype, copy=False)
        grad = probs * (a * (1 - ls) * w_target + smooth * w.sum())[..., None]  # s * sum(q)
        if ls:
            grad -= smooth[..., None] * w
        at_target = np.take_along_axis(grad, t[..., None], axis=-1)
        hit = at_target - (a * (1 - ls) * w_target)[..., None]
        np.put_along_axis(grad, t[..., None], hit, axis=-1)
    return _class_axis_back(grad, x.ndim)


KL_REDUCTIONS = ("none", "batchmean", "sum", "mean")


def kl_div(input, target, *, reduction: str = "mean", log_target: bool = False) -> Array:
    r"""Kullback-Leibler divergence :math:`D_{KL}(P \,\|\, Q)` with torch's argument order.

    .. math:: \ell_i = p_i (\log p_i - x_i), \qquad x = \log q

    ``input`` is :math:`\log Q` (log-probabilities of the model), ``target`` is :math:`P`
    (or :math:`\log P` with ``log_target=True``; then :math:`\ell = e^{t}(t - x)`).
    :math:`0 \log 0 = 0`. :math:`\sum \ell = \sum p \log(p/q) = H(P, Q) - H(P) \ge 0`, zero
    iff :math:`P = Q`. ``'batchmean'`` divides the sum by the batch size ``input.shape[0]``
    (the true mean KL per sample); ``'mean'`` divides by the number of elements.

    Example:
        >>> p, q = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.5, 0.3])
        >>> round(float(kl_div(np.log(q), p, reduction="sum")), 4)
        0.2238
    """
    x, t = _pair(input, target)
    check_choice(reduction, "reduction", KL_REDUCTIONS)
    loss = np.exp(t) * (t - x) if log_target else xlogy(t, t) - t * x
    if reduction == "batchmean":
        return np.asarray(loss.sum() / (x.shape[0] if x.ndim else 1))
    return reduce(loss, reduction)


def kl_div_backward(grad_output, input, target, *, reduction="mean", log_target=False) -> Array:
    r""":math:`\partial \ell / \partial x = -p` (:math:`-e^{t}` with ``log_target``)."""
    x, t = _pair(input, target)
    check_choice(reduction, "reduction", KL_REDUCTIONS)
    if reduction == "batchmean":
        g = reduce_backward(grad_output, x.shape, "sum", x.dtype) / (x.shape[0] if x.ndim else 1)
    else:
        g = reduce_backward(grad_output, x.shape, reduction, x.dtype)
    return g * -(np.exp(t) if log_target else t)


def _check_margin_input(x: Array, name: str = "input") -> Array:
    """A score array ``()`` (one class, as torch), ``(C,)`` or ``(N, C)`` with :math:`C > 0`."""
    if x.ndim > 2 or (x.ndim > 0 and x.shape[-1] == 0):
        raise ValueError(
            f"{name} must be a non-empty (), (C,) or (N, C) array; got shape {x.shape}"
        )
    return x


def _margin_targets(target, x: Array) -> Array:
    """Class indices for ``multi_margin_loss``: shape (N,) (or () / (1,) for a (C,) input)."""
    t = np.asarray(target)
    if not np.issubdtype(t.dtype, np.integer):
        raise TypeError(f"target must hold integer class indices; got dtype {t.dtype}")
    n = 1 if x.ndim < 2 else x.shape[0]
    if t.size != n or t.ndim > 1:
        raise ValueError(
            f"target must have shape ({n},) for input of shape {x.shape}; got {t.shape}"
        )
    n_classes = x.shape[-1] if x.ndim else 1
    if np.any((t < 0) | (t >= n_classes)):
        raise IndexError(f"target out of range: class indices must be in [0, {n_classes})")
    return t.reshape(n)


def _margin_loss_shape(x: Array, target) -> tuple:
    """Shape of the unreduced multi-margin loss: (N,), else the target's (torch: () or (1,))."""
    return (x.shape[0],) if x.ndim == 2 else np.shape(target)


def _multi_margin_terms(input, target, p, margin, weight):
    x = _check_margin_input(as_float_array(input, "input"))
    if p not in (1, 2):
        raise ValueError(f"only p == 1 and p == 2 supported; got p={p!r}")
    x2 = np.atleast_2d(x)
    t = _margin_targets(target, x)
    w = _class_weight(weight, x2.shape[1], x.dtype)
    rows = np.arange(x2.shape[0])
    z = margin - x2[rows, t][:, None] + x2
    z[rows, t] = 0  # the target class is not a rival
    return x, x2, t, w[t][:, None], np.maximum(z, 0)


def multi_margin_loss(
    input, target, p: int = 1, margin: float = 1.0, weight=None, *, reduction: str = "mean"
) -> Array:
    r"""Multi-class hinge loss (Weston & Watkins / Crammer-Singer style, torch's version).

    .. math:: \ell_n = \frac{1}{C} \sum_{j \ne y_n} w_{y_n}
              \max(0,\ \text{margin} - x_{n,y_n} + x_{n,j})^p

    Args:
        input: scores ``(N, C)`` or ``(C,)``.
        target: class indices ``(N,)`` (``()`` for a ``(C,)`` input).
        p: 1 or 2.
        weight: per-class weights ``(C,)``, indexed by the target class.

    Example:
        >>> round(float(multi_margin_loss(np.array([[0.1, 0.2, 0.4, 0.8]]), np.array([3]))), 6)
        0.325
    """
    check_reduction(reduction)
    x, _, _, w_target, hinge = _multi_margin_terms(input, target, p, margin, weight)
    loss = (hinge if p == 1 else hinge * hinge).sum(axis=1) * w_target[:, 0] / hinge.shape[1]
    return reduce(loss.reshape(_margin_loss_shape(x, target)), reduction)


def multi_margin_loss_backward(
    grad_output, input, target, p=1, margin=1.0, weight=None, *, reduction="mean"
) -> Array:
    r""":math:`\partial \ell_n / \partial x_{n,j} = \frac{w_{y_n}}{C} p\, z_j^{p-1}` for each
    active :math:`z_j > 0` (:math:`j \ne y_n`), and minus their sum at :math:`j = y_n`."""
    x, x2, t, w_target, hinge = _multi_margin_terms(input, target, p, margin, weight)
    g = reduce_backward(grad_output, _margin_loss_shape(x, target), reduction, x.dtype)
    local = (hinge > 0).astype(x.dtype) if p == 1 else 2 * hinge
    per_j = local * (w_target * g.reshape(-1, 1) / hinge.shape[1])
    grad = per_j
    grad[np.arange(x2.shape[0]), t] = -per_j.sum(axis=1)
    return grad.reshape(x.shape).astype(x.dtype, copy=False)


def _multilabel_terms(input, target):
    x = _check_margin_input(as_float_array(input, "input"))
    t = np.asarray(target)
    # torch takes a 0-d input as one class, with a target of shape () or (1,)
    same_shape = t.shape == x.shape or (x.ndim == 0 and t.shape == (1,))
    if not np.issubdtype(t.dtype, np.integer) or not same_shape:
        raise ValueError(
            f"target must be integer labels of the input's shape {x.shape} (padded with -1); "
            f"got dtype {t.dtype}, shape {t.shape}"
        )
    t = t.reshape(x.shape)
    n_classes = x.shape[-1] if x.ndim else 1
    if np.any((t < -1) | (t >= n_classes)):
        raise IndexError(f"target out of range: labels must be in [0, {n_classes}) or -1")
    x2, t2 = np.atleast_2d(x), np.atleast_2d(t)
    listed = np.cumsum(t2 == -1, axis=1) == 0  # positions before the first -1
    n_listed = int(listed.sum(axis=1).max(initial=0))
    listed, t2 = listed[:, :n_listed], t2[:, :n_listed]
    rows = np.arange(x2.shape[0])[:, None]
    # unlisted positions point at a spare column C, so every write below is a True
    slots = np.where(listed, t2, n_classes)
    is_target = np.zeros((x2.shape[0], n_classes + 1), dtype=bool)
    is_target[rows, slots] = True
    labels = np.where(listed, t2, 0)
    z = 1 - np.take_along_axis(x2, labels, axis=1)[:, :, None] + x2[:, None, :]
    active = listed[:, :, None] & ~is_target[:, None, :n_classes] & (z > 0)
    return x, x2, slots, z, active


def multilabel_margin_loss(input, target, *, reduction: str = "mean") -> Array:
    r"""Multi-label hinge loss: every target label should beat every non-target by 1.

    .. math:: \ell_n = \frac{1}{C} \sum_{j \in Y_n} \sum_{k \notin Y_n}
              \max(0,\ 1 - (x_{n,j} - x_{n,k}))

    Args:
        input: scores ``(C,)`` or ``(N, C)``.
        target: integer labels of the same shape; the labels of row :math:`n` are the
            entries before its first ``-1`` (``[3, 0, -1, 1]`` means :math:`Y = \{3, 0\}`).

    Example:
        >>> round(float(multilabel_margin_loss(np.array([[0.1, 0.2, 0.4, 0.8]]),
        ...                                    np.array([[3, 0, -1, 1]]))), 6)
        0.85
    """
    check_reduction(reduction)
    x, x2, _, z, active = _multilabel_terms(input, target)
    loss = np.where(active, z, 0).sum(axis=(1, 2)) / x2.shape[1]
    return reduce(loss if x.ndim == 2 else loss.reshape(()), reduction)


def multilabel_margin_loss_backward(grad_output, input, target, *, reduction="mean") -> Array:
    r"""Each active pair :math:`(j, k)` adds :math:`1/C` to :math:`x_k` and :math:`-1/C` to
    :math:`x_j`."""
    x, x2, slots, z, active = _multilabel_terms(input, target)
    n, n_classes = x2.shape
    g = reduce_backward(grad_output, () if x.ndim < 2 else (n,), reduction, x.dtype)
    g = g.reshape(-1, 1) / n_classes
    per_label = active.sum(axis=2) * g  # (N, positions), minus at each listed label
    flat = (np.arange(n)[:, None] * (n_classes + 1) + slots).ravel()
    minus = np.bincount(flat, weights=per_label.ravel(), minlength=n * (n_classes + 1))
    grad = active.sum(axis=1) * g - minus.reshape(n, n_classes + 1)[:, :n_classes]
    return grad.reshape(x.shape).astype(x.dtype, copy=False)


def soft_margin_loss(input, target, *, reduction: str = "mean") -> Array:
    r"""Two-class logistic loss for targets :math:`y \in \{-1, 1\}`.

    .. math:: \ell_i = \log(1 + e^{-y_i x_i})

    computed as ``logaddexp(0, -y x)`` (finite for any logit).

    Example:
        >>> round(float(soft_margin_loss(np.array([0.0, 1e4]), np.array([1.0, -1.0]))), 4)
        5000.3466
    """
    x, y = _pair(input, target)
    return reduce(_softplus(-y * x), reduction)


def soft_margin_loss_backward(grad_output, input, target, *, reduction="mean") -> Array:
    r""":math:`\partial \ell / \partial x = -y\,\sigma(-y x)`."""
    x, y = _pair(input, target)
    return reduce_backward(grad_output, x.shape, reduction, x.dtype) * -y * expit(-y * x)


def _multilabel_soft_margin_terms(input, target, weight):
    x, y = _pair(input, target)
    if x.ndim == 0:
        raise ValueError("input must have a class axis (last), shape (..., C); got a 0-d array")
    return x, y, _broadcast_weight(weight, x.shape)


def multilabel_soft_margin_loss(input, target, weight=None, *, reduction: str = "mean") -> Array:
    r"""Multi-label one-versus-all logistic loss, averaged over the classes (last axis).

    .. math:: \ell_n = -\frac{1}{C} \sum_c w_c\big(y_{n,c} \log\sigma(x_{n,c})
              + (1 - y_{n,c}) \log\sigma(-x_{n,c})\big)

    Args:
        input: logits ``(N, C)`` (any ``(..., C)``).
        target: :math:`y \in \{0, 1\}` (or in [0, 1]), same shape.
        weight: per-class weights, broadcastable to ``input`` (typically ``(C,)``).

    Example:
        >>> round(float(multilabel_soft_margin_loss(np.zeros((1, 2)), np.array([[1.0, 0.0]]))), 4)
        0.6931
    """
    x, y, w = _multilabel_soft_margin_terms(input, target, weight)
    loss = -(y * log_expit(x) + (1 - y) * log_expit(-x))
    if w is not None:
        loss = loss * w
    return reduce(loss.sum(axis=-1) / x.shape[-1], reduction)


def multilabel_soft_margin_loss_backward(
    grad_output, input, target, weight=None, *, reduction="mean"
) -> Array:
    r""":math:`\partial \ell_n / \partial x_{n,c} = w_c (\sigma(x_{n,c}) - y_{n,c}) / C`."""
    x, y, w = _multilabel_soft_margin_terms(input, target, weight)
    g = reduce_backward(grad_output, x.shape[:-1], reduction, x.dtype)[..., None] / x.shape[-1]
    local = expit(x) - y
    return g * local if w is None else g * w * local


# --------------------------------------------------------------------------------------
# ranking and metric learning


def _ranking_inputs(input1, input2, target):
    x1 = as_float_array(input1, "input1")
    x2 = as_float_array(input2, "input2")
    y = as_float_array(target, "target")
    if not x1.ndim == x2.ndim == y.ndim:
        raise ValueError(
            "input1, input2 and target must have the same number of dimensions; got shapes "
            f"{x1.shape}, {x2.shape}, {y.shape}"
        )
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape, y.shape)
    except ValueError:
        raise ValueError(
            f"input1, input2 and target must broadcast together; got shapes {x1.shape}, "
            f"{x2.shape}, {y.shape}"
        ) from None
    return x1, x2, y, shape


def margin_ranking_loss(
    input1, input2, target, margin: float = 0.0, *, reduction: str = "mean"
) -> Array:
    r"""Pairwise hinge: ``input1`` should rank above ``input2`` by ``margin`` when
    :math:`y = 1` (below when :math:`y = -1`).

    .. math:: \ell_i = \max(0,\ -y_i (x_{1,i} - x_{2,i}) + \text{margin})

    Element-wise (shape of the broadcast inputs), not an :math:`n \times n` matrix.

    Example:
        >>> margin_ranking_loss(np.array([1.0, 0.0]), np.array([0.0, 1.0]), np.array([1.0, 1.0]),
        ...                     margin=0.5, reduction="none").tolist()
        [0.0, 1.5]
    """
    x1, x2, y, _ = _ranking_inputs(input1, input2, target)
    return reduce(np.maximum(-y * (x1 - x2) + margin, 0), reduction)


def margin_ranking_loss_backward(
    grad_output, input1, input2, target, margin=0.0, *, reduction="mean"
) -> tuple[Array, Array]:
    r"""Returns ``(grad_input1, grad_input2)``: :math:`\mp y` where the hinge is active
    (:math:`\ge 0`, torch's convention at the kink)."""
    x1, x2, y, shape = _ranking_inputs(input1, input2, target)
    dtype = np.result_type(x1, x2, y)
    g = reduce_backward(grad_output, shape, reduction, dtype)
    active = -y * (x1 - x2) + margin >= 0
    d1 = np.where(active, -y * g, 0).astype(dtype, copy=False)
    return _sum_to_shape(d1, x1.shape), _sum_to_shape(-d1, x2.shape)


def ranknet_loss(input1, input2, target, *, reduction: str = "mean") -> Array:
    r"""RankNet (Burges et al. 2005): cross-entropy of the pairwise preference probability.

    .. math:: \ell_i = -\bar P_i \log \sigma(s_{1,i} - s_{2,i})
              - (1 - \bar P_i) \log\big(1 - \sigma(s_{1,i} - s_{2,i})\big)
              = \bar P_i \log(1 + e^{-d_i}) + (1 - \bar P_i) \log(1 + e^{d_i})

    Args:
        input1, input2: scores :math:`s_1, s_2` of the two items of each pair, same shape.
        target: :math:`\bar P \in [0, 1]`, the probability that item 1 ranks above item 2
            (1: above, 0: below, 0.5: tie; Burges' :math:`S_{ij} \in \{1, 0, -1\}` maps to
            :math:`(1 + S_{ij})/2`).

    It is :func:`binary_cross_entropy_with_logits` on the score difference.

    Example:
        >>> round(float(ranknet_loss(np.array([2.0]), np.array([0.0]), np.array([1.0]))), 4)
        0.1269
    """
    s1, s2 = _pair(input1, input2, "input1", "input2")
    s1, p = _pair(s1, target, "input1", "target")
    _check_unit_interval(p, "target")
    d = s1 - s2
    return reduce(p * _softplus(-d) + (1 - p) * _softplus(d), reduction)


def ranknet_loss_backward(
    grad_output, input1, input2, target, *, reduction="mean"
) -> tuple[Array, Array]:
    r"""Returns ``(grad_input1, grad_input2)`` :math:`= \pm(\sigma(d) - \bar P)`."""
    s1, s2 = _pair(input1, input2, "input1", "input2")
    s1, p = _pair(s1, target, "input1", "target")
    g = reduce_backward(grad_output, s1.shape, reduction, s1.dtype) * (expit(s1 - s2) - p)
    return g, -g


def _check_triplet_options(margin, p, eps) -> tuple[float, float, float]:
    margin, p, eps = (_check_number(v, n) for v, n in ((margin, "margin"), (p, "p"), (eps, "eps")))
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not p >= 1:
        raise ValueError(f"p must be >= 1 (a norm; inf allowed); got {p}")
    return margin, p, eps


def _pairwise_distance(x1: Array, x2: Array, p: float, eps: float) -> tuple[Array, Array]:
    r"""torch's ``pairwise_distance``: :math:`\|x_1 - x_2 + \epsilon\|_p` over the last axis,
    and the difference :math:`u = x_1 - x_2 + \epsilon` it was taken of."""
    u = x1 - x2 + eps
    if p == 2:
        return np.sqrt(np.einsum("...i,...i->...", u, u)), u
    return np.linalg.norm(u, ord=p, axis=-1), u


def _pairwise_distance_grad(u: Array, d: Array, p: float) -> Array:
    r""":math:`\partial d / \partial x_1 = \operatorname{sign}(u)\,(|u|/d)^{p-1}`
    (:math:`= -\partial d / \partial x_2`; 0 where :math:`d = 0`, split among ties for
    :math:`p = \infty`)."""
    dn = d[..., None]
    safe = np.where(dn > 0, dn, 1)
    if p == 2:
        grad = u / safe
    elif p == 1:
        grad = np.sign(u)
    elif np.isinf(p):
        at_max = np.abs(u) == dn
        grad = np.sign(u) * at_max / at_max.sum(axis=-1, keepdims=True)
    else:
        grad = np.sign(u) * (np.abs(u) / safe) ** (p - 1)
    return np.where(dn > 0, grad, 0).astype(u.dtype, copy=False)


def _triplet_inputs(anchor, positive, negative):
    a = as_float_array(anchor, "anchor")
    pos = as_float_array(positive, "positive")
    neg = as_float_array(negative, "negative")
    if not a.ndim == pos.ndim == neg.ndim or a.ndim == 0:
        raise ValueError(
            "anchor, positive and negative must have the same number (>= 1) of dimensions; "
            f"got shapes {a.shape}, {pos.shape}, {neg.shape}"
        )
    try:
        np.broadcast_shapes(a.shape, pos.shape, neg.shape)
    except ValueError:
        raise ValueError(
            f"anchor, positive and negative must broadcast together; got shapes {a.shape}, "
            f"{pos.shape}, {neg.shape}"
        ) from None
    return a, pos, neg


def _triplet_terms(anchor, positive, negative, margin, p, eps, swap):
    margin, p, eps = _check_triplet_options(margin, p, eps)
    a, pos, neg = _triplet_inputs(anchor, positive, negative)
    d_ap, u_ap = _pairwise_distance(a, pos, p, eps)
    d_an, u_an = _pairwise_distance(a, neg, p, eps)
    swapped = None
    if swap:
        swapped = _pairwise_distance(pos, neg, p, eps)
        d_neg = np.minimum(d_an, swapped[0])
    else:
        d_neg = d_an
    z = margin + d_ap - d_neg
    return (a, pos, neg), p, z, (d_ap, u_ap), (d_an, u_an), swapped


def triplet_margin_loss(
    anchor,
    positive,
    negative,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    *,
    reduction: str = "mean",
) -> Array:
    r"""Triplet loss: the anchor should be closer to the positive than to the negative.

    .. math:: \ell_i = \max\big(0,\ d(a_i, p_i) - d(a_i, n_i) + \text{margin}\big),
              \qquad d(x, y) = \|x - y + \epsilon\|_p

    (``eps`` is added to the difference, as torch's ``pairwise_distance`` does). With
    ``swap`` the negative distance is :math:`\min(d(a, n), d(p, n))` (Balntas et al. 2016).

    Args:
        anchor, positive, negative: ``(N, D)`` (or ``(D,)``, any ``(..., D)``), broadcastable.
        margin: > 0.
        p: the norm degree, >= 1 (``np.inf`` allowed).

    Example:
        >>> a, pos, neg = np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]), np.array([[1.0, 0.0]])
        >>> round(float(triplet_margin_loss(a, pos, neg, eps=0.0)), 6)
        5.0
    """
    check_reduction(reduction)
    z = _triplet_terms(anchor, positive, negative, margin, p, eps, swap)[2]
    return reduce(np.maximum(z, 0), reduction)


def triplet_margin_loss_backward(
    grad_output,
    anchor,
    positive,
    negative,
    margin=1.0,
    p=2.0,
    eps=1e-6,
    swap=False,
    *,
    reduction="mean",
) -> tuple[Array, Array, Array]:
    r"""Returns ``(grad_anchor, grad_positive, grad_negative)``. With
    :math:`\nabla d(x, y) = \partial d / \partial x` (sign of the difference times
    :math:`(|u|/d)^{p-1}`) and an active hinge (:math:`\ge 0`):
    :math:`\partial_a = \nabla d(a,p) - \nabla d(a,n)`, :math:`\partial_p = -\nabla d(a,p)`,
    :math:`\partial_n = \nabla d(a,n)`; with ``swap`` the negative term goes to whichever
    distance was the minimum (half each at a tie, like ``torch.minimum``)."""
    (a, pos, neg), p, z, (d_ap, u_ap), (d_an, u_an), swapped = _triplet_terms(
        anchor, positive, negative, margin, p, eps, swap
    )
    g = reduce_backward(grad_output, z.shape, reduction, z.dtype)
    g = np.where(z >= 0, g, 0)[..., None]
    g_ap = g * _pairwise_distance_grad(u_ap, d_ap, p)
    g_an = g * _pairwise_distance_grad(u_an, d_an, p)
    g_pn = 0
    if swapped is not None:
        d_pn, u_pn = swapped
        share_an = np.where(d_an < d_pn, 1.0, np.where(d_an == d_pn, 0.5, 0.0))[..., None]
        g_pn = (1 - share_an) * g * _pairwise_distance_grad(u_pn, d_pn, p)
        g_an = share_an * g_an
    return (
        _sum_to_shape(g_ap - g_an, a.shape).astype(a.dtype, copy=False),
        _sum_to_shape(-g_ap - g_pn, pos.shape).astype(pos.dtype, copy=False),
        _sum_to_shape(g_an + g_pn, neg.shape).astype(neg.dtype, copy=False),
    )


def hinge_embedding_loss(input, target, margin: float = 1.0, *, reduction: str = "mean") -> Array:
    r"""Hinge embedding loss, for a distance :math:`x` between two items of a pair.

    .. math:: \ell_i = \begin{cases} x_i & y_i = 1 \\
              \max(0,\ \text{margin} - x_i) & y_i = -1 \end{cases}

    (as in torch, a target that is neither 1 nor -1 gets both terms).

    Example:
        >>> hinge_embedding_loss(np.array([0.3, 0.3]), np.array([1.0, -1.0]),
        ...                      reduction="none").tolist()
        [0.3, 0.7]
    """
    x, y = _pair(input, target)
    hinge = np.where(y != 1, np.maximum(margin - x, 0), 0)
    return reduce((hinge + np.where(y != -1, x, 0)).astype(x.dtype, copy=False), reduction)


def hinge_embedding_loss_backward(
    grad_output, input, target, margin=1.0, *, reduction="mean"
) -> Array:
    r""":math:`\partial \ell / \partial x = [y \ne -1] - [y \ne 1][\text{margin} - x \ge 0]`."""
    x, y = _pair(input, target)
    g = reduce_backward(grad_output, x.shape, reduction, x.dtype)
    local = (y != -1).astype(x.dtype) - ((y != 1) & (margin - x >= 0)).astype(x.dtype)
    return g * local


def _cosine_terms(input1, input2, target):
    x1, x2 = _pair(input1, input2, "input1", "input2")
    if x1.ndim not in (1, 2):
        raise ValueError(f"input1 and input2 must be (D,) or (N, D); got shape {x1.shape}")
    y = as_float_array(target, "target")
    if y.shape != x1.shape[:-1]:
        raise ValueError(
            f"target must have shape {x1.shape[:-1]} for inputs of shape {x1.shape}; got {y.shape}"
        )
    m1 = (x1 * x1).sum(axis=-1) + COSINE_EMBEDDING_EPS
    m2 = (x2 * x2).sum(axis=-1) + COSINE_EMBEDDING_EPS
    denom = np.sqrt(m1 * m2)
    cos = (x1 * x2).sum(axis=-1) / denom
    return x1, x2, y, cos, m1, m2, denom


def cosine_embedding_loss(
    input1, input2, target, margin: float = 0.0, *, reduction: str = "mean"
) -> Array:
    r"""Pull pairs with :math:`y = 1` to cosine 1, push pairs with :math:`y = -1` below
    ``margin``.

    .. math:: \ell_i = \begin{cases} 1 - \cos(x_{1,i}, x_{2,i}) & y_i = 1 \\
              \max(0,\ \cos(x_{1,i}, x_{2,i}) - \text{margin}) & y_i = -1 \end{cases},
              \quad \cos(a, b) = \frac{a \cdot b}{\sqrt{(\|a\|^2 + \epsilon)(\|b\|^2
              + \epsilon)}}

    with torch's :math:`\epsilon = 10^{-12}` (so a zero vector has cosine 0, not NaN).
    Other target values cost 0.

    Args:
        input1, input2: ``(N, D)`` or ``(D,)``.
        target: ``(N,)`` or ``()``, values in {1, -1}.
        margin: typically in [-1, 1].

    Example:
        >>> cosine_embedding_loss(np.array([[1.0, 0.0], [1.0, 0.0]]),
        ...                       np.array([[0.0, 1.0], [1.0, 1.0]]),
        ...                       np.array([1.0, -1.0]), reduction="none").round(4).tolist()
        [1.0, 0.7071]
    """
    _, _, y, cos, _, _, _ = _cosine_terms(input1, input2, target)
    loss = np.where(y == 1, 1 - cos, 0) + np.where(y == -1, np.maximum(cos - margin, 0), 0)
    return reduce(loss.astype(cos.dtype, copy=False), reduction)


def cosine_embedding_loss_backward(
    grad_output, input1, input2, target, margin=0.0, *, reduction="mean"
) -> tuple[Array, Array]:
    r"""Returns ``(grad_input1, grad_input2)`` with
    :math:`\partial \cos / \partial x_1 = x_2 / \sqrt{m_1 m_2} - \cos\, x_1 / m_1`."""
    x1, x2, y, cos, m1, m2, denom = _cosine_terms(input1, input2, target)
    g = reduce_backward(grad_output, cos.shape, reduction, cos.dtype)
    d_cos = g * (np.where(y == -1, cos - margin >= 0, 0) - (y == 1))
    d_cos, cos = d_cos[..., None], cos[..., None]
    grad1 = d_cos * (x2 / denom[..., None] - cos * x1 / m1[..., None])
    grad2 = d_cos * (x1 / denom[..., None] - cos * x2 / m2[..., None])
    return grad1.astype(x1.dtype, copy=False), grad2.astype(x1.dtype, copy=False)


def _cosent_logits(input, target, scale):
    """:math:`\\lambda(c_j - c_i)` for every pair with :math:`t_i > t_j`, and the mask."""
    c, t = _pair(input, target)
    if c.ndim != 1:
        raise ValueError(f"input must be a (N,) array of cosine similarities; got shape {c.shape}")
    check_positive(_check_number(scale, "scale"), "scale")
    logits = scale * (c[None, :] - c[:, None])
    return c, logits, t[:, None] > t[None, :]


def cosent_loss(input, target, scale: float = 20.0) -> Array:
    r"""CoSENT (Su 2022): rank the cosine similarities of sentence pairs like their labels.

    .. math:: L = \log\Big(1 + \sum_{(i, j):\, t_i > t_j} e^{\lambda(c_j - c_i)}\Big)

    where :math:`c_i` is the predicted cosine of pair :math:`i` and :math:`t_i` its label
    (higher = more similar): every pair the labels order must be ordered the same way by the
    cosines. Computed as a log-sum-exp over :math:`\{0\} \cup \{\lambda(c_j - c_i)\}`. One
    scalar per batch (no reduction), as in Su's code and sentence-transformers'
    ``CoSENTLoss``.

    Args:
        input: cosine similarities ``(N,)``.
        target: labels ``(N,)`` (any real values; only their order matters).
        scale: :math:`\lambda > 0` (default 20).

    Example:
        >>> round(float(cosent_loss(np.array([0.9, 0.1]), np.array([1.0, 0.0]))), 6)
        0.0
    """
    c, logits, mask = _cosent_logits(input, target, scale)
    terms = np.concatenate([np.zeros(1, dtype=c.dtype), logits[mask]])
    return np.asarray(logsumexp(terms), dtype=c.dtype)


def cosent_loss_backward(grad_output, input, target, scale=20.0) -> Array:
    r"""With the softmax weights :math:`\pi_{ij} = e^{\lambda(c_j - c_i)} / e^{L}` of the
    terms: :math:`\partial L / \partial c_k = \lambda\big(\sum_i \pi_{ik}
    - \sum_j \pi_{kj}\big)`."""
    c, logits, mask = _cosent_logits(input, target, scale)
    total = cosent_loss(c, target, scale)
    weights = np.where(mask, np.exp(np.where(mask, logits, 0) - total), 0)
    g = np.asarray(grad_output, dtype=c.dtype) * scale
    return (g * (weights.sum(axis=0) - weights.sum(axis=1))).astype(c.dtype, copy=False)


def _normalize(x: Array) -> tuple[Array, Array]:
    r"""``F.normalize`` over the last axis: :math:`x / \max(\|x\|, 10^{-12})`, and the norm."""
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norm, np.asarray(NORMALIZE_EPS, dtype=x.dtype)), norm


def _normalize_backward(grad: Array, unit: Array, norm: Array) -> Array:
    """Jacobian of ``_normalize`` applied to ``grad``: projects out the radial part (which
    the clamp blocks below the floor, as ``clamp_min`` does in torch)."""
    eps = np.asarray(NORMALIZE_EPS, dtype=unit.dtype)
    radial = np.where(norm >= eps, (unit * grad).sum(axis=-1, keepdims=True), 0)
    return (grad - unit * radial) / np.maximum(norm, eps)


def _info_nce_inputs(query, positive_key, negative_keys, temperature, negative_mode):
    q = as_float_array(query, "query")
    k = as_float_array(positive_key, "positive_key")
    if q.ndim != 2:
        raise ValueError(f"query must be (N, D); got shape {q.shape}")
    check_same_shape(q, k, "query", "positive_key")
    check_positive(_check_number(temperature, "temperature"), "temperature")
    check_choice(negative_mode, "negative_mode", ("unpaired", "paired"))
    if negative_keys is None:
        return q, k, None
    neg = as_float_array(negative_keys, "negative_keys")
    expected = "(M, D)" if negative_mode == "unpaired" else "(N, M, D)"
    ok_ndim = neg.ndim == (2 if negative_mode == "unpaired" else 3)
    if not ok_ndim or neg.shape[-1] != q.shape[1] or (neg.ndim == 3 and len(neg) != len(q)):
        raise ValueError(
            f"negative_keys must be {expected} for negative_mode={negative_mode!r} and query "
            f"{q.shape}; got shape {neg.shape}"
        )
    return q, k, neg


def _info_nce_logits(q, k, neg, negative_mode):
    """Cosine logits (before the temperature) and the index of the positive of each row."""
    if neg is None:  # in-batch negatives: the other rows' positives
        return q @ k.T, np.arange(len(q))
    positive = (q * k).sum(axis=1, keepdims=True)
    if negative_mode == "unpaired":
        negatives = q @ neg.T
    else:
        negatives = np.einsum("nd,nmd->nm", q, neg)
    return np.concatenate([positive, negatives], axis=1), np.zeros(len(q), dtype=np.int64)


def info_nce(
    query,
    positive_key,
    negative_keys=None,
    temperature: float = 0.1,
    reduction: str = "mean",
    negative_mode: str = "unpaired",
) -> Array:
    r"""InfoNCE (van den Oord et al. 2018), the contrastive loss of CPC, SimCLR, CLIP.

    .. math:: \ell_n = -\log \frac{e^{\hat q_n \cdot \hat k_n / \tau}}
              {e^{\hat q_n \cdot \hat k_n / \tau} + \sum_m e^{\hat q_n \cdot \hat k^-_m / \tau}},
              \qquad \hat v = v / \max(\|v\|, 10^{-12})

    i.e. :func:`cross_entropy` of the cosine logits divided by :math:`\tau`, the positive
    being the right class. Without ``negative_keys`` the negatives of query :math:`n` are
    the other rows' positive keys (in-batch negatives, logits :math:`\hat Q \hat K^T/\tau`,
    labels :math:`0..N-1`). Follows the ``info-nce-pytorch`` package (RElbers), which
    normalises the embeddings first.

    Args:
        query: ``(N, D)``.
        positive_key: ``(N, D)``.
        negative_keys: ``(M, D)`` shared by every query (``'unpaired'``) or ``(N, M, D)``
            (``'paired'``), or None.
        temperature: :math:`\tau > 0`.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'`` over the queries.

    Example:
        >>> q = np.array([[1.0, 0.0], [0.0, 1.0]])
        >>> round(float(info_nce(q, q, temperature=1.0)), 4)
        0.3133
    """
    q, k, neg = _info_nce_inputs(query, positive_key, negative_keys, temperature, negative_mode)
    q_hat, k_hat = _normalize(q)[0], _normalize(k)[0]
    neg_hat = None if neg is None else _normalize(neg)[0]
    logits, labels = _info_nce_logits(q_hat, k_hat, neg_hat, negative_mode)
    return cross_entropy(logits / temperature, labels, reduction=reduction)


def info_nce_backward(
    grad_output,
    query,
    positive_key,
    negative_keys=None,
    temperature=0.1,
    reduction="mean",
    negative_mode="unpaired",
) -> tuple[Array, ...]:
    r"""Returns ``(grad_query, grad_positive_key)``, plus ``grad_negative_keys`` when
    ``negative_keys`` is given: the cross-entropy gradient :math:`G` (softmax minus one-hot,
    over :math:`\tau`) pulled back through the dot products and the normalisation."""
    q, k, neg = _info_nce_inputs(query, positive_key, negative_keys, temperature, negative_mode)
    (q_hat, q_norm), (k_hat, k_norm) = _normalize(q), _normalize(k)
    neg_hat, neg_norm = (None, None) if neg is None else _normalize(neg)
    logits, labels = _info_nce_logits(q_hat, k_hat, neg_hat, negative_mode)
    G = cross_entropy_backward(grad_output, logits / temperature, labels, reduction=reduction)
    G = G / temperature
    if neg is None:
        d_q, d_k = G @ k_hat, G.T @ q_hat
        return _normalize_backward(d_q, q_hat, q_norm), _normalize_backward(d_k, k_hat, k_norm)
    g_pos, g_neg = G[:, :1], G[:, 1:]
    d_k = g_pos * q_hat
    if negative_mode == "unpaired":
        d_q = g_pos * k_hat + g_neg @ neg_hat
        d_neg = g_neg.T @ q_hat
    else:
        d_q = g_pos * k_hat + np.einsum("nm,nmd->nd", g_neg, neg_hat)
        d_neg = g_neg[:, :, None] * q_hat[:, None, :]
    return (
        _normalize_backward(d_q, q_hat, q_norm),
        _normalize_backward(d_k, k_hat, k_norm),
        _normalize_backward(d_neg, neg_hat, neg_norm),
    )
