"""Fault injection: every fault is made for real on the real ``autograder grade`` command
(SIGINT/SIGTERM/SIGKILL to its process group mid-batch, graders started together on a new
gradebook, a full filesystem, a Dask worker killed with SIGKILL) and the gradebook is then
compared row by row with a clean run of the same submissions: nothing lost, duplicated or
changed, and no infrastructure failure stored as a score.

The batch (see :func:`write_batch`): the five students of test_cli_workflow (full marks, 0,
an exception, half, a syntax error), a copy of the solution notebook and a notebook that is
not JSON. Mid-batch is "the gradebook has k grading rows" (polled), never a sleep. The same
faults on 200 submissions, with numbers: ``make bench-faults`` (bench/faults.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import grade
from autograder.extract import parse
from autograder.gradebook import GRADED, INFRASTRUCTURE, Gradebook
from autograder.version import __version__

from .test_cli_workflow import CHAPTER, _solution, run_cli, write_submissions

#: One xdist worker runs the module: the clean run (module fixture) is graded once.
pytestmark = pytest.mark.xdist_group("gradebook_faults")
ROOT = Path(__file__).resolve().parents[2]
INTERRUPTED = re.compile(
    r"^interrupted: (\d+) graded and stored, (\d+) left; re-run the same command to continue$"
)


def write_batch(folder: Path) -> int:
    write_submissions(folder)
    text = _solution().replace("Chapter", "Chapter (a copy)")
    (folder / "frank.ipynb").write_text(text)
    (folder / "gina.ipynb").write_text("{this is not json")
    return len(list(folder.iterdir()))


def grade_cmd(folder: Path, url: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "autograder", "grade", str(folder), "--db", url, *extra]


def env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT))


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env())


def start(cmd: list[str]) -> subprocess.Popen:
    """``cmd`` in its own process group (as a shell starts a job), SIGINT not ignored."""
    return subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for_rows(proc: subprocess.Popen, db: Path, k: int) -> int:
    """Block until the gradebook has ``k`` grading rows (or the run ended)."""
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            with sqlite3.connect(db, timeout=30) as conn:
                n = conn.execute("SELECT count(*) FROM gradings").fetchone()[0]
            if n >= k:
                return n
        except sqlite3.OperationalError:  # not created yet
            pass
        time.sleep(0.02)
    raise AssertionError(f"the run ended before {k} rows: {proc.communicate()}")


def snapshot(url: str) -> dict:
    """Everything the gradebook says about each submission and exercise (no timestamps)."""
    with Gradebook(url) as book:
        subs = {
            (g["student_id"], g["sha256"]): (g["status"], g["points"], g["max_points"], g["error"])
            for g in book.graded_submissions(__version__)
        }
        rows = {
            (r.student_id, r.sha256, r.exercise_id): (r.score, r.max_score, r.status, r.reason)
            for r in book.rows(__version__, latest=False)
        }
        counts = {t: book.count(t) for t in ("submissions", "gradings", "results")}
    return {"submissions": subs, "results": rows, "counts": counts}


def differences(got: dict, want: dict) -> list:
    out = [("counts", got["counts"], want["counts"])] if got["counts"] != want["counts"] else []
    for part in ("submissions", "results"):
        for key in sorted(set(got[part]) | set(want[part]), key=str):
            if got[part].get(key) != want[part].get(key):
                out.append((key, got[part].get(key), want[part].get(key)))
    return out


def false_grades(got: dict, clean: dict) -> list:
    """What a faulted gradebook ``got`` stores as a grade that the clean run does not give: a
    verdict or a result that differs from the clean one (a false zero), or a result without
    its verdict (a half-written submission). Infrastructure rows hold no score: not grades."""
    graded = {k for k, v in got["submissions"].items() if v[0] == GRADED}
    out = [(k, got["submissions"][k]) for k in graded]
    out = [(k, v) for k, v in out if v != clean["submissions"].get(k)]
    return out + [
        (k, v)
        for k, v in got["results"].items()
        if v != clean["results"].get(k) or k[:2] not in graded
    ]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    n = write_batch(root / "subs")
    url = f"sqlite:///{root / 'clean.db'}"
    done = run(grade_cmd(root / "subs", url, "--no-progress", "--workers", "2"))
    assert done.returncode == 0, done.stderr
    clean = snapshot(url)
    assert len(clean["submissions"]) == n
    assert all(s[0] == GRADED for s in clean["submissions"].values())
    return root / "subs", n, clean


# ---------------------------------------------------------------------------- Ctrl-C


def interrupt(
    folder: Path, db: Path, signals: list[int], at: int = 1
) -> tuple[subprocess.Popen, str, float]:
    """Send ``signals`` to a grading run's process group once it has stored ``at``
    submissions; returns the process, its stderr and the seconds from signal to exit."""
    proc = start(grade_cmd(folder, f"sqlite:///{db}", "--no-progress", "--workers", "2"))
    wait_for_rows(proc, db, at)
    sent = time.monotonic()
    for i, sig in enumerate(signals):
        if i:
            time.sleep(0.2)  # a second Ctrl-C, a moment later (either order must work)
        os.killpg(proc.pid, sig)
    _, err = proc.communicate(timeout=300)
    return proc, err, time.monotonic() - sent


def check_interrupted_gradebook(url: str, clean: dict, err: str, n: int) -> None:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    m = INTERRUPTED.match(lines[0])
    assert m, err
    stored, left = map(int, m.groups())
    assert stored + left == n and 1 <= stored < n, "not interrupted mid-batch"
    got = snapshot(url)
    graded = {k: v for k, v in got["submissions"].items() if v[0] == GRADED}
    assert len(graded) == stored
    assert false_grades(got, clean) == []
    for v in got["submissions"].values():
        if v[0] != GRADED:
            assert v[0] == INFRASTRUCTURE and "interrupted" in v[3]


@pytest.mark.slow
@pytest.mark.parametrize(
    "signals, code",
    [
        ([signal.SIGINT], 130),
        ([signal.SIGINT, signal.SIGINT], 130),
        ([signal.SIGTERM], 143),
    ],
    ids=["ctrl-c", "ctrl-c-twice", "sigterm"],
)
def test_an_interrupted_run_stores_no_false_grade_and_a_rerun_completes_it(
    batch, tmp_path, signals, code
):
    folder, n, clean = batch
    db = tmp_path / "gb.db"
    proc, err, seconds = interrupt(folder, db, signals)
    assert proc.returncode == code, err
    assert seconds < 60, f"took {seconds:.0f} s to stop"
    check_interrupted_gradebook(f"sqlite:///{db}", clean, err, n)

    again = run(grade_cmd(folder, f"sqlite:///{db}", "--no-progress"))
    assert again.returncode == 0, again.stderr
    assert differences(snapshot(f"sqlite:///{db}"), clean) == []


@pytest.mark.slow
def test_a_run_killed_with_sigkill_resumes_to_the_clean_gradebook(batch, tmp_path):
    folder, n, clean = batch
    db = tmp_path / "gb.db"
    proc, _, _ = interrupt(folder, db, [signal.SIGKILL])
    assert proc.returncode == -signal.SIGKILL
    got = snapshot(f"sqlite:///{db}")
    assert 1 <= len(got["submissions"]) < n, "not killed mid-batch"
    assert all(v[0] == GRADED for v in got["submissions"].values())
    assert false_grades(got, clean) == []
    again = run(grade_cmd(folder, f"sqlite:///{db}", "--no-progress"))
    assert again.returncode == 0, again.stderr
    assert differences(snapshot(f"sqlite:///{db}"), clean) == []


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_swallowed_interrupt_still_stops_the_run_at_the_next_verdict(
    monkeypatch, tmp_path, capsys, sig, code
):
    """Python raises the KeyboardInterrupt wherever the main thread is; a library can swallow
    it there (an exception in a ``__del__`` is only printed: once in 200 Dask runs, Ctrl-C
    did not stop one). The run must stop anyway, at the next verdict it stores."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal

    def grading(subs, *, on_result, **_):  # stands in for the local pool and Dask alike
        for i, sub in enumerate(subs):
            if i == 1:
                with contextlib.suppress(KeyboardInterrupt):  # the swallowing library
                    signal.getsignal(sig)(sig, None)
            on_result(i, grade.SubmissionResult(sub.name, CHAPTER))
        raise AssertionError("the run did not stop")

    monkeypatch.setattr(grade, "grade_submissions", grading)
    folder = tmp_path / "subs"
    write_submissions(folder)
    url = f"sqlite:///{tmp_path / 'gb.db'}"
    assert run_cli("grade", folder, "--db", url, "--no-progress")[0] == code
    err = capsys.readouterr().err.strip()
    assert INTERRUPTED.match(err).groups() == ("2", "3"), err
    with Gradebook(url) as book:
        assert len(book.graded_keys(__version__)) == 2  # the verdict in hand was stored
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


