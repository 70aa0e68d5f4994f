"""Every fault of tests/autograder/test_gradebook_faults.py on a class-sized batch: N
submissions (bench/gradebook.py's copies of the fault batch, distinct hashes) graded by the
real ``autograder grade``, a fault made for real once about ``--at`` of them are stored, then
the same command run again; the gradebook is compared row by row with a clean run.

    python bench/faults.py [-n 200] [--at 0.5] [--only sigkill,disk-full] [--json out.json]

Faults: SIGINT to the process group (once, twice), SIGTERM, SIGKILL, the gradebook's disk
full (a tmpfs of its own, twice the clean gradebook's size: needs root), three graders
started together on a new SQLite and a new PostgreSQL gradebook, a Dask worker killed with
SIGKILL (Dask retries its task; or, with no failure allowed, gives it up: KilledWorker), and
SIGINT to a grader on Dask.
Printed per fault: the faulted run's exit status and seconds from the fault to its exit (disk
full, graders at once: the whole faulted run), the submissions it graded and stored, the
infrastructure failures it recorded (no score), the stored rows that differ from the clean
run's right after the fault (false grades: goal 0), then, after the re-run, the rows compared
and the differences (goal 0).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gradebook import make  # noqa: E402
from tests.autograder import postgres  # noqa: E402
from tests.autograder.test_gradebook_faults import (  # noqa: E402
    GRADED,
    differences,
    false_grades,
    grade_cmd,
    interrupt,
    kill_a_busy_worker,
    run,
    snapshot,
    start,
    tmpfs,
    wait_for_rows,
)


class Bench:
    def __init__(self, folder: Path, tmp: Path, n: int, at: int, workers: int):
        self.folder, self.tmp, self.n, self.at, self.workers = folder, tmp, n, at, workers
        self.cmd_extra = ["--no-progress", "--workers", str(workers)]

    def command(self, url: str) -> list[str]:
        return grade_cmd(self.folder, url, *self.cmd_extra)

    # ---------------------------------------------------------------- the faults: each
    # returns (url, exit status, seconds from fault to exit, the command to run again)

    def signals(self, name: str, sigs: list[int]):
        db = self.tmp / f"{name}.db"
        proc, _, seconds = interrupt(self.folder, db, sigs, at=self.at)
        url = f"sqlite:///{db}"
        return url, proc.returncode, seconds, self.command(url)

    def disk_full(self, name: str):
        """The gradebook's own filesystem, ``self.disk_kb`` (twice the clean gradebook: it
        fills up mid-run as SQLite's journal grows), enlarged before the re-run. (Filling a
        large disk at a chosen point can go unnoticed: once SQLite's WAL has reached its
        usual size, it rewrites space it already holds.)"""
        mnt = self._cleanup.enter_context(tmpfs(self.tmp / name, f"{self.disk_kb}k"))
        url = f"sqlite:///{mnt / 'gb.db'}"
        sent = time.monotonic()
        proc = start(self.command(url))
        proc.communicate(timeout=1800)
        remount = ["mount", "-o", "remount,size=256m", str(mnt)]
        self._before_rerun = lambda: subprocess.run(remount, check=True)
        return url, proc.returncode, time.monotonic() - sent, self.command(url)

    def concurrent(self, name: str, url: str):
        sent = time.monotonic()
        procs = [start(self.command(url)) for _ in range(3)]
        for p in procs:
            p.communicate(timeout=1800)
        status = max(p.returncode for p in procs)
        return url, status, time.monotonic() - sent, self.command(url)

    def dask(self, name: str, allowed_failures: int = 3, *, ctrl_c: bool = False):
        """A run on a Dask LocalCluster: a busy worker killed with SIGKILL mid-run, or (with
        ``ctrl_c``) SIGINT to the grader's process group."""
        import dask
        from distributed import LocalCluster

        db = self.tmp / f"{name}.db"
        url = f"sqlite:///{db}"
        with dask.config.set({"distributed.scheduler.allowed-failures": allowed_failures}):
            cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
        self._cleanup.callback(cluster.close)
        cmd = grade_cmd(self.folder, url, "--no-progress", "--dask", cluster.scheduler_address)
        proc = start(cmd)
        if ctrl_c:
            wait_for_rows(proc, db, self.at)
            os.killpg(proc.pid, signal.SIGINT)
        else:
            kill_a_busy_worker(cluster, proc, db, self.n, at=self.at)
        sent = time.monotonic()
        proc.communicate(timeout=1800)
        return url, proc.returncode, time.monotonic() - sent, cmd

    # ---------------------------------------------------------------- one row of the table

    def measure(self, name: str, fault, clean: dict) -> dict:
        self._before_rerun = lambda: None
        with contextlib.ExitStack() as self._cleanup:
            t0 = time.perf_counter()
            url, status, seconds, again = fault()
            got = snapshot(url)
            verdicts = sum(v[0] == GRADED for v in got["submissions"].values())
            self._before_rerun()
            rerun = run(again)
            if rerun.returncode:
                raise SystemExit(f"{name}: the re-run failed: {rerun.stderr[-3000:]}")
            total = time.perf_counter() - t0
            final = snapshot(url)
        return {
            "fault": name,
            "exit": status,
            "seconds_to_exit": round(seconds, 1),
            "graded_and_stored": verdicts,
            "infrastructure": len(got["submissions"]) - verdicts,
            "false_rows_at_fault": len(false_grades(got, clean)),
            "rows_compared": len(clean["submissions"]) + len(clean["results"]),
            "differences_after_rerun": len(differences(final, clean)),
            "seconds_with_rerun": round(total, 1),
        }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("-n", type=int, default=200, help="submissions (default 200)")
    p.add_argument("--at", type=float, default=0.5, help="fault once this share is stored")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--only", help="comma-separated fault names")
    p.add_argument("--json", metavar="OUT", help="also write the table as JSON")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    make(tmp / "subs", args.n)
    at = max(1, min(args.n - 1, round(args.at * args.n)))
    bench = Bench(tmp / "subs", tmp, args.n, at, args.workers)

    t0 = time.perf_counter()
    clean_url = f"sqlite:///{tmp / 'clean.db'}"
    done = run(bench.command(clean_url))
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    clean_seconds = time.perf_counter() - t0
    clean = snapshot(clean_url)
    bench.disk_kb = 2 * (tmp / "clean.db").stat().st_size // 1024
    rows = len(clean["submissions"]) + len(clean["results"])
    print(f"{args.n} submissions, {rows} gradebook rows; clean run {clean_seconds:.1f} s; ")
    print(f"each fault after {at} submissions are stored, then the same command again")

    with postgres.server() as server:
        faults = {
            "sigint": lambda: bench.signals("sigint", [signal.SIGINT]),
            "sigint-twice": lambda: bench.signals("sigint2", [signal.SIGINT, signal.SIGINT]),
            "sigterm": lambda: bench.signals("sigterm", [signal.SIGTERM]),
            "sigkill": lambda: bench.signals("sigkill", [signal.SIGKILL]),
            "disk-full": lambda: bench.disk_full("full"),
            "3-graders-sqlite": lambda: bench.concurrent("c", f"sqlite:///{tmp / 'c.db'}"),
            "3-graders-postgresql": lambda: bench.concurrent("pg", postgres.new_database(server)),
            "dask-worker-killed-retried": lambda: bench.dask("dask3", 3),
            "dask-worker-killed-given-up": lambda: bench.dask("dask0", 0),
            "dask-sigint": lambda: bench.dask("daskint", ctrl_c=True),
        }
        chosen = args.only.split(",") if args.only else list(faults)
        table = []
        head = (
            f"{'fault':28s} {'exit':>5s} {'to exit':>8s} {'stored':>7s} {'infra':>6s} "
            f"{'false':>6s} {'compared':>9s} {'diffs':>6s} {'total s':>8s}"
        )
        print(head)
        for name in chosen:
            r = bench.measure(name, faults[name], clean)
            table.append(r)
            print(
                f"{name:28s} {r['exit']:5d} {r['seconds_to_exit']:8.1f} "
                f"{r['graded_and_stored']:7d} {r['infrastructure']:6d} "
                f"{r['false_rows_at_fault']:6d} {r['rows_compared']:9d} "
                f"{r['differences_after_rerun']:6d} {r['seconds_with_rerun']:8.1f}",
                flush=True,
            )
    if args.json:
        summary = {"n": args.n, "at": at, "clean_seconds": round(clean_seconds, 1)}
        Path(args.json).write_text(json.dumps(dict(summary, faults=table), indent=2) + "\n")


if __name__ == "__main__":
    main()
