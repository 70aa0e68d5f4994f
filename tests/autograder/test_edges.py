"""Every edge a statement names is produced by at least one graded case.

A statement that says "ties count one half", "0 at x = 0" or "classes with no examples get
probability 0" promises a rule; if no graded case has tied scores, an input exactly 0 or an
empty class, an implementation that breaks the rule keeps full marks. Each chapter registry
declares ``EDGES = {"topic.name": {label: predicate}}`` next to its cases (the label starts
with a tag of :data:`autograder.edges.NAMED`, or names an edge the issue lists); this test
finds the tags in every statement, requires a declaration for each (or a reason in
``EDGES_EXCUSED``), and runs each predicate over the exercise's public and hidden cases.
"""

import dataclasses
import importlib
import pkgutil

import numpy as np
import pytest

from autograder import edges, exercises, registry
from autograder.registry import case


def _declared(name: str) -> dict:
    out: dict = {}
    for info in pkgutil.iter_modules(exercises.__path__):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"{exercises.__name__}.{info.name}")
            out.update(getattr(module, name, {}))
    return out


EDGES = _declared("EDGES")
EXCUSED = _declared("EDGES_EXCUSED")
IDS = {e.id for e in registry.all_exercises()}


def _missing_declarations(ex) -> list[str]:
    labels = EDGES.get(ex.id, {})
    return sorted(
        tag
        for tag in edges.named_edges(ex)
        if not any(label.startswith(tag) for label in labels) and f"{ex.id}:{tag}" not in EXCUSED
    )


def _absent(ex, declared: dict) -> list[str]:
    cases = ex.cases()
    return [label for label, p in declared.items() if not edges.occurs(ex, p, cases)]


def test_every_edge_a_statement_names_is_declared():
    missing = {
        ex.id: tags for ex in registry.all_exercises() if (tags := _missing_declarations(ex))
    }
    assert not missing, (
        "statements name these edges but their exercise declares no predicate for them "
        "(EDGES in autograder/exercises/<chapter>.py) nor a reason (EDGES_EXCUSED): "
        f"{missing}"
    )


def test_declarations_name_registered_exercises_and_excuses_have_reasons():
    assert not sorted(set(EDGES) - IDS), "EDGES of exercises that do not exist"
    for key, reason in EXCUSED.items():
        exercise_id, tag = key.split(":", 1)
        assert exercise_id in IDS and tag in edges.NAMED, key
        assert tag in edges.named_edges(registry.get(exercise_id)), f"{key}: nothing to excuse"
        assert isinstance(reason, str) and len(reason) > 20, f"{key}: give a reason"


@pytest.mark.parametrize("exercise_id", sorted(EDGES))
def test_every_declared_edge_occurs_in_a_graded_case(exercise_id):
    ex = registry.get(exercise_id)
    absent = _absent(ex, EDGES[exercise_id])
    assert not absent, f"{exercise_id}: no graded case produces {absent}"


# ------------------------------------------------------------------ the check itself


def test_a_statement_naming_an_edge_needs_a_declaration():
    ex = registry.get("activations.relu_backward")
    assert "at zero" in edges.named_edges(ex)
    assert "ties" in edges.named_edges(registry.get("metrics.roc_auc_score"))
    assert not edges.named_edges(registry.get("activations.sigmoid"))
    # np.empty in an example is not an empty class
    assert "empty" not in edges.named_edges(registry.get("init.xavier_normal_"))
    undeclared = dataclasses.replace(ex, description="Ties count one half.")
    assert "ties" in _missing_declarations(undeclared)


def test_cases_without_the_edge_fail_the_check():
    ex = registry.get("activations.relu_backward")
    assert not _absent(ex, EDGES[ex.id])

    def no_zeros(g):
        x = g.normal(4, 5) + 10.0
        yield case("basic", g.normal(4, 5), x)

    weak = dataclasses.replace(ex, public=no_zeros, hidden=no_zeros)
    assert _absent(weak, EDGES[ex.id]) == ["at zero"]


def test_predicates_read_arguments_by_name_with_defaults():
    ex = registry.get("metrics.roc_curve")
    c = case("x", np.array([0, 1, 1]), y_score=np.array([0.5, 0.5, 0.2]))
    a = edges.bound(ex, c)
    assert a["drop_intermediate"] is True and a["sample_weight"] is None
    assert edges.has_ties("y_score", axis=None)(a)
    assert not edges.has_ties("y_true", axis=None)({"y_true": np.array([0, 1])})
    assert edges.option("drop_intermediate", True)(a)
    assert not edges.has_value("y_score", 0.0)(a)
