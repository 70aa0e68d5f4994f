"""A class-sized run into each gradebook backend: N submissions (the fault batch of
tests/autograder/test_gradebook_faults.py replicated with distinct hashes) graded by the real
``autograder grade`` into SQLite, into a throwaway PostgreSQL server, and on a Dask
LocalCluster; prints the wall time of each and compares every gradebook row with the SQLite
run (rows compared, differences).

    python bench/gradebook.py [-n 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.autograder import postgres  # noqa: E402
from tests.autograder.test_gradebook_faults import (  # noqa: E402
    differences,
    snapshot,
    write_batch,
)


def make(folder: Path, n: int) -> None:
    base = folder.parent / "base"
    write_batch(base)
    files = sorted(base.iterdir())
    folder.mkdir()
    for i in range(n):
        src = files[i % len(files)]
        data = src.read_bytes()
        if src.suffix == ".py":
            data += f"\n# copy {i}\n".encode()
        elif data.startswith(b"{\n"):
            data = data.replace(b"Chapter", f"Chapter (copy {i})".encode(), 1)
        else:  # the unreadable notebook stays unreadable, with its own bytes
            data += f" {i}".encode()
        (folder / f"s{i:03d}_{src.stem[:8]}{src.suffix}").write_bytes(data)


def grade(folder: Path, url: str, *extra: str) -> float:
    cmd = [sys.executable, "-m", "autograder", "grade", str(folder), "--db", url, "--no-progress"]
    t = time.perf_counter()
    done = subprocess.run(
        [*cmd, *extra], capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT))
    )
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("-n", type=int, default=200)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-gradebook-"))
    make(tmp / "subs", args.n)
    sqlite = f"sqlite:///{tmp / 'gb.db'}"
    times = {"sqlite": grade(tmp / "subs", sqlite, "--workers", str(args.workers))}
    ref = snapshot(sqlite)
    with postgres.server() as server:
        url = postgres.new_database(server)
        times["postgresql"] = grade(tmp / "subs", url, "--workers", str(args.workers))
        diff = {"postgresql": differences(snapshot(url), ref)}
    from distributed import LocalCluster

    with LocalCluster(n_workers=args.workers, threads_per_worker=1) as cluster:
        dask_db = f"sqlite:///{tmp / 'dask.db'}"
        times["dask"] = grade(tmp / "subs", dask_db, "--dask", cluster.scheduler_address)
        diff["dask"] = differences(snapshot(dask_db), ref)
    rows = len(ref["submissions"]) + len(ref["results"])
    print(f"{args.n} submissions, {args.workers} workers; {rows} gradebook rows per run")
    for name, seconds in times.items():
        extra = "" if name == "sqlite" else f"; {len(diff[name])} differences vs sqlite"
        print(f"  {name:10s} {seconds:7.1f} s{extra}")


if __name__ == "__main__":
    main()
