"""One engine for both executors: cases from the registry, the reference's expected outputs,
scoring by case group. ``check()`` runs student code in-process through :func:`run_case`;
official grading runs the same drivers in the sandbox (:mod:`autograder.sandbox`)."""

from __future__ import annotations

import os
import signal
import threading
import weakref
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from autograder import codec, drivers
from autograder.compare import compare
from autograder.public import StoredReference
from autograder.registry import HIDDEN_SEED_ENV, Case, Exercise


@contextmanager
def time_limit(seconds: float, backstop: float, on_cpu, on_wall):
    """The body under two limits: ``on_cpu`` (a signal handler that raises) runs after
    ``seconds`` of this process's CPU time (SIGPROF: a busy machine changes no verdict),
    ``on_wall`` after ``backstop * seconds`` of wall-clock time (SIGALRM: code that only
    waits). No limit outside the main thread or without SIGPROF (signals reach the main
    thread only). ``check()`` and the mutation runner both time cases this way."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGPROF"):
        yield
        return
    old = signal.signal(signal.SIGPROF, on_cpu), signal.signal(signal.SIGALRM, on_wall)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, backstop * seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, old[0])
        signal.signal(signal.SIGALRM, old[1])


def wire_args(case: Case) -> tuple[list, dict]:
    """The case's args/kwargs with registry markers turned into driver markers."""
    arrays: list = []
    args = codec.decode(codec.encode(list(case.args), arrays), arrays)
    kwargs = codec.decode(codec.encode(dict(case.kwargs), arrays), arrays)
    return args, kwargs


def run_case(ex: Exercise, fn, case: Case):
    """Drive ``fn`` (the student's or the reference) on one case, in this process."""
    if isinstance(fn, StoredReference):  # a release bundle: outputs stored, no solutions/
        return fn.replay(case)
    args, kwargs = wire_args(case)
    return drivers.drive(ex.kind, fn, args, kwargs, case.steps)


_EXPECTED: dict[int, object] = {}


def expected_output(ex: Exercise, case: Case):
    """The reference's output on ``case``, computed once per Case object (a grading run reuses
    its cases for every submission). The entry dies with the case: an id outliving its object
    was once reused by a case drawn from another hidden seed, which then got stale answers."""
    key = id(case)
    if key not in _EXPECTED:
        _EXPECTED[key] = _frozen_copy(run_case(ex, ex.reference, case))
        weakref.finalize(case, _EXPECTED.pop, key, None)
    return _EXPECTED[key]


def _frozen_copy(value):
    """``value`` with every array in it replaced by a read-only copy: a cached answer cannot
    be changed by whoever reads it (nor by the reference, which may return an array it
    keeps)."""
    if isinstance(value, np.ndarray):
        value = value.copy()
        value.flags.writeable = False
        return value
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a NamedTuple
        return type(value)(*(_frozen_copy(v) for v in value))
    if isinstance(value, tuple | list):
        return type(value)(_frozen_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen_copy(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class JobCases:
    """The cases of some exercises for one hidden seed, as a sandbox job carries them:
    ``exercises`` (JSON: id, function, kind and each case's name, hidden flag, steps and
    args/kwargs with ``{"__npy__": i}`` markers into ``arrays``) and the :class:`Case`
    objects by exercise id (whose expected outputs :func:`expected_output` caches)."""

    exercises: list[dict]
    arrays: list[np.ndarray]
    cases: dict[str, list[Case]]


#: Recently built jobs, newest last: a grading run generates its cases (and so computes each
#: reference output) once, not once per submission.
_JOBS: OrderedDict[tuple, JobCases] = OrderedDict()
_JOBS_KEPT = 16
_JOBS_LOCK = threading.Lock()


def job_cases(exercises: list[Exercise], hidden_seed: str | None = None) -> JobCases:
    """Every case (public, then hidden) of ``exercises`` in wire form, built once per
    (exercises, hidden seed) and shared by every submission graded with them. Case
    generators are deterministic in their seed, so the cases are the same as a fresh
    ``ex.cases(hidden_seed=...)``; their arrays are made read-only, so no reader can alter
    what the next submission is graded on. ``hidden_seed=None`` reads
    ``$AUTOGRADER_HIDDEN_SEED`` now (a changed seed is a new entry)."""
    salt = hidden_seed if hidden_seed is not None else os.environ.get(HIDDEN_SEED_ENV, "")
    key = (tuple(exercises), salt)
    with _JOBS_LOCK:
        found = _JOBS.get(key)
        if found is None:
            found = _build_job_cases(exercises, salt)
            _JOBS[key] = found
            while len(_JOBS) > _JOBS_KEPT:
                _JOBS.popitem(last=False)
        _JOBS.move_to_end(key)
    return found


def _build_job_cases(exercises: list[Exercise], salt: str) -> JobCases:
    arrays: list = []
    wire = []
    cases_by_id = {}
    for ex in exercises:
        cases = ex.cases(hidden_seed=salt)
        cases_by_id[ex.id] = cases
        wire.append(
            {
                "id": ex.id,
                "function": ex.function,
                "kind": ex.kind,
                "cases": [
                    {
                        "name": c.name,
                        "hidden": c.hidden,
                        "steps": c.steps,
                        "args": codec.encode(list(c.args), arrays),
                        "kwargs": codec.encode(dict(c.kwargs), arrays),
                    }
                    for c in cases
                ],
            }
        )
    for a in arrays:  # the very arrays of the cached cases: no reader may change them
        a.flags.writeable = False
    return JobCases(wire, arrays, cases_by_id)


@dataclass
class CaseResult:
    name: str
    group: str
    hidden: bool
    ok: bool
    reason: str = ""
    details: dict = field(default_factory=dict)
    mistake: str = ""  # the id of the known mistake diagnosing this case's group (failing only)


@dataclass
class ExerciseResult:
    id: str
    function: str
    points: float
    max_points: int
    cases: list[CaseResult]
    status: str = "graded"  # graded | missing | error (reason says why)
    reason: str = ""
    #: The exercise's diagnosis, ``{"id", "sentence", "link"}`` (see autograder.diagnosis).
    mistake: dict | None = None

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "function": self.function,
            "points": self.points,
            "max_points": self.max_points,
            "status": self.status,
            "reason": self.reason,
            "mistake": self.mistake,
            "cases": [
                {
                    "name": c.name,
                    "group": c.group,
                    "hidden": c.hidden,
                    "ok": c.ok,
                    "reason": c.reason,
                    **({"mistake": c.mistake} if c.mistake else {}),
                }
                for c in self.cases
            ],
        }


def score(ex: Exercise, results: list[CaseResult]) -> float:
    """Points split equally across case groups; a group counts when all its cases pass."""
    groups: dict[tuple[str, bool], bool] = {}
    for r in results:
        groups[(r.group, r.hidden)] = groups.get((r.group, r.hidden), True) and r.ok
    for g in ex.groups:
        groups.setdefault(g, False)
    share = ex.points / len(groups)
    return round(sum(share for ok in groups.values() if ok), 6)


def judge(ex: Exercise, case: Case, got=None, error: str | None = None) -> CaseResult:
    """Compare one outcome with the reference; hidden cases never carry data in the reason."""
    if error is not None:  # the caller strips a hidden case's exception message
        return CaseResult(case.name, case.group, case.hidden, False, error)
    else:
        verdict = compare(ex, expected_output(ex, case), got, case=case)
    if case.hidden:
        return CaseResult(case.name, case.group, True, verdict.ok, verdict.summary)
    return CaseResult(case.name, case.group, False, verdict.ok, verdict.reason, verdict.details)
