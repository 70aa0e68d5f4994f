# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Alternative correct implementations: GELU as x * Phi(x) with scipy's normal CDF (ndtr),
# the sigmoid as (1 + tanh(x / 2)) / 2, softplus through np.logaddexp. Full marks.
# EXPECT: {}
import math

import numpy as np
from scipy.special import ndtr


def gelu(input, approximate="none"):
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (input + 0.044715 * input**3)
        with np.errstate(over="ignore"):
            return (0.5 * input * (1 + np.tanh(inner))).astype(input.dtype)
    return (input * ndtr(input)).astype(input.dtype)


def sigmoid(input):
    return (0.5 * (1 + np.tanh(input / 2))).astype(input.dtype)


def softplus(input, beta=1.0, threshold=20.0):
    bx = beta * input
    soft = np.logaddexp(np.zeros_like(bx), bx) / beta
    return np.where(bx > threshold, input, soft).astype(input.dtype)
