# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (activations): gelu(z) = z (1 + erf(z)) / 2 instead of erf(z / sqrt 2). The tanh
# approximation is right, and at |z| ~ 1e4 both erf are +-1, so the approximate="tanh"
# groups and the extreme group survive: loses basic, float32 and shapes, 3 of 6 groups.
# EXPECT: {"activations.gelu": 0.5}
import math

import numpy as np
from scipy.special import erf


def gelu(input, approximate="none"):
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (input + 0.044715 * input**3)
        with np.errstate(over="ignore"):
            return (0.5 * input * (1 + np.tanh(inner))).astype(input.dtype)
    return (0.5 * input * (1 + erf(input))).astype(input.dtype)
