"""Milestones: grading a student's whole training pipeline, component by component.

A milestone exercise (kind ``"pipeline"``, e.g. chapter 9's ``train_network``) is one call
of the student's pipeline function, which calls the student's own parts by name. Two halves:

* **in the sandbox** (numpy only, imported by :mod:`autograder.drivers`): :func:`run` calls
  the pipeline with each part of :data:`FUNCTIONS`, :data:`OPTIMIZERS` and
  :data:`SCHEDULERS` in the pipeline's global namespace replaced by a recording wrapper.
  During the first ``record_steps`` steps (a step ends at ``optimizer.step``) every call's
  inputs and outputs are copied (arrays, numbers); the learning rate each optimizer step
  used is kept for every step. The trace goes back as plain arrays and JSON like any output.
* **in the trusted parent** (:func:`verdict`): the reference package recomputes every
  recorded call on the student's own recorded inputs, in the order they happened, and names
  the first part whose output differs ("step 0: your AdamW differs (max rel error 0.3);
  everything before it agrees"), besides the case's own verdict: the per-step loss curve
  against the reference pipeline's on the same data and seed (group :data:`CURVE`), or the
  trained parameters' accuracy on the held-out test set (group :data:`ACCURACY`), computed
  here with the reference's evaluation forward; the test set never enters the sandbox.

The reference pipeline itself runs unrecorded (its module is ``solutions.*``).
"""

from __future__ import annotations

import importlib

import numpy as np

#: Parts whose calls are recorded, and where their references live (parent side only).
FUNCTIONS = {
    "linear": "solutions.train",
    "batch_norm": "solutions.norm",
    "relu": "solutions.activations",
    "dropout": "solutions.regularization",
    "cross_entropy": "solutions.losses",
    "cross_entropy_backward": "solutions.losses",
    "linear_backward": "solutions.train",
    "dropout_backward": "solutions.regularization",
    "relu_backward": "solutions.activations",
    "batch_norm_backward": "solutions.norm",
}
OPTIMIZERS = {"AdamW": "solutions.optim"}
SCHEDULERS = {"LinearLR": "solutions.lr_scheduler"}
#: Where the milestone's evaluation forward and data live (parent side only).
REFERENCE_PIPELINE = "solutions.train"
#: Parts that update array arguments in place (compared after the call too).
INPLACE = ("batch_norm",)
#: Case groups of a milestone (the exercise's cases use these names).
CURVE = "loss curve"
ACCURACY = "test accuracy"
#: A recorded output of a part is compared with the reference's within these tolerances.
PART_RTOL, PART_ATOL = 1e-6, 1e-9
#: The loss curve is compared with the reference's within these tolerances.
CURVE_RTOL, CURVE_ATOL = 1e-5, 1e-8
#: The trained network's accuracy on the held-out test set must reach this.
ACCURACY_THRESHOLD = 0.93
MAX_PARAMS = 64


class Unrecordable(Exception):
    """A value that is not plain data (arrays, numbers, strings, lists/tuples/dicts)."""


# ------------------------------------------------------------------ sandbox side: recording


def _snapshot(value, depth: int = 0, seen: dict | None = None):
    """A copy of ``value`` made only of arrays and JSON scalars (raises Unrecordable).
    ``seen``: a recorder's earlier array copies (see :func:`_array_copy`)."""
    if depth > 6:
        raise Unrecordable("nested too deeply")
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject or value.size > 2**20:
            raise Unrecordable("object or huge array")
        return _array_copy(value, seen)
    if isinstance(value, np.generic):
        return _snapshot(np.asarray(value), depth, seen)
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, str) and len(value) > 100:
            raise Unrecordable("long text")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**62:
            raise Unrecordable("huge integer")
        return value
    if isinstance(value, list | tuple) and len(value) <= MAX_PARAMS:
        return type(value)(_snapshot(v, depth + 1, seen) for v in value)
    if (
        isinstance(value, dict)
        and len(value) <= MAX_PARAMS
        and all(isinstance(k, str) for k in value)
    ):
        return {k: _snapshot(v, depth + 1, seen) for k, v in value.items()}
    raise Unrecordable(type(value).__name__)


