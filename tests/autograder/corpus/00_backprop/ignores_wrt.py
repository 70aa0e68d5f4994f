# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Ignores wrt and returns one error only: every two-input case has the wrong length.
# The four correct/buggy backward groups have a two-input case and are lost; the "step h"
# group checks one input only and passes: 4 of 5 groups lost.
# EXPECT: {"backprop.gradient_check": 0.6}
import numpy as np


def gradient_check(f, f_backward, inputs, *, wrt=None, kwargs=None, h=1e-06, seed=0):
    kwargs = kwargs or {}
    out = np.asarray(f(*inputs, **kwargs), dtype=np.float64)
    r = np.random.default_rng(seed).standard_normal(out.shape)
    grad = f_backward(r, *inputs, **kwargs)
    grad = np.asarray(grad[0] if isinstance(grad, tuple) else grad)
    x = np.array(inputs[0], dtype=np.float64)
    numeric = np.zeros_like(x)
    for j in np.ndindex(x.shape):
        s = x[j]
        x[j] = s + h
        plus = float(np.sum(r * f(x, *inputs[1:], **kwargs)))
        x[j] = s - h
        minus = float(np.sum(r * f(x, *inputs[1:], **kwargs)))
        x[j] = s
        numeric[j] = (plus - minus) / (2 * h)
    return [
        float(np.max(np.abs(grad - numeric) / np.maximum(np.abs(grad) + np.abs(numeric), 1e-8)))
    ]
