"""No leftovers: a grading run killed with SIGKILL leaves no process behind (bubblewrap's
--die-with-parent), and its temp dir is removed by the start-up sweep of the next run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from autograder import sandbox
from autograder.notebooks import ROOT
from tests.security.attacks import solution_notebook


def _dir(tmp: Path, name: str, owner: str | None, age: float = 0) -> Path:
    path = tmp / name
    path.mkdir()
    (path / "autograder").mkdir()
    if owner is not None:
        (path / ".owner").write_text(owner)
    if age:
        os.utime(path, (time.time() - age, time.time() - age))
    return path


def test_sweep_removes_only_dirs_of_dead_runs(tmp_path):
    gone = subprocess.Popen(["sleep", "60"])
    record = sandbox._process_id(gone.pid)
    gone.kill()
    gone.wait()
    dead = _dir(tmp_path, "autograder-sandbox-dead", record)
    alive = _dir(tmp_path, "autograder-sandbox-alive", sandbox._process_id(os.getpid()))
    # this pid, but another start time: the pid was reused, the owner is dead
    reused = _dir(tmp_path, "autograder-work-reused", f"{os.getpid()} 1")
    legacy_old = _dir(tmp_path, "autograder-sandbox-legacy-old", None, age=2 * 86400)
    legacy_new = _dir(tmp_path, "autograder-sandbox-legacy-new", None)
    other = _dir(tmp_path, "not-ours", sandbox._process_id(gone.pid))
    removed = sandbox.sweep_dead_runs(str(tmp_path))
    assert sorted(removed) == sorted([dead, reused, legacy_old])
    assert alive.exists() and legacy_new.exists() and other.exists()


def test_a_killed_grading_run_leaves_nothing_behind(tmp_path):
    nb = solution_notebook("07_metrics")
    nb["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "source": "_S = __import__('time').sleep(60)",
        }
    )
    (tmp_path / "slow.ipynb").write_text(json.dumps(nb))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade", "slow.ipynb", "--no-db"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    mine = []
    while time.monotonic() < deadline and not mine:
        for path in Path("/tmp").glob("autograder-sandbox-*"):
            try:
                if (path / ".owner").read_text().split()[0] == str(run.pid):
                    mine.append(path)
            except (OSError, IndexError):
                pass
        time.sleep(0.05)
    assert mine, "the grading run made no sandbox dir"
    token = mine[0].name
    time.sleep(1)  # the sandbox is up and grading (sleeping at import)
    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = [
            p.pid
            for p in psutil.process_iter(["cmdline"])
            if token in " ".join(p.info["cmdline"] or [])
        ]
        if not left:
            break
        time.sleep(0.1)
    assert not left, f"processes of the killed run: {left}"
    assert mine[0].exists()  # nothing could remove it ...
    assert mine[0] in sandbox.sweep_dead_runs()  # ... until the next run starts
    assert not mine[0].exists()