def _array_copy(value: np.ndarray, seen: dict | None) -> np.ndarray:
    """A copy of ``value``; the very copy made last time when ``value`` is the same object
    as then and still has the same dtype, shape and contents. A part's output is usually the
    next part's input, and a parameter goes to the forward, the backward and the optimizer:
    one copy serves them all, and it crosses the sandbox boundary once (:func:`codec.encode`
    sends an array object once per message). The trace means the same either way; a
    capstone submission's trace went from 952 arrays (12 MB) to ~400 (5 MB)."""
    if seen is not None:
        prev = seen.get(id(value))
        if (
            prev is not None
            and prev[0] is value
            and prev[1].dtype == value.dtype
            and prev[1].shape == value.shape
            and np.array_equal(prev[1], value)
        ):
            return prev[1]
    copy = np.array(value, copy=True)
    copy.flags.writeable = False  # shared by several entries: nobody may change one
    if seen is not None:
        seen[id(value)] = (value, copy)  # the object is kept: its id cannot be reused
    return copy


class Recorder:
    """What the sandbox keeps of one pipeline run."""

    def __init__(self, record_steps: int):
        self.record_steps = int(record_steps)
        self.step = 0  # optimizer steps completed so far
        self.depth = 0  # > 0 inside a recorded part (its inner calls are its own business)
        self.calls: list[dict] = []
        self.skipped: list[str] = []  # parts called with values that are not plain data
        self.optimizer: dict | None = None
        self.scheduler: dict | None = None
        self.lrs: list[list[float]] = []
        #: id -> (array, its last copy) while recording (see :func:`_array_copy`)
        self.seen: dict[int, tuple] = {}

    @property
    def recording(self) -> bool:
        return self.step < self.record_steps and self.depth == 0

    def copy(self, value):
        """:func:`_snapshot` of ``value``, sharing unchanged arrays with earlier copies."""
        return _snapshot(value, seen=self.seen)

    def stepped(self) -> None:
        self.step += 1
        if self.step >= self.record_steps:
            self.seen.clear()  # recording is over: let the student's arrays go

    def trace(self) -> dict:
        lrs = self.lrs if self.lrs and len({len(r) for r in self.lrs}) == 1 else []
        return {
            "calls": self.calls,
            "skipped": sorted(set(self.skipped))[:20],
            "optimizer": self.optimizer,
            "scheduler": self.scheduler,
            "lrs": np.array(lrs, dtype=np.float64),
        }


def _wrap_function(name: str, fn, rec: Recorder):
    def recorded(*args, **kwargs):
        if not rec.recording:
            return fn(*args, **kwargs)
        try:
            before = rec.copy(list(args)), rec.copy(dict(kwargs))
        except Unrecordable:
            rec.skipped.append(name)
            return fn(*args, **kwargs)
        rec.depth += 1
        try:
            out = fn(*args, **kwargs)
        finally:
            rec.depth -= 1
        entry = {"step": rec.step, "name": name, "args": before[0], "kwargs": before[1]}
        try:
            entry["output"] = rec.copy(out)
            if name in INPLACE:
                entry["after"] = rec.copy(list(args))
        except Unrecordable:
            entry = {"step": rec.step, "name": name, "unrecordable": True}
        rec.calls.append(entry)
        return out

    recorded.__name__ = recorded.__qualname__ = name
    recorded.__wrapped__ = fn
    return recorded


def _flatten(params) -> tuple[list, list[dict]]:
    """The parameter arrays in order and each group's options (without its arrays)."""
    params = list(params)
    if params and all(isinstance(g, dict) for g in params):
        flat, groups = [], []
        for g in params:
            arrays = list(g.get("params", []))
            flat += arrays
            opts = {k: v for k, v in g.items() if k != "params"}
            groups.append({"size": len(arrays), "options": _snapshot(opts)})
        return flat, groups
    return params, [{"size": len(params), "options": {}}]


