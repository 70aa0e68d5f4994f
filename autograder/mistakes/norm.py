"""Known mistakes of chapter 02 (normalization). Instructor material: see autograder/mistakes."""

import numpy as np

from autograder.mistakes import mistake
from solutions import norm as _correct


def _bn_axes(x):
    """The axes BatchNorm reduces over, and the shape that lines a per-channel vector up with
    ``x`` (channels on axis 1)."""
    return (0,) + tuple(range(2, x.ndim)), (1, -1) + (1,) * (x.ndim - 2)


def _bn_affine(y, weight, bias):
    """``y * weight + bias`` per channel, each optional."""
    _, shape = _bn_axes(y)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def _bn_normalised(input, mean, var, weight, bias, scale):
    """BatchNorm's output from the per-channel ``mean`` and ``var``, dividing by
    ``scale(var)`` where the reference divides by sqrt(var + eps)."""
    _, shape = _bn_axes(input)
    y = (input - mean.reshape(shape)) / scale(var.reshape(shape))
    return _bn_affine(y, weight, bias).astype(input.dtype)


@mistake(
    "norm.batch_norm",
    "bn-minus-eps",
    anchor="err-bn-eps-sign",
    sentence="eps is added to the variance, (x - mean) / sqrt(var + eps), to keep the division "
    "away from 0; subtracting it gives NaN on a constant channel.",
)
def batch_norm__minus_eps(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training=False,
    momentum=0.1,
    eps=1e-05,
):
    before = (None, None) if running_mean is None else (running_mean.copy(), running_var.copy())
    _correct.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    axes, _ = _bn_axes(input)
    if training or before[0] is None:
        mean, var = input.mean(axis=axes), input.var(axis=axes)
    else:
        mean, var = before
    return _bn_normalised(input, mean, var, weight, bias, lambda v: np.sqrt(v - eps))


@mistake(
    "norm.batch_norm",
    "bn-unbiased-normalisation",
    anchor="mistake-bn-variance",
    sentence="BatchNorm normalises with the biased batch variance (divide by N); the unbiased "
    "N/(N-1) version is only what the running variance is updated with.",
)
def batch_norm__unbiased_normalisation(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training=False,
    momentum=0.1,
    eps=1e-05,
):
    out = _correct.batch_norm(
        input, running_mean, running_var, weight, bias, training, momentum, eps
    )
    if not training:
        return out
    axes, _ = _bn_axes(input)
    n = input.size // input.shape[1]
    mean, var = input.mean(axis=axes), input.var(axis=axes)
    return _bn_normalised(input, mean, var, weight, bias, lambda v: np.sqrt(v * n / (n - 1) + eps))


@mistake(
    "norm.batch_norm",
    "bn-running-var-biased",
    anchor="mistake-bn-variance",
    sentence="The running variance is updated with the unbiased batch variance, var * N/(N-1) "
    "(torch's convention), while the output is normalised with the biased one.",
)
def batch_norm__running_var_biased(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training=False,
    momentum=0.1,
    eps=1e-05,
):
    before = None if running_var is None else running_var.copy()
    out = _correct.batch_norm(
        input, running_mean, running_var, weight, bias, training, momentum, eps
    )
    if training and before is not None and momentum is not None:
        axes, _ = _bn_axes(input)
        running_var[...] = (1 - momentum) * before + momentum * input.var(axis=axes)
    return out


@mistake(
    "norm.batch_norm",
    "bn-batch-stats-at-eval",
    anchor="err-bn-inference",
    sentence="In evaluation mode (training=False) BatchNorm normalises with the running mean "
    "and variance, not with the statistics of the batch it is given.",
)
def batch_norm__batch_stats_at_eval(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training=False,
    momentum=0.1,
    eps=1e-05,
):
    if training:
        return _correct.batch_norm(
            input, running_mean, running_var, weight, bias, training, momentum, eps
        )
    return _correct.batch_norm(input, None, None, weight, bias, True, momentum, eps)


@mistake(
    "norm.batch_norm_backward",
    "bn-backward-missing-term",
    anchor="mistake-bn-backward",
    sentence="In training mode the mean and variance depend on x too: dx = (N dx_hat - "
    "sum dx_hat - x_hat sum(dx_hat x_hat)) / (N sqrt(var + eps)); your backward misses the "
    "x_hat sum(dx_hat x_hat) term that comes from the variance.",
)
def batch_norm_backward__missing_term(
    grad_output,
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training=False,
    momentum=0.1,
    eps=1e-05,
):
    axes, shape = _bn_axes(input)
    if training:
        mean = input.mean(axis=axes, keepdims=True)
        var = input.var(axis=axes, keepdims=True)
    else:
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (input - mean) * inv_std
    gamma = np.ones(input.shape[1], input.dtype) if weight is None else weight
    dx_hat = grad_output * gamma.reshape(shape)
    if training:
        n = input.size // input.shape[1]
        dx = (n * dx_hat - dx_hat.sum(axis=axes, keepdims=True)) * inv_std / n
    else:
        dx = dx_hat * inv_std
    if weight is None:
        return dx.astype(input.dtype), None, None
    return (
        dx.astype(input.dtype),
        (grad_output * x_hat).sum(axis=axes).astype(input.dtype),
        grad_output.sum(axis=axes).astype(input.dtype),
    )


@mistake(
    "norm.group_norm",
    "norm-divides-by-variance",
    anchor="err-ln-divide-std",
    sentence="Normalising divides by the standard deviation sqrt(var + eps), not by the variance.",
)
def group_norm__divides_by_variance(input, num_groups, weight=None, bias=None, eps=1e-05):
    n = input.shape[0]
    x = input.reshape(n, num_groups, -1)
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    out = ((x - mean) / (var + eps)).reshape(input.shape)
    return _bn_affine(out, weight, bias).astype(input.dtype)
