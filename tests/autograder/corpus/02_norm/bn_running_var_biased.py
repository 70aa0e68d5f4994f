# ruff: noqa  (a student submission: names come from the rest of the notebook)
# BatchNorm updating the running variance with the biased batch variance (no n/(n-1)).
# The output is right, but every training case's running_var differs; evaluation mode
# updates nothing, so only the two "eval" groups pass: 2 of 11 groups of 3.
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
        if running_mean is not None:
            running_mean[...] = (1 - momentum) * running_mean + momentum * mean
            running_var[...] = (1 - momentum) * running_var + momentum * var  # biased
    else:
        mean, var = running_mean, running_var
    out = (input - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out.astype(input.dtype)
