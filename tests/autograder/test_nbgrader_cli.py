"""The generated nbgrader source notebooks through the real nbgrader CLI, as an instructor runs
it: a temporary course with every chapter as an assignment, ``nbgrader generate_assignment``,
the released notebooks executed top to bottom in a real kernel, ``nbgrader autograde`` of a
reference-filled, an untouched and a partly wrong submission, the same submissions through
``autograder grade``, and ``nbgrader generate_feedback``.

The reference-filled submission is built the way a student makes one: the released notebook
with each solution cell's stub replaced by the source cell's solution (markers removed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import registry

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "instructor" / "nbgrader" / "source"
BIN = Path(sys.executable).parent
CHAPTERS = registry.chapters()
#: The partly wrong student: one function fails inside numpy, one is deleted.
PARTIAL_CHAPTER = "04_losses"
RAISES_IN_NUMPY = "losses.l1_loss"
DELETED = "losses.soft_margin_loss"

# one worker runs the module: its fixture (the costly part) runs once
pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("nbgrader_cli"),
    pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning"),  # inside nbgrader.api
]


def _env() -> dict:
    # nbgrader runs `alembic` by name when it creates its gradebook: the venv's bin on PATH
    return dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""),
        OPENBLAS_NUM_THREADS="1",
    )


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(BIN / "nbgrader"), *args, "--force"],
        cwd=course,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "[ERROR]" not in proc.stderr and "| ERROR]" not in proc.stderr, proc.stderr[-4000:]
    return proc


def _solutions(source_nb: dict) -> dict[str, str]:
    """grade_id -> the solution cell's source with the BEGIN/END SOLUTION lines removed."""
    out = {}
    for cell in source_nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            lines = "".join(cell["source"]).splitlines(keepends=True)
            out[meta["grade_id"]] = "".join(
                line
                for line in lines
                if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
            )
    return out


def _fill(released: dict, solutions: dict[str, str], edits: dict[str, str | None]) -> dict:
    nb = json.loads(json.dumps(released))
    cells = []
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in edits and edits[gid] is None:
            continue  # the student deleted this cell
        if gid in solutions:
            cell["source"] = edits.get(gid, solutions[gid])
        cells.append(cell)
    nb["cells"] = cells
    return nb


def _slug(exercise_id: str) -> str:
    return exercise_id.replace(".", "_")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("nbgrader-course")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'dl-foundations'\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
    )
    for chapter in CHAPTERS:
        (course / "source" / chapter).mkdir(parents=True)
        shutil.copy(SOURCE / chapter / f"{chapter}.ipynb", course / "source" / chapter)
    _nbgrader(course, "generate_assignment", "*")

    # the students' copies, made from the released notebooks
    for chapter in CHAPTERS:
        released = json.loads((course / "release" / chapter / f"{chapter}.ipynb").read_text())
        solutions = _solutions(json.loads((SOURCE / chapter / f"{chapter}.ipynb").read_text()))
        subs = {"blank": released, "ref": _fill(released, solutions, {})}
        if chapter == PARTIAL_CHAPTER:
            fn = registry.get(RAISES_IN_NUMPY).function
            broken = solutions[_slug(RAISES_IN_NUMPY) + "_solution"].split("\n", 1)[0]
            subs["partial"] = _fill(
                released,
                solutions,
                {
                    # ValueError raised deep inside numpy: its traceback has library paths
                    _slug(RAISES_IN_NUMPY) + "_solution": broken
                    + "\n    return np.reshape(input, (-7, 3))\n",
                    _slug(DELETED) + "_solution": None,
                },
            )
            assert fn in broken
        for student, nb in subs.items():
            folder = course / "submitted" / student / chapter
            folder.mkdir(parents=True)
            (folder / f"{chapter}.ipynb").write_text(json.dumps(nb))
    _nbgrader(course, "autograde", "*")
    _nbgrader(course, "generate_feedback", PARTIAL_CHAPTER)  # its 3 students
    return course