# ---------------------------------------------------------------------------- a dying worker


class FlakyWorker:
    """Stands in for the sandbox worker: its first ``fail`` jobs break the pipe."""

    fail = 1
    started = 0

    def __init__(self, *, sandbox=True):
        FlakyWorker.started += 1
        self.layers = {}
        self.proc = self

    def run(self, job, arrays):
        if FlakyWorker.fail:
            FlakyWorker.fail -= 1
            raise BrokenPipeError("worker died")
        return {"results": [{"id": e["id"], "status": "missing"} for e in job["exercises"]]}, []

    def close(self):
        pass

    def kill(self):
        pass


def _sub():
    return parse("s.py", b"def gradient_check(f):\n    return 1\n", ".py")


def test_a_worker_that_dies_once_is_replaced_and_the_submission_graded(monkeypatch):
    monkeypatch.setattr(grade, "Worker", FlakyWorker)
    FlakyWorker.fail, FlakyWorker.started = 1, 0
    [res], _ = grade.grade_submissions([_sub()], chapter=CHAPTER)
    assert res.status == "graded" and res.exercises and FlakyWorker.started == 2


def test_a_worker_that_keeps_dying_is_an_infrastructure_failure_never_a_score(
    monkeypatch, tmp_path
):
    monkeypatch.setattr(grade, "Worker", FlakyWorker)
    FlakyWorker.fail = 2
    [res], _ = grade.grade_submissions([_sub()], chapter=CHAPTER)
    assert res.status == INFRASTRUCTURE and res.exercises == []
    assert "failed twice (BrokenPipeError)" in res.error
    with Gradebook(f"sqlite:///{tmp_path / 'gb.db'}") as book:
        book.record("s", "h", res.to_json())
        assert book.rows(__version__) == []  # no score, not even 0
        assert book.graded_keys(__version__) == set()  # graded again next run
        assert book.graded_keys(__version__, INFRASTRUCTURE) == {("s", "h")}
        FlakyWorker.fail = 0
        [ok], _ = grade.grade_submissions([_sub()], chapter=CHAPTER)
        book.record("s", "h", ok.to_json())
        assert book.graded_keys(__version__) == {("s", "h")}
        assert len(book.rows(__version__)) == len(ok.exercises)
        book.record("s", "h", res.to_json())  # a later failure never replaces a verdict
        assert book.graded_keys(__version__) == {("s", "h")}
        assert len(book.rows(__version__)) == len(ok.exercises)


