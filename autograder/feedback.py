"""Instant feedback in the student's notebook: ``check("activations.gelu", gelu)``,
``check(gelu)`` or ``check()`` (every exercise whose function the notebook defines).

Runs the public cases in-process (the student's own code on their own machine), prints one
line per case group and, for the first failure, the smallest failing input found by
shrinking, expected vs got and the error. Backward exercises are also checked against
central differences of the student's OWN forward, which tells a wrong forward from a wrong
backward. Hidden cases run only at grading, and the report says so.
"""

from __future__ import annotations

import difflib
import inspect
import textwrap
import time
import traceback
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from autograder import diagnosis, registry
from autograder.compare import compare
from autograder.drivers import student_error
from autograder.engine import CaseResult, expected_output, run_case, time_limit
from autograder.registry import Case, Exercise
from autograder.shrink import shrink

#: An in-notebook check gives up on an exercise after this many seconds of CPU time (infinite
#: loops); the same as the grader's default per-exercise timeout, and measured the same way,
#: so a busy machine does not turn a correct answer into a timeout.
CHECK_TIMEOUT = 10
#: A wall-clock backstop, in multiples of CHECK_TIMEOUT, for code that waits without running
#: (``time.sleep``, ``input()``), as the grader's sandbox has.
WALL_BACKSTOP = 6
#: The backward is compared with central differences of the forward on this many cases.
GRADIENT_CASES = 2


NOT_IMPLEMENTED = "not implemented yet"


def plural(n: float, word: str) -> str:
    return f"{n:g} {word}{'s' * (n != 1)}"


@dataclass
class CheckReport:
    exercise: Exercise
    results: list[CaseResult] = field(default_factory=list)
    first_failure: dict | None = None
    gradient_note: str = ""
    seconds: float = 0.0
    missing: str = ""
    #: (group, hidden) -> the known mistake that explains it (autograder.diagnosis)
    diagnoses: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.missing and all(r.ok for r in self.results)

    @property
    def not_implemented(self) -> bool:
        """Every public case still raises NotImplementedError (an untouched stub)."""
        return bool(self.results) and all(
            r.reason.startswith(NOT_IMPLEMENTED) for r in self.results
        )

    def _groups(self) -> dict[str, list[CaseResult]]:
        groups: dict[str, list[CaseResult]] = {}
        for r in self.results:
            groups.setdefault(r.group, []).append(r)
        return groups

    def heading(self) -> str:
        ex = self.exercise
        return f"{ex.function}  ({ex.id}, {plural(ex.points, 'point')})"

    def footer(self) -> list[str]:
        """How many public groups pass, and what runs only at grading (group names only)."""
        ex = self.exercise
        public = list(dict.fromkeys(g for g, h in ex.groups if not h))
        passed = sum(all(r.ok for r in rs) for rs in self._groups().values())
        share = float(f"{ex.points / len(ex.groups):.3g}") if ex.groups else 0
        return [
            f"  {passed} of {len(public)} public groups pass ({self.seconds:.2f} s); "
            f"{plural(share, 'point')} per group.",
            f"  {self._hidden_text()} run only at grading: passing every public check is "
            "not a final grade.",
        ]

    def _hidden_text(self) -> str:
        ex = self.exercise
        public = {g for g, h in ex.groups if not h}
        hidden = [g for g, h in ex.groups if h]
        new = list(dict.fromkeys(g for g in hidden if g not in public))
        again = len(set(hidden) & public)
        parts = [", ".join(new)] if new else []
        if again:
            parts.append(f"new cases for {again} of the public groups")
        what = " + ".join(parts)
        return f"{plural(len(hidden), 'hidden group')} ({what}; {plural(ex.counts[1], 'case')})"

    def text(self) -> str:
        if self.missing:
            return f"{self.heading()}\n  ✗ {self.missing}"
        lines = [self.heading()]
        if self.not_implemented:
            lines.append(f"  ✗ {self.results[0].reason}")
            return "\n".join(lines + self.footer())
        for group, rs in self._groups().items():
            bad = [r for r in rs if not r.ok]
            n = plural(len(rs), "case")
            mark = "✓" if not bad else "✗"
            lines.append(f"  {mark} {group} ({n})" + (f": {bad[0].reason}" if bad else ""))
        lines += self.diagnosis_lines()
        if self.first_failure:
            f = self.first_failure
            lines.append(
                f"  First failure: case {f['case']}"
                + (", shrunk to the smallest failing input:" if f["shrunk"] else ":")
            )
            lines += [f"    {line}" for line in f["lines"]]
        if self.gradient_note:
            lines.append(f"  {self.gradient_note}")
        return "\n".join(lines + self.footer())

    def diagnosis_lines(self) -> list[str]:
        """One paragraph per known mistake that explains failing groups: its sentence and
        the Common-mistakes entry to read."""
        lines = []
        failing = {r.group for r in self.results if not r.ok}
        for known in dict.fromkeys(self.diagnoses.values()):
            groups = [g for (g, _), k in self.diagnoses.items() if k == known]
            where = "every failing group" if set(groups) == failing else ", ".join(groups)
            text = f"➜ Known mistake ({known.id}), in {where}: {known.sentence}"
            lines += textwrap.wrap(text, 92, initial_indent="  ", subsequent_indent="    ")
            lines.append(f"    See Common mistakes: {known.link}")
        return lines

    def short(self) -> str:
        """One line (``check()`` of a whole notebook: untouched stubs, missing functions)."""
        why = self.missing or (self.results[0].reason if self.results else "")
        return f"{self.heading()}: ✗ {why}"

    def __str__(self) -> str:
        return self.text()


