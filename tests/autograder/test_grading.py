"""Official grading end to end, in the sandbox: solution notebooks score 100 %, stubs 0, the
buggy corpus loses exactly the points its EXPECT line says, alternatives get full marks, and
the lessons from nbgrader's and otter-grader's trackers hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder import extract, grade, registry

from . import corpus_grading

CHAPTERS = registry.chapters()
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("corpus")]


def _corpus():
    return corpus_grading.corpus()


@pytest.fixture(scope="module")
def graded(graded_everything):
    """Everything graded once (two sandboxed workers, shared with test_diagnosis.py):
    {name: SubmissionResult}, layers."""
    return graded_everything


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_notebook_scores_full_marks(graded, chapter):
    r = graded[0][f"solution/{chapter}"]
    assert r.points == r.max_points > 0, [(e.id, e.reason) for e in r.exercises if e.reason]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_stub_notebook_scores_zero(graded, chapter):
    r = graded[0][f"stub/{chapter}"]
    assert r.points == 0 and r.max_points > 0
    assert all("not implemented" in e.reason for e in r.exercises)


@pytest.mark.parametrize("item", list(_corpus()), ids=lambda t: f"{t[0]}/{t[1]}")
def test_corpus_loses_exactly_the_expected_points(graded, item):
    chapter, name, _, expect = item
    r = graded[0][f"corpus/{chapter}/{name}"]
    got = {e.id: e.points for e in r.exercises}
    for e in r.exercises:
        want = expect.get(e.id, e.max_points)
        assert got[e.id] == pytest.approx(want, abs=1e-5), (e.id, e.reason)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_three_buggy_submissions(chapter):
    bugs = [n for c, n, _, e in _corpus() if c == chapter and e]
    assert len(bugs) >= 3, f"{chapter}: only {bugs}"


def test_sandbox_layers_are_reported(graded):
    layers = graded[1]
    assert set(layers) >= {"namespaces", "rlimits", "timeout", "environment"}
    assert layers["namespaces"].startswith("active")  # bubblewrap works on this machine


def _notebook_names(chapter):
    """The functions the chapter's released exercise notebook defines (a milestone's also
    defines the parts it assembles, other chapters' functions)."""
    (sub,) = extract.load(Path("chapters") / chapter / "exercises.ipynb")
    return sub.defined


def _functions(chapter):
    return {e.function for e in registry.exercises_for_chapter(chapter)}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_chapter_notebook_points_to_its_own_chapter(chapter):
    """The one count both chapter inference and the wrong-chapter note rely on: a chapter's
    own notebook is inferred as that chapter and, graded for it, gets no wrong-chapter note
    (the capstone's notebook defines more 02_norm functions than capstone ones)."""
    names = _notebook_names(chapter)
    assert grade.likely_chapter(names) == chapter
    assert grade.wrong_chapter_hint(names, chapter) == ""
    others = [c for c in CHAPTERS if c != chapter and not _functions(c) & names]
    assert all(chapter in grade.wrong_chapter_hint(names, c) for c in others)


def test_chapter_votes_count_each_exercise_function_once_for_its_chapter():
    everything = set().union(*(_functions(c) for c in CHAPTERS))
    votes = grade.chapter_votes(everything | {"not_an_exercise", "helper"})
    assert votes == {c: len(_functions(c)) for c in CHAPTERS}
    assert grade.chapter_votes({"helper"}) == {} and grade.likely_chapter({"helper"}) == ""


def test_the_chapter_with_more_functions_wins_and_a_tie_goes_to_the_first_id():
    a, b = "03_activations", "07_metrics"
    two_a, one_b = sorted(_functions(a))[:2], sorted(_functions(b))[:1]
    assert grade.likely_chapter({*two_a, *one_b}) == a
    assert grade.likely_chapter({*two_a[:1], *one_b}) == a
    assert grade.likely_chapter({*sorted(_functions(b))[:2], *two_a[:1]}) == b
    hint = grade.wrong_chapter_hint({*two_a, *one_b}, b)
    assert "defines 2 function(s) of chapter 03_activations and 1 of 07_metrics" in hint
