# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ceil_mode rounds up but keeps a last window that would start inside the right padding
# (torch drops it). Only the hidden ceil_mode group has such a window (L=5, k=2, s=2, p=1:
# 4 instead of 3): 1 of 9 groups lost.
# EXPECT: {"shapes.pool_output_shape": 2.6666667}
import math


def pool_output_shape(input_shape, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    dims = len(input_shape) - 2

    def axis(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v,) * dims

    k, p, d = axis(kernel_size), axis(padding), axis(dilation)
    s = k if stride is None else axis(stride)
    out = []
    for n, ki, si, pi, di in zip(input_shape[2:], k, s, p, d):
        span = (n + 2 * pi - di * (ki - 1) - 1) / si
        out.append((math.ceil(span) if ceil_mode else math.floor(span)) + 1)
    return (input_shape[0], input_shape[1], *out)
