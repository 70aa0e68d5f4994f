# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (norm): BatchNorm with sqrt(var - eps). Off by a relative ~eps/var, beyond the
# float64 tolerance (and NaN on the hidden nearly constant channel); within the float32
# tolerance, so only the two float32 groups pass: 2 of 11 groups of 3.
# EXPECT: {"norm.batch_norm": 0.545455}
import numpy as np


def batch_norm(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training=False,
    momentum=0.1,
    eps=1e-05,
):
    axes = (0,) + tuple(range(2, input.ndim))
    shape = (1, -1) + (1,) * (input.ndim - 2)
    if training:
        mean, var = input.mean(axis=axes), input.var(axis=axes)
        n = input.size // input.shape[1]
        if running_mean is not None:
            running_mean[...] = (1 - momentum) * running_mean + momentum * mean
            running_var[...] = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    with np.errstate(invalid="ignore"):
        out = (input - mean.reshape(shape)) / np.sqrt(var.reshape(shape) - eps)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out.astype(input.dtype)