def overview(reports: list[CheckReport]) -> str:
    """The text ``check()`` prints for several exercises: full reports for those you have
    worked on, one line per untouched stub or missing function, then a summary line."""
    lines: list[str] = []
    previous_short = False
    for r in reports:
        short = r.not_implemented or bool(r.missing)
        if lines and not (short and previous_short):
            lines.append("")
        lines.append(r.short() if short else r.text())
        previous_short = short
    todo = [r for r in reports if r.not_implemented or r.missing]
    failing = [r for r in reports if not r.passed and not (r.not_implemented or r.missing)]
    summary = (
        f"Summary: {sum(r.passed for r in reports)} of {len(reports)} exercises pass every "
        "public check"
    )
    if failing:
        summary += f"; failing: {', '.join(r.exercise.function for r in failing)}"
    if todo:
        summary += f"; {len(todo)} not implemented yet"
    return "\n".join([*lines, "", summary + ". Hidden cases run only at grading."])


@contextmanager
def _time_limit(seconds: int):
    """TimeoutError after ``seconds`` of this process's CPU time, or after
    ``WALL_BACKSTOP * seconds`` of wall-clock time for code that only waits."""

    def on_cpu(signum, frame):
        raise TimeoutError(f"took longer than {seconds} s (an infinite loop?)")

    def on_wall(signum, frame):
        raise TimeoutError(f"waited longer than {WALL_BACKSTOP * seconds} s (an input() or sleep?)")

    with time_limit(seconds, WALL_BACKSTOP, on_cpu, on_wall):
        yield


def _outcome(ex: Exercise, fn, case: Case):
    """(ok, reason, verdict details, got) for one case, in-process."""
    try:
        got = run_case(ex, fn, case)
    except TimeoutError:
        raise
    except Exception as exc:  # the student's exception is feedback, not a crash
        return False, _error(ex, exc), {}, None
    v = compare(
        ex,
        expected_output(ex, case) if case.name else run_case(ex, ex.reference, case),
        got,
        case=case,
    )
    return v.ok, v.reason, v.details, got


def _error(ex: Exercise, exc: Exception) -> str:
    """The student's exception as one line; a stub called by an implemented function is
    named (``sigmoid_backward`` calling the unimplemented ``sigmoid``)."""
    if isinstance(exc, NotImplementedError):
        frames = traceback.extract_tb(exc.__traceback__)
        raiser = frames[-1].name if frames else ex.function
        if raiser not in (ex.function, "__init__", "step", "update_parameters", "<module>"):
            return (
                f"{NOT_IMPLEMENTED}: your {ex.function} calls {raiser}, which raises "
                "NotImplementedError"
            )
    return student_error(exc)


def _fmt(value, digits: int = 6) -> str:
    """``value`` printed for a student; never raises (a returned object's repr may)."""
    try:
        return _fmt_value(value, digits)
    except Exception as exc:  # noqa: BLE001 - a student's object printing itself
        return f"<a {type(value).__name__} that cannot be printed ({type(exc).__name__})>"


def _fmt_value(value, digits: int) -> str:
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    if isinstance(value, np.generic | np.ndarray) and np.ndim(value) == 0:
        item = value.item()  # numpy scalars and 0-d arrays print as numbers
        kind = np.asarray(value).dtype
        text = f"{item:.{digits}g}" if isinstance(item, float) else repr(item)
        return text if kind in (np.float64, np.int64, np.bool_) else f"{text} ({kind})"
    with np.printoptions(precision=digits, threshold=20, edgeitems=3, linewidth=88):
        text = repr(value)
    return text if len(text) < 600 else text[:600] + " ..."


