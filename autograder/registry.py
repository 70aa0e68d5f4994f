"""The exercise registry: what students implement, how it is graded, and the cases.

One file per chapter under :mod:`autograder.exercises` declares that chapter's exercises with
:func:`exercise`; this module finds them, validates them at import time (a malformed
definition raises :class:`ExerciseDefinitionError`, so it breaks the build, never a grade) and
answers ``all_exercises()``, ``exercises_for_chapter(chapter)`` and ``get(id)``.

Scoring rule (documented in every notebook): an exercise's points are split equally between
its case groups (public and hidden); a group earns its share only when every case in it
passes. Properties (e.g. the student's backward against central differences of the student's
own forward) are diagnostics shown by ``check()``, not scored.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

#: The chapter folder of each topic module (``solutions/<topic>.py`` -> ``chapters/<folder>``).
CHAPTERS = {
    "backprop": "00_backprop",
    "init": "01_init",
    "norm": "02_norm",
    "activations": "03_activations",
    "losses": "04_losses",
    "optim": "05_optimizers",
    "lr_scheduler": "05_optimizers",
    "regularization": "06_regularization",
    "metrics": "07_metrics",
    "ensembles": "08_ensembles",
    "train": "09_capstone",
    "shapes": "10_shapes",
}

#: How the student's callable is driven (see :mod:`autograder.drivers`).
KINDS = (
    "function",
    "backward",
    "inplace",
    "initializer",
    "optimizer",
    "scheduler",
    "averager",
    "pipeline",
)
#: How outputs are compared with the reference (see :mod:`autograder.compare`).
COMPARES = ("allclose", "distribution", "orthogonal", "exact", "magnitude", "pipeline")

#: Default tolerances by output dtype: loose enough for another correct algorithm (loops vs
#: vectorized, float32 internals where the output is float32), tight enough for every bug.
DEFAULT_RTOL = {"float64": 1e-6, "float32": 2e-4, "float16": 1e-2}
DEFAULT_ATOL = {"float64": 1e-9, "float32": 1e-5, "float16": 1e-3}

#: Hidden cases are drawn from a seed the student does not know: set AUTOGRADER_HIDDEN_SEED
#: on the grading machine (a fixed default keeps grading deterministic without it).
HIDDEN_SEED_ENV = "AUTOGRADER_HIDDEN_SEED"


class ExerciseDefinitionError(Exception):
    """A malformed exercise definition (raised while importing the registry)."""


@dataclass(frozen=True)
class Rng:
    """Marks an argument that the driver replaces with ``numpy.random.default_rng(seed)``."""

    seed: int


@dataclass(frozen=True)
class Fn:
    """Marks an argument that the driver replaces with a named trusted callable
    (``autograder.drivers.CALLABLES``), for exercises that take functions."""

    name: str


@dataclass(frozen=True)
class Case:
    """One input of an exercise: positional ``args`` and keyword ``kwargs``.

    Values are numpy arrays, JSON scalars (int, float, bool, str, None), lists/tuples of
    those, dicts with str keys, :class:`Rng` or :class:`Fn`: only these cross the sandbox.
    """

    group: str
    args: tuple
    kwargs: dict
    hidden: bool = False
    name: str = ""
    steps: int = 0  # optimizer / scheduler exercises: how many steps the driver takes


def case(group: str, *args, steps: int = 0, **kwargs) -> Case:
    """A case in ``group`` (names and the hidden flag are assigned by the registry)."""
    return Case(group=group, args=tuple(args), kwargs=dict(kwargs), steps=steps)


class Gen:
    """Seeded input factory handed to case generators (float64 unless told otherwise)."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def normal(self, *shape, scale=1.0, loc=0.0, dtype=np.float64) -> np.ndarray:
        return (loc + scale * self.rng.standard_normal(shape)).astype(dtype)

    def uniform(self, *shape, low=0.0, high=1.0, dtype=np.float64) -> np.ndarray:
        return self.rng.uniform(low, high, shape).astype(dtype)

    def integers(self, low, high, *shape) -> np.ndarray:
        return self.rng.integers(low, high, shape).astype(np.int64)

    def probs(self, *shape, axis=-1, dtype=np.float64) -> np.ndarray:
        p = self.rng.uniform(0.05, 1.0, shape)
        return (p / p.sum(axis=axis, keepdims=True)).astype(dtype)

    def seed(self) -> int:
        return int(self.rng.integers(0, 2**31 - 1))


CaseFactory = Callable[[Gen], Iterable[Case]]


def _seed_of(text: str) -> int:
    return zlib.crc32(text.encode())


