"""Exports: CSV layout, nbgrader's gradebook (read back with nbgrader's own API), Gradescope's
results.json schema and the Gradescope autograder zip, whose ``run_autograder`` is run on a
temporary directory laid out like ``/autograder`` (``AUTOGRADER_ROOT``)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import export, notebooks, registry
from autograder.gradebook import Gradebook

from .test_cli_workflow import CHAPTER
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
# (the zip run end to end, in a fresh virtualenv: test_gradescope_harness.py)

EXERCISE = "backprop.gradient_check"


def _graded(failing_groups=(), name="nb.ipynb", error=""):
    """A grading result of EXERCISE shaped as SubmissionResult.to_json(): one case per
    (group, hidden) of the registry, failing in ``failing_groups`` (such pairs)."""
    ex = registry.get(EXERCISE)
    groups = ex.groups
    share = ex.points / len(groups)
    cases = [
        {
            "name": f"{'hidden-' * h}{g}-1",
            "group": g,
            "hidden": h,
            "ok": (g, h) not in failing_groups,
            "reason": "" if (g, h) not in failing_groups else "output: wrong",
        }
        for g, h in groups
    ]
    earned = share * sum(gh not in failing_groups for gh in groups)
    return {
        "submission": name,
        "chapter": ex.chapter,
        "points": earned,
        "max_points": ex.points,
        "error": error,
        "notes": [],
        "grader_version": "0.1.0",
        "exercises": [
            {
                "id": ex.id,
                "function": ex.function,
                "points": earned,
                "max_points": ex.points,
                "status": "graded",
                "reason": "",
                "cases": cases,
            }
        ],
    }


def test_gradescope_splits_each_exercise_into_public_and_hidden_tests():
    ex = registry.get(EXERCISE)
    public = [g for g, h in ex.groups if not h]
    hidden = [g for g, h in ex.groups if h]
    assert public and hidden
    share = ex.points / len(ex.groups)
    out = export.gradescope_results(
        [_graded({(public[0], False), (hidden[0], True)})], seconds=1.234
    )
    assert out["execution_time"] == 1.234
    pub, hid = out["tests"]
    assert pub["visibility"] == "visible" and hid["visibility"] == "after_due_date"
    assert pub["max_score"] == pytest.approx(share * len(public))
    assert hid["max_score"] == pytest.approx(share * len(hidden))
    assert pub["score"] == pytest.approx(share * (len(public) - 1))
    assert hid["score"] == pytest.approx(share * (len(hidden) - 1))
    assert pub["status"] == hid["status"] == "failed"
    assert f"✗ hidden-{hidden[0]}-1: output: wrong" in hid["output"]
    assert "hidden-" not in pub["output"] and f"✗ {public[0]}-1" in pub["output"]
    assert "score" not in out  # Gradescope sums the tests (hidden ones when visible)
    full = export.gradescope_results([_graded()], hidden_visibility="hidden")
    assert [t["status"] for t in full["tests"]] == ["passed", "passed"]
    assert full["tests"][1]["visibility"] == "hidden"
    assert sum(t["score"] for t in full["tests"]) == pytest.approx(ex.points)
    with pytest.raises(ValueError, match="hidden_visibility"):
        export.gradescope_results([], hidden_visibility="later")


def test_gradescope_results_take_the_best_file_per_exercise():
    ex = registry.get(EXERCISE)
    some = ex.groups[0]
    out = export.gradescope_results([_graded({some}, "a.ipynb"), _graded((), "b.py")])
    assert sum(t["score"] for t in out["tests"]) == pytest.approx(ex.points)
    empty = export.gradescope_results([])
    assert empty["score"] == 0 and "no .ipynb or .py" in empty["output"]


def test_gradescope_zip_layout(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_HIDDEN_SEED", "s3cret")
    path = export.gradescope_zip(tmp_path / "ag.zip", chapter="backprop", timeout=5)
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        run = zf.read("run_autograder").decode()
        reqs = zf.read("requirements-gradescope.txt").decode().split()
        modes = {n: (zf.getinfo(n).external_attr >> 16) & 0o777 for n in names}
    assert {"setup.sh", "run_autograder", "pyproject.toml", "autograder/cli.py"} <= names
    assert any(n.startswith("solutions/") for n in names)
    assert not any("__pycache__" in n for n in names)
    assert modes["run_autograder"] == 0o755 and modes["setup.sh"] == 0o755
    assert "--chapter 00_backprop" in run and "--timeout 5.0" in run
    assert "AUTOGRADER_HIDDEN_SEED=s3cret" in run and "WARNING" not in run
    assert "--hidden-visibility after_due_date" in run
    assert {r.split(">")[0].split("=")[0].lower() for r in reqs} >= {"numpy", "scipy", "sqlalchemy"}


def test_gradescope_export_refuses_without_a_hidden_seed(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOGRADER_HIDDEN_SEED", raising=False)
    with pytest.raises(export.MissingHiddenSeed, match="--public-seed"):
        export.gradescope_zip(tmp_path / "ag.zip")
    assert not (tmp_path / "ag.zip").exists()
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRADER_HIDDEN_SEED"}
    env["PYTHONPATH"] = str(ROOT)
    cmd = [sys.executable, "-m", "autograder", "export", "gradescope", str(tmp_path / "a.zip")]
    refused = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "AUTOGRADER_HIDDEN_SEED" in refused.stderr
    public = subprocess.run(
        [*cmd, "--public-seed", "--hidden-visibility", "hidden"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert public.returncode == 0, public.stderr
    assert "WARNING" in public.stderr
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        run = zf.read("run_autograder").decode()
    assert "WARNING: exported with --public-seed" in run
    assert "--hidden-visibility hidden" in run
