# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Forward differences (f(x+h) - f(x))/h: O(h) truncation error, so a correct backward shows
# a relative error far above 1e-6 ("correct backward" groups lost, and "step h"): 3 of 5 groups.
# EXPECT: {"backprop.gradient_check": 1.2}
import numpy as np


def gradient_check(f, f_backward, inputs, *, wrt=None, kwargs=None, h=1e-06, seed=0):
    kwargs = kwargs or {}
    wrt = [0] if wrt is None else list(wrt)
    out = np.asarray(f(*inputs, **kwargs), dtype=np.float64)
    r = np.random.default_rng(seed).standard_normal(out.shape)
    analytic = f_backward(r, *inputs, **kwargs)
    analytic = analytic if isinstance(analytic, tuple) else (analytic,)
    errors = []
    for grad, i in zip(analytic, wrt):
        args = [np.array(a, dtype=np.float64) for a in inputs]
        x = args[i]
        base = float(np.sum(r * f(*args, **kwargs)))
        numeric = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            x[j] += 1e-3
            numeric[j] = (float(np.sum(r * f(*args, **kwargs))) - base) / 1e-3
            x[j] -= 1e-3
        grad = np.asarray(grad)
        errors.append(
            float(np.max(np.abs(grad - numeric) / np.maximum(np.abs(grad) + np.abs(numeric), 1e-8)))
        )
    return errors
