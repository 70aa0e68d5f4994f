# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (norm): "minus the mean, divided by the variance" (LN/IN/GN note): GroupNorm
# dividing by var + eps instead of sqrt(var + eps). Every group fails: 0 of 2.
# EXPECT: {"norm.group_norm": 0}
import numpy as np


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    n, c = input.shape[:2]
    x = input.reshape(n, num_groups, -1)
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    out = ((x - mean) / (var + eps)).reshape(input.shape)
    shape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out.astype(input.dtype)
