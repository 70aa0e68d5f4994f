r"""Normalization layers and normalized residual blocks.

Every layer here standardizes activations over some set of axes and then applies a
per-feature affine map:

.. math:: y = \gamma \odot \hat{x} + \beta, \qquad
          \hat{x} = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}

with the mean :math:`\mu` and the biased variance :math:`\sigma^2` taken over

- ``batch_norm``: the batch and every spatial position, per channel {cite}`ioffe2015`;
- ``layer_norm``: the trailing ``normalized_shape`` axes, per sample {cite}`ba2016`;
- ``group_norm``: groups of channels and every spatial position, per sample {cite}`wu2018group`;
- ``instance_norm``: every spatial position, per sample and channel;
- ``rms_norm`` skips the mean and divides by the root mean square {cite}`zhang2019rms`.

The shared backward of the standardization, over :math:`m` elements, is

.. math:: \frac{\partial L}{\partial x} = \frac{1}{m\sqrt{\sigma^2+\epsilon}}
          \Big(m\,\hat{g} - \textstyle\sum \hat{g} - \hat{x} \sum \hat{g} \odot \hat{x}\Big),
          \qquad \hat{g} = \frac{\partial L}{\partial y} \odot \gamma .

Signatures, defaults and refusals mirror ``torch.nn.functional``. Arithmetic is done in
float64 and the result is cast back to the input dtype (torch likewise accumulates half
precision in float32), so float32 results are exact up to the final rounding.

Deliberate differences from torch, each to refuse a silent wrong answer:

- a negative ``eps`` raises ``ValueError`` everywhere (torch only refuses it in
  ``batch_norm``; elsewhere :math:`\sqrt{\sigma^2 - |\epsilon|}` gives NaN on a constant
  feature, the classic ``-eps`` mistake);
- ``batch_norm`` requires an input of at least 2 dimensions ``(N, C, *)`` (torch also runs a
  1-D input, where it cannot tell ``N`` from ``C``);
- ``normalized_shape`` may be an int, as in ``nn.LayerNorm``;
- shape errors are ``ValueError`` where torch raises ``RuntimeError``.

Each ``*_backward`` returns ``(grad_input, grad_weight, grad_bias)`` (``rms_norm_backward``:
``(grad_input, grad_weight)``), with ``None`` in the place of an absent weight or bias, as
torch autograd does. The backward functions never touch the running statistics.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from solutions._checks import as_float_array

__worked_examples__ = ["layer_norm", "post_norm_residual", "pre_norm_residual"]

Array = np.ndarray
Grads3 = tuple[Array, Array | None, Array | None]


# --------------------------------------------------------------------------------------
# shared helpers


def _as_input(x, name: str = "input", *, min_ndim: int = 0) -> Array:
    arr = as_float_array(x, name)
    if arr.dtype not in (np.float16, np.float32, np.float64):
        raise TypeError(f"{name} must be float16, float32 or float64; got dtype {arr.dtype}")
    if arr.ndim < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} dimensions (N, C, *); got shape {arr.shape}"
        )
    return arr


def _check_eps(eps, *, positive: bool = False, where: str = "") -> float:
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating, np.integer)):
        raise TypeError(f"eps must be a float; got {type(eps).__name__}")
    eps = float(eps)
    if not np.isfinite(eps) or eps < 0 or (positive and eps == 0):
        allowed = "> 0" if positive else ">= 0"
        raise ValueError(f"eps must be a finite number {allowed}{where}; got {eps!r}")
    return eps


def _param(p, name: str, shape: tuple[int, ...], what: str) -> Array | None:
    """Validate an optional per-feature array (weight, bias, running statistic)."""
    if p is None:
        return None
    arr = as_float_array(p, name)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape} ({what}); got shape {arr.shape}")
    return arr


# Speed: on ~1e6 values a pass over an existing array costs ~0.3-1 ms but a freshly
# allocated array ~2.5 ms (page faults), so each helper allocates one result and updates it
# in place, and sums of products use einsum, which needs no temporary array.


def _f64(x) -> Array:
    """A C-contiguous float64 array (no copy if ``x`` is one already): reshapes are views."""
    return np.ascontiguousarray(x, dtype=np.float64)


def _per_channel(x: Array) -> Array:
    """(N, C, *spatial) viewed as (N, C, S)."""
    return _f64(x).reshape(x.shape[0], x.shape[1], -1)


def _zeros_or_none(p: Array | None) -> Array | None:
    return None if p is None else np.zeros_like(p)


def _per_row(x: Array, row_size: int) -> Array:
    """Viewed as (P, row_size): one row per set of values that share their statistics."""
    return _f64(x).reshape(-1, row_size)


def _standardize_rows(rows: Array, eps: float):
    """``(x_hat, mean, biased_var, inv_std)`` for each row of (P, M); ``x_hat`` is new."""
    mean = rows.mean(axis=1)
    x_hat = rows - mean[:, None]
    var = np.einsum("pm,pm->p", x_hat, x_hat) / rows.shape[1]
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat *= inv_std[:, None]
    return x_hat, mean, var, inv_std


def _standardize_rows_backward(grad_xhat: Array, x_hat: Array, inv_std: Array) -> Array:
    r"""Backward of :func:`_standardize_rows`, written into (and returned as) ``x_hat``.

    .. math:: \frac{\partial L}{\partial x} = \frac{1}{\sigma}
              \big(g - \bar g - \hat x\, \overline{g \hat x}\big)
    """
    mean_g = grad_xhat.mean(axis=1)
    mean_gx = np.einsum("pm,pm->p", grad_xhat, x_hat) / x_hat.shape[1]
    x_hat *= -mean_gx[:, None]
    x_hat += grad_xhat
    x_hat -= mean_g[:, None]
    x_hat *= inv_std[:, None]
    return x_hat


def _standardize_channels(x3: Array, eps: float, weight=None):
    """``(x_hat, mean, biased_var, inv_std)`` per channel of (N, C, S); ``x_hat`` is new.

    With ``weight``, ``x_hat * weight`` is returned instead (one pass fewer).
    """
    count = x3.shape[0] * x3.shape[2]
    mean = x3.sum(axis=(0, 2)) / count
    x_hat = x3 - mean[:, None]
    var = np.einsum("ncs,ncs->c", x_hat, x_hat) / count
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat *= (inv_std if weight is None else inv_std * _f64(weight))[:, None]
    return x_hat, mean, var, inv_std


def _standardize_channels_backward(grad_xhat: Array, x_hat: Array, inv_std: Array) -> Array:
    """Backward of :func:`_standardize_channels`, written into (and returned as) ``x_hat``."""
    count = x_hat.shape[0] * x_hat.shape[2]
    mean_g = grad_xhat.sum(axis=(0, 2)) / count
    mean_gx = np.einsum("ncs,ncs->c", grad_xhat, x_hat) / count
    x_hat *= -mean_gx[:, None]
    x_hat += grad_xhat
    x_hat -= mean_g[:, None]
    x_hat *= inv_std[:, None]
    return x_hat


def _normalize_with_running_stats(x3: Array, running_mean, running_var, eps: float, weight=None):
    """``((x - running_mean) / sqrt(running_var + eps), inv_std)`` per channel of (N, C, S).

    With ``weight``, the first entry is multiplied by it (in the same pass).
    """
    inv_std = 1.0 / np.sqrt(_f64(running_var) + eps)
    x_hat = x3 - _f64(running_mean)[:, None]
    x_hat *= (inv_std if weight is None else inv_std * _f64(weight))[:, None]
    return x_hat, inv_std


def _channel_affine_(y3: Array, weight, bias) -> Array:
    """``y3 * weight + bias`` per channel of (N, C, S), in place."""
    if weight is not None:
        y3 *= _f64(weight)[:, None]
    if bias is not None:
        y3 += _f64(bias)[:, None]
    return y3


def _channel_affine_backward(g3: Array, x_hat3: Array, weight, bias):
    """``(grad_xhat, grad_weight, grad_bias)`` of :func:`_channel_affine_`."""
    grad_xhat = g3 if weight is None else g3 * _f64(weight)[:, None]
    grad_weight = None if weight is None else np.einsum("ncs,ncs->c", g3, x_hat3)
    grad_bias = None if bias is None else g3.sum(axis=(0, 2))
    return grad_xhat, grad_weight, grad_bias


def _row_affine_backward(g_rows: Array, x_hat: Array, weight, bias, shape: tuple[int, ...]):
    """``(grad_xhat, grad_weight, grad_bias)`` of ``x_hat * weight + bias`` on (P, M) rows."""
    grad_xhat = g_rows if weight is None else g_rows * _f64(weight).ravel()
    grad_weight = None
    if weight is not None:
        grad_weight = np.einsum("pm,pm->m", g_rows, x_hat).reshape(shape)
    grad_bias = None if bias is None else g_rows.sum(axis=0).reshape(shape)
    return grad_xhat, grad_weight, grad_bias


def _cast(arr: Array | None, like: Array | None) -> Array | None:
    if arr is None:
        return None
    return arr.astype(like.dtype if like is not None else np.float64, copy=False)


def _grad_output(grad_output, shape: tuple[int, ...]) -> Array:
    g = _f64(as_float_array(grad_output, "grad_output"))
    if g.shape != shape:
        raise ValueError(f"grad_output must have the input's shape {shape}; got shape {g.shape}")
    return g


def _running_stats(running_mean, running_var, channels: int, *, needed: bool, mode: str):
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    if running_mean is None:
        if needed:
            raise ValueError(f"running_mean and running_var must be given {mode}")
        return None, None
    what = f"one entry per channel, C={channels}"
    return (
        _param(running_mean, "running_mean", (channels,), what),
        _param(running_var, "running_var", (channels,), what),
    )


def _update_running_(running, name: str, batch_stat: Array, momentum: float) -> None:
    """``running <- (1 - momentum) * running + momentum * batch_stat``, in place."""
    if not isinstance(running, np.ndarray) or not running.flags.writeable:
        raise TypeError(
            f"{name} must be a writeable numpy array to be updated in place when training; "
            f"got {type(running).__name__}"
        )
    running[...] = (1.0 - momentum) * running + momentum * batch_stat


def _check_momentum(momentum) -> float:
    if momentum is None:
        raise TypeError(
            "momentum must be a float; got None (torch.nn.functional.batch_norm refuses it too). "
            "For nn.BatchNorm's cumulative average (momentum=None) pass momentum=1/t at step t."
        )
    if isinstance(momentum, bool) or not np.isfinite(momentum):
        raise ValueError(f"momentum must be a finite float; got {momentum!r}")
    return float(momentum)


# --------------------------------------------------------------------------------------
# batch norm


def _batch_norm_setup(input, running_mean, running_var, weight, bias, training, eps):
    x = _as_input(input, min_ndim=2)
    channels = x.shape[1]
    eps = _check_eps(eps, positive=training, where=" when training" if training else "")
    mode = "in evaluation mode (training=False)"
    rm, rv = _running_stats(running_mean, running_var, channels, needed=not training, mode=mode)
    what = f"one entry per channel, C={channels}"
    w = _param(weight, "weight", (channels,), what)
    b = _param(bias, "bias", (channels,), what)
    if training:
        if x.shape[0] * int(np.prod(x.shape[2:])) == 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{x.shape}; use training=False (running statistics), layer_norm or "
                "group_norm, or a larger batch"
            )
    return x, rm, rv, w, b, eps


def batch_norm(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Array:
    r"""Batch normalization (mirrors ``torch.nn.functional.batch_norm``).

    .. math::
        y = \gamma \frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}} + \beta, \qquad
        \hat\mu \leftarrow (1-m)\,\hat\mu + m\,\mu_B, \quad
        \hat\sigma^2 \leftarrow (1-m)\,\hat\sigma^2 + m\,\frac{n}{n-1}\sigma_B^2

    per channel, where :math:`\mu_B, \sigma_B^2` are the mean and biased variance over the
    :math:`n = N \cdot \prod \text{spatial}` values of the channel. In training mode the
    output uses the batch statistics and the running statistics (if given) are updated in
    place with the *unbiased* batch variance; in evaluation mode the output uses the
    running statistics :math:`\hat\mu, \hat\sigma^2` and nothing is updated.

    Args:
        input: (N, C) or (N, C, *spatial).
        running_mean, running_var: (C,) numpy arrays, updated in place when training
            (both may be ``None`` when training: then nothing is tracked).
        weight, bias: (C,) or ``None`` (:math:`\gamma = 1`, :math:`\beta = 0`).
        training: use batch statistics and update the running ones.
        momentum: weight :math:`m` of the new batch statistic. ``None`` is refused as by
            ``F.batch_norm``; ``nn.BatchNorm(momentum=None)`` (the cumulative average) is
            ``momentum=1/t`` at the t-th training call.
        eps: added to the variance; must be > 0 when training and >= 0 otherwise.

    Raises:
        ValueError: one value per channel when training ("Expected more than 1 value per
            channel when training"), wrong shapes, negative ``eps``, missing running
            statistics in evaluation mode.

    Example:
        >>> x = np.array([[1.0, 10.0], [3.0, 30.0]])
        >>> rm, rv = np.zeros(2), np.ones(2)
        >>> batch_norm(x, rm, rv, training=True, eps=1e-12).round(6)
        array([[-1., -1.],
               [ 1.,  1.]])
        >>> rm, rv  # 0.1 * mean, 0.9 + 0.1 * unbiased variance
        (array([0.2, 2. ]), array([ 1.1, 20.9]))
    """
    x, rm, rv, w, b, eps = _batch_norm_setup(
        input, running_mean, running_var, weight, bias, training, eps
    )
    x3 = _per_channel(x)
    if training:
        momentum = _check_momentum(momentum)
        y, mean, var, _ = _standardize_channels(x3, eps, w)
        if rm is not None:
            count = x3.shape[0] * x3.shape[2]
            _update_running_(running_mean, "running_mean", mean, momentum)
            unbiased = var * (count / (count - 1))
            _update_running_(running_var, "running_var", unbiased, momentum)
    else:
        y, _ = _normalize_with_running_stats(x3, rm, rv, eps, w)
    return _channel_affine_(y, None, b).reshape(x.shape).astype(x.dtype, copy=False)


def batch_norm_backward(
    grad_output,
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Grads3:
    r"""Gradients of :func:`batch_norm` w.r.t. input, weight and bias.

    Training mode (the batch statistics depend on every input of the channel), with
    :math:`\hat g = \partial L/\partial y \odot \gamma` and :math:`n` values per channel:

    .. math::
        \frac{\partial L}{\partial x} = \frac{1}{n\sqrt{\sigma_B^2+\epsilon}}
        \Big(n\,\hat g - \sum \hat g - \hat x \sum \hat g \odot \hat x\Big), \quad
        \frac{\partial L}{\partial \gamma} = \sum \frac{\partial L}{\partial y} \odot \hat x,
        \quad \frac{\partial L}{\partial \beta} = \sum \frac{\partial L}{\partial y}

    Evaluation mode (the running statistics are constants, so BN is an affine map):
    :math:`\partial L/\partial x = \hat g / \sqrt{\hat\sigma^2 + \epsilon}`.

    The batch statistics are recomputed from ``input``; ``running_mean``/``running_var`` are
    only read (evaluation mode) and never updated here, so calling the forward and then the
    backward updates them exactly once. Pass the running statistics as they were at the
    forward call when ``training=False``.

    Returns:
        ``(grad_input, grad_weight, grad_bias)``; ``None`` for an absent weight or bias.
    """
    x, rm, rv, w, b, eps = _batch_norm_setup(
        input, running_mean, running_var, weight, bias, training, eps
    )
    g3 = _per_channel(_grad_output(grad_output, x.shape))
    x3 = _per_channel(x)
    if training:
        x_hat, _, _, inv_std = _standardize_channels(x3, eps)
    else:
        x_hat, inv_std = _normalize_with_running_stats(x3, rm, rv, eps)
    grad_xhat, grad_w, grad_b = _channel_affine_backward(g3, x_hat, w, b)
    if training:
        grad_x = _standardize_channels_backward(grad_xhat, x_hat, inv_std)
    else:
        grad_x = grad_xhat * inv_std[:, None]
    return _cast(grad_x.reshape(x.shape), x), _cast(grad_w, w), _cast(grad_b, b)


# --------------------------------------------------------------------------------------
# layer norm and RMS norm


def _normalized_axes(x: Array, normalized_shape) -> tuple[tuple[int, ...], tuple[int, ...]]:
    if isinstance(normalized_shape, (int, np.integer)) and not isinstance(normalized_shape, bool):
        normalized_shape = (int(normalized_shape),)
    try:
        shape = tuple(int(s) for s in normalized_shape)
    except TypeError:
        raise TypeError(
            f"normalized_shape must be an int or a sequence of ints; got {normalized_shape!r}"
        ) from None
    if len(shape) == 0:
        raise ValueError("normalized_shape must contain at least one dimension; got ()")
    if len(shape) > x.ndim or x.shape[x.ndim - len(shape) :] != shape:
        raise ValueError(
            f"normalized_shape={list(shape)} must equal the trailing dimensions of input; "
            f"expected input of shape [*, {', '.join(map(str, shape))}], got {list(x.shape)}"
        )
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    return shape, axes


def _layer_norm_setup(input, normalized_shape, weight, bias, eps):
    x = _as_input(input)
    shape, axes = _normalized_axes(x, normalized_shape)
    what = f"normalized_shape={shape}"
    w = _param(weight, "weight", shape, what)
    b = _param(bias, "bias", shape, what)
    return x, shape, axes, w, b, _check_eps(eps)


def layer_norm(
    input, normalized_shape: int | Sequence[int], weight=None, bias=None, eps: float = 1e-5
) -> Array:
    r"""Layer normalization (mirrors ``torch.nn.functional.layer_norm``).

    .. math::
        y = \frac{x - \mathrm{E}[x]}{\sqrt{\mathrm{Var}[x] + \epsilon}} \odot \gamma + \beta

    with the mean and the *biased* variance over the last ``len(normalized_shape)``
    dimensions, separately for every sample (so a batch of one is fine).

    Args:
        input: (*, *normalized_shape).
        normalized_shape: the trailing shape to normalize over (an int means ``(int,)``).
        weight, bias: arrays of shape ``normalized_shape`` or ``None``.
        eps: added to the variance (>= 0).

    Example:
        >>> layer_norm(np.array([[1.0, 2.0, 3.0]]), (3,), eps=0.0).round(4)
        array([[-1.2247,  0.    ,  1.2247]])
    """
    # book: begin body
    x, shape, _, weight, bias, eps = _layer_norm_setup(
        input, normalized_shape, weight, bias, eps
    )
    size = math.prod(shape)
    rows = _per_row(x, size)  # one row per normalized slice
    y = rows - rows.mean(axis=1, keepdims=True)  # x - E[x]
    var = np.einsum("pm,pm->p", y, y) / size  # biased Var[x], no temporary array
    y *= (1.0 / np.sqrt(var + eps))[:, None]
    if weight is not None:
        y *= _f64(weight).ravel()
    if bias is not None:
        y += _f64(bias).ravel()
    return y.reshape(x.shape).astype(x.dtype, copy=False)


def layer_norm_backward(
    grad_output,
    input,
    normalized_shape: int | Sequence[int],
    weight=None,
    bias=None,
    eps: float = 1e-5,
) -> Grads3:
    r"""Gradients of :func:`layer_norm` w.r.t. input, weight and bias.

    .. math::
        \frac{\partial L}{\partial x} = \frac{1}{\sqrt{\sigma^2+\epsilon}}
        \big(\hat g - \overline{\hat g} - \hat x\, \overline{\hat g \odot \hat x}\big),\quad
        \frac{\partial L}{\partial \gamma} = \sum_{\text{batch}} \frac{\partial L}{\partial y}
        \odot \hat x, \quad \frac{\partial L}{\partial \beta} = \sum_{\text{batch}}
        \frac{\partial L}{\partial y}

    where :math:`\hat g = \partial L / \partial y \odot \gamma` and the bars are means over
    the normalized dimensions.

    Returns:
        ``(grad_input, grad_weight, grad_bias)``; ``None`` for an absent weight or bias.
    """
    x, shape, _, w, b, eps = _layer_norm_setup(input, normalized_shape, weight, bias, eps)
    size = math.prod(shape)
    g_rows = _per_row(_grad_output(grad_output, x.shape), size)
    x_hat, _, _, inv_std = _standardize_rows(_per_row(x, size), eps)
    grad_xhat, grad_w, grad_b = _row_affine_backward(g_rows, x_hat, w, b, shape)
    grad_x = _standardize_rows_backward(grad_xhat, x_hat, inv_std)
    return _cast(grad_x.reshape(x.shape), x), _cast(grad_w, w), _cast(grad_b, b)


def _rms_eps(eps, dtype) -> float:
    if eps is None:
        # torch: machine epsilon of the computation type (float32 for half precision).
        return float(np.finfo(np.float64 if dtype == np.float64 else np.float32).eps)
    return _check_eps(eps)


def _rms_norm_setup(input, normalized_shape, weight, eps):
    x = _as_input(input)
    shape, axes = _normalized_axes(x, normalized_shape)
    w = _param(weight, "weight", shape, f"normalized_shape={shape}")
    return x, shape, axes, w, _rms_eps(eps, x.dtype)


def rms_norm(
    input, normalized_shape: int | Sequence[int], weight=None, eps: float | None = None
) -> Array:
    r"""Root-mean-square layer normalization (mirrors ``torch.nn.functional.rms_norm``).

    .. math::
        y = \frac{x}{\mathrm{RMS}(x)} \odot \gamma, \qquad
        \mathrm{RMS}(x) = \sqrt{\epsilon + \frac{1}{n}\sum_{i=1}^n x_i^2}

    over the last ``len(normalized_shape)`` dimensions; no mean is subtracted and there is
    no bias.

    Args:
        input: (*, *normalized_shape).
        normalized_shape: the trailing shape to normalize over.
        weight: array of shape ``normalized_shape`` or ``None``.
        eps: ``None`` (default) means the machine epsilon of torch's computation type:
            ``finfo(float64).eps`` for float64 input and ``finfo(float32).eps`` for float32
            *and* float16 input (``torch.nn.RMSNorm`` docs; checked numerically).

    Example:
        >>> rms_norm(np.array([[3.0, 4.0]]), (2,), eps=0.0).round(4)
        array([[0.8485, 1.1314]])
    """
    x, shape, _, w, eps = _rms_norm_setup(input, normalized_shape, weight, eps)
    size = math.prod(shape)
    rows = _per_row(x, size)
    inv_rms = 1.0 / np.sqrt(np.einsum("pm,pm->p", rows, rows) / size + eps)
    y = rows * inv_rms[:, None]
    if w is not None:
        y *= _f64(w).ravel()
    return y.reshape(x.shape).astype(x.dtype, copy=False)


def rms_norm_backward(
    grad_output,
    input,
    normalized_shape: int | Sequence[int],
    weight=None,
    eps: float | None = None,
) -> tuple[Array, Array | None]:
    r"""Gradients of :func:`rms_norm` w.r.t. input and weight.

    With :math:`r = 1/\mathrm{RMS}(x)`, :math:`\hat x = r x` and
    :math:`\hat g = \partial L/\partial y \odot \gamma`:

    .. math::
        \frac{\partial L}{\partial x} = r\,\big(\hat g - \hat x\,
        \overline{\hat g \odot \hat x}\big), \qquad
        \frac{\partial L}{\partial \gamma} = \sum_{\text{batch}}
        \frac{\partial L}{\partial y} \odot \hat x

    Returns:
        ``(grad_input, grad_weight)``; ``grad_weight`` is ``None`` without a weight.
    """
    x, shape, _, w, eps = _rms_norm_setup(input, normalized_shape, weight, eps)
    size = math.prod(shape)
    rows = _per_row(x, size)
    g_rows = _per_row(_grad_output(grad_output, x.shape), size)
    inv_rms = 1.0 / np.sqrt(np.einsum("pm,pm->p", rows, rows) / size + eps)
    x_hat = rows * inv_rms[:, None]
    grad_xhat, grad_w, _ = _row_affine_backward(g_rows, x_hat, w, None, shape)
    mean_gx = np.einsum("pm,pm->p", grad_xhat, x_hat) / size
    grad_x = x_hat  # reuse the buffer: r * (g_hat - x_hat * mean(g_hat * x_hat))
    grad_x *= -mean_gx[:, None]
    grad_x += grad_xhat
    grad_x *= inv_rms[:, None]
    return _cast(grad_x.reshape(x.shape), x), _cast(grad_w, w)


# --------------------------------------------------------------------------------------
# group norm and instance norm


def _group_norm_setup(input, num_groups, weight, bias, eps):
    x = _as_input(input, min_ndim=2)
    if isinstance(num_groups, bool) or not isinstance(num_groups, (int, np.integer)):
        raise TypeError(f"num_groups must be an int; got {type(num_groups).__name__}")
    channels = x.shape[1]
    if num_groups <= 0:
        raise ValueError(f"num_groups must be > 0; got {num_groups}")
    if channels % num_groups:
        raise ValueError(
            f"num_groups={num_groups} must divide the number of channels C={channels} "
            f"(input of shape {x.shape})"
        )
    if x.shape[0] * (channels // num_groups) * int(np.prod(x.shape[2:])) == 1:
        # torch's check (F.group_norm -> _verify_batch_size on (N*C/G, G, *spatial)).
        raise ValueError(
            "Expected more than 1 value per channel when training, got input size "
            f"{x.shape} with num_groups={num_groups} (one value per group)"
        )
    what = f"one entry per channel, C={channels}"
    w = _param(weight, "weight", (channels,), what)
    b = _param(bias, "bias", (channels,), what)
    return x, int(num_groups), w, b, _check_eps(eps)


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> Array:
    r"""Group normalization (mirrors ``torch.nn.functional.group_norm``).

    .. math::
        y_{n,c} = \frac{x_{n,c} - \mu_{n,g(c)}}{\sqrt{\sigma^2_{n,g(c)} + \epsilon}}
        \gamma_c + \beta_c

    where group :math:`g` holds :math:`C/G` consecutive channels and the statistics run over
    those channels and every spatial position of sample :math:`n` (biased variance).
    ``num_groups=1`` normalizes each sample over (C, *spatial); ``num_groups=C`` is
    instance normalization with an affine map.

    Args:
        input: (N, C, *spatial).
        num_groups: G, a positive divisor of C.
        weight, bias: (C,) or ``None``.
        eps: added to the variance (>= 0).

    Example:
        >>> group_norm(np.array([[1.0, 3.0, 10.0, 30.0]]), 2, eps=0.0)
        array([[-1.,  1., -1.,  1.]])
    """
    x, groups, w, b, eps = _group_norm_setup(input, num_groups, weight, bias, eps)
    if x.size == 0:  # an empty batch (N = 0) or empty spatial dims: torch returns it as is
        return np.empty_like(x)
    n, c = x.shape[:2]
    group_size = c // groups * int(np.prod(x.shape[2:]))
    rows = _per_row(x, group_size)  # one row per (sample, group)
    y = rows - rows.mean(axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(np.einsum("pm,pm->p", y, y) / group_size + eps)
    scale = inv_std.reshape(n, groups, 1)  # per (sample, group) ...
    if w is not None:
        scale = scale * _f64(w).reshape(groups, -1)  # ... times gamma_c: one pass for both
    per_channel = y.reshape(n, groups, c // groups, -1)  # a view of y
    per_channel *= scale[..., None]
    y3 = _channel_affine_(y.reshape(n, c, -1), None, b)
    return y3.reshape(x.shape).astype(x.dtype, copy=False)


def group_norm_backward(
    grad_output, input, num_groups: int, weight=None, bias=None, eps: float = 1e-5
) -> Grads3:
    r"""Gradients of :func:`group_norm` w.r.t. input, weight and bias.

    The standardization backward of :mod:`solutions.norm` applied per (sample, group):

    .. math::
        \frac{\partial L}{\partial x} = \frac{1}{\sqrt{\sigma^2_{n,g}+\epsilon}}
        \big(\hat g - \overline{\hat g} - \hat x\, \overline{\hat g \odot \hat x}\big),
        \quad \frac{\partial L}{\partial \gamma_c} = \sum_{n,\text{spatial}}
        \frac{\partial L}{\partial y} \odot \hat x, \quad
        \frac{\partial L}{\partial \beta_c} = \sum_{n,\text{spatial}}
        \frac{\partial L}{\partial y}

    Returns:
        ``(grad_input, grad_weight, grad_bias)``; ``None`` for an absent weight or bias.
    """
    x, groups, w, b, eps = _group_norm_setup(input, num_groups, weight, bias, eps)
    group_size = x.shape[1] // groups * int(np.prod(x.shape[2:]))
    g = _grad_output(grad_output, x.shape)
    if x.size == 0:  # nothing to normalize: every gradient is 0
        return np.zeros_like(x), _zeros_or_none(w), _zeros_or_none(b)
    g3 = _per_channel(g)
    x_hat, _, _, inv_std = _standardize_rows(_per_row(x, group_size), eps)
    grad_xhat, grad_w, grad_b = _channel_affine_backward(g3, x_hat.reshape(g3.shape), w, b)
    grad_x = _standardize_rows_backward(grad_xhat.reshape(-1, group_size), x_hat, inv_std)
    return _cast(grad_x.reshape(x.shape), x), _cast(grad_w, w), _cast(grad_b, b)


def _instance_norm_setup(input, running_mean, running_var, weight, bias, use_input_stats, eps):
    x = _as_input(input, min_ndim=2)
    channels = x.shape[1]
    mode = "when use_input_stats=False"
    rm, rv = _running_stats(
        running_mean, running_var, channels, needed=not use_input_stats, mode=mode
    )
    what = f"one entry per channel, C={channels}"
    w = _param(weight, "weight", (channels,), what)
    b = _param(bias, "bias", (channels,), what)
    if use_input_stats and int(np.prod(x.shape[2:])) == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {x.shape}"
        )
    return x, rm, rv, w, b, _check_eps(eps)


def instance_norm(
    input,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Array:
    r"""Instance normalization (mirrors ``torch.nn.functional.instance_norm``).

    .. math::
        y_{n,c} = \frac{x_{n,c} - \mu_{n,c}}{\sqrt{\sigma^2_{n,c} + \epsilon}}\gamma_c
        + \beta_c, \qquad
        \hat\mu \leftarrow (1-m)\hat\mu + m\,\frac1N\sum_n \mu_{n,c}, \quad
        \hat\sigma^2 \leftarrow (1-m)\hat\sigma^2 + m\,\frac1N\sum_n
        \frac{s}{s-1}\sigma^2_{n,c}

    with the mean and biased variance over the :math:`s` spatial positions of each
    (sample, channel). With ``use_input_stats=True`` the running statistics, when given, are
    updated in place with the batch average of the per-instance statistics (unbiased
    variance), exactly as torch does; with ``use_input_stats=False`` the running statistics
    normalize instead (like :func:`batch_norm` in evaluation mode).

    Args:
        input: (N, C, *spatial) with more than one spatial element when
            ``use_input_stats``.
        running_mean, running_var: (C,) numpy arrays or ``None``.
        weight, bias: (C,) or ``None``.
        use_input_stats: normalize with the per-instance statistics.
        momentum: weight :math:`m` of the new statistic in the running update.
        eps: added to the variance (>= 0).

    Example:
        >>> instance_norm(np.array([[[1.0, 3.0], [10.0, 30.0]]]), eps=0.0)
        array([[[-1.,  1.],
                [-1.,  1.]]])
    """
    x, rm, rv, w, b, eps = _instance_norm_setup(
        input, running_mean, running_var, weight, bias, use_input_stats, eps
    )
    x3 = _per_channel(x)
    n, c, spatial = x3.shape
    if use_input_stats:
        momentum = _check_momentum(momentum)
        x_hat, mean, var, _ = _standardize_rows(x3.reshape(n * c, spatial), eps)
        y3 = x_hat.reshape(x3.shape)
        if rm is not None:
            mean_c = mean.reshape(n, c).mean(axis=0)
            var_c = var.reshape(n, c).mean(axis=0) * (spatial / (spatial - 1))
            _update_running_(running_mean, "running_mean", mean_c, momentum)
            _update_running_(running_var, "running_var", var_c, momentum)
    else:
        y3, _ = _normalize_with_running_stats(x3, rm, rv, eps, w)
        w = None  # already applied
    return _channel_affine_(y3, w, b).reshape(x.shape).astype(x.dtype, copy=False)


def instance_norm_backward(
    grad_output,
    input,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Grads3:
    r"""Gradients of :func:`instance_norm` w.r.t. input, weight and bias.

    With input statistics, the standardization backward per (sample, channel):

    .. math::
        \frac{\partial L}{\partial x} = \frac{1}{\sqrt{\sigma^2_{n,c}+\epsilon}}
        \big(\hat g - \overline{\hat g} - \hat x\,\overline{\hat g \odot \hat x}\big)

    (bars: means over the spatial positions); with running statistics,
    :math:`\partial L/\partial x = \hat g/\sqrt{\hat\sigma^2+\epsilon}`. The running
    statistics are never updated here.

    Returns:
        ``(grad_input, grad_weight, grad_bias)``; ``None`` for an absent weight or bias.
    """
    x, rm, rv, w, b, eps = _instance_norm_setup(
        input, running_mean, running_var, weight, bias, use_input_stats, eps
    )
    x3 = _per_channel(x)
    g3 = _per_channel(_grad_output(grad_output, x.shape))
    n, c, spatial = x3.shape
    if use_input_stats:
        x_hat, _, _, inv_std = _standardize_rows(x3.reshape(n * c, spatial), eps)
        x_hat = x_hat.reshape(x3.shape)
    else:
        x_hat, inv_std = _normalize_with_running_stats(x3, rm, rv, eps)
    grad_xhat, grad_w, grad_b = _channel_affine_backward(g3, x_hat, w, b)
    if use_input_stats:
        rows = (n * c, spatial)
        grad_x = _standardize_rows_backward(grad_xhat.reshape(rows), x_hat.reshape(rows), inv_std)
    else:
        grad_x = grad_xhat * inv_std[:, None]
    return _cast(grad_x.reshape(x.shape), x), _cast(grad_w, w), _cast(grad_b, b)


# --------------------------------------------------------------------------------------
# residual blocks


def _sublayer_output(sublayer: Callable, h: Array, like: Array) -> Array:
    out = np.asarray(sublayer(h))
    if out.shape != like.shape:
        raise ValueError(
            f"sublayer must return an array of the input's shape {like.shape}; got {out.shape}"
        )
    return out


def _check_callables(sublayer, norm) -> None:
    for name, fn in (("sublayer", sublayer), ("norm", norm)):
        if not callable(fn):
            raise TypeError(f"{name} must be callable; got {type(fn).__name__}")


def post_norm_residual(x, sublayer: Callable, norm: Callable) -> Array:
    r"""Post-norm residual block (original Transformer): normalize *after* the addition.

    .. math:: x_{l+1} = \mathrm{Norm}\big(x_l + F(x_l)\big)

    Every block's output is normalized, but the gradient to earlier layers must pass through
    every norm on the way, which makes deep post-norm stacks hard to train without warm-up.

    Args:
        x: the block's input.
        sublayer: :math:`F`, e.g. attention or a feed-forward network; returns x's shape.
        norm: e.g. ``lambda h: layer_norm(h, h.shape[-1:])``.

    Example:
        >>> ln = lambda h: layer_norm(h, h.shape[-1:])
        >>> post_norm_residual(np.array([[1.0, 2.0]]), lambda h: 2 * h, ln).round(3)
        array([[-1.,  1.]])
    """
    _check_callables(sublayer, norm)
    x = np.asarray(x)
    return norm(x + _sublayer_output(sublayer, x, x))


def pre_norm_residual(x, sublayer: Callable, norm: Callable) -> Array:
    r"""Pre-norm residual block (GPT-2 and later): normalize the sublayer's *input*.

    .. math:: x_{l+1} = x_l + F\big(\mathrm{Norm}(x_l)\big)

    The identity path :math:`x_l \to x_{l+1}` carries the gradient unchanged
    (:math:`\partial x_{l+1}/\partial x_l = I + \ldots`), so deep stacks train stably, but
    the residual stream's magnitude grows with depth.

    Example:
        >>> ln = lambda h: layer_norm(h, h.shape[-1:])
        >>> pre_norm_residual(np.array([[1.0, 2.0]]), lambda h: 2 * h, ln).round(3)
        array([[-1.,  4.]])
    """
    _check_callables(sublayer, norm)
    x = np.asarray(x)
    return x + _sublayer_output(sublayer, norm(x), x)


def deepnorm_residual(x, sublayer: Callable, norm: Callable, alpha: float) -> Array:
    r"""DeepNorm residual block {cite}`wang2022deepnet`: post-norm with an up-weighted skip.

    .. math:: x_{l+1} = \mathrm{LN}\big(\alpha\, x_l + G_l(x_l, \theta_l)\big)

    with :math:`\alpha > 1` from :func:`deepnorm_constants`, and the weights of the
    feed-forward network and of the attention value and output projections in
    :math:`G_l` initialized with Xavier normal scaled by :math:`\beta` (gain
    :math:`\beta`). ``alpha=1`` is :func:`post_norm_residual`.

    Example:
        >>> ln = lambda h: layer_norm(h, h.shape[-1:])
        >>> deepnorm_residual(np.array([[1.0, 2.0]]), lambda h: -h, ln, alpha=2.0).round(3)
        array([[-1.,  1.]])
    """
    _check_callables(sublayer, norm)
    if isinstance(alpha, bool) or not np.isfinite(alpha) or alpha <= 0:
        raise ValueError(f"alpha must be a finite number > 0; got {alpha!r}")
    x = np.asarray(x)
    return norm(alpha * x + _sublayer_output(sublayer, x, x))


class DeepNormConstants(NamedTuple):
    """DeepNorm's residual weight ``alpha`` and initialization gain ``beta`` of one stack."""

    alpha: float
    beta: float


def deepnorm_constants(
    num_encoder_layers: int, num_decoder_layers: int
) -> tuple[DeepNormConstants | None, DeepNormConstants | None]:
    r"""DeepNorm's :math:`(\alpha, \beta)` for an N-layer encoder and an M-layer decoder.

    From Wang et al. 2022, *DeepNet: Scaling Transformers to 1,000 Layers*
    (arXiv:2203.00555, Figure 2 / Table 1) {cite}`wang2022deepnet`:

    ============================  ===============================  =================================
    architecture                  encoder :math:`(\alpha, \beta)`  decoder :math:`(\alpha, \beta)`
    ============================  ===============================  =================================
    encoder-only (M = 0)          :math:`(2N)^{1/4},\ (8N)^{-1/4}` --
    decoder-only (N = 0)          --                               :math:`(2M)^{1/4},\ (8M)^{-1/4}`
    encoder-decoder               :math:`0.81 (N^4 M)^{1/16},`     :math:`(3M)^{1/4},\ (12M)^{-1/4}`
                                  :math:`0.87 (N^4 M)^{-1/16}`
    ============================  ===============================  =================================

    Args:
        num_encoder_layers: N >= 0 (0 for a decoder-only model).
        num_decoder_layers: M >= 0 (0 for an encoder-only model); not both 0.

    Returns:
        ``(encoder, decoder)``: a :class:`DeepNormConstants` per stack, ``None`` for an
        absent stack (the same layout as xFormers' ``get_deepnorm_coefficients``).

    Example:
        >>> enc, dec = deepnorm_constants(8, 0)
        >>> round(enc.alpha, 6), round(enc.beta, 6), dec
        (2.0, 0.353553, None)
    """
    n, m = num_encoder_layers, num_decoder_layers
    for name, value in (("num_encoder_layers", n), ("num_decoder_layers", m)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be an int >= 0; got {value!r}")
    if n == 0 and m == 0:
        raise ValueError("at least one of num_encoder_layers and num_decoder_layers must be > 0")
    if m == 0:
        return DeepNormConstants((2 * n) ** 0.25, (8 * n) ** -0.25), None
    if n == 0:
        return None, DeepNormConstants((2 * m) ** 0.25, (8 * m) ** -0.25)
    n, m = float(n), float(m)
    encoder = DeepNormConstants(0.81 * (n**4 * m) ** (1 / 16), 0.87 * (n**4 * m) ** (-1 / 16))
    decoder = DeepNormConstants((3 * m) ** 0.25, (12 * m) ** -0.25)
    return encoder, decoder
