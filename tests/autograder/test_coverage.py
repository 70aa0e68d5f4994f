"""Every public function and class of ``solutions/`` that the book does not show as a worked
example is a graded exercise, or is listed with a reason in its chapter registry's
``NOT_EXERCISES`` (``{"topic.name": "why"}``: callables that cannot cross the sandbox, base
classes, special cases of another exercise, ...)."""

import importlib
import inspect
import pkgutil

import numpy as np
import pytest

from autograder import exercises, registry
from autograder.notebooks import ROOT


def _declared(name: str) -> dict[str, str]:
    """The ``name`` dicts (``{"topic.name": "why"}``) of every chapter registry, merged."""
    out: dict[str, str] = {}
    for info in pkgutil.iter_modules(exercises.__path__):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"{exercises.__name__}.{info.name}")
            out.update(getattr(module, name, {}))
    return out


def _public(topic: str) -> list[str]:
    module = importlib.import_module(f"solutions.{topic}")
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and value.__module__ == module.__name__
    ]


NOT_EXERCISES = _declared("NOT_EXERCISES")
REGISTERED = {e.id for e in registry.all_exercises()}


@pytest.mark.parametrize("topic", sorted(registry.CHAPTERS))
def test_every_public_non_worked_function_is_an_exercise_or_excused(topic):
    worked = importlib.import_module(f"solutions.{topic}").__worked_examples__
    missing = [
        f"{topic}.{name}"
        for name in _public(topic)
        if name not in worked
        and f"{topic}.{name}" not in REGISTERED
        and f"{topic}.{name}" not in NOT_EXERCISES
    ]
    assert not missing, (
        f"not graded and not in a NOT_EXERCISES with a reason: {missing}; register them in "
        f"autograder/exercises/ (see its __init__) or excuse them there"
    )


def test_not_exercises_are_real_excused_names_with_reasons():
    for exercise_id, reason in NOT_EXERCISES.items():
        topic, name = exercise_id.split(".", 1)
        assert name in _public(topic), f"{exercise_id} is not a public name of solutions"
        assert exercise_id not in REGISTERED, f"{exercise_id} is registered AND excused"
        assert isinstance(reason, str) and len(reason) > 20, f"{exercise_id}: give a reason"


def test_every_chapter_has_exercises():
    assert set(registry.chapters()) == set(registry.CHAPTERS.values())


#: What a chapter total is for: the grade of one assignment (each chapter's notebook is graded,
#: exported to Gradescope and nbgrader on its own). Its size has no upper limit to respect (a
#: chapter with more of the syllabus has more exercises: 05 grades 13 optimizers and 12
#: schedulers; the old cap, raised from 50 to 60 when 05 reached 52, only made each new
#: exercise bump a number). What must hold is that the grade is fine-grained: one point moves
#: it by at most 10 %, and one case group (the smallest unit of credit) by at most a quarter,
#: so partial credit exists in every chapter, the capstone's single pipeline exercise too
#: (four groups of 2.5 points of 10).
MIN_CHAPTER_TOTAL, MAX_GROUP_SHARE = 10, 0.25


def test_chapter_totals_are_documented_and_fine_grained():
    for chapter in registry.chapters():
        exercises_ = registry.exercises_for_chapter(chapter)
        total = sum(e.points for e in exercises_)
        assert total >= MIN_CHAPTER_TOTAL, (chapter, total)
        for e in exercises_:
            share = e.points / len(e.groups) / total
            assert share <= MAX_GROUP_SHARE, (e.id, e.points, len(e.groups), total)
        # documented: the released notebook's points table states the total
        released = (ROOT / "chapters" / chapter / "exercises.ipynb").read_text()
        assert f"| **Total** | **{total:g}** | |" in released, chapter


# ---------------------------------------------------------------- options and edges


UNGRADED_OPTIONS = _declared("UNGRADED_OPTIONS")


