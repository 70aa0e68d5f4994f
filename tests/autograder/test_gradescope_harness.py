"""The Gradescope autograder zip in a faithful, relocatable copy of Gradescope's documented
layout (https://gradescope-autograders.readthedocs.io/en/latest/specs/): the zip extracted
into ``<root>/source``, ``setup.sh`` run once (it makes a fresh virtual environment from the
base image's ``python3`` and installs what the grader imports, from the zip alone), then
``run_autograder`` per submission in ``<root>/submission``, writing
``<root>/results/results.json``, validated against Gradescope's results schema.

The base Python is the floor this grader claims for Gradescope's Ubuntu 22.04 images:
Python 3.10, when an interpreter of it is on this machine (pyenv, /usr/bin, PATH).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder import export, notebooks, registry

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = "04_losses"
WRONG = "losses.l1_loss"
SEED = "harness-secret"
FLOOR = (3, 10)

# one worker runs the module: its fixture (the costly part) runs once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("gradescope_harness")]

_VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
_FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
#: Gradescope's results.json, field by field as its specification documents them.
RESULTS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": _FORMAT,
        "test_output_format": _FORMAT,
        "test_name_format": _FORMAT,
        "visibility": _VISIBILITY,
        "stdout_visibility": _VISIBILITY,
        "extra_data": {"type": "object"},
        "leaderboard": {"type": "array"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                # all optional for Gradescope; this grader always writes these five
                "required": ["score", "max_score", "name", "output", "visibility"],
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "name_format": _FORMAT,
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "output_format": _FORMAT,
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": _VISIBILITY,
                    "extra_data": {"type": "object"},
                },
            },
        },
    },
    # "score: optional, but required if not on each test case"
    "anyOf": [
        {"required": ["score"]},
        {"required": ["tests"], "properties": {"tests": {"minItems": 1}}},
    ],
}


def _floor_python() -> str | None:
    """A Python 3.10 with ensurepip (what ``python3 -m venv`` needs), if this machine has one."""
    candidates = [
        shutil.which("python3.10"),
        "/usr/bin/python3.10",
        *sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.10*/bin/python3.10"))),
        *sorted(glob.glob("/root/.pyenv/versions/3.10*/bin/python3.10")),
    ]
    for exe in candidates:
        if not exe or not os.path.exists(exe):
            continue
        probe = subprocess.run(
            [exe, "-c", "import ensurepip, sys; print(sys.version_info[:2] == (3, 10))"],
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0 and probe.stdout.strip() == "True":
            return exe
    return None


def _clean_env(**extra) -> dict:
    """The environment Gradescope gives the scripts: nothing of this checkout's venv."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "AUTOGRADER_HIDDEN_SEED")
    }
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(sys.prefix)
    )
    return dict(env, **extra)


@pytest.fixture(scope="module")
def gradescope(tmp_path_factory):
    """``(root, base python)``: the zip extracted as Gradescope does and setup.sh run."""
    base = _floor_python()
    if base is None:
        warnings.warn(
            "no Python 3.10 on this machine: the Gradescope harness runs on "
            f"{sys.version.split()[0]}, the 3.10 floor is untested here",
            stacklevel=1,
        )
        base = sys.executable
    root = tmp_path_factory.mktemp("gradescope") / "autograder"
    (root / "source").mkdir(parents=True)
    old = os.environ.get("AUTOGRADER_HIDDEN_SEED")
    os.environ["AUTOGRADER_HIDDEN_SEED"] = SEED
    try:
        zpath = export.gradescope_zip(root.parent / "autograder.zip", chapter=CHAPTER)
    finally:
        if old is None:
            del os.environ["AUTOGRADER_HIDDEN_SEED"]
        else:
            os.environ["AUTOGRADER_HIDDEN_SEED"] = old
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(root / "source")
        for info in zf.infolist():  # zipfile drops the mode bits: restore them as unzip does
            os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777)
    setup = subprocess.run(
        [str(root / "source" / "setup.sh")],
        env=_clean_env(AUTOGRADER_ROOT=str(root), AUTOGRADER_BASE_PYTHON=base),
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-3000:]
    return root, base


