"""How a student's callable is driven on one case. Imported inside the sandbox: numpy only,
never ``solutions`` (the same code drives the reference in the trusted parent).

Case values arrive already decoded (arrays, JSON scalars); markers ``{"__rng__": seed}`` and
``{"__fn__": name}`` become a ``numpy.random.Generator`` and a trusted callable here.
"""

from __future__ import annotations

import traceback

import numpy as np


class DriverError(Exception):
    """The student's object does not behave as the exercise's API requires."""


def student_error(exc: BaseException) -> str:
    """``TypeError at line 3 in gelu: ...``: the innermost frame outside the grader."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if not any(
            s in f.filename.replace("\\", "/")
            for s in ("/autograder/", "/site/", "-packages/", "/lib/python")
        )
    ]
    where = f" at line {frames[-1].lineno} in {frames[-1].name}" if frames else ""
    if isinstance(exc, MemoryError):
        return f"out of memory (MemoryError{where})"
    if isinstance(exc, RecursionError):
        return f"RecursionError{where}: infinite recursion?"
    if isinstance(exc, NotImplementedError):
        return "not implemented yet (raises NotImplementedError)"
    msg = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}{where}" + (f": {msg}" if msg else "")


# ------------------------------------------------------------------ trusted callables


def _tanh(x):
    return np.tanh(x)


def _tanh_backward(g, x):
    return g * (1.0 - np.tanh(x) ** 2)


def _tanh_backward_buggy(g, x):
    return g * (1.0 - np.tanh(x))


def _mul(a, b):
    return a * b


def _mul_backward(g, a, b):
    return g * b, g * a


def _mul_backward_swapped(g, a, b):
    return g * a, g * b


def _ema_avg_fn_0_9(averaged, current, num_averaged):
    return 0.9 * averaged + 0.1 * current


CALLABLES = {
    "tanh": _tanh,
    "tanh_backward": _tanh_backward,
    "tanh_backward_buggy": _tanh_backward_buggy,
    "mul": _mul,
    "mul_backward": _mul_backward,
    "mul_backward_swapped": _mul_backward_swapped,
    "ema_avg_fn_0.9": _ema_avg_fn_0_9,
}


def resolve(value):
    """Decode markers and copy arrays (a student mutating an input never affects later cases)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        if set(value) == {"__rng__"}:
            return np.random.default_rng(int(value["__rng__"]))
        if set(value) == {"__fn__"}:
            return CALLABLES[value["__fn__"]]
        return {k: resolve(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(resolve(v) for v in value)
    return value


# ------------------------------------------------------------------ drivers by kind


def _function(fn, args, kwargs, steps):
    return fn(*args, **kwargs)


def _inplace(fn, args, kwargs, steps):
    """A function that may also update its positional array arguments in place (running
    statistics, clipped gradients): the output, then every positional array (or list of
    arrays) as it is after the call."""
    out = fn(*args, **kwargs)
    updated = [
        a
        for a in args
        if isinstance(a, np.ndarray)
        or (isinstance(a, list) and a and all(isinstance(x, np.ndarray) for x in a))
    ]
    return (out, *updated)


def _initializer(fn, args, kwargs, steps):
    array = args[0]
    returned = fn(*args, **kwargs)
    if returned is not array:
        raise DriverError("must fill the given array in place and return that same array")
    return array


def _optimizer(cls, args, kwargs, steps):
    """``args = (params, grads)``: ``grads[i][k]`` is the gradient of param ``i`` at step
    ``k``. Returns each parameter's trajectory, shape ``(steps, *param.shape)``."""
    params, grads = args
    params = [np.array(p, dtype=p.dtype, copy=True) for p in params]
    opt = cls(params, **kwargs)
    history = [[] for _ in params]
    for k in range(steps):
        opt.step([g[k] for g in grads])
        for i, p in enumerate(params):
            history[i].append(np.array(p, copy=True))
    return tuple(np.stack(h) for h in history)


class _StubOptimizer:
    """What a scheduler sees of an optimizer: ``param_groups`` (list of dicts with "lr")."""

    def __init__(self, lrs):
        self.param_groups = [{"params": [], "lr": float(lr), "initial_lr": float(lr)} for lr in lrs]
        self.defaults = {"lr": float(lrs[0])}


def _as_declared_optimizer(cls, stub: _StubOptimizer):
    """The stub as an instance of the ``Optimizer`` class the scheduler's module refers to,
    if any (without running its ``__init__``): a scheduler that checks
    ``isinstance(optimizer, Optimizer)``, as torch's do, accepts it."""
    declared = getattr(getattr(cls, "__init__", None), "__globals__", {}).get("Optimizer")
    if not isinstance(declared, type):
        return stub
    typed = declared.__new__(declared)
    typed.__dict__.update(vars(stub))
    return typed


def _scheduler(cls, args, kwargs, steps):
    """``args = (lrs,)``: initial learning rate of each param group, or ``(lrs, metrics)``
    for a scheduler stepped on a metric (``ReduceLROnPlateau``: ``.step(metrics[k])``).
    Returns the learning rates in ``param_groups`` after construction and after each step,
    shape ``(steps + 1, groups)``."""
    lrs, metrics = (args[0], None) if len(args) == 1 else args
    opt = _as_declared_optimizer(cls, _StubOptimizer(list(np.atleast_1d(lrs))))
    for group in opt.param_groups:
        del group["initial_lr"]
    sched = cls(opt, **kwargs)
    rates = [[g["lr"] for g in opt.param_groups]]
    for k in range(steps):
        sched.step() if metrics is None else sched.step(float(metrics[k]))
        rates.append([g["lr"] for g in opt.param_groups])
    return np.array(rates, dtype=np.float64)


def _averager(cls, args, kwargs, steps):
    """``args = (params, updates)``: ``updates[i][k]`` is parameter ``i`` of the trained
    model at step ``k``. ``model = cls(params, **kwargs)``, then one
    ``model.update_parameters([...])`` per step; returns each averaged parameter
    (``model.params``) after every update, shape ``(steps, *param.shape)``."""
    params, updates = args
    model = cls([np.array(p, copy=True) for p in params], **kwargs)
    history = [[] for _ in params]
    for k in range(steps):
        model.update_parameters([u[k] for u in updates])
        for i, p in enumerate(model.params):
            history[i].append(np.array(p, copy=True))
    return tuple(np.stack(h) for h in history)


def _pipeline(fn, args, kwargs, steps):
    """A milestone: the student's whole pipeline, its parts recorded during the first
    ``steps`` steps (see :mod:`autograder.pipeline`)."""
    from autograder import pipeline

    return pipeline.run(fn, args, kwargs, steps)


DRIVERS = {
    "function": _function,
    "backward": _function,
    "inplace": _inplace,
    "initializer": _initializer,
    "optimizer": _optimizer,
    "scheduler": _scheduler,
    "averager": _averager,
    "pipeline": _pipeline,
}


def drive(kind: str, fn, args, kwargs, steps: int = 0):
    """Run ``fn`` on one decoded case according to the exercise kind."""
    return DRIVERS[kind](fn, resolve(list(args)), resolve(dict(kwargs)), steps)
