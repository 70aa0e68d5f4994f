"""Edges a statement names, and the graded cases that must produce them.

An *edge* is an input on which a plausible wrong implementation and the right one part ways
although both agree on ordinary data: tied scores, an input exactly at a kink, a class with
no examples, a variance below ``eps``, ``p = 1``... Where an exercise's statement (the
reference's docstring and the registry's description, what a student reads) names one, at
least one graded case must produce it, or a student who gets it wrong keeps full marks.

Each chapter registry declares, next to its cases, ``EDGES = {"topic.name": {tag: predicate}}``:
``predicate(a)`` is called with the arguments of one graded case bound to the reference's
signature (defaults filled in; for a class graded through a driver, the driver's arguments
``_0, _1, ...`` and the constructor options) and says whether that case produces the edge.
:data:`NAMED` lists the tags and the words that name them in a statement;
``tests/autograder/test_edges.py`` fails when a statement names an edge that its exercise does
not declare (or excuse in ``EDGES_EXCUSED``), and when no graded case produces a declared edge.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the chapter registries import this module while the registry loads
    from autograder.registry import Case, Exercise

#: tag -> the words that name the edge in a statement (a regular expression, ignoring case).
NAMED: dict[str, str] = {
    "ties": r"\bti(e|es|ed)\b",
    "empty": r"\bempty (mask|class)|\bno examples\b|\bzero counts?\b",
    "eps": r"``eps``|\beps:",
    "at zero": r"\bat :math:`x = 0`|\balso at 0\b|\bat 0\)",
    "zero gradient": r"\bzero gradient\b",
    "p = 1": r"``p = 1``",
}

Predicate = Callable[[dict], bool]


def named_edges(ex: Exercise) -> set[str]:
    """The tags of :data:`NAMED` whose words occur in the statement of ``ex``."""
    text = statement(ex)
    return {tag for tag, pattern in NAMED.items() if re.search(pattern, text, re.IGNORECASE)}


def statement(ex: Exercise) -> str:
    return f"{inspect.getdoc(ex.reference) or ''}\n{ex.description or ''}"


def bound(ex: Exercise, c: Case) -> dict:
    """The arguments of case ``c`` by parameter name, defaults included."""
    out: dict = {f"_{i}": v for i, v in enumerate(c.args)}
    fn = ex.reference
    if inspect.isclass(fn):  # graded through a driver: its args, and the constructor options
        params = inspect.signature(fn.__init__).parameters
        out.update({n: p.default for n, p in params.items() if p.default is not p.empty})
        out.update(c.kwargs)
        out["steps"] = c.steps
        return out
    sig = inspect.signature(fn)
    b = sig.bind_partial(*c.args, **c.kwargs)
    b.apply_defaults()
    out.update(b.arguments)
    return out


def occurs(ex: Exercise, predicate: Predicate, cases: list[Case]) -> list[str]:
    """Names of the graded cases that produce the edge."""
    return [c.name for c in cases if predicate(bound(ex, c))]


# ------------------------------------------------------------------ predicate helpers


def _array(value) -> np.ndarray:
    return np.asarray(value)


def has_value(name: str, value: float) -> Predicate:
    """Some element of argument ``name`` equals ``value`` exactly."""
    return lambda a: a.get(name) is not None and bool(np.any(_array(a[name]) == value))


def equal_somewhere(first: str, second: str) -> Predicate:
    """Arguments ``first`` and ``second`` are equal in at least one element."""

    def check(a):
        x, y = a.get(first), a.get(second)
        if x is None or y is None:
            return False
        x, y = np.broadcast_arrays(_array(x), _array(y))
        return bool(np.any(x == y))

    return check


def has_ties(name: str, axis: int | None = -1) -> Predicate:
    """Argument ``name`` has two equal values (along ``axis``: within one row)."""

    def check(a):
        x = a.get(name)
        if x is None:
            return False
        x = _array(x)
        if x.size < 2:
            return False
        if axis is None or x.ndim < 2:
            flat = np.sort(x.ravel())
            return bool(np.any(flat[1:] == flat[:-1]))
        s = np.sort(np.moveaxis(x, axis, -1), axis=-1)
        return bool(np.any(s[..., 1:] == s[..., :-1]))

    return check


def option(name: str, value=None) -> Predicate:
    """Option ``name`` is ``value`` (or, without a value, set to anything but None/False)."""
    if value is None:
        return lambda a: a.get(name) not in (None, False)
    return lambda a: _same(a.get(name), value)


def _same(x, value) -> bool:
    if isinstance(x, np.ndarray) or isinstance(value, np.ndarray):
        return bool(np.array_equal(x, value))
    return x == value


def both(*predicates: Predicate) -> Predicate:
    return lambda a: all(p(a) for p in predicates)
