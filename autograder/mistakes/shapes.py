"""Known mistakes of chapter 10 (shapes and capacity). Instructor material: see
autograder/mistakes."""

import math

import numpy as np

from autograder.mistakes import mistake
from solutions import shapes as _correct


@mistake(
    "shapes.conv2d_backward",
    "conv-weight-grad-one-sample",
    anchor="mistake-conv-weight-grad",
    sentence="The weight is shared by every sample of the batch, so its gradient sums the "
    "correlations of grad_output with the input over all N samples, not just the first.",
)
def conv2d_backward__first_sample(
    grad_output, input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1
):
    grad_x, grad_w, grad_b = _correct.conv2d_backward(
        grad_output, input, weight, bias, stride, padding, dilation, groups
    )
    if np.ndim(input) == 4:
        _, grad_w, _ = _correct.conv2d_backward(
            grad_output[:1], input[:1], weight, bias, stride, padding, dilation, groups
        )
    return grad_x, grad_w, grad_b


@mistake(
    "shapes.cover_count",
    "cover-forgets-bias",
    anchor="mistake-cover-bias",
    sentence="An affine classifier w.x + b in d dimensions has d + 1 parameters: Cover's "
    "count is 2 sum_{k<=d} binom(N-1, k), yours counts hyperplanes through the origin.",
)
def cover_count__no_bias(n_points, dim):
    return 2 * sum(math.comb(n_points - 1, k) for k in range(dim))


@mistake(
    "shapes.pool_output_shape",
    "pool-ceil-window-in-padding",
    anchor="mistake-pool-ceil",
    sentence="With ceil_mode=True torch drops a last window that would start inside the right "
    "padding: out = ceil(...) + 1, minus 1 when (out - 1) * stride >= L + padding.",
)
def pool_output_shape__ceil_without_rule(
    input_shape, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False
):
    dims = len(input_shape) - 2

    def axis(v):
        return tuple(v) if isinstance(v, tuple | list) else (v,) * dims

    k, p, d = axis(kernel_size), axis(padding), axis(dilation)
    s = k if stride is None else axis(stride)
    out = []
    for n, ki, si, pi, di in zip(input_shape[2:], k, s, p, d, strict=True):
        span = (n + 2 * pi - di * (ki - 1) - 1) / si
        out.append((math.ceil(span) if ceil_mode else math.floor(span)) + 1)
    return (input_shape[0], input_shape[1], *out)


@mistake(
    "shapes.receptive_field",
    "rf-jump-updated-first",
    anchor="mistake-rf-jump",
    sentence="A layer's taps are spaced by the jump of the layers before it: grow the field "
    "by d (k - 1) times the previous jump, then multiply the jump by this layer's stride.",
)
def receptive_field__jump_first(layers):
    size, jump, centre = 1, 1, 0.0
    for layer in layers:
        k = layer["kernel_size"]
        s, p, d = layer.get("stride", 1), layer.get("padding", 0), layer.get("dilation", 1)
        span = d * (k - 1)
        jump = jump * s
        size = size + span * jump
        centre = centre + (span / 2 - p) * jump
    return size, jump, centre
