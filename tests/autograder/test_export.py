"""Exports: CSV layout, nbgrader's gradebook (read back with nbgrader's own API), Gradescope's
results.json schema and the Gradescope autograder zip, whose ``run_autograder`` is run on a
temporary directory laid out like ``/autograder`` (``AUTOGRADER_ROOT``)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import export, notebooks, registry
from autograder.gradebook import Gradebook

from .test_cli_workflow import CHAPTER, SIGNATURE
from .test_gradebook import result

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def book(tmp_path):
    with Gradebook(f"sqlite:///{tmp_path / 'gb.db'}") as b:
        b.record("bob", "h1", result("bob.ipynb", scores={"a.x": (1.5, 2), "a.y": (2.0, 2)}))
        b.record("alice", "h2", result("alice.ipynb", scores={"a.x": (2.0, 2)}))
        b.record(
            "alice",
            "h3",
            result("alice2.ipynb", chapter="01_other", scores={"b.z": (0.25, 1)}),
        )
        yield b


# ---------------------------------------------------------------------------- CSV


def test_csv_has_one_row_per_student_and_a_column_per_exercise(book):
    rows = list(csv.reader(io.StringIO(export.csv_text(book.rows("0.1.0")))))
    assert rows[0] == ["student", "a.x", "a.y", "b.z", "total", "note"]
    assert rows[1:] == [
        ["alice", "2", "", "0.25", "2.25", ""],
        ["bob", "1.5", "2", "", "3.5", ""],
    ]


def test_csv_columns_follow_the_registry_order(tmp_path):
    ids = [e.id for e in registry.exercises_for_chapter(CHAPTER)][:3]
    with Gradebook(f"sqlite:///{tmp_path / 'gb.db'}") as b:
        b.record("s", "h", result(scores={i: (1.0, 1) for i in reversed(ids)}))
        header = export.csv_text(b.rows("0.1.0")).splitlines()[0]
    assert header == ",".join(["student", *ids, "total", "note"])


# ---------------------------------------------------------------------------- nbgrader


def test_grade_cells_match_the_generated_nbgrader_notebooks():
    nb = notebooks.nbgrader_notebook(CHAPTER)
    cells = {
        c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"]["points"]
        for c in nb["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade")
    }
    exs = registry.exercises_for_chapter(CHAPTER)
    assert cells == {export.grade_cell_name(e.id): e.points for e in exs}


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # inside nbgrader.api
def test_nbgrader_export_reads_back_through_nbgrader_api(book, tmp_path):
    from nbgrader.api import Gradebook as NbGradebook

    url = f"sqlite:///{tmp_path / 'nbgrader.db'}"
    assert export.to_nbgrader(book.rows("0.1.0"), url) == 4
    assert export.to_nbgrader(book.rows("0.1.0"), url) == 4  # idempotent
    with NbGradebook(url) as gb:
        assert sorted(s.id for s in gb.students) == ["alice", "bob"]
        assert sorted(a.name for a in gb.assignments) == ["00_backprop", "01_other"]
        assert gb.find_grade_cell("test_a_x", "00_backprop", "00_backprop").max_score == 2
        assert gb.find_grade("test_a_x", "00_backprop", "00_backprop", "bob").score == 1.5
        assert gb.find_grade("test_a_y", "00_backprop", "00_backprop", "bob").score == 2.0
        assert gb.find_submission("00_backprop", "bob").score == 3.5
        assert gb.find_submission("00_backprop", "bob").max_score == 4
        assert gb.find_submission("01_other", "alice").score == 0.25
        assert gb.find_grade("test_a_x", "00_backprop", "00_backprop", "alice").score == 2.0
        n_grades = sum(
            len(nb.grades) for s in gb.assignment_submissions("00_backprop") for nb in s.notebooks
        )
    assert n_grades == 4  # 2 cells x 2 students, no duplicates after two exports
    # a regrade changes the score in nbgrader on the next export
    book.record("bob", "h1", result("bob.ipynb", scores={"a.x": (0.5, 2), "a.y": (2.0, 2)}))
    export.to_nbgrader(book.rows("0.1.0"), url)
    with NbGradebook(url) as gb:
        assert gb.find_grade("test_a_x", "00_backprop", "00_backprop", "bob").score == 0.5


# ---------------------------------------------------------------------------- Gradescope


def _graded(points_x=2.0, name="nb.ipynb", error=""):
    r = result(name, scores={"a.x": (points_x, 2), "a.y": (0.0, 1)}, error=error)
    r["exercises"][1]["cases"] = [
        {
            "name": "hidden-extreme-1",
            "group": "extreme",
            "hidden": True,
            "ok": False,
            "reason": "NaN or inf where the answer is finite",
        },
    ]
    return r


def test_gradescope_results_schema():
    out = export.gradescope_results([_graded(1.0)], seconds=1.234)
    assert set(out) >= {"score", "tests", "output", "visibility", "stdout_visibility"}
    assert out["score"] == 1.0 and out["execution_time"] == 1.234
    assert [t["name"] for t in out["tests"]] == ["a.x (x)", "a.y (y)"]
    for t in out["tests"]:
        assert set(t) >= {"name", "score", "max_score", "output", "visibility"}
        assert isinstance(t["score"], float | int) and isinstance(t["max_score"], float | int)
        assert t["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
    assert [(t["score"], t["max_score"], t["status"]) for t in out["tests"]] == [
        (1.0, 2, "failed"),
        (0.0, 1, "failed"),
    ]
    assert "✗ hidden-extreme-1 (hidden): NaN or inf" in out["tests"][1]["output"]
    json.dumps(out)


def test_gradescope_results_take_the_best_file_per_exercise():
    out = export.gradescope_results([_graded(1.0, "a.ipynb"), _graded(2.0, "b.py", error="")])
    assert out["score"] == 2.0
    assert export.gradescope_results([])["score"] == 0
    assert "no .ipynb or .py" in export.gradescope_results([])["output"]


def test_gradescope_zip_layout(tmp_path):
    path = export.gradescope_zip(tmp_path / "ag.zip", chapter="backprop", timeout=5)
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        setup = zf.read("setup.sh").decode()
        run = zf.read("run_autograder").decode()
        modes = {n: (zf.getinfo(n).external_attr >> 16) & 0o777 for n in names}
    assert {"setup.sh", "run_autograder", "pyproject.toml", "autograder/cli.py"} <= names
    assert any(n.startswith("solutions/") for n in names)
    assert not any("__pycache__" in n for n in names)
    assert modes["run_autograder"] == 0o755 and modes["setup.sh"] == 0o755
    assert "numpy scipy" in setup and "/autograder/source" in setup
    assert "--chapter 00_backprop" in run and "--timeout 5.0" in run


@pytest.fixture(scope="module")
def gradescope_root(tmp_path_factory):
    """An extracted autograder zip, laid out as Gradescope does under /autograder."""
    root = tmp_path_factory.mktemp("gs") / "autograder"
    zpath = export.gradescope_zip(root.parent / "autograder.zip", chapter=CHAPTER)
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(root / "source")
    return root


def run_autograder(root: Path, files: dict[str, str]) -> dict:
    sub = root / "submission"
    if sub.exists():
        for p in sub.iterdir():
            p.unlink()
    sub.mkdir(exist_ok=True)
    (root / "results").mkdir(exist_ok=True)
    for name, text in files.items():
        (sub / name).write_text(text)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root.parent,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text())


def test_run_autograder_grades_the_submission_folder(gradescope_root):
    full = sum(e.points for e in registry.exercises_for_chapter(CHAPTER))
    out = run_autograder(
        gradescope_root, {"exercises.ipynb": notebooks.dumps(notebooks.solution_notebook(CHAPTER))}
    )
    assert out["score"] == full
    assert len(out["tests"]) == len(registry.exercises_for_chapter(CHAPTER))
    assert all(t["score"] == t["max_score"] for t in out["tests"])


def test_run_autograder_reports_a_broken_submission(gradescope_root):
    out = run_autograder(
        gradescope_root, {"x.py": f"def gradient_check{SIGNATURE}:\n    return 1 / 0\n"}
    )
    assert out["score"] == 0
    check = next(t for t in out["tests"] if t["name"].startswith("backprop.gradient_check"))
    assert "ZeroDivisionError" in check["output"] and check["score"] == 0
    empty = run_autograder(gradescope_root, {})
    assert empty["score"] == 0 and "no .ipynb or .py" in empty["output"]