def test_regrade_errors_grades_only_the_infrastructure_failures(batch, tmp_path):
    folder, n, clean = batch
    url = f"sqlite:///{tmp_path / 'gb.db'}"
    (dave,) = [k for k in clean["submissions"] if k[0] == "dave"]
    failure = {
        "submission": "dave.py",
        "chapter": CHAPTER,
        "points": 0,
        "max_points": 0,
        "error": "the grading worker failed twice (EOFError)",
        "notes": [],
        "grader_version": __version__,
        "status": INFRASTRUCTURE,
        "exercises": [],
    }
    with Gradebook(url) as book:
        book.record(*dave, failure)
    done = run(grade_cmd(folder, url, "--no-progress", "--json", "--regrade-errors"))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [s["student"] for s in data["submissions"] if not s["stored"]] == ["dave"]
    assert len(data["skipped"]) == n - 1
    got = snapshot(url)
    assert got["submissions"] == {dave: clean["submissions"][dave]}
    assert got["results"] == {k: v for k, v in clean["results"].items() if k[:2] == dave}


# ---------------------------------------------------------------------------- disk full

STOPPED = re.compile(
    r"^autograder grade: cannot write to the gradebook sqlite:///\S+: (.+); stopped: (\d+) "
    r"graded and stored \(intact\), (\d+) left; fix it and re-run the same command to continue$"
)


@contextlib.contextmanager
def tmpfs(mnt: Path, size: str):
    """A tmpfs of ``size`` mounted at ``mnt`` (needs root: the suite runs as root, like CI)."""
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=True)


@pytest.fixture
def small_fs(tmp_path):
    """A 4 MB filesystem of its own."""
    with tmpfs(tmp_path / "small", "4m") as mnt:
        yield mnt


