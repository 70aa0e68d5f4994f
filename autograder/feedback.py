"""Instant feedback in the student's notebook: ``check("activations.gelu", gelu)``,
``check(gelu)`` or ``check()`` (every exercise whose function the notebook defines).

Runs the public cases in-process (the student's own code on their own machine), prints one
line per case group and, for the first failure, the smallest failing input found by
shrinking, expected vs got and the error. Backward exercises are also checked against
central differences of the student's OWN forward, which tells a wrong forward from a wrong
backward. Hidden cases run only at grading, and the report says so.
"""

from __future__ import annotations

import inspect
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from autograder import registry
from autograder.compare import compare
from autograder.drivers import student_error
from autograder.engine import CaseResult, expected_output, run_case
from autograder.registry import Case, Exercise
from autograder.shrink import shrink

#: An in-notebook check gives up on an exercise after this many seconds (infinite loops).
CHECK_TIMEOUT = 20


@dataclass
class CheckReport:
    exercise: Exercise
    results: list[CaseResult] = field(default_factory=list)
    first_failure: dict | None = None
    gradient_note: str = ""
    seconds: float = 0.0
    missing: str = ""

    @property
    def passed(self) -> bool:
        return not self.missing and all(r.ok for r in self.results)

    def text(self) -> str:
        ex = self.exercise
        head = f"{ex.function}  ({ex.id}, {ex.points} points)"
        if self.missing:
            return f"{head}\n  ✗ {self.missing}"
        lines = [head]
        groups: dict[str, list[CaseResult]] = {}
        for r in self.results:
            groups.setdefault(r.group, []).append(r)
        for group, rs in groups.items():
            bad = [r for r in rs if not r.ok]
            n = f"{len(rs)} case{'s' * (len(rs) != 1)}"
            mark = "✓" if not bad else "✗"
            lines.append(f"  {mark} {group} ({n})" + (f": {bad[0].reason}" if bad else ""))
        if self.first_failure:
            f = self.first_failure
            lines.append(
                f"  First failure: case {f['case']}"
                + (", shrunk to the smallest failing input:" if f["shrunk"] else ":")
            )
            lines += [f"    {line}" for line in f["lines"]]
        if self.gradient_note:
            lines.append(f"  {self.gradient_note}")
        passed = sum(all(r.ok for r in rs) for rs in groups.values())
        hidden_groups = sum(h for _, h in ex.groups)
        lines.append(
            f"  {passed} of {len(groups)} public groups pass ({self.seconds:.2f} s). "
            f"{hidden_groups} hidden group{'s' * (hidden_groups != 1)} "
            f"({ex.counts[1]} cases) run only at grading: passing every public check is "
            "not a final grade."
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


@contextmanager
def _time_limit(seconds: int):
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGALRM")
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise TimeoutError(f"took longer than {seconds} s (an infinite loop?)")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _outcome(ex: Exercise, fn, case: Case):
    """(ok, reason, verdict details, got) for one case, in-process."""
    try:
        got = run_case(ex, fn, case)
    except TimeoutError:
        raise
    except Exception as exc:  # the student's exception is feedback, not a crash
        return False, student_error(exc), {}, None
    v = compare(
        ex, expected_output(ex, case) if case.name else run_case(ex, ex.reference, case), got
    )
    return v.ok, v.reason, v.details, got


def _fmt(value) -> str:
    with np.printoptions(precision=6, threshold=20, edgeitems=3, linewidth=88):
        text = repr(value)
    return text if len(text) < 600 else text[:600] + " ..."


def _describe_failure(ex: Exercise, fn, case: Case) -> dict:
    def fails(c: Case) -> bool:
        try:
            run_case(ex, ex.reference, c)
        except Exception:
            return False  # not a valid input
        return not _outcome(ex, fn, Case(c.group, c.args, c.kwargs, False, "", c.steps))[0]

    small = shrink(case, fails)
    probe = Case(small.group, small.args, small.kwargs, False, "", small.steps)
    ok, reason, details, got = _outcome(ex, fn, probe)
    params = list(inspect.signature(ex.reference).parameters)
    lines = []
    for i, a in enumerate(small.args):
        name = params[i] if i < len(params) else f"arg{i}"
        lines.append(f"{name} = {_fmt(a)}")
    lines += [f"{k} = {v!r}" for k, v in small.kwargs.items()]
    if small.steps:
        lines.append(f"steps = {small.steps}")
    lines.append(f"expected = {_fmt(run_case(ex, ex.reference, probe))}")
    lines.append(f"got      = {_fmt(got)}" if got is not None else f"error: {reason}")
    if details.get("max_abs_error") is not None and "first_index" in details:
        lines.append(
            f"max abs error {details['max_abs_error']:.3g}, max rel error "
            f"{details['max_rel_error']:.3g}, first differing index {details['first_index']}"
        )
    elif got is not None:
        lines.append(reason)
    return {"case": case.name, "shrunk": small is not case, "lines": lines}


def _numeric_grad(f, args, index, r, h=1e-6):
    x = np.array(args[index], dtype=np.float64)
    grad = np.zeros_like(x)
    call = list(args)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + h
        call[index] = x
        plus = float(np.sum(r * np.asarray(f(*call), dtype=np.float64)))
        x[i] = saved - h
        minus = float(np.sum(r * np.asarray(f(*call), dtype=np.float64)))
        x[i] = saved
        grad[i] = (plus - minus) / (2 * h)
    return grad


def gradient_consistency(ex: Exercise, backward, forward, cases: list[Case]) -> float | None:
    """Largest relative error between the student's backward and central differences of the
    student's own forward on float64 public cases (None if no case applies)."""
    worst = None
    for c in cases[:2]:
        ref_out = ex.forward(*c.args[1:], **c.kwargs)
        n_out = len(ref_out) if isinstance(ref_out, tuple) else 1
        r, inputs = c.args[0], list(c.args[n_out:])
        if n_out != 1 or not all(
            a.dtype == np.float64
            for a in inputs
            if isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating)
        ):
            continue
        analytic = backward(
            r, *[np.array(a) if isinstance(a, np.ndarray) else a for a in inputs], **c.kwargs
        )
        analytic = analytic if isinstance(analytic, tuple) else (analytic,)
        floats = [
            i
            for i, a in enumerate(inputs)
            if isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating)
        ]
        for grad in analytic:
            grad = np.asarray(grad, dtype=np.float64)
            match = next((i for i in floats if inputs[i].shape == grad.shape), None)
            if match is None:
                continue
            floats.remove(match)
            numeric = _numeric_grad(lambda *a, kw=c.kwargs: forward(*a, **kw), inputs, match, r)
            err = float(
                np.max(
                    np.abs(grad - numeric) / np.maximum(np.abs(grad) + np.abs(numeric), 1e-8),
                    initial=0,
                )
            )
            worst = err if worst is None else max(worst, err)
    return worst