def _cell_scores(course: Path) -> dict[tuple[str, str], dict[str, float]]:
    """(student, chapter) -> {grade cell: score}, read with nbgrader's own API."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for chapter in CHAPTERS:
            for sub in gb.assignment_submissions(chapter):
                out[sub.student.id, chapter] = {
                    g.name: g.score for nb in sub.notebooks for g in nb.grades
                }
    return out


def test_released_notebooks_hold_stubs_checks_and_no_solution(course):
    for chapter in CHAPTERS:
        text = (course / "release" / chapter / f"{chapter}.ipynb").read_text()
        nb = json.loads(text)
        code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
        for ex in registry.exercises_for_chapter(chapter):
            assert f"check({ex.function})" in code, (chapter, ex.function)
            stub = next(c for c in code if re.search(rf"^(def|class) {ex.function}\b", c, re.M))
            assert "raise NotImplementedError()" in stub
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
        # the references' private helpers stay in the source notebook
        source = (SOURCE / chapter / f"{chapter}.ipynb").read_text()
        helpers = set(re.findall(r"\bdef (_[^_]\w*)\(", source))
        assert helpers, chapter
        assert not [h for h in helpers if f"def {h}(" in text], chapter


def test_released_notebooks_run_top_to_bottom_in_a_kernel(course, tmp_path):
    """Only the stubs raise, and only when called: every cell runs, ``check()`` reports each
    exercise as not implemented, and no ``NameError`` (``Array``, ``np``) appears."""
    out = tmp_path / "executed"
    notebooks = [str(course / "release" / c / f"{c}.ipynb") for c in CHAPTERS]
    proc = subprocess.run(
        [
            str(BIN / "jupyter"),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=600",
            "--output-dir",
            str(out),
            *notebooks,
        ],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    for chapter in CHAPTERS:
        nb = json.loads((out / f"{chapter}.ipynb").read_text())
        texts = {}
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            assert cell["execution_count"] is not None
            for o in cell["outputs"]:
                assert o["output_type"] != "error", (chapter, o.get("ename"), o.get("evalue"))
            texts["".join(cell["source"])] = "".join(
                "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                for o in cell["outputs"]
            )
        joined = "\n".join(texts.values())
        assert "NameError" not in joined, chapter
        for ex in registry.exercises_for_chapter(chapter):
            said = texts[f"check({ex.function})"]
            assert "NotImplementedError" in said, (chapter, ex.function, said)


def test_nbgrader_autograde_gives_full_marks_to_the_reference_and_zero_untouched(course):
    scores = _cell_scores(course)
    for chapter in CHAPTERS:
        exercises = registry.exercises_for_chapter(chapter)
        full = {f"test_{_slug(e.id)}": float(e.points) for e in exercises}
        assert scores["ref", chapter] == full, chapter
        assert scores["blank", chapter] == dict.fromkeys(full, 0.0), chapter


def test_nbgrader_autograde_scores_a_partly_wrong_submission_per_exercise(course):
    got = _cell_scores(course)["partial", PARTIAL_CHAPTER]
    wrong = {f"test_{_slug(RAISES_IN_NUMPY)}", f"test_{_slug(DELETED)}"}
    for e in registry.exercises_for_chapter(PARTIAL_CHAPTER):
        cell = f"test_{_slug(e.id)}"
        assert got[cell] == (0.0 if cell in wrong else e.points), cell


def test_autograder_grade_agrees_with_nbgrader_autograde(course, tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            str(course / "submitted"),
            "--json",
            "--db",
            f"sqlite:///{tmp_path / 'gb.db'}",
            "--workers",
            "2",
        ],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    graded = {
        (s["student"], s["chapter"]): {
            f"test_{_slug(e['id'])}": float(e["points"]) for e in s["exercises"]
        }
        for s in json.loads(proc.stdout)["submissions"]
    }
    nbgrader = _cell_scores(course)
    assert set(graded) == set(nbgrader)
    for key, cells in nbgrader.items():
        missing = {c: 0.0 for c in cells if c not in graded[key]}  # deleted: no row
        assert {**missing, **graded[key]} == cells, key


def test_feedback_shows_no_path_of_the_grading_machine(course):
    pages = sorted((course / "feedback").rglob("*.html"))
    assert len(pages) == 3
    machine = {
        str(course),
        str(ROOT),
        sys.prefix,
        str(Path.home()),
        "site-packages",
        "/tmp/",
        "ipykernel_",
    }
    for page in pages:
        html = page.read_text()
        leaked = [p for p in machine if p in html]
        assert not leaked, (page.relative_to(course), leaked)
    partial = course / "feedback" / "partial" / PARTIAL_CHAPTER / f"{PARTIAL_CHAPTER}.html"
    html = partial.read_text()
    assert "ValueError" in html  # the student's error is shown, without where it came from
    assert f"{registry.get(DELETED).function} is not defined" in html