def _group_lrs(opt) -> list[float]:
    try:
        return [float(g["lr"]) for g in opt.param_groups]
    except Exception:  # noqa: BLE001 - not torch-like param_groups: no lr to record
        return []


def _param_copy(p, rec: Recorder):
    """A parameter before or after an optimizer step (shared with earlier copies when it is
    an unchanged array; anything else as ``np.array`` copies it)."""
    if isinstance(p, np.ndarray) and not p.dtype.hasobject:
        return _array_copy(p, rec.seen)
    return np.array(p, copy=True)


def _wrap_optimizer(name: str, cls, rec: Recorder):
    if not isinstance(cls, type):
        return cls

    class Recorded(cls):
        def __init__(self, params, *args, **kwargs):
            try:
                flat, groups = _flatten(params)
                rec.optimizer = {
                    "name": name,
                    "args": _snapshot(list(args)),
                    "kwargs": _snapshot(dict(kwargs)),
                    "groups": groups,
                    "steps": [],
                }
                self.__recorded = flat
            except (Unrecordable, TypeError):
                rec.skipped.append(name)
                self.__recorded = None
            super().__init__(params, *args, **kwargs)

        def step(self, *args, **kwargs):
            keep = rec.recording and self.__recorded is not None and rec.optimizer is not None
            lrs = _group_lrs(self)
            if keep:
                try:
                    before = [_param_copy(p, rec) for p in self.__recorded]
                    grads = rec.copy(list(args[0]) if args else kwargs.get("grads"))
                except (Unrecordable, TypeError):
                    keep = False
                    rec.skipped.append(name)
            rec.depth += 1
            try:
                out = super().step(*args, **kwargs)
            finally:
                rec.depth -= 1
            if keep:
                after = [_param_copy(p, rec) for p in self.__recorded]
                rec.optimizer["steps"].append(
                    {"step": rec.step, "before": before, "grads": grads, "lrs": lrs, "after": after}
                )
            rec.lrs.append(lrs)
            rec.stepped()
            return out

    Recorded.__name__ = Recorded.__qualname__ = cls.__name__
    return Recorded


def _wrap_scheduler(name: str, cls, rec: Recorder):
    if not isinstance(cls, type):
        return cls

    class Recorded(cls):
        def __init__(self, optimizer, *args, **kwargs):
            try:
                rec.scheduler = {
                    "name": name,
                    "initial_lrs": _group_lrs(optimizer),
                    "args": _snapshot(list(args)),
                    "kwargs": _snapshot(dict(kwargs)),
                }
            except Unrecordable:
                rec.skipped.append(name)
            super().__init__(optimizer, *args, **kwargs)

    Recorded.__name__ = Recorded.__qualname__ = cls.__name__
    return Recorded


def run(fn, args, kwargs, record_steps: int):
    """Call the pipeline ``fn(*args, **kwargs)`` with its parts recorded; returns
    ``{"losses", "params", "trace"}``. The reference (a ``solutions`` function) runs as is
    (no trace). The pipeline must return ``(losses, params)``."""
    namespace = getattr(fn, "__globals__", None)
    own = isinstance(namespace, dict) and not str(namespace.get("__name__", "")).startswith(
        "solutions."
    )
    rec = Recorder(record_steps)
    saved = {}
    if own:
        wrappers = (
            [(n, _wrap_function) for n in FUNCTIONS]
            + [(n, _wrap_optimizer) for n in OPTIMIZERS]
            + [(n, _wrap_scheduler) for n in SCHEDULERS]
        )
        for name, wrap in wrappers:
            if callable(namespace.get(name)):
                saved[name] = namespace[name]
                namespace[name] = wrap(name, saved[name], rec)
    try:
        result = fn(*args, **kwargs)
    finally:
        for name, value in saved.items():
            namespace[name] = value
    from autograder.drivers import DriverError

    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise DriverError("must return (losses, params)")
    losses, params = result
    if not isinstance(params, dict) or len(params) > MAX_PARAMS:
        raise DriverError("must return (losses, params) with params the dict of arrays")
    out = {
        "losses": np.asarray(losses, dtype=np.float64).reshape(-1),
        "params": {str(k): np.asarray(v) for k, v in params.items()},
    }
    if own:
        out["trace"] = rec.trace()
    return out