@dataclass(frozen=True, eq=False)
class Exercise:
    """One graded exercise. Build it with :func:`exercise`."""

    id: str
    chapter: str
    function: str
    reference: Callable
    points: int
    public: CaseFactory
    hidden: CaseFactory
    kind: str = "function"
    compare: str = "allclose"
    rtol: dict = field(default_factory=dict)
    atol: dict = field(default_factory=dict)
    forward: Callable | None = None  # backward exercises: the reference forward
    description: str = ""
    properties: tuple[str, ...] = ()

    @property
    def topic(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def forward_function(self) -> str | None:
        return self.forward.__name__ if self.forward is not None else None

    @cached_property
    def signature(self) -> str:
        return f"{self.function}{_plain_signature(self.reference)}"

    @cached_property
    def title(self) -> str:
        doc = inspect.getdoc(self.reference) or ""
        return doc.strip().splitlines()[0] if doc.strip() else self.function

    def cases(self, *, hidden: bool | None = None, hidden_seed: str | None = None) -> list[Case]:
        """The public cases, then the hidden ones (``hidden=False``/``True``: only those)."""
        out = []
        if hidden is not True:
            out += self._named(self.public(Gen(_seed_of(self.id))), hidden=False)
        if hidden is not False:
            salt = hidden_seed if hidden_seed is not None else os.environ.get(HIDDEN_SEED_ENV, "")
            out += self._named(self.hidden(Gen(_seed_of(f"{self.id}#hidden#{salt}"))), True)
        return out

    def _named(self, cases: Iterable[Case], hidden: bool) -> list[Case]:
        counts: dict[str, int] = {}
        out = []
        for c in cases:
            if not isinstance(c, Case):
                raise ExerciseDefinitionError(f"{self.id}: case generators must yield Case")
            counts[c.group] = counts.get(c.group, 0) + 1
            prefix = "hidden-" if hidden else ""
            name = f"{prefix}{c.group}-{counts[c.group]}"
            out.append(Case(c.group, c.args, c.kwargs, hidden, name, c.steps))
        return out

    @cached_property
    def groups(self) -> list[tuple[str, bool]]:
        """(group, hidden) in order; each earns ``points / len(groups)``."""
        seen: list[tuple[str, bool]] = []
        for c in self.cases(hidden_seed=""):
            if (c.group, c.hidden) not in seen:
                seen.append((c.group, c.hidden))
        return seen

    @cached_property
    def counts(self) -> tuple[int, int]:
        cs = self.cases(hidden_seed="")
        return sum(not c.hidden for c in cs), sum(c.hidden for c in cs)

    @cached_property
    def rules(self) -> tuple[str, ...]:
        """What the grader enforces beyond the values, in words (shown with the statement):
        what to return, dtypes, in-place updates, accepted types, absent options."""
        return tuple(_rules(self))

    def to_json(self) -> dict:
        n_public, n_hidden = self.counts
        return {
            "id": self.id,
            "chapter": self.chapter,
            "function": self.function,
            "signature": self.signature,
            "title": self.title,
            "points": self.points,
            "kind": self.kind,
            "compare": self.compare,
            "forward": self.forward_function,
            "public_cases": n_public,
            "hidden_cases": n_hidden,
            "groups": [{"name": g, "hidden": h} for g, h in self.groups],
            "properties": list(self.properties),
            "rules": list(self.rules),
        }


class _Source(str):
    """A default value shown by its source text (``repr`` of ``nan`` is not valid Python)."""

    def __repr__(self) -> str:
        return str(self)


def _plain_default(value):
    if isinstance(value, float) and value != value:  # NaN (e.g. np.nan)
        return _Source('float("nan")')
    return value


#: Names of optional array arguments and what ``None`` means for them.
_ABSENT = {
    "weight": "no weighting (every weight 1) or, for a normalization, no scale",
    "bias": "no bias (no shift)",
    "sample_weight": "every sample has weight 1",
    "pos_weight": "every positive weight 1",
    "running_mean": "no running statistics to use or update",
    "running_var": "no running statistics to use or update",
}


def _tolerance(ex: Exercise) -> str:
    if ex.compare == "exact":
        return "exactly equal"
    parts = [f"{d}: rtol {ex.rtol[d]:g}, atol {ex.atol[d]:g}" for d in ("float64", "float32")]
    return "within the tolerance of the expected result's dtype (" + "; ".join(parts) + ")"


def _rules(ex: Exercise) -> list[str]:
    out: list[str] = []
    if ex.kind in ("function", "backward", "inplace"):
        if ex.compare in ("allclose", "exact"):
            out.append(
                "Return numpy arrays where arrays are expected (a list is refused: wrap it in "
                "`np.asarray`). A float array keeps the precision of the expected result: the "
                "inputs' float dtype (float32 in, float32 out; integer inputs give float64). "
                "A single number may be a Python number, a numpy scalar or a 0-d array (its "
                f"value is graded). Values are compared {_tolerance(ex)}."
            )
        elif ex.compare == "distribution":
            out.append(
                "Random: graded by distribution (two-sample Kolmogorov-Smirnov test against "
                "the reference's draws), so your draws need not match the reference's one by "
                "one; use only the given `generator` for randomness."
            )
        elif ex.compare == "magnitude":
            out.append(
                "Graded by order of magnitude: a list (or array) of numbers, each within a "
                "factor of 10 of the expected one (or both below 1e-6)."
            )
    if ex.kind == "backward":
        out.append(
            "Return one gradient per differentiable array input, in signature order (a "
            "tuple when there are several), each with its input's shape and dtype; `None` "
            "options are absent as in the forward."
        )
    if ex.kind == "inplace":
        out.append(
            "Graded on the returned value AND on the array arguments after the call: update "
            "them in place (write into the given arrays, e.g. `a[...] = ...` or `a *= ...`; "
            "rebinding the name does not change the caller's array)."
        )
    if ex.kind == "initializer":
        out.append(
            "Fill the given array in place and return that same array (not a copy); it keeps "
            "its dtype. Use only the given `generator` for randomness."
            + (
                " Graded by distribution (two-sample Kolmogorov-Smirnov test), not value by value."
                if ex.compare == "distribution"
                else " Graded by the Gram matrix W W^T (orthonormal rows/columns times the gain)."
                if ex.compare == "orthogonal"
                else " Graded exactly."
            )
        )
    if ex.kind == "optimizer":
        out.append(
            "`params` is a list of float numpy arrays; `step(grads)` takes a list of "
            "gradient arrays in the same order and updates the arrays of `params` IN PLACE "
            "(the grader reads the arrays it passed in after every step); it returns nothing. "
            f"The trajectory is compared {_tolerance(ex)}. Options are keyword arguments as in "
            "torch (`betas`, `etas`, `step_sizes` as tuples)."
        )
    if ex.kind == "scheduler":
        out.append(
            "The learning rate of every param group is read from "
            '`optimizer.param_groups[i]["lr"]` after construction and after every `step()`: '
            "write it there. List options (milestones) may arrive as lists or tuples."
        )
    if ex.kind == "pipeline":
        from autograder import pipeline

        out.append(
            "A milestone: the grader calls your pipeline once per case and records, during its "
            f"first steps, every call of your parts ({', '.join(pipeline.FUNCTIONS)}, "
            f"{', '.join(pipeline.OPTIMIZERS)}.step, {', '.join(pipeline.SCHEDULERS)}) by "
            "name: define them in this notebook and call them by these names. Each recorded "
            "call is recomputed with the reference on your own inputs (rtol "
            f"{pipeline.PART_RTOL:g}, atol {pipeline.PART_ATOL:g}) and the first part that "
            f"differs is named with its step. Group `{pipeline.CURVE}`: the loss of every step "
            f"equals the reference pipeline's on the same data and seed (rtol "
            f"{pipeline.CURVE_RTOL:g}, atol {pipeline.CURVE_ATOL:g}). Group "
            f"`{pipeline.ACCURACY}`: your trained `params` (with their running statistics) "
            f"classify the held-out test set (never shown to your code) with accuracy >= "
            f"{pipeline.ACCURACY_THRESHOLD:g}. Draw the dropout mask as the reference does: "
            "`np.random.default_rng(generator).random(input.shape) >= p`, kept units "
            "scaled by `1 / (1 - p)`."
        )
    if ex.kind == "averager":
        out.append(
            "`model.params` (a list of arrays) is read after every "
            "`update_parameters(params)`; the first update copies the parameters."
        )
    ref = ex.reference.__init__ if inspect.isclass(ex.reference) else ex.reference
    absent = [
        f"`{p.name}=None`: {_ABSENT[p.name]}"
        for p in inspect.signature(ref).parameters.values()
        if p.name in _ABSENT and p.default is None
    ]
    if absent:
        out.append("Absent options: " + "; ".join(absent) + ".")
    return out


def _plain_signature(fn: Callable) -> str:
    """``(input, approximate='none')`` without annotations (classes: ``__init__`` minus self);
    a NaN default is written ``float("nan")`` so that the ``def`` line runs."""
    sig = inspect.signature(fn)
    params = [
        p.replace(annotation=inspect.Parameter.empty, default=_plain_default(p.default))
        for p in sig.parameters.values()
    ]
    return str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty))


