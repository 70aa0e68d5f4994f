"""Official grading end to end, in the sandbox: solution notebooks score 100 %, stubs 0, the
buggy corpus loses exactly the points its EXPECT line says, alternatives get full marks, and
the lessons from nbgrader's and otter-grader's trackers hold."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from autograder import extract, registry
from autograder.grade import grade_submissions
from autograder.notebooks import ROOT

CORPUS = Path(__file__).parent / "corpus"
CHAPTERS = registry.chapters()
pytestmark = pytest.mark.slow


def _solution(chapter: str) -> dict:
    return json.loads((ROOT / "instructor" / "solutions" / f"{chapter}.ipynb").read_text())


def _with_cell(nb: dict, source: str) -> dict:
    nb = copy.deepcopy(nb)
    nb["cells"].append(
        {
            "cell_type": "code",
            "id": "extra",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": source,
        }
    )
    return nb


def _corpus():
    for path in sorted(CORPUS.glob("*/*.py")):
        text = path.read_text()
        expect = json.loads(re.search(r"# EXPECT: (\{.*\})", text).group(1))
        yield path.parent.name, path.stem, text, expect


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade everything once (two sandboxed workers): {name: SubmissionResult}."""
    root = tmp_path_factory.mktemp("subs")
    subs = []
    for chapter in CHAPTERS:
        subs.append(
            extract.parse(f"solution/{chapter}", json.dumps(_solution(chapter)).encode(), ".ipynb")
        )
        stub = ROOT / "chapters" / chapter / "exercises.ipynb"
        subs.append(extract.parse(f"stub/{chapter}", stub.read_bytes(), ".ipynb"))
    for chapter, name, text, _ in _corpus():
        nb = _with_cell(_solution(chapter), text)
        subs.append(extract.parse(f"corpus/{chapter}/{name}", json.dumps(nb).encode(), ".ipynb"))
    (root / "x").mkdir()
    results, layers = grade_submissions(subs, workers=2)
    return {r.name: r for r in results}, layers


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
