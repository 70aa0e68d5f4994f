"""Official grading: extract -> run in the sandbox -> compare in the parent -> score -> report.

The trusted parent generates every case (public and hidden) from the registry, sends the
inputs as ``.npy``/JSON, receives outputs the same way (``allow_pickle=False``) and compares
them with the reference here. Nothing the student wrote is imported, unpickled or evaluated
in this process.
"""

from __future__ import annotations

import builtins
import contextlib
import inspect
import queue
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import partial

from autograder import codec, diagnosis, registry
from autograder.engine import (
    CaseResult,
    ExerciseResult,
    expected_output,
    job_cases,
    judge,
    score,
)
from autograder.extract import Submission, location
from autograder.registry import Exercise
from autograder.sandbox import Worker, limits
from autograder.version import __version__


@dataclass
class SubmissionResult:
    name: str
    chapter: str
    exercises: list[ExerciseResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""
    #: "graded" (a real verdict) or "infrastructure": grading failed for a reason that is not
    #: the student's (worker died, interrupted); ``error`` says which. Never stored as a score.
    status: str = "graded"

    @property
    def points(self) -> float:
        return round(sum(e.points for e in self.exercises), 6)

    @property
    def max_points(self) -> int:
        return sum(e.max_points for e in self.exercises)

    def to_json(self) -> dict:
        return {
            "submission": self.name,
            "chapter": self.chapter,
            "points": self.points,
            "max_points": self.max_points,
            "error": self.error,
            "notes": self.notes,
            "grader_version": __version__,
            "status": self.status,
            "exercises": [e.to_json() for e in self.exercises],
        }


def chapter_votes(names: set[str]) -> Counter[str]:
    """How many of ``names`` are exercise functions of each chapter (chapters with none are
    absent)."""
    return Counter(e.chapter for e in registry.all_exercises() if e.function in names)


def likely_chapter(names: set[str]) -> str:
    """The chapter whose notebook defines ``names``, or ``""``: a milestone's when its pipeline
    function is among them (its notebook also defines the parts it assembles, other chapters'
    functions), else the chapter with the most functions among them (a tie: the first id)."""
    for e in registry.all_exercises():
        if e.kind == "pipeline" and e.function in names:
            return e.chapter
    votes = chapter_votes(names)
    return min(votes, key=lambda c: (-votes[c], c)) if votes else ""


def infer_chapter(sub: Submission) -> str:
    return likely_chapter(sub.defined.union(*[e["names"] for e in sub.syntax_errors]))


def wrong_chapter_hint(defined: set[str], chapter: str | None) -> str:
    """A hint when the submission's functions belong to another chapter than ``chapter``
    (the chapter an instructor or Gradescope named), or ``""``."""
    if not chapter or not defined:
        return ""
    votes, best = chapter_votes(defined), likely_chapter(defined)
    if not best or best == chapter or votes[best] <= votes[chapter]:
        return ""
    return (
        f"This assignment is chapter {chapter}, but your file defines {votes[best]} "
        f"function(s) of chapter {best} and {votes[chapter]} of {chapter}: did you "
        f"submit the {best} notebook? Submit chapters/{chapter}/exercises.ipynb."
    )


def chapter_of(sub: Submission, chapter: str | None) -> str:
    """The chapter ``sub`` is graded for: ``chapter`` (an id or a short name) or inferred."""
    return registry.CHAPTERS.get(chapter, chapter) if chapter else infer_chapter(sub)


#: Status of an exercise whose function is in code that does not parse (a cell or a chunk
#: of a .py file): not "missing", so the reports count syntax errors as such.
SYNTAX_ERROR = "syntax_error"


def build_job(sub: Submission, exercises: list[Exercise], lim: dict, hidden_seed):
    """The sandbox job for ``sub``: its statements plus every case of ``exercises``, the cases
    built once per grading run (:func:`autograder.engine.job_cases`)."""
    built = job_cases(exercises, hidden_seed)
    job = {"statements": sub.statements, "exercises": list(built.exercises), "limits": lim}
    return job, list(built.arrays), dict(built.cases)


def syntax_error_of(ex: Exercise, sub: Submission) -> dict | None:
    """The syntax error that skipped the code defining ``ex``'s function, if any."""
    return next((err for err in sub.syntax_errors if ex.function in err["names"]), None)


def syntax_reason(err: dict, function: str) -> str:
    """``syntax error in cell 12 (In [7]), line 3: expected ':' in `def f(x)`; the cell is
    skipped, so f is not defined``: where, what, the line, and what it costs."""
    code = f" in `{err['text']}`" if err.get("text") else ""
    what = "the cell is" if "in" in err else "that code is"
    return (
        f"syntax error {location(err)}: {err['msg']}{code}; {what} skipped, so "
        f"{function} is not defined"
    )


def _missing_reason(ex: Exercise, sub: Submission) -> str:
    err = syntax_error_of(ex, sub)
    if err is not None:
        return syntax_reason(err, ex.function)
    return f"no function named {ex.function} found in the submission"


def _signature_note(ex: Exercise, got: list[str] | None) -> str:
    expected = list(inspect.signature(ex.reference).parameters)
    if got is not None and got != expected:
        return f"wrong signature: expected {ex.signature}, got {ex.function}({', '.join(got)})"
    return ""


def assemble(
    sub: Submission, exercises: list[Exercise], header: dict, out_arrays: list, cases_by_id: dict
) -> list[ExerciseResult]:
    results = []
    by_id = {r["id"]: r for r in header.get("results", [])}
    for ex in exercises:
        cases = cases_by_id[ex.id]
        r = by_id.get(ex.id, {"status": "error", "reason": "no result from the sandbox"})
        if r["status"] == "missing":
            reason = _missing_reason(ex, sub)
            broken = syntax_error_of(ex, sub) is not None
            why = "not run: syntax error" if broken else "missing"
            crs = [CaseResult(c.name, c.group, c.hidden, False, why) for c in cases]
            status = SYNTAX_ERROR if broken else "missing"
            results.append(ExerciseResult(ex.id, ex.function, 0.0, ex.points, crs, status, reason))
            continue
        if r["status"] == "error":
            crs = [CaseResult(c.name, c.group, c.hidden, False, r["reason"]) for c in cases]
            results.append(
                ExerciseResult(ex.id, ex.function, 0.0, ex.points, crs, "error", r["reason"])
            )
            continue
        got_by_name = {c["name"]: c for c in r["cases"]}
        crs, gots = [], []
        for c in cases:
            g = got_by_name.get(c.name, {"error": "no output"})
            gots.append(diagnosis.ERROR)
            if "error" in g:
                err = g["error"] if not c.hidden else _hidden_error(g["error"])
                crs.append(judge(ex, c, error=err))
            else:
                try:
                    got = codec.decode(g["output"], out_arrays)
                    crs.append(judge(ex, c, got))
                    gots[-1] = got
                except Exception as exc:  # a malformed output must not stop grading
                    crs.append(judge(ex, c, error=f"ungradable output ({type(exc).__name__})"))
        mistake = diagnosis.apply(ex, cases, crs, gots, partial(expected_output, ex))
        pts = score(ex, crs)
        reason = ""
        if pts < ex.points:
            reason = _signature_note(ex, r.get("signature"))
            first = next(x for x in crs if not x.ok)
            reason = "; ".join(filter(None, [f"{first.name}: {first.reason}", reason]))
        results.append(
            ExerciseResult(ex.id, ex.function, pts, ex.points, crs, "graded", reason, mistake)
        )
    return results


#: Exception names a hidden case may report: Python's and numpy's own, a fixed list.
KNOWN_ERRORS = frozenset(
    [n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException)]
    + ["LinAlgError", "AxisError"]
)


