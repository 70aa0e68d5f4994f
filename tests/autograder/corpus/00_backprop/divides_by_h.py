# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Central difference divided by h instead of 2h: the numerical gradient is twice too large,
# so a correct backward looks wrong ("correct backward" groups lost, public + hidden) while
# a buggy one still looks buggy, and the "step h" group (a given h) is lost too: 3 of 5 groups
# of 3 points.
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
        numeric = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            x[j] += h
            plus = float(np.sum(r * f(*args, **kwargs)))
            x[j] -= 2 * h
            minus = float(np.sum(r * f(*args, **kwargs)))
            numeric[j] = (plus - minus) / h
            x[j] += h
        grad = np.asarray(grad)
        errors.append(
            float(np.max(np.abs(grad - numeric) / np.maximum(np.abs(grad) + np.abs(numeric), 1e-8)))
        )
    return errors
