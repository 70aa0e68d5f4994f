"""Verdicts do not depend on how busy the grading machine is: what a submission may use is
CPU time per exercise; the wall clock is only a backstop against sleeping or blocked code,
and a timed-out exercise is re-run once in a fresh process before it scores 0.

No assertion here is about speed: a stopped sandbox, a machine full of busy loops and a
sleeping submission each change *when* results arrive, never *what* they are.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest

from autograder import extract, grade, sandbox
from autograder.grade import grade_submissions
from tests.security.attacks import solution_notebook, with_cell
from tests.security.test_hostile import RecordedWorker, assert_host_unchanged

TIMEOUT = 2.0


@pytest.fixture
def workers(monkeypatch):
    RecordedWorker.created = []
    monkeypatch.setattr(grade, "Worker", RecordedWorker)
    return RecordedWorker.created


def _nb_sub(name: str, nb: dict) -> extract.Submission:
    return extract.parse(name, json.dumps(nb).encode(), ".ipynb")


def _full_marks(result) -> None:
    assert result.points == result.max_points > 0, [
        (e.id, e.reason) for e in result.exercises if e.reason
    ]


def _sandbox_processes(workers) -> list[psutil.Process]:
    namespaces = set().union(*(w.pid_namespaces for w in workers))
    procs = []
    for p in psutil.process_iter():
        try:
            if os.readlink(f"/proc/{p.pid}/ns/pid") in namespaces:
                procs.append(p)
        except OSError:
            continue
    return procs


def _is_pid_1(p: psutil.Process) -> bool:
    try:
        with open(f"/proc/{p.pid}/status") as f:
            nspid = next(line for line in f if line.startswith("NSpid:"))
    except (OSError, StopIteration):
        return False
    return nspid.split()[-1] == "1"


def test_a_stopped_sandbox_loses_no_points(workers):
    """SIGSTOP every process of the sandbox for longer than the limit while it grades a
    correct submission (what a machine too busy to run it looks like), then SIGCONT: full
    marks. (With a wall-clock limit, the stopped exercise timed out.)"""
    nb = solution_notebook("07_metrics")
    nb["cells"].append(  # a correct submission that is slow to import (sleeping, no CPU)
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "source": "_P = __import__('time').sleep(0.5)",
        }
    )
    out: dict = {}
    thread = threading.Thread(
        target=lambda: out.update(
            r=grade_submissions(
                [_nb_sub("slow-import.ipynb", nb)], chapter="07_metrics", timeout=TIMEOUT
            )
        )
    )
    thread.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait for a child (a grandchild of pid 1)
        procs = _sandbox_processes(workers)
        if len(procs) >= 3:
            break
        time.sleep(0.01)
    else:
        pytest.fail("no grading child appeared")
    first = sorted(procs, key=lambda p: not _is_pid_1(p))  # pid 1 first
    for p in first:
        p.send_signal(signal.SIGSTOP)
    running_when_stopped = thread.is_alive()
    time.sleep(TIMEOUT + 1.5)
    for p in reversed(first):  # pid 1 last
        p.send_signal(signal.SIGCONT)
    thread.join(300)
    assert running_when_stopped, "grading was over before the stop: the test proved nothing"
    results, _ = out["r"]
    _full_marks(results[0])
    assert_host_unchanged(workers)


@pytest.mark.slow
def test_solutions_keep_full_marks_beside_busy_loops(workers):
    """2 x nproc busy loops beside the grader (load far above the core count): the solution
    notebooks still score 100 % with the suite's short 2 s limit."""
    loops = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(2 * (os.cpu_count() or 1))
    ]
    try:
        subs = [
            _nb_sub(f"{ch}.ipynb", solution_notebook(ch)) for ch in ("03_activations", "07_metrics")
        ]
        for sub, ch in zip(subs, ("03_activations", "07_metrics"), strict=True):
            results, _ = grade_submissions([sub], chapter=ch, timeout=TIMEOUT)
            _full_marks(results[0])
    finally:
        for p in loops:
            p.kill()
            p.wait()
    assert_host_unchanged(workers)


SLEEPER = """
def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                    sample_weight=None, zero_division="warn"):
    import time
    time.sleep(1e9)
"""
SPINNER = SLEEPER.replace("time.sleep(1e9)", "while True:\n        pass")
FIRST_RUN_HANGS = """
import os

_original = precision_score


def precision_score(*args, **kwargs):
    if not os.path.exists("/tmp/started"):  # the first run in this phase hangs
        open("/tmp/started", "w").close()
        import time
        time.sleep(1e9)
    return _original(*args, **kwargs)
"""


@pytest.mark.parametrize(
    "source, wall, reason",
    [
        (SLEEPER, 3.0, r"timed out after 3 s of waiting while using little CPU .*also when re-run"),
        (SPINNER, None, r"timed out after 2 s of CPU time .*also when re-run alone"),
    ],
    ids=["sleep", "infinite-loop"],
)
def test_sleeping_and_spinning_code_still_stop(source, wall, reason, workers, monkeypatch):
    """``time.sleep(1e9)`` meets the wall-clock backstop (3 s here), an infinite loop the CPU
    limit (2 s, with the default backstop: on a busy machine a 3 s backstop could come
    first); each is re-run once, then scores 0 with a reason saying so; the rest of the
    submission keeps full marks."""
    monkeypatch.setitem(sandbox.DEFAULT_LIMITS, "wall_timeout", wall)
    sub = _nb_sub("hang.ipynb", with_cell("07_metrics", "precision_score", source))
    results, _ = grade_submissions([sub], chapter="07_metrics", timeout=TIMEOUT)
    by_function = {e.function: e for e in results[0].exercises}
    assert re.search(reason, by_function["precision_score"].reason), by_function[
        "precision_score"
    ].reason
    lost = [e.function for e in results[0].exercises if e.points < e.max_points]
    assert lost == ["precision_score"], lost
    assert_host_unchanged(workers)


def test_a_timed_out_exercise_is_re_run_once(workers, monkeypatch):
    """An exercise that hangs on its first run only (a machine hiccup, as far as the grader
    can tell) is re-run in a fresh process, keeps full marks, and a note says so."""
    monkeypatch.setitem(sandbox.DEFAULT_LIMITS, "wall_timeout", 3.0)
    nb = solution_notebook("07_metrics")
    nb["cells"].append(
        {"cell_type": "code", "metadata": {}, "outputs": [], "source": FIRST_RUN_HANGS}
    )
    results, _ = grade_submissions(
        [_nb_sub("hiccup.ipynb", nb)], chapter="07_metrics", timeout=TIMEOUT
    )
    _full_marks(results[0])
    assert any(
        "precision_score: the first run timed out; re-run alone" in n for n in results[0].notes
    ), results[0].notes
    assert_host_unchanged(workers)
