"""The registry: every exercise is a public, non-worked-example function of solutions/."""

import importlib
import json
import subprocess
import sys

import numpy as np
import pytest

from autograder import registry
from autograder.registry import ExerciseDefinitionError, case, exercise
from solutions import backprop

EXERCISES = registry.all_exercises()


def test_registry_is_not_empty_and_ids_are_unique():
    ids = [e.id for e in EXERCISES]
    assert ids and len(ids) == len(set(ids))


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.id)
def test_exercise_is_a_public_function_not_a_worked_example(ex):
    module = importlib.import_module(f"solutions.{ex.topic}")
    assert getattr(module, ex.function) is ex.reference
    assert not ex.function.startswith("_")
    assert ex.function not in module.__worked_examples__
    assert ex.chapter == registry.CHAPTERS[ex.topic]


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.id)
def test_cases_are_deterministic_and_the_reference_runs_on_them(ex):
    from autograder.engine import run_case

    first, second = ex.cases(hidden_seed="s"), ex.cases(hidden_seed="s")
    assert [c.name for c in first] == [c.name for c in second]
    for a, b in zip(first, second, strict=True):
        for x, y in zip(a.args, b.args, strict=True):
            if isinstance(x, np.ndarray):
                np.testing.assert_array_equal(x, y)
    for c in first:
        run_case(ex, ex.reference, c)  # raises if the reference fails on its own case


def test_hidden_cases_depend_on_the_grading_secret():
    ex = EXERCISES[0]
    a = [c for c in ex.cases(hidden=True, hidden_seed="one")]
    b = [c for c in ex.cases(hidden=True, hidden_seed="two")]

    def arrays(cases):
        flat = [x for c in cases for a in c.args for x in (a if isinstance(a, list) else [a])]
        return [x for x in flat if isinstance(x, np.ndarray)]

    assert any(not np.array_equal(x, y) for x, y in zip(arrays(a), arrays(b), strict=True))


def _cases(g):
    return [case("basic", g.normal(3))]


def test_worked_example_cannot_be_an_exercise():
    with pytest.raises(ExerciseDefinitionError, match="worked example"):
        exercise(backprop.relative_error, points=1, public=_cases, hidden=_cases)


def test_malformed_exercises_fail_loudly():
    with pytest.raises(ExerciseDefinitionError, match="points"):
        exercise(backprop.gradient_check, points=0, public=_cases, hidden=_cases)
    with pytest.raises(ExerciseDefinitionError, match="hidden case"):
        exercise(backprop.gradient_check, points=1, public=_cases, hidden=lambda g: [])
    with pytest.raises(ExerciseDefinitionError, match="kind"):
        exercise(backprop.gradient_check, points=1, public=_cases, hidden=_cases, kind="x")
    with pytest.raises(ExerciseDefinitionError, match="solutions"):
        exercise(np.tanh, points=1, public=_cases, hidden=_cases)


def test_exercises_json_cli_lists_everything():
    out = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "exercises", "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    listed = json.loads(out)
    assert [e["id"] for e in listed] == [e.id for e in EXERCISES]
    for e in listed:
        assert {
            "id",
            "chapter",
            "function",
            "signature",
            "points",
            "public_cases",
            "hidden_cases",
        } <= set(e)