def fill(folder: Path) -> Path:
    """Write a file until the filesystem has no byte left."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f:
        for chunk in (2**16, 2**12, 2**9, 1):
            try:
                while True:
                    f.write(b"\0" * chunk)
            except OSError as exc:
                assert exc.errno == 28  # ENOSPC
    return filler


@pytest.mark.slow
def test_a_full_disk_stops_the_run_at_the_first_failed_write_and_it_resumes(batch, small_fs):
    folder, n, clean = batch
    db = small_fs / "gb.db"
    url = f"sqlite:///{db}"
    proc = start(grade_cmd(folder, url, "--no-progress", "--workers", "2"))
    wait_for_rows(proc, db, 1)
    filler = fill(small_fs)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err
    assert "Traceback" not in err and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    m = STOPPED.match(lines[0])
    assert m, err
    assert "full" in m.group(1)
    stored, left = int(m.group(2)), int(m.group(3))
    assert stored + left == n and 1 <= stored < n, "not stopped at the first failed write"
    with sqlite3.connect(db) as conn:  # consistent even while the disk is still full
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM gradings").fetchone() == (stored,)
    filler.unlink()
    got = snapshot(url)
    assert all(v[0] == GRADED for v in got["submissions"].values())
    assert false_grades(got, clean) == []
    again = run(grade_cmd(folder, url, "--no-progress"))
    assert again.returncode == 0, again.stderr
    assert differences(snapshot(url), clean) == []


# ---------------------------------------------------------------------------- concurrency


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_graders_started_together_on_a_new_gradebook_store_everything_once(
    batch, tmp_path, request, backend
):
    """Three ``autograder grade`` runs of the same batch at once on a gradebook that does
    not exist yet: no crash, every row once, each equal to the clean run's."""
    folder, n, clean = batch
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'new.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    procs = [start(grade_cmd(folder, url, "--no-progress")) for _ in range(3)]
    outputs = [p.communicate(timeout=600) for p in procs]
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert "Traceback" not in err
    assert differences(snapshot(url), clean) == []
    if backend == "postgresql":  # the URL is printed, its password never
        password = url.split("://", 1)[1].split("@")[0].split(":")[1]
        assert all(password not in out + err for out, err in outputs)
        assert all("postgres:***@127.0.0.1" in out for out, _ in outputs)


# ---------------------------------------------------------------------------- a killed Dask worker


def kill_a_busy_worker(cluster, proc: subprocess.Popen, db: Path, n: int, at: int = 1) -> int:
    """Once the run has stored ``at`` submissions, SIGKILL a Dask worker process that has a
    grading task; returns how many submissions were stored at that moment."""
    from distributed import Client

    with Client(cluster.scheduler_address) as client:
        stored = wait_for_rows(proc, db, at)
        deadline = time.monotonic() + 120
        while True:
            busy = [w for w, keys in client.processing().items() if keys]
            if busy or time.monotonic() > deadline or proc.poll() is not None:
                break
            time.sleep(0.01)
        assert busy, "no task in flight to kill"
        pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
        os.kill(pid, signal.SIGKILL)
    assert stored < n, "not killed mid-batch"
    return stored


@pytest.mark.slow
@pytest.mark.parametrize("allowed_failures", [3, 0], ids=["task-retried", "task-given-up"])
def test_a_killed_dask_worker_stores_no_false_grade_and_a_rerun_completes_it(
    batch, tmp_path, allowed_failures
):
    """A Dask worker killed with SIGKILL mid-run: the scheduler runs its task again on a
    worker that lives (Dask's default, 3 failures allowed: the run finishes) or gives the task
    up (no failure allowed: ``KilledWorker``); either way the run ends without a traceback,
    stores no score for what the dead worker was grading, and the same command run again
    leaves the gradebook equal, row by row, to a clean run's."""
    import dask
    from distributed import LocalCluster

    folder, n, clean = batch
    db = tmp_path / "gb.db"
    url = f"sqlite:///{db}"
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": allowed_failures}),
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
    ):
        dask_grade = grade_cmd(folder, url, "--no-progress", "--dask", cluster.scheduler_address)
        proc = start(dask_grade)
        kill_a_busy_worker(cluster, proc, db, n)
        _, err = proc.communicate(timeout=600)
        assert "Traceback" not in err, err
        got = snapshot(url)
        assert false_grades(got, clean) == []
        failed = {k: v for k, v in got["submissions"].items() if v[0] != GRADED}
        assert all(v[0] == INFRASTRUCTURE and "KilledWorker" in v[3] for v in failed.values())
        if allowed_failures:
            assert proc.returncode == 0 and not failed, err
        else:
            assert proc.returncode == 1 and failed, err
            assert f"{len(failed)} submission(s) not graded (infrastructure failure" in err
        again = run(dask_grade)
        assert again.returncode == 0, again.stderr
    assert differences(snapshot(url), clean) == []