def _parameters(ex) -> list[inspect.Parameter]:
    """The parameters a case passes: a class's ``__init__`` minus ``self`` (and minus the
    params list of optimizers/averagers, or the optimizer of schedulers, which the driver
    builds)."""
    ref = ex.reference
    fn = ref.__init__ if inspect.isclass(ref) else ref
    params = [p for p in inspect.signature(fn).parameters.values() if p.name != "self"]
    if inspect.isclass(ref):
        params = params[1:]
    return [p for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _is_default(value, default) -> bool:
    if isinstance(value, np.ndarray) or isinstance(default, np.ndarray):
        if value is None or default is None:
            return False
        return np.shape(value) == np.shape(default) and bool(
            np.all(np.asarray(value) == np.asarray(default))
        )
    if isinstance(value, bool) != isinstance(default, bool):
        return False
    try:
        return bool(value == default)
    except (TypeError, ValueError):
        return False


def _options_set(ex) -> set[str]:
    params = _parameters(ex)
    by_name = {p.name: p for p in params}
    positional = params if ex.kind != "optimizer" and ex.kind != "averager" else params
    seen = set()
    for c in ex.cases(hidden_seed=""):
        args = c.args[1:] if ex.kind in ("optimizer", "averager") else c.args
        if ex.kind == "optimizer":
            args = ()  # (params, grads): the options are keywords
        for p, a in zip(positional, args, strict=False):
            if p.default is p.empty or not _is_default(a, p.default):
                seen.add(p.name)
        for k, v in c.kwargs.items():
            p = by_name.get(k)
            if p is None or p.default is p.empty or not _is_default(v, p.default):
                seen.add(k)
    return seen


@pytest.mark.parametrize("ex", registry.all_exercises(), ids=lambda e: e.id)
def test_every_option_takes_a_non_default_value_in_some_graded_case(ex):
    """An option no case sets is an option a wrong implementation gets full marks for."""
    seen = _options_set(ex)
    never = [
        p.name
        for p in _parameters(ex)
        if p.default is not p.empty
        and p.name not in seen
        and f"{ex.id}.{p.name}" not in UNGRADED_OPTIONS
    ]
    assert not never, (
        f"{ex.id}: no graded case sets {never} to a non-default value: add a case, or list "
        f"'{ex.id}.<name>' in its chapter's UNGRADED_OPTIONS with the reason"
    )


def test_ungraded_options_are_real_parameters_with_reasons():
    by_id = {e.id: e for e in registry.all_exercises()}
    for key, reason in UNGRADED_OPTIONS.items():
        exercise_id, name = key.rsplit(".", 1)
        assert exercise_id in by_id, f"{key}: no such exercise"
        assert name in {p.name for p in _parameters(by_id[exercise_id])}, f"{key}: no option"
        assert name not in _options_set(by_id[exercise_id]), f"{key} is graded: drop the excuse"
        assert isinstance(reason, str) and len(reason) > 20, f"{key}: give a reason"


def _arrays(value) -> list[np.ndarray]:
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, dict):
        return [a for v in value.values() for a in _arrays(v)]
    if isinstance(value, list | tuple):
        return [a for v in value for a in _arrays(v)]
    return []


@pytest.mark.parametrize(
    "ex",
    [e for e in registry.all_exercises() if e.kind in ("function", "backward")],
    ids=lambda e: e.id,
)
def test_state_a_reference_updates_in_place_is_compared(ex):
    """A reference that writes into an input array (running statistics, clipped gradients)
    must be graded as ``inplace``, so that the updated arrays are compared too."""
    from autograder import drivers, engine

    for c in ex.cases(hidden_seed=""):
        args, kwargs = engine.wire_args(c)
        args, kwargs = drivers.resolve(args), drivers.resolve(kwargs)
        before = [a.copy() for a in _arrays([args, kwargs])]
        drivers.DRIVERS[ex.kind](ex.reference, args, kwargs, c.steps)
        after = _arrays([args, kwargs])
        changed = [
            i
            for i, (b, a) in enumerate(zip(before, after, strict=True))
            if not np.array_equal(a, b, equal_nan=True)
        ]
        assert not changed, f"{ex.id} case {c.name}: the reference updates inputs in place"
