"""One engine for both executors: cases from the registry, the reference's expected outputs,
scoring by case group. ``check()`` runs student code in-process through :func:`run_case`;
official grading runs the same drivers in the sandbox (:mod:`autograder.sandbox`)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from autograder import codec, drivers
from autograder.compare import compare
from autograder.public import StoredReference
from autograder.registry import Case, Exercise


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
        _EXPECTED[key] = run_case(ex, ex.reference, case)
        weakref.finalize(case, _EXPECTED.pop, key, None)
    return _EXPECTED[key]


@dataclass
class CaseResult:
    name: str
    group: str
    hidden: bool
    ok: bool
    reason: str = ""
    details: dict = field(default_factory=dict)


@dataclass
class ExerciseResult:
    id: str
    function: str
    points: float
    max_points: int
    cases: list[CaseResult]
    status: str = "graded"  # graded | missing | error (reason says why)
    reason: str = ""

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "function": self.function,
            "points": self.points,
            "max_points": self.max_points,
            "status": self.status,
            "reason": self.reason,
            "cases": [
                {
                    "name": c.name,
                    "group": c.group,
                    "hidden": c.hidden,
                    "ok": c.ok,
                    "reason": c.reason,
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
        verdict = compare(ex, expected_output(ex, case), got)
    if case.hidden:
        return CaseResult(case.name, case.group, True, verdict.ok, verdict.summary)
    return CaseResult(case.name, case.group, False, verdict.ok, verdict.reason, verdict.details)