def exercise(
    reference: Callable,
    *,
    points: int,
    public: CaseFactory,
    hidden: CaseFactory,
    kind: str = "function",
    compare: str = "allclose",
    rtol: dict | None = None,
    atol: dict | None = None,
    forward: Callable | None = None,
    properties: Iterable[str] = (),
    description: str = "",
) -> Exercise:
    """Declare an exercise: the student implements ``reference.__name__`` with its signature.

    Raises :class:`ExerciseDefinitionError` when the definition is malformed: reference not a
    public callable of ``solutions.<topic>``, a worked example, no points, no public or no
    hidden case, unknown kind/compare, a backward without its forward, or a reference that
    fails on one of its own cases.
    """
    module = getattr(reference, "__module__", "") or ""
    topic = module.rsplit(".", 1)[-1]
    name = getattr(reference, "__name__", "")
    ex_id = f"{topic}.{name}"

    def fail(msg: str):
        raise ExerciseDefinitionError(f"exercise {ex_id!r}: {msg}")

    if not module.startswith("solutions.") or topic not in CHAPTERS:
        fail(f"reference must come from solutions.<topic> with topic in {sorted(CHAPTERS)}")
    if not callable(reference) or name.startswith("_"):
        fail("reference must be a public callable")
    mod = importlib.import_module(module)
    if getattr(mod, name, None) is not reference:
        fail(f"{name} is not a public attribute of {module}")
    if name in getattr(mod, "__worked_examples__", ()):
        fail(f"{name} is a worked example of {module} (shown in the book), not an exercise")
    if not isinstance(points, int) or points <= 0:
        fail(f"points must be a positive int; got {points!r}")
    if kind not in KINDS:
        fail(f"kind must be one of {KINDS}; got {kind!r}")
    if compare not in COMPARES:
        fail(f"compare must be one of {COMPARES}; got {compare!r}")
    if kind == "backward" and forward is None:
        fail("a backward exercise needs forward=<the reference forward>")
    ex = Exercise(
        id=ex_id,
        chapter=CHAPTERS[topic],
        function=name,
        reference=reference,
        points=points,
        public=public,
        hidden=hidden,
        kind=kind,
        compare=compare,
        rtol={**DEFAULT_RTOL, **(rtol or {})},
        atol={**DEFAULT_ATOL, **(atol or {})},
        forward=forward,
        properties=tuple(properties),
        description=description,
    )
    n_public, n_hidden = ex.counts
    if n_public == 0 or n_hidden == 0:
        fail(f"needs at least one public and one hidden case; got {n_public} and {n_hidden}")
    stepped = kind in ("optimizer", "scheduler", "averager", "pipeline")
    if stepped and any(c.steps <= 0 for c in ex.cases(hidden_seed="")):
        fail("optimizer/scheduler/averager/pipeline cases need steps > 0")
    if (kind == "pipeline") != (compare == "pipeline"):
        fail('a pipeline exercise has kind="pipeline" and compare="pipeline", and only it')
    return ex


