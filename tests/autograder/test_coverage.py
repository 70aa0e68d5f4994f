"""Every public function and class of ``solutions/`` that the book does not show as a worked
example is a graded exercise, or is listed with a reason in its chapter registry's
``NOT_EXERCISES`` (``{"topic.name": "why"}``: callables that cannot cross the sandbox, base
classes, special cases of another exercise, ...)."""

import importlib
import inspect
import pkgutil

import pytest

from autograder import exercises, registry


def _not_exercises() -> dict[str, str]:
    out: dict[str, str] = {}
    for info in pkgutil.iter_modules(exercises.__path__):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"{exercises.__name__}.{info.name}")
            out.update(getattr(module, "NOT_EXERCISES", {}))
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


NOT_EXERCISES = _not_exercises()
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


def test_chapter_totals_are_documented_and_sensible():
    for chapter in registry.chapters():
        total = sum(e.points for e in registry.exercises_for_chapter(chapter))
        assert 10 <= total <= 50, (chapter, total)
