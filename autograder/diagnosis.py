"""Name the known mistake behind a failing case group.

When a case group fails, the student's output on each failing case is compared (with the
exercise's own tolerance, :func:`autograder.compare.compare`) with each declared mistake's
output on the same input (:mod:`autograder.mistakes`). A mistake that matches on every failing
case of the group, and whose output is itself wrong there, diagnoses the group. Only failing
groups are ever looked at, so a passing case or a correct submission is never diagnosed; a
case whose code raised (no output) is never explained by a mistake.

Where the mistakes' outputs come from:

* in the repository (official grading in the trusted parent, ``check()`` in a clone): the
  wrong implementations themselves, run like the reference on the case's input;
* in a student bundle (no wrong code in it): their outputs on the public cases, stored by
  ``autograder release`` (:func:`autograder.public.dump_exercises`) and registered here by
  :func:`register_stored` when the bundle's exercises are loaded.

**Record shape** (read by the reports, the gradebook and the exports; owned by this module,
change it only here and tell the report's owners):

* ``ExerciseResult.to_json()["mistake"]``: ``None`` or ``{"id", "sentence", "link",
  "groups", "failing_groups"}``, the exercise's diagnosis (the mistake diagnosing the most
  failing groups; ``groups`` of the ``failing_groups`` failing case groups show it);
* each failing case dict of a diagnosed group: ``"mistake": "<id>"`` (absent otherwise);
* the gradebook's ``results.mistake`` column: the exercise's mistake id or NULL
  (``gradebook.Row.mistake``);
* :func:`describe` turns an id back into its :class:`Known` (sentence, link).

The sentence and link are fixed text from the declaration: safe on hidden cases.
"""

from __future__ import annotations

import weakref
from collections import Counter
from dataclasses import dataclass

import numpy as np

from autograder.compare import compare

#: Stands for "the student's code raised on this case" (no output to compare).
ERROR = object()


@dataclass(frozen=True)
class Known:
    """What a diagnosis shows: no code, only fixed text."""

    id: str
    exercise: str
    sentence: str
    link: str

    def to_json(self) -> dict:
        return {"id": self.id, "sentence": self.sentence, "link": self.link}

    def text(self) -> str:
        return f"Known mistake ({self.id}): {self.sentence} See Common mistakes: {self.link}"


#: A bundle's stored mistakes: exercise id -> [(Known, {case key: output})].
_STORED: dict[str, list[tuple[Known, dict]]] = {}


def register_stored(exercise_id: str, known: Known, outputs: dict) -> None:
    """Record a bundle's stored mistake (loading the same bundle again replaces it)."""
    kept = [(k, o) for k, o in _STORED.get(exercise_id, []) if k.id != known.id]
    _STORED[exercise_id] = [*kept, (known, outputs)]


def _declared():
    """The wrong implementations (None in a student bundle, which has none)."""
    try:
        from autograder import mistakes
    except ImportError:
        return None
    return mistakes


def known_for(exercise_id: str) -> list[Known]:
    declared = _declared()
    if declared is None:
        return [k for k, _ in _STORED.get(exercise_id, [])]
    return [Known(m.id, m.exercise, m.sentence, m.link) for m in declared.for_exercise(exercise_id)]


def describe(mistake_id: str | None) -> Known | None:
    """The :class:`Known` of a stored id (a gradebook row's ``mistake``), or None."""
    if not mistake_id:
        return None
    declared = _declared()
    if declared is not None:
        m = declared.get(mistake_id)
        return None if m is None else Known(m.id, m.exercise, m.sentence, m.link)
    for items in _STORED.values():
        for k, _ in items:
            if k.id == mistake_id:
                return k
    return None


_OUTPUTS: dict[int, dict[str, object]] = {}


def mistake_output(ex, known: Known, case):
    """The mistake's output on ``case`` (raises if it has none: a refused input, or a case
    whose output a bundle did not store). Computed once per case object."""
    declared = _declared()
    if declared is None:
        from autograder.public import case_key

        for k, outputs in _STORED.get(ex.id, []):
            if k.id == known.id:
                return outputs[case_key(case.args, case.kwargs, case.steps)]
        raise LookupError(known.id)
    from autograder.engine import run_case

    key = id(case)
    if key not in _OUTPUTS:
        _OUTPUTS[key] = {}
        weakref.finalize(case, _OUTPUTS.pop, key, None)
    cached = _OUTPUTS[key]
    if known.id not in cached:
        try:
            with np.errstate(all="ignore"):
                cached[known.id] = run_case(ex, declared.get(known.id).wrong, case)
        except Exception as exc:  # noqa: BLE001 - the wrong code refuses this input
            cached[known.id] = exc
    if isinstance(cached[known.id], Exception):
        raise LookupError(known.id)
    return cached[known.id]


def _explains(ex, known: Known, case, got, expected) -> bool:
    if got is ERROR:
        return False
    try:
        wrong = mistake_output(ex, known, case)
    except Exception:  # noqa: BLE001 - no output for this input: no diagnosis
        return False
    if compare(ex, expected, wrong).ok:  # the mistake gives the right answer here
        return False
    return compare(ex, wrong, got).ok


def diagnose(ex, cases, oks, gots, expected_of) -> dict[tuple[str, bool], Known]:
    """``{(group, hidden): Known}`` for each failing group that a declared mistake explains.

    ``cases``, ``oks`` (passed or not) and ``gots`` (the student's outputs, :data:`ERROR` for a
    raised case) are parallel; ``expected_of(case)`` gives the reference's output. A mistake
    explains a group when it matches every failing case of it; when several do, the one that
    explains the most groups of this exercise wins (then declaration order)."""
    failing: dict[tuple[str, bool], list] = {}
    for c, ok, got in zip(cases, oks, gots, strict=True):
        if not ok:
            failing.setdefault((c.group, c.hidden), []).append((c, got))
    if not failing:
        return {}
    knowns = known_for(ex.id)
    if not knowns:
        return {}
    matched: dict[str, set] = {}
    for k in knowns:
        for key, items in failing.items():
            if all(_explains(ex, k, c, got, expected_of(c)) for c, got in items):
                matched.setdefault(k.id, set()).add(key)
    out = {}
    for key in failing:
        candidates = [k for k in knowns if key in matched.get(k.id, ())]
        if candidates:
            out[key] = max(candidates, key=lambda k: len(matched[k.id]))
    return out


def summary(by_group: dict[tuple[str, bool], Known]) -> Known | None:
    """The exercise's diagnosis: the mistake of the most diagnosed groups (first on ties)."""
    if not by_group:
        return None
    counts = Counter(k.id for k in by_group.values())
    best = max(counts.values())
    return next(k for k in by_group.values() if counts[k.id] == best)


def apply(ex, cases, results, gots, expected_of) -> dict | None:
    """Diagnose ``results`` (:class:`autograder.engine.CaseResult`, parallel to ``cases`` and
    ``gots``) in place: each failing case of a diagnosed group gets the mistake's id. Returns
    the exercise's diagnosis (see the record shape above) or None."""
    by_group = diagnose(ex, cases, [r.ok for r in results], gots, expected_of)
    for c, r in zip(cases, results, strict=True):
        k = by_group.get((c.group, c.hidden))
        if k is not None and not r.ok:
            r.mistake = k.id
    best = summary(by_group)
    if best is None:
        return None
    failing = {(c.group, c.hidden) for c, r in zip(cases, results, strict=True) if not r.ok}
    explained = [g for g, k in by_group.items() if k == best]
    return dict(best.to_json(), groups=len(explained), failing_groups=len(failing))
