"""Official grading end to end, in the sandbox: solution notebooks score 100 %, stubs 0, the
buggy corpus loses exactly the points its EXPECT line says, alternatives get full marks, and
the lessons from nbgrader's and otter-grader's trackers hold."""

from __future__ import annotations

import pytest

from autograder import registry

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