# ------------------------------------------------------------- parent side: recomputing


class _Tolerance:
    """What :func:`autograder.compare.compare` reads of an exercise."""

    def __init__(self, rtol: float, atol: float):
        self.compare = "allclose"
        self.rtol = {"float64": rtol, "float32": max(rtol, 2e-4)}
        self.atol = {"float64": atol, "float32": max(atol, 1e-5)}


PART = _Tolerance(PART_RTOL, PART_ATOL)
LOSSES = _Tolerance(CURVE_RTOL, CURVE_ATOL)


def _reference(name: str):
    table = {**FUNCTIONS, **OPTIMIZERS, **SCHEDULERS}
    return getattr(importlib.import_module(table[name]), name)


def _copy(value):
    if isinstance(value, np.ndarray):
        return np.array(value, copy=True)
    if isinstance(value, list | tuple):
        return type(value)(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _rel_error(details: dict) -> str:
    rel = details.get("max_rel_error")
    if rel is None:
        rel = details.get("max_abs_error")
        return f"max abs error {rel:.3g}" if rel is not None else "wrong values"
    return f"max rel error {rel:.3g}"


class Finding:
    """The first recorded part that differs from the reference: ``text`` for public cases,
    ``summary`` (the grader's words only: part, step, a fixed category) for hidden ones."""

    def __init__(self, step: int, name: str, why: str, category: str):
        self.step, self.name = step, name
        head = f"step {step}: your {name} differs"
        tail = "; everything before it agrees"
        self.text = f"{head} ({why}){tail}"
        self.summary = f"{head} ({category}){tail}"


def _refused(exc: Exception) -> tuple[str, str]:
    why = f"the reference refuses its inputs: {type(exc).__name__}: {str(exc)[:150]}"
    return why, "the reference refuses its inputs"


def _check_call(call: dict) -> Finding | None:
    name, step = call["name"], int(call["step"])
    if call.get("unrecordable") or name not in FUNCTIONS:
        return None
    from autograder.compare import compare

    args, kwargs = _copy(call["args"]), _copy(call["kwargs"])
    try:
        expected = _reference(name)(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the student's inputs may be invalid
        return Finding(step, name, *_refused(exc))
    v = compare(PART, expected, call.get("output"))
    if not v.ok:
        return Finding(step, name, v.reason, v.summary)
    if name in INPLACE:
        for i, (e, g) in enumerate(zip(args, call.get("after", []), strict=False)):
            if isinstance(e, np.ndarray):
                v = compare(PART, e, g, where=f"argument {i} after the call")
                if not v.ok:
                    return Finding(step, name, v.reason, f"argument {i} after the call")
    return None


def _optimizer_findings(opt: dict):
    """(step, Finding or None) per recorded optimizer step: the reference optimizer is fed
    the student's own parameters, gradients and learning rates of each step."""
    if not opt or not opt.get("steps") or opt.get("name") not in OPTIMIZERS:
        return
    name = opt["name"]
    first = opt["steps"][0]["before"]
    groups, start = [], 0
    for g in opt["groups"]:
        size = int(g["size"])
        groups.append({"params": [np.array(p, copy=True) for p in first[start : start + size]]})
        groups[-1].update(_copy(g["options"]))
        start += size
    try:
        ref = _reference(name)(groups, *_copy(opt["args"]), **_copy(opt["kwargs"]))
    except Exception as exc:  # noqa: BLE001
        yield int(opt["steps"][0]["step"]), Finding(0, name, *_refused(exc))
        return
    from autograder.compare import compare

    flat = [p for g in ref.param_groups for p in g["params"]]
    for rec in opt["steps"]:
        step = int(rec["step"])
        try:
            for p, before in zip(flat, rec["before"], strict=True):
                p[...] = before
            if len(rec["lrs"]) == len(ref.param_groups):
                for g, lr in zip(ref.param_groups, rec["lrs"], strict=True):
                    g["lr"] = lr
            ref.step(_copy(rec["grads"]))
        except Exception as exc:  # noqa: BLE001
            yield step, Finding(step, name, *_refused(exc))
            return
        v = compare(PART, tuple(np.array(p) for p in flat), tuple(rec["after"]), where="params")
        yield step, (None if v.ok else Finding(step, name, "updated " + v.reason, v.summary))


def _schedule_finding(trace: dict) -> Finding | None:
    """The first step whose learning rate (what the optimizer used) differs from the
    reference scheduler's for the same initial rates and options."""
    sched, lrs = trace.get("scheduler"), trace.get("lrs")
    if not sched or sched.get("name") not in SCHEDULERS or lrs is None or not len(lrs):
        return None
    lrs = np.asarray(lrs, dtype=np.float64)
    if lrs.ndim != 2 or lrs.shape[1] != len(sched["initial_lrs"]) or not lrs.shape[1]:
        return None
    from autograder import drivers

    try:
        expected = drivers._scheduler(
            _reference_with_args(sched), (np.array(sched["initial_lrs"]),), {}, len(lrs) - 1
        )
    except Exception as exc:  # noqa: BLE001
        return Finding(0, sched["name"], *_refused(exc))
    close = np.isclose(lrs, expected, rtol=PART_RTOL, atol=PART_ATOL)
    if close.all():
        return None
    k = int(np.argmax(~close.all(axis=1)))
    why = f"learning rate {lrs[k, 0]:.6g} where the reference sets {expected[k, 0]:.6g}"
    return Finding(k, sched["name"], why, "wrong learning rate")


def _reference_with_args(sched: dict):
    cls = _reference(sched["name"])
    args, kwargs = _copy(sched["args"]), _copy(sched["kwargs"])

    def build(optimizer):
        return cls(optimizer, *args, **kwargs)

    build.__init__ = cls.__init__  # drivers._as_declared_optimizer reads its globals
    return build


def diagnose(trace) -> Finding | None:
    """The first recorded part (in the order of the run) whose output differs from the
    reference's on the same inputs, or None."""
    if not isinstance(trace, dict):
        return None
    events = []  # (step, phase, order, what): learning rate, then calls, then the update
    schedule = _schedule_finding(trace)
    if schedule is not None:
        events.append((schedule.step, 0, 0, schedule))
    for i, call in enumerate(trace.get("calls") or []):
        events.append((int(call["step"]), 1, i, call))
    events.sort(key=lambda e: e[:3])
    optimizer = _optimizer_findings(trace.get("optimizer"))
    pending = next(optimizer, None)
    for step, _, _, what in events:
        while pending is not None and pending[0] < step:
            if pending[1] is not None:
                return pending[1]
            pending = next(optimizer, None)
        found = what if isinstance(what, Finding) else _check_call(what)
        if found is not None:
            return found
    while pending is not None:
        if pending[1] is not None:
            return pending[1]
        pending = next(optimizer, None)
    return None


_TEST_SET: list = []


def _test_set():
    """The held-out test set, read once per process (read-only: shared by every verdict)."""
    if not _TEST_SET:
        data = importlib.import_module(REFERENCE_PIPELINE).load_digits()
        x, y = data["X_test"], data["y_test"]
        x.flags.writeable = y.flags.writeable = False
        _TEST_SET[:] = [x, y]
    return _TEST_SET[0], _TEST_SET[1]


def accuracy(params: dict) -> float:
    """Accuracy of the milestone network with ``params`` on the held-out test set."""
    predict_network = importlib.import_module(REFERENCE_PIPELINE).predict_network
    x, y = _test_set()
    return float(np.mean(predict_network(params, x) == y))


def verdict(ex, case, expected, got):
    """The verdict on one milestone case (``case.group`` says which: :data:`CURVE` or
    :data:`ACCURACY`), with the first differing part named when it fails."""
    from autograder.compare import Verdict, compare

    try:  # the references and the test set (a module name: the bundle has no solutions/)
        importlib.import_module(REFERENCE_PIPELINE)
        in_bundle = False
    except ImportError:  # a student bundle: judged on the stored reference outputs alone
        in_bundle = True
    if not isinstance(got, dict) or not {"losses", "params"} <= set(got):
        return Verdict(False, "output: could not compare (expected (losses, params))")
    params, ref_params = got["params"], expected["params"]
    missing = sorted(set(ref_params) - set(params))
    if missing:
        return Verdict(False, f"params: expected keys {sorted(ref_params)}, got {sorted(params)}")
    for k, e in ref_params.items():
        g = np.asarray(params[k])
        if g.shape != e.shape or not np.issubdtype(g.dtype, np.floating):
            return Verdict(
                False,
                f"params[{k!r}]: wrong shape or dtype: expected {e.shape} {e.dtype}, got "
                f"{g.shape} {g.dtype}",
            )
    if case is not None and case.group == ACCURACY:
        if in_bundle:
            return _accuracy_in_a_bundle(ref_params, params)
        acc = accuracy(params) if np.all([np.isfinite(params[k]).all() for k in ref_params]) else 0
        if acc >= ACCURACY_THRESHOLD:
            return Verdict(True)
        ref = accuracy(ref_params)
        head = (
            f"test accuracy {acc:.3f}, below {ACCURACY_THRESHOLD} (the reference reaches {ref:.3f})"
        )
        summary = f"test accuracy below {ACCURACY_THRESHOLD}"
    else:
        v = compare(LOSSES, expected["losses"], got["losses"], where="losses")
        if v.ok:
            return Verdict(True)
        k = v.details.get("first_index")
        where = f"the loss first differs at step {k[0]}" if k else "the loss curve differs"
        if k:
            where += (
                f" (expected {v.details['expected_value']:.6g}, got {v.details['got_value']:.6g})"
            )
        head = where if k else v.reason
        summary = (f"the loss first differs at step {k[0]}" if k else v.summary) or "wrong values"
    # Only a failing case needs the first differing part: recomputing every recorded call
    # with the reference was most of the parent's work on a passing submission.
    try:
        finding = None if in_bundle else diagnose(got.get("trace"))
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        finding = None  # a malformed trace: the case is judged on its outputs alone
    if finding is not None:
        return Verdict(False, f"{head}; {finding.text}", summary=f"{summary}; {finding.summary}")
    if in_bundle:
        return Verdict(False, f"{head}; {NO_PARTS_IN_A_BUNDLE}", summary=summary)
    nobody = (
        "every recorded part agrees with the reference on its own inputs: check how "
        "train_network wires them (order, arguments, seeds, which arrays are updated)"
    )
    return Verdict(False, f"{head}; {nobody}", summary=f"{summary}; {nobody}")


NO_PARTS_IN_A_BUNDLE = (
    "which part differs first is named by `autograder grade` or by check() in a clone of the "
    "course repository (it recomputes each part with the reference package, which a student "
    "bundle does not ship)"
)


def _accuracy_in_a_bundle(ref_params: dict, params: dict):
    """An accuracy case in a student bundle, which ships neither the held-out test set nor
    the reference's evaluation forward (the parts' reference code): it passes when training
    ended on the reference's parameters (within :data:`LOSSES`; the case is built so that they
    reach the threshold) and otherwise says that it cannot tell."""
    from autograder.compare import Verdict, compare

    for k, e in ref_params.items():
        v = compare(LOSSES, e, np.asarray(params[k]), where=f"params[{k!r}]")
        if not v.ok:
            return Verdict(
                False,
                "not judged in a student bundle: the test accuracy is measured on the held-out "
                "test set, which a bundle does not ship, so the trained parameters are compared "
                f"with the reference's instead, and they differ ({v.reason}); the loss-curve "
                "case tells whether training differs, `autograder grade` measures the accuracy",
                summary="not judged in a student bundle (trained parameters differ)",
            )
    return Verdict(True)
