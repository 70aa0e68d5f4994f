"""Shrink a failing case to a smaller input that still fails (own shrinker, no hypothesis).

Candidates cut one axis of an array argument to its first element or first half; arrays that
share that axis length (a batch dimension shared by input and target) are cut together. A
candidate is kept when the reference still accepts it and the student's function still fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from autograder.registry import Case

MAX_SECONDS = 0.3


def _arrays(case: Case):
    for i, a in enumerate(case.args):
        if isinstance(a, np.ndarray):
            yield ("arg", i), a
    for k, v in case.kwargs.items():
        if isinstance(v, np.ndarray):
            yield ("kw", k), v


def _cut(case: Case, axis: int, size: int, new: int) -> Case:
    def cut(a):
        if isinstance(a, np.ndarray) and a.ndim > axis and a.shape[axis] == size:
            return np.take(a, np.arange(new), axis=axis)
        return a

    return Case(
        case.group,
        tuple(cut(a) for a in case.args),
        {k: cut(v) for k, v in case.kwargs.items()},
        case.hidden,
        case.name,
        case.steps,
    )


def _candidates(case: Case):
    seen = set()
    for _, a in _arrays(case):
        for axis, size in enumerate(a.shape):
            if size <= 1 or (axis, size) in seen:
                continue
            seen.add((axis, size))
            for new in (1, size // 2, size - 1):
                if 1 <= new < size:
                    yield _cut(case, axis, size, new)


def size_of(case: Case) -> int:
    return sum(a.size for _, a in _arrays(case))


def shrink(case: Case, still_fails: Callable[[Case], bool]) -> Case:
    """The smallest case found (by total array size) on which ``still_fails`` holds."""
    deadline = time.perf_counter() + MAX_SECONDS
    best = case
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for cand in sorted(_candidates(best), key=size_of):
            if time.perf_counter() > deadline:
                break
            if size_of(cand) < size_of(best) and still_fails(cand):
                best, improved = cand, True
                break
    return best
