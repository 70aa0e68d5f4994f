"""Known mistakes of chapter 03 (activations). Instructor material: see autograder/mistakes."""

import numpy as np
from scipy.special import erf

from autograder.mistakes import mistake
from solutions import activations as _correct


@mistake(
    "activations.gelu",
    "gelu-erf-without-sqrt2",
    anchor="err-gelu-erf",
    sentence="GELU is x Phi(x) = x (1 + erf(x / sqrt 2)) / 2: your erf is missing the "
    "division by sqrt 2.",
)
def gelu__erf_without_sqrt2(input, approximate="none"):
    if approximate == "tanh":
        return _correct.gelu(input, approximate="tanh")
    return (0.5 * input * (1 + erf(input))).astype(input.dtype)


def _naive_softmax(input, dim, dtype, temperature):
    z = np.asarray(input, dtype=dtype) / temperature
    e = np.exp(z)
    return e / e.sum(axis=dim, keepdims=True)


@mistake(
    "activations.log_softmax",
    "softmax-overflow",
    anchor="err-softmax-stability",
    sentence="exp overflows for large logits (x > 88.7 in float32, 709.8 in float64) and "
    "gives inf/inf = NaN: subtract the maximum along dim before exponentiating (log-sum-exp).",
)
def log_softmax__no_max_subtraction(input, dim, dtype=None, *, temperature=1.0):
    z = np.asarray(input, dtype=dtype) / temperature
    return z - np.log(np.exp(z).sum(axis=dim, keepdims=True))


@mistake(
    "activations.softmax_backward",
    "softmax-backward-overflow",
    anchor="err-softmax-stability",
    sentence="The softmax inside your backward overflows for large logits and gives NaN: "
    "compute it with the maximum along dim subtracted first.",
)
def softmax_backward__no_max_subtraction(grad_output, input, dim, dtype=None, *, temperature=1.0):
    s = _naive_softmax(input, dim, dtype, temperature)
    g = np.asarray(grad_output, dtype=s.dtype)
    grad = s * (g - (g * s).sum(axis=dim, keepdims=True)) / temperature
    return grad.astype(np.asarray(input).dtype)


@mistake(
    "activations.log_softmax_backward",
    "log-softmax-backward-overflow",
    anchor="err-softmax-stability",
    sentence="The softmax inside your backward overflows for large logits and gives NaN: "
    "compute it with the maximum along dim subtracted first.",
)
def log_softmax_backward__no_max_subtraction(
    grad_output, input, dim, dtype=None, *, temperature=1.0
):
    s = _naive_softmax(input, dim, dtype, temperature)
    g = np.asarray(grad_output, dtype=s.dtype)
    grad = (g - s * g.sum(axis=dim, keepdims=True)) / temperature
    return grad.astype(np.asarray(input).dtype)


@mistake(
    "activations.log_softmax",
    "softmax-wrong-axis",
    anchor="mistake-softmax-axis",
    sentence="Your log-softmax normalises over the last axis whatever dim says: the sum over "
    "classes must run along dim (axis 1 for an (N, C, ...) batch), so that exp of each "
    "slice along dim sums to 1.",
)
def log_softmax__last_axis(input, dim, dtype=None, *, temperature=1.0):
    return _correct.log_softmax(input, -1, dtype, temperature=temperature)


@mistake(
    "activations.leaky_relu",
    "leaky-relu-branches-swapped",
    anchor="mistake-leaky-branches",
    sentence="The slope belongs to the negative inputs: leaky_relu(x) = x for x > 0 and "
    "negative_slope * x otherwise, not the other way round.",
)
def leaky_relu__branches_swapped(input, negative_slope=0.01):
    return np.where(input > 0, negative_slope * input, input)
