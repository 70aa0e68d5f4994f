"""Known mistakes of chapter 00 (backpropagation and gradient checking). Instructor
material: see autograder/mistakes."""

import numpy as np

from autograder.mistakes import mistake


def _relative_errors(f, f_backward, inputs, wrt, kwargs, seed, numeric_of):
    kwargs = kwargs or {}
    wrt = [0] if wrt is None else list(wrt)
    out = np.asarray(f(*inputs, **kwargs), dtype=np.float64)
    r = np.random.default_rng(seed).standard_normal(out.shape)
    analytic = f_backward(r, *inputs, **kwargs)
    analytic = analytic if isinstance(analytic, tuple) else (analytic,)
    errors = []
    for grad, i in zip(analytic, wrt, strict=False):
        args = [np.array(a, dtype=np.float64) for a in inputs]

        def loss(args=args):
            return float(np.sum(r * f(*args, **kwargs)))

        numeric = numeric_of(loss, args[i])
        grad = np.asarray(grad)
        scale = np.maximum(np.abs(grad) + np.abs(numeric), 1e-8)
        errors.append(float(np.max(np.abs(grad - numeric) / scale)))
    return errors


@mistake(
    "backprop.gradient_check",
    "central-difference-over-h",
    anchor="mistake-gradient-check",
    sentence="The central difference (f(x + h) - f(x - h)) spans 2h: divide by 2h, or every "
    "numerical gradient is twice too large.",
)
def gradient_check__divides_by_h(f, f_backward, inputs, *, wrt=None, kwargs=None, h=1e-06, seed=0):
    def numeric_of(loss, x):
        out = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            x[j] += h
            plus = loss()
            x[j] -= 2 * h
            minus = loss()
            x[j] += h
            out[j] = (plus - minus) / h
        return out

    return _relative_errors(f, f_backward, inputs, wrt, kwargs, seed, numeric_of)


@mistake(
    "backprop.gradient_check",
    "forward-difference",
    anchor="mistake-gradient-check",
    sentence="A forward difference (f(x + h) - f(x)) / h has an O(h) error that hides a "
    "correct backward: use the central difference (f(x + h) - f(x - h)) / 2h, error O(h^2).",
)
def gradient_check__forward_difference(
    f, f_backward, inputs, *, wrt=None, kwargs=None, h=1e-06, seed=0
):
    def numeric_of(loss, x):
        out = np.zeros_like(x)
        base = loss()
        for j in np.ndindex(x.shape):
            x[j] += 1e-3
            out[j] = (loss() - base) / 1e-3
            x[j] -= 1e-3
        return out

    return _relative_errors(f, f_backward, inputs, wrt, kwargs, seed, numeric_of)


@mistake(
    "backprop.gradient_check",
    "gradient-check-ignores-wrt",
    anchor="mistake-gradient-check",
    sentence="wrt lists the inputs to check and the result has one relative error per entry "
    "of wrt (in that order, matching the backward's outputs), not just the first input's.",
)
def gradient_check__ignores_wrt(f, f_backward, inputs, *, wrt=None, kwargs=None, h=1e-06, seed=0):
    kwargs = kwargs or {}
    out = np.asarray(f(*inputs, **kwargs), dtype=np.float64)
    r = np.random.default_rng(seed).standard_normal(out.shape)
    grad = f_backward(r, *inputs, **kwargs)
    grad = np.asarray(grad[0] if isinstance(grad, tuple) else grad)
    x = np.array(inputs[0], dtype=np.float64)
    numeric = np.zeros_like(x)
    for j in np.ndindex(x.shape):
        saved = x[j]
        x[j] = saved + h
        plus = float(np.sum(r * f(x, *inputs[1:], **kwargs)))
        x[j] = saved - h
        minus = float(np.sum(r * f(x, *inputs[1:], **kwargs)))
        x[j] = saved
        numeric[j] = (plus - minus) / (2 * h)
    scale = np.maximum(np.abs(grad) + np.abs(numeric), 1e-8)
    return [float(np.max(np.abs(grad - numeric) / scale))]