def failure_kind(reason: str, got) -> str:
    """What kind of failure a reason describes, so that shrinking keeps the student's bug
    (a wrong formula must not shrink to a 0/0 on a degenerate input, a different bug)."""
    if got is None:
        return reason.split(" at line")[0].split(":")[0]  # the exception type, or a stub
    for kind in ("NaN or inf", "wrong shape", "wrong dtype", "expected an array", "expected a"):
        if kind in reason:
            return kind
    return "wrong values"


def expected_and_got(expected, got) -> tuple[str, str]:
    """Both values printed, with all digits when they would otherwise print alike."""
    shown = _fmt(expected), _fmt(got)
    if got is not None and shown[0] == shown[1]:
        shown = _fmt(expected, digits=17), _fmt(got, digits=17)
    return shown


def _describe_failure(ex: Exercise, fn, case: Case) -> dict:
    first = _outcome(ex, fn, case)
    kind = failure_kind(first[1], first[3])

    def fails(c: Case) -> bool:
        try:
            run_case(ex, ex.reference, c)
        except Exception:
            return False  # not a valid input
        ok, reason, _, got = _outcome(ex, fn, Case(c.group, c.args, c.kwargs, False, "", c.steps))
        return not ok and failure_kind(reason, got) == kind

    small = shrink(case, fails)
    probe = Case(small.group, small.args, small.kwargs, False, "", small.steps)
    ok, reason, details, got = _outcome(ex, fn, probe)
    params = list(inspect.signature(ex.reference).parameters)
    lines = []
    for i, a in enumerate(small.args):
        name = params[i] if i < len(params) else f"arg{i}"
        lines.append(f"{name} = {_fmt(a)}")
    lines += [f"{k} = {_fmt(v)}" for k, v in small.kwargs.items()]
    if small.steps:
        lines.append(f"steps = {small.steps}")
    shown = expected_and_got(run_case(ex, ex.reference, probe), got)
    lines.append(f"expected = {shown[0]}")
    lines.append(f"got      = {shown[1]}" if got is not None else f"error: {reason}")
    if details.get("max_abs_error") is not None and details.get("first_index"):
        rel = details.get("max_rel_error")
        lines.append(
            f"max abs error {details['max_abs_error']:.3g}"
            + (f", max rel error {rel:.3g}" if rel is not None else "")
            + f"; first differing index {details['first_index']}: expected "
            f"{details['expected_value']:.6g}, got {details['got_value']:.6g}"
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
    for c in cases[:GRADIENT_CASES]:
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
    cases = ex.cases(hidden=False)
    try:
        with _time_limit(CHECK_TIMEOUT):
            gots = []
            for c in cases:
                ok, reason, details, got = _outcome(ex, fn, c)
                report.results.append(CaseResult(c.name, c.group, False, ok, reason, details))
                gots.append(diagnosis.ERROR if got is None and not ok else got)
            if not report.not_implemented:
                report.diagnoses = _diagnose(ex, cases, report.results, gots)
            first = next((c for c, r in zip(cases, report.results, strict=True) if not r.ok), None)
            # a milestone's reason already names the first differing part: nothing to shrink
            if first is not None and not report.not_implemented and ex.kind != "pipeline":
                report.first_failure = _describe_failure(ex, fn, first)
            if ex.kind == "backward" and not report.not_implemented:
                report.gradient_note = _gradient_note(ex, fn, forward, cases, report.results)
    except TimeoutError as exc:
        done = len(report.results)
        for i, c in enumerate(cases[done:]):
            why = f"case {c.name} {exc}" if i == 0 else "not run (an earlier case timed out)"
            report.results.append(CaseResult(c.name, c.group, False, False, why))
        if done == len(cases):  # the cases ran; the diagnostics after them did not finish
            report.gradient_note = f"(stopped looking for a smaller failing input: {exc})"
    report.seconds = time.perf_counter() - start
    return report


def _diagnose(ex: Exercise, cases: list[Case], results: list[CaseResult], gots: list) -> dict:
    """Known mistakes explaining the failing groups; each failing case gets the id."""
    with warnings.catch_warnings():  # the wrong implementations' own warnings are noise here
        warnings.simplefilter("ignore")
        found = diagnosis.diagnose(
            ex, cases, [r.ok for r in results], gots, lambda c: expected_output(ex, c)
        )
    for c, r in zip(cases, results, strict=True):
        if not r.ok and (c.group, c.hidden) in found:
            r.mistake = found[(c.group, c.hidden)].id
    return found


def _gradient_note(ex, backward, forward, cases, results) -> str:
    """Tell a wrong forward from a wrong backward: the student's backward against central
    differences of the student's own forward, and that forward against the reference."""
    name = ex.forward_function
    if forward is None:
        if not registry.find_by_function(name):
            return ""  # a worked example of the chapter, not an exercise of this notebook
        return (
            f"Define {name} too: then your backward is also checked against central "
            "differences of your own forward."
        )
    try:
        err = gradient_consistency(ex, backward, forward, cases)
    except NotImplementedError as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        if frames and frames[-1].name == name:
            return (
                f"Implement {name} too: then your backward is also checked against central "
                "differences of it."
            )
        return f"Gradient check against your {name} could not run: {_error(ex, exc)}"
    except Exception as exc:
        return f"Gradient check against your {name} could not run: {student_error(exc)}"
    if err is None:
        return ""
    forward_ok = all(
        compare(ex, ex.forward(*c.args[1:], **c.kwargs), _safe(forward, c.args[1:], c.kwargs)).ok
        for c in cases[:3]
    )
    backward_ok = all(r.ok for r in results[:GRADIENT_CASES])  # the cases compared above
    wrong_forward = f"your {name} itself is wrong (see check({name}))"
    if err < 1e-5:
        msg = f"✓ your backward matches central differences of your {name} (rel. error {err:.1e})"
        if not forward_ok:
            msg += f"; but {wrong_forward}: fix the forward first"
        return msg
    if not forward_ok and backward_ok:
        return (
            f"Your backward matches the reference but not central differences of your "
            f"{name} (rel. error {err:.1e}): {wrong_forward}"
        )
    msg = (
        f"✗ your backward does NOT match central differences of your own {name} "
        f"(rel. error {err:.1e})"
    )
    if not forward_ok:
        return msg + f", and {wrong_forward}: fix {name} first, then the backward"
    return msg + ": the bug is in the backward"


def _safe(fn, args, kwargs):
    try:
        return fn(*[np.array(a) if isinstance(a, np.ndarray) else a for a in args], **kwargs)
    except Exception:
        return None


def _suggest(word: str, options) -> str:
    close = difflib.get_close_matches(word, sorted(set(options)), n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(close)}?)" if close else ""