def _hidden_error(error: str) -> str:
    """A hidden case's error as a category the grader words itself: never the student's
    text (message, exception class or module name, function or frame name, line number),
    any of which could encode the hidden input."""
    for prefix, category in (
        ("not implemented yet", "not implemented yet (raises NotImplementedError)"),
        ("out of memory", "out of memory (MemoryError)"),
        ("RecursionError", "RecursionError: infinite recursion?"),
        ("returned something ungradable", "returned something ungradable"),
    ):
        if error.startswith(prefix):
            return category
    name = re.match(r"[A-Za-z_]\w*", error)
    if name and name.group() in KNOWN_ERRORS:
        return f"raised {name.group()} (message hidden on hidden cases)"
    return "raised an exception (name and message hidden on hidden cases)"


#: Failures of the grading machinery itself (not of the student's code).
WORKER_FAILURES = (EOFError, OSError, codec.WireError)


def grade_submissions(
    subs: list[Submission],
    *,
    chapter: str | None = None,
    workers: int = 1,
    sandbox: bool = True,
    timeout: float | None = None,
    memory_mb: int | None = None,
    hidden_seed: str | None = None,
    progress=None,
    on_result=None,
) -> tuple[list[SubmissionResult], dict]:
    """Grade every submission; returns results (in input order) and the sandbox layers.

    ``on_result(index, result)`` (optional) is called as each submission finishes, one call
    at a time, so a caller can store results before the whole run ends. If it raises (the
    gradebook cannot be written), grading stops at once: in-flight submissions are
    abandoned and the exception is raised here.

    A worker that dies or stops answering is replaced and the submission tried once more in
    the new one; if that fails too, the result has ``status="infrastructure"`` (no score).
    On ``KeyboardInterrupt`` (Ctrl-C, or SIGTERM turned into one by the caller) the running
    workers are killed, in-flight submissions become ``infrastructure`` results
    ("interrupted", passed to ``on_result``), nothing new starts, and the interrupt is raised
    again once the threads have stopped (a second interrupt stops waiting for them)."""
    if not subs:  # nothing to grade: no sandbox to start
        return [], {}
    lim = limits(timeout=timeout, memory_mb=memory_mb)
    todo: queue.Queue = queue.Queue()
    for i, s in enumerate(subs):
        todo.put((i, s))
    results: list[SubmissionResult | None] = [None] * len(subs)
    layers: dict = {}
    lock = threading.Lock()
    stop = threading.Event()
    boxes: list[list] = []  # each thread's current worker, to kill on a stop
    failed: list[BaseException] = []  # what on_result raised

    def halt() -> None:
        stop.set()
        for box in list(boxes):
            with contextlib.suppress(Exception):
                box[0].proc.kill()

    def infrastructure(res: SubmissionResult, why: str) -> SubmissionResult:
        res.status, res.error, res.exercises = "infrastructure", why, []
        return res

    def one(worker_box: list, sub: Submission) -> SubmissionResult:
        ch = chapter_of(sub, chapter)
        res = SubmissionResult(sub.name, ch)
        if chapter and (hint := wrong_chapter_hint(sub.defined, ch)):
            res.notes.append(hint)
        exercises = registry.exercises_for_chapter(ch) if ch else []
        if sub.error or not exercises:
            res.error = sub.error or "no exercise function of any chapter found"
            for ex in exercises:
                res.exercises.append(
                    ExerciseResult(ex.id, ex.function, 0.0, ex.points, [], "error", res.error)
                )
            return res
        res.notes += [
            f"syntax error {location(e)}: {e['msg']}"
            + (f" in `{e['text']}`" if e.get("text") else "")
            + f" ({'the cell' if 'in' in e else 'that code'} is skipped"
            + (f": it defines {', '.join(sorted(e['names']))})" if e["names"] else ")")
            for e in sub.syntax_errors
        ]
        job, arrays, cases_by_id = build_job(sub, exercises, lim, hidden_seed)
        for attempt in (1, 2):
            try:
                header, out = worker_box[0].run(job, arrays)
                break
            except WORKER_FAILURES as exc:
                worker_box[0].close()
                if stop.is_set():
                    return infrastructure(res, "interrupted before grading finished")
                if attempt == 2:
                    why = f"the grading worker failed twice ({type(exc).__name__})"
                    return infrastructure(res, why)
                worker_box[0] = Worker(sandbox=sandbox)
        res.notes += [f"module-level code: {n}" for n in header.get("notes", [])]
        res.exercises = assemble(sub, exercises, header, out, cases_by_id)
        return res

    def run() -> None:
        if stop.is_set():
            return
        box = [Worker(sandbox=sandbox)]
        with lock:
            boxes.append(box)
            layers.update(box[0].layers)
        try:
            while not stop.is_set():
                try:
                    i, sub = todo.get_nowait()
                except queue.Empty:
                    return
                res = one(box, sub)
                with lock:
                    if failed:
                        return
                    results[i] = res
                    try:
                        if on_result:
                            on_result(i, res)
                    except BaseException as exc:  # noqa: BLE001 - re-raised by the caller
                        failed.append(exc)
                        halt()
                        return
                    if progress:
                        progress()
        finally:
            box[0].close()

    threads = [
        threading.Thread(target=run, daemon=True) for _ in range(max(1, min(workers, len(subs))))
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    except BaseException:  # KeyboardInterrupt: stop, record what was in flight, re-raise
        halt()
        for t in threads:
            if t.is_alive():
                t.join()
        raise
    if failed:
        raise failed[0]
    return [r for r in results if r is not None], layers
