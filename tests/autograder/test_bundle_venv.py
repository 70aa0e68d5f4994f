"""The student bundle as a student uses it: the zip extracted somewhere, its README's set-up
command run as written in a fresh virtual environment (no repository on any path), the
notebook program of its second command present, a chapter notebook executed in a real kernel
from that environment, and ``check()`` working there.

Packages come from pip's usual cache (a warm cache makes this quick; the first run on a fresh
machine downloads numpy, scipy and Jupyter once)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder.release import release

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = "04_losses"

# one worker runs the module: its fixture (the costly part) runs once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bundle_venv")]


def _clean_env() -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(sys.prefix)
    )
    return env


def _readme_commands(readme: str) -> list[str]:
    """The indented command lines of the README's "Two commands" block."""
    block = readme.split("Two commands", 1)[1].split("\n\n", 2)[1]
    return [line.strip().split("  #")[0].strip() for line in block.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    root = tmp_path_factory.mktemp("student")
    path, _ = release(root / "course.zip", [CHAPTER])
    with zipfile.ZipFile(path) as zf:
        zf.extractall(root / "downloads")
    folder = root / "downloads" / "course"
    setup, open_nb = _readme_commands((folder / "README.md").read_text())
    base = sys._base_executable if hasattr(sys, "_base_executable") else sys.executable
    setup = re.sub(r"^python3 ", shlex.quote(base) + " ", setup)  # the machine's python3
    start = time.perf_counter()
    proc = subprocess.run(
        ["bash", "-c", setup + " --disable-pip-version-check --quiet"],
        cwd=folder,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    print(f"bundle set-up: {seconds:.1f} s; zip {path.stat().st_size / 2**20:.2f} MB")
    return folder, open_nb


def test_the_readme_commands_are_set_up_then_open(installed):
    folder, open_nb = installed
    program, *args = shlex.split(open_nb)
    assert program == ".venv/bin/jupyter" and args[:1] == ["lab"]
    assert Path(folder / args[1]).exists()
    lab = subprocess.run(
        [str(folder / program), "lab", "--version"],
        cwd=folder,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert lab.returncode == 0 and re.match(r"\d+\.", lab.stdout), lab.stderr[-2000:]


def test_the_environment_has_the_bundle_and_no_solutions(installed, tmp_path):
    folder, _ = installed
    probe = subprocess.run(
        [
            str(folder / ".venv/bin/python"),
            "-c",
            "import autograder, importlib.util as u; print(autograder.__file__); "
            "print(u.find_spec('solutions'))",
        ],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    where, solutions = probe.stdout.split()
    assert where.startswith(str(folder)) and solutions == "None", probe.stderr


def test_a_chapter_notebook_runs_in_a_kernel_and_check_works(installed, tmp_path):
    folder, _ = installed
    nb = json.loads((folder / "chapters" / CHAPTER / "exercises.ipynb").read_text())
    # the student solves l1_loss and gets mse_loss_backward wrong: check() says which
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if src.startswith("def l1_loss("):
            cell["source"] = src.split("\n")[0] + (
                "\n    d = np.abs(input - target) * (1 if weight is None else weight)\n"
                "    return d if reduction == 'none' else d.sum() if reduction == 'sum' "
                "else np.asarray(d.sum() / (d.size if weight is None else np.sum(weight)))\n"
            )
        if src.startswith("def mse_loss_backward("):
            cell["source"] = src.split("\n")[0] + (
                "\n    return np.asarray(grad_output) * (input - target)\n"
            )
    mine = tmp_path / "mine.ipynb"
    mine.write_text(json.dumps(nb))
    proc = subprocess.run(
        [
            str(folder / ".venv/bin/jupyter"),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--output",
            "executed.ipynb",
            str(mine),
        ],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads((tmp_path / "executed.ipynb").read_text())
    said = {}
    for cell in out["cells"]:
        if cell["cell_type"] == "code":
            assert not [o for o in cell["outputs"] if o["output_type"] == "error"]
            said["".join(cell["source"])] = "".join(
                "".join(o.get("text", "")) for o in cell["outputs"]
            )
    assert "public groups pass" in said["check(l1_loss)"]
    assert "✗" not in said["check(l1_loss)"], said["check(l1_loss)"]
    wrong = said["check(mse_loss_backward)"]
    assert "✗" in wrong and "shrunk to the smallest failing input" in wrong, wrong
    assert "not implemented yet" in said["check(cross_entropy)"]