def check_exercise(ex: Exercise, fn, *, forward=None) -> CheckReport:
    start = time.perf_counter()
    report = CheckReport(ex)
    if fn is None:
        report.missing = f"no function named {ex.function!r} is defined"
        return report
    try:
        with _time_limit(CHECK_TIMEOUT):
            cases = ex.cases(hidden=False)
            for c in cases:
                ok, reason, details, _ = _outcome(ex, fn, c)
                report.results.append(CaseResult(c.name, c.group, False, ok, reason, details))
                if not ok and report.first_failure is None:
                    report.first_failure = _describe_failure(ex, fn, c)
            if ex.kind == "backward":
                report.gradient_note = _gradient_note(ex, fn, forward, cases, report.passed)
    except TimeoutError as exc:
        report.results.append(CaseResult("timeout", "timeout", False, False, str(exc)))
    report.seconds = time.perf_counter() - start
    return report


def _gradient_note(ex, backward, forward, cases, passed) -> str:
    name = ex.forward_function
    if forward is None:
        return (
            f"Define {name} too: then your backward is also checked against central "
            "differences of your own forward."
        )
    try:
        err = gradient_consistency(ex, backward, forward, cases)
    except Exception as exc:
        return f"Gradient check against your {name} could not run: {student_error(exc)}"
    if err is None:
        return ""
    forward_ok = (
        all(
            compare(
                ex, ex.forward(*c.args[1:], **c.kwargs), _safe(forward, c.args[1:], c.kwargs)
            ).ok
            for c in cases[:3]
        )
        if not passed
        else True
    )
    if err < 1e-5:
        msg = f"✓ your backward matches central differences of your {name} (rel. error {err:.1e})"
        if not forward_ok:
            msg += f"; but your {name} itself is wrong: fix the forward first"
        return msg
    msg = (
        f"✗ your backward does NOT match central differences of your own {name} "
        f"(rel. error {err:.1e}): the bug is in the backward"
    )
    if not forward_ok:
        msg += f" (and your {name} is wrong too)"
    return msg


def _safe(fn, args, kwargs):
    try:
        return fn(*[np.array(a) if isinstance(a, np.ndarray) else a for a in args], **kwargs)
    except Exception:
        return None


def _resolve_targets(target, fn, caller: dict) -> list[tuple[Exercise, object]]:
    if target is None:
        found = [
            (e, caller[e.function])
            for e in registry.all_exercises()
            if callable(caller.get(e.function))
        ]
        if not found:
            raise LookupError("no exercise function is defined here yet")
        return found
    if isinstance(target, str):
        if "." in target:
            ex = registry.get(target)
            return [(ex, fn if fn is not None else caller.get(ex.function))]
        target = caller.get(target) if fn is None else fn
    name = getattr(target, "__name__", None)
    matches = registry.find_by_function(name) if name else []
    if not matches:
        raise LookupError(f"no exercise asks for a function named {name!r}")
    if len(matches) > 1:
        raise LookupError(f"{name!r} is in several chapters: use one of {[e.id for e in matches]}")
    return [(matches[0], target)]


def check_report(target=None, fn=None, *, forward=None, caller: dict | None = None):
    caller = caller if caller is not None else inspect.currentframe().f_back.f_globals
    reports = []
    for ex, student in _resolve_targets(target, fn, caller):
        fwd = forward
        if fwd is None and ex.forward_function and callable(caller.get(ex.forward_function)):
            fwd = caller[ex.forward_function]
        reports.append(check_exercise(ex, student, forward=fwd))
    return reports


def check(target=None, fn=None, *, forward=None) -> None:
    """Check your implementation on the public cases and print a compact report.

    ``check("activations.gelu", gelu)``, ``check(gelu)`` (found by the function's name), or
    ``check()`` (every exercise whose function is defined in your notebook).
    """
    caller = inspect.currentframe().f_back.f_globals
    for report in check_report(target, fn, forward=forward, caller=caller):
        print(report.text())