def _resolve_targets(target, fn, caller: dict) -> list[tuple[Exercise, object]]:
    """(exercise, the student's callable or None) for each exercise to check; a
    ``LookupError``/``TypeError`` says in plain words what was asked that does not exist."""
    if target is None:
        found = [
            (e, caller[e.function])
            for e in registry.all_exercises()
            if callable(caller.get(e.function))
        ]
        if not found:
            raise LookupError(
                "no exercise function is defined here yet: run the cells that define them first"
            )
        return found
    if isinstance(target, str):
        if "." in target:
            ids = [e.id for e in registry.all_exercises()]
            if target not in ids:
                raise LookupError(f"there is no exercise {target!r}{_suggest(target, ids)}")
            ex = registry.get(target)
            return [(ex, fn if fn is not None else caller.get(ex.function))]
        name = target
        target = fn if fn is not None else caller.get(name)
    elif callable(target):
        name = getattr(target, "__name__", None)
    else:
        raise TypeError(
            "pass your function, e.g. check(cross_entropy), or an exercise id, e.g. "
            f"check('losses.cross_entropy'); got {type(target).__name__}"
        )
    functions = [e.function for e in registry.all_exercises()]
    matches = registry.find_by_function(name) if name else []
    if not matches:
        raise LookupError(
            f"no exercise asks for a function named {name!r}{_suggest(str(name), functions)}: "
            "name it as in the stub, or pass the exercise id: check('chapter.name', your_fn)"
        )
    if len(matches) > 1:
        raise LookupError(f"{name!r} is in several chapters: use one of {[e.id for e in matches]}")
    return [(matches[0], target if callable(target) else None)]


def check_report(target=None, fn=None, *, forward=None, caller: dict | None = None):
    caller = caller if caller is not None else inspect.currentframe().f_back.f_globals
    reports = []
    for ex, student in _resolve_targets(target, fn, caller):
        fwd = forward
        if fwd is None and ex.forward_function and callable(caller.get(ex.forward_function)):
            fwd = caller[ex.forward_function]
        reports.append(check_exercise(ex, student, forward=fwd))
    return reports


def check(target=None, fn=None, *, forward=None, caller: dict | None = None) -> None:
    """Check your implementation on the public cases and print a compact report.

    ``check("activations.gelu", gelu)``, ``check(gelu)`` (found by the function's name), or
    ``check()`` (every exercise whose function is defined in your notebook, then a summary).
    """
    caller = caller if caller is not None else inspect.currentframe().f_back.f_globals
    try:
        reports = check_report(target, fn, forward=forward, caller=caller)
    except (LookupError, TypeError) as exc:  # a mistyped name is feedback, not a traceback
        print(f"check(): {exc.args[0] if exc.args else exc}")
        return
    if target is None:
        print(overview(reports))
    else:
        print("\n\n".join(r.text() for r in reports))