def run_autograder(root: Path, files: dict[str, str]) -> dict:
    sub = root / "submission"
    shutil.rmtree(sub, ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    sub.mkdir()
    (root / "results").mkdir()
    for name, text in files.items():
        (sub / name).write_text(text)
    proc = subprocess.run(
        [str(root / "source" / "run_autograder")],
        env=_clean_env(AUTOGRADER_ROOT=str(root)),
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(out, RESULTS_SCHEMA)
    return out


def _solution(chapter: str) -> dict:
    return notebooks.solution_notebook(chapter)


def _total(out: dict) -> float:
    return out.get("score", sum(t["score"] for t in out["tests"]))


def _tests_of(out: dict, exercise_id: str) -> list[dict]:
    return [t for t in out["tests"] if t["name"].startswith(exercise_id + " ")]


def _check_visibility(out: dict) -> None:
    for t in out["tests"]:
        hidden = t["name"].endswith(": hidden cases")
        assert t["visibility"] == ("after_due_date" if hidden else "visible"), t["name"]
        if not hidden:
            assert "hidden-" not in t["output"]


def test_setup_made_a_fresh_environment_from_the_base_python(gradescope):
    root, base = gradescope
    python = root / "venv" / "bin" / "python"
    version = subprocess.run(
        [str(python), "-c", "import sys, numpy, scipy, sqlalchemy; print(*sys.version_info[:2])"],
        capture_output=True,
        text=True,
        env=_clean_env(),
        cwd=root,
    )
    assert version.returncode == 0, version.stderr
    got = tuple(map(int, version.stdout.split()))
    if base == sys.executable:
        pytest.skip(f"no Python 3.10 here: ran on {got}, the {FLOOR} floor is untested")
    assert got == FLOOR
    # the grader is not installed into it: it runs from /autograder/source only
    importable = subprocess.run(
        [str(python), "-c", "import autograder"],
        capture_output=True,
        env=_clean_env(),
        cwd=root,
    )
    assert importable.returncode != 0


def test_a_correct_submission_scores_full_marks(gradescope):
    root, _ = gradescope
    out = run_autograder(root, {"exercises.ipynb": notebooks.dumps(_solution(CHAPTER))})
    exercises = registry.exercises_for_chapter(CHAPTER)
    assert _total(out) == pytest.approx(sum(e.points for e in exercises))
    assert all(t["status"] == "passed" for t in out["tests"])
    assert {t["name"].rsplit(": ", 1)[0] for t in out["tests"]} == {
        f"{e.id} ({e.function})" for e in exercises
    }
    _check_visibility(out)
    assert "score" not in out  # Gradescope sums the tests: hidden points stay hidden


def test_a_partly_wrong_submission_loses_only_that_exercise(gradescope):
    root, _ = gradescope
    nb = _solution(CHAPTER)
    fn = registry.get(WRONG).function
    for cell in nb["cells"]:
        if "".join(cell["source"]).lstrip().startswith(f"def {fn}("):
            cell["source"] = [
                f"def {fn}(input, target, *, reduction='mean', weight=None):\n",
                "    return np.zeros(())\n",
            ]
    out = run_autograder(root, {"alice.ipynb": notebooks.dumps(nb)})
    wrong = _tests_of(out, WRONG)
    assert [t["score"] for t in wrong] == [0, 0] and len(wrong) == 2
    assert all(t["score"] == t["max_score"] for t in out["tests"] if t not in wrong)
    full = sum(e.points for e in registry.exercises_for_chapter(CHAPTER))
    assert _total(out) == pytest.approx(full - registry.get(WRONG).points)
    _check_visibility(out)


def test_an_empty_submission_scores_zero_with_a_reason(gradescope):
    root, _ = gradescope
    out = run_autograder(root, {})
    assert _total(out) == 0 and out["tests"] == []
    assert "no .ipynb or .py file" in out["output"]


def test_a_wrong_chapter_is_told_which_chapter_it_looks_like(gradescope):
    root, _ = gradescope
    out = run_autograder(root, {"exercises.ipynb": notebooks.dumps(_solution("03_activations"))})
    assert _total(out) == 0
    assert "03_activations" in out["output"] and CHAPTER in out["output"]
    _check_visibility(out)


def test_a_crashing_submission_still_gets_results(gradescope):
    root, _ = gradescope
    fn = registry.get(WRONG).function
    out = run_autograder(
        root,
        {
            "crash.py": "import os\nimport signal\n\n\n"
            f"def {fn}(input, target, *, reduction='mean', weight=None):\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n"
        },
    )
    assert _total(out) == 0
    crashed = _tests_of(out, WRONG)
    assert crashed and all("killed" in t["output"] for t in crashed)
    _check_visibility(out)