# ---------------------------------------------------------------------------- discovery


def _load() -> dict[str, Exercise]:
    from autograder import exercises as pkg

    found: dict[str, Exercise] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        listed = getattr(module, "EXERCISES", None)
        if not isinstance(listed, list | tuple) or not listed:
            raise ExerciseDefinitionError(
                f"{module.__name__} must define a non-empty EXERCISES list of exercise(...)"
            )
        for ex in listed:
            if not isinstance(ex, Exercise):
                raise ExerciseDefinitionError(f"{module.__name__}: {ex!r} is not an Exercise")
            if ex.topic != info.name and CHAPTERS.get(info.name) != ex.chapter:
                raise ExerciseDefinitionError(
                    f"{module.__name__}: {ex.id} belongs in chapter {ex.chapter}"
                )
            if ex.id in found:
                raise ExerciseDefinitionError(f"duplicate exercise id {ex.id!r}")
            found[ex.id] = ex
    functions: dict[tuple[str, str], str] = {}
    for ex in found.values():
        key = (ex.chapter, ex.function)
        if key in functions:
            raise ExerciseDefinitionError(
                f"{ex.id} and {functions[key]} ask for the same function in {ex.chapter}"
            )
        functions[key] = ex.id
    return found


_REGISTRY: dict[str, Exercise] | None = None


def registry() -> dict[str, Exercise]:
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = _load()
    return _REGISTRY


def all_exercises() -> list[Exercise]:
    """Every registered exercise, by chapter then in declaration order."""
    return sorted(registry().values(), key=lambda e: e.chapter)


def chapters() -> list[str]:
    """Chapters that have at least one exercise, in order."""
    return sorted({e.chapter for e in registry().values()})


def exercises_for_chapter(chapter: str) -> list[Exercise]:
    """Exercises of ``chapter`` (``"03_activations"`` or the topic ``"activations"``)."""
    chapter = CHAPTERS.get(chapter, chapter)
    return [e for e in all_exercises() if e.chapter == chapter]


def get(exercise_id: str) -> Exercise:
    try:
        return registry()[exercise_id]
    except KeyError:
        raise KeyError(f"no exercise {exercise_id!r}; see `autograder exercises`") from None


def find_by_function(name: str) -> list[Exercise]:
    """Exercises whose student-facing function is called ``name``."""
    return [e for e in all_exercises() if e.function == name]
