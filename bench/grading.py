"""Grading speed: this grader (sandbox on) vs ``nbgrader autograde`` on the same solution
submissions, per chapter; batch throughput; and ``check()`` time per exercise.

    python bench/grading.py --all            # every chapter, one table
    python bench/grading.py --chapter 01_init -n 8 --repeat 5

Per chapter, seconds per solution submission, both as CPU time and as wall-clock time:

* ``ours``: the median over ``--repeat`` runs of a batch of ``-n`` solution submissions in
  one warm worker (the cost of starting the worker is taken out: each run also grades one
  submission alone, and the difference is divided by ``n``). CPU = user + system time of the
  whole process tree (grader, sandbox, its managers and children), from ``getrusage``.
* ``nbgrader``: one run of ``nbgrader autograde`` on the same ``-n`` submissions (it takes
  ~4 s each); CPU = user + system time of nbgrader and the kernels it starts.
* ``ratio``: nbgrader / ours, for CPU time (what a busy machine hardly changes: the headline
  figure) and for wall-clock time (meaningful only on a quiet machine).

``batch`` grades ``--batch`` submissions with ``--workers`` workers (fresh workers, their
start included): submissions per second (wall clock: depends on the load), CPU seconds per
submission (load-robust) and the grading process's peak resident memory (RSS of the parent,
sampled every 10 ms) during the batch. The load average is printed
before and after: compare wall-clock ratios measured at similar loads.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import extract, registry  # noqa: E402
from autograder.feedback import check_report  # noqa: E402
from autograder.grade import grade_submissions  # noqa: E402


def _submissions(chapter: str, n: int) -> list:
    data = (ROOT / "instructor" / "solutions" / f"{chapter}.ipynb").read_bytes()
    return [extract.parse(f"student{i}.ipynb", data, ".ipynb") for i in range(n)]


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the workers)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _graded(subs: list, chapter: str, workers: int = 1) -> tuple[float, float]:
    """(wall, cpu) seconds to grade ``subs``; every solution must score 100 %."""
    cpu, start = _cpu(), time.perf_counter()
    results, _ = grade_submissions(subs, chapter=chapter, workers=workers)
    wall, cpu = time.perf_counter() - start, _cpu() - cpu
    lost = [r.name for r in results if r.points != r.max_points]
    assert not lost, f"{chapter}: a solution did not score 100 % ({lost[:3]})"
    return wall, cpu


def ours(chapter: str, n: int, repeat: int) -> tuple[float, float]:
    """Median (wall, cpu) seconds per submission. The cost of starting a worker is taken
    out: each run also grades one submission alone, and the difference is divided by n."""
    subs = _submissions(chapter, n + 1)
    _graded(subs[:1], chapter)  # registry, reference outputs, imports: once per run
    walls, cpus = [], []
    for _ in range(repeat):
        one = _graded(subs[:1], chapter)
        many = _graded(subs, chapter)
        walls.append((many[0] - one[0]) / n)
        cpus.append((many[1] - one[1]) / n)
    return statistics.median(walls), statistics.median(cpus)


class PeakRSS:
    """Peak resident memory (MB) of this process while the block runs, sampled every 10 ms."""

    def __enter__(self):
        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.is_set():
            with open("/proc/self/statm") as f:
                self.peak = max(self.peak, int(f.read().split()[1]) * page)
            self._stop.wait(0.01)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.mb = self.peak / 2**20


def batch(chapter: str, n: int, workers: int) -> tuple[float, float, float]:
    """(submissions per second, CPU seconds per submission, peak RSS in MB) grading ``n``
    submissions with ``workers`` workers."""
    subs = _submissions(chapter, n)
    with PeakRSS() as rss:
        wall, cpu = _graded(subs, chapter, workers=workers)
    return n / wall, cpu / n, rss.mb


def _children_cpu() -> float:
    """CPU seconds of the child processes that have ended and been waited for."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def nbgrader(chapter: str, n: int) -> tuple[float, float]:
    """(wall, cpu) seconds per submission of ``nbgrader autograde`` on ``n`` solutions."""
    course = Path(tempfile.mkdtemp(prefix="nbgrader-bench-"))
    try:
        (course / "nbgrader_config.py").write_text(
            "c = get_config()\nc.CourseDirectory.course_id = 'bench'\n"
            f"c.Exchange.root = {str(course / 'exchange')!r}\n"
        )
        src = course / "source" / "ps1"
        src.mkdir(parents=True)
        shutil.copy(
            ROOT / "instructor" / "nbgrader" / "source" / chapter / f"{chapter}.ipynb",
            src / "ps1.ipynb",
        )
        bindir = str(Path(sys.executable).parent)
        env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            OPENBLAS_NUM_THREADS="1",
            PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
        )
        nbg = [str(Path(sys.executable).parent / "nbgrader")]
        subprocess.run(
            nbg + ["generate_assignment", "ps1", "--force"],
            cwd=course,
            env=env,
            check=True,
            capture_output=True,
        )
        for i in range(n):
            dst = course / "submitted" / f"student{i}" / "ps1"
            dst.mkdir(parents=True)
            shutil.copy(src / "ps1.ipynb", dst / "ps1.ipynb")  # the solution as submission
        cpu, start = _children_cpu(), time.perf_counter()
        subprocess.run(
            nbg + ["autograde", "ps1", "--force"],
            cwd=course,
            env=env,
            check=True,
            capture_output=True,
        )
        seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
        scores = subprocess.run(
            [
                sys.executable,
                "-c",
                "from nbgrader.api import Gradebook; "
                "g = Gradebook('sqlite:///gradebook.db'); "
                "print([s.score for s in g.assignment_submissions('ps1')])",
            ],
            cwd=course,
            env=env,
            capture_output=True,
            text=True,
        ).stdout.strip()
        print(f"  nbgrader scores ({chapter}): {scores}", file=sys.stderr)
        return seconds / n, cpu / n
    finally:
        shutil.rmtree(course, ignore_errors=True)


def check_times(chapter: str) -> dict[str, float]:
    data = json.loads((ROOT / "instructor" / "solutions" / f"{chapter}.ipynb").read_text())
    namespace: dict = {}
    for cell in data["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "code" and "check(" not in src:
            exec(src, namespace)  # our own reference code
    times = {}
    for ex in registry.exercises_for_chapter(chapter):
        start = time.perf_counter()
        with redirect_stdout(io.StringIO()):
            check_report(ex.id, namespace[ex.function], caller=namespace)
        times[ex.id] = time.perf_counter() - start
    return times


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = p.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="every chapter, one table")
    which.add_argument("--chapter", default="07_metrics")
    p.add_argument("-n", type=int, default=8, help="submissions per timed batch (default 8)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs of ours (median; 3)")
    p.add_argument("--batch", type=int, default=100, help="throughput batch size (0: skip)")
    p.add_argument("--workers", type=int, default=2, help="workers for the batch (default 2)")
    p.add_argument("--no-nbgrader", action="store_true", help="skip nbgrader autograde")
    p.add_argument("--check", action="store_true", help="also time check() per exercise")
    args = p.parse_args()
    if args.n < 1 or args.repeat < 1 or args.batch < 0 or args.workers < 1:
        p.error("-n, --repeat and --workers must be >= 1, --batch >= 0")
    one = registry.CHAPTERS.get(args.chapter, args.chapter)
    chapters = registry.chapters() if args.all else [one]
    unknown = [c for c in chapters if c not in registry.chapters()]
    if unknown:
        p.error(f"--chapter: no exercises for {unknown[0]!r}; one of {registry.chapters()}")
    registry.all_exercises()  # registry import is a one-time cost, not per submission
    print(f"load average before: {_load()} ({os.cpu_count()} cores)")
    print(
        f"{args.n} solution submissions per chapter, seconds per submission (sandbox on); "
        f"ours = median of {args.repeat} runs; nbgrader = one run of nbgrader autograde; "
        "ratio = nbgrader / ours"
    )
    head = (
        f"{'chapter':18s} {'ours cpu':>9s} {'wall':>7s} {'nbgrader cpu':>13s} {'wall':>7s}"
        f" {'ratio cpu':>10s} {'wall':>7s}"
    )
    if args.batch:
        head += f"   batch of {args.batch}, {args.workers} workers: subs/s, cpu s/sub, peak MB"
    print(head)
    worst: dict[str, float] = {}
    for chapter in chapters:
        wall, cpu = ours(chapter, args.n, args.repeat)
        row = f"{chapter:18s} {cpu:9.3f} {wall:7.3f}"
        if args.no_nbgrader:
            row += f" {'-':>13s} {'-':>7s} {'-':>10s} {'-':>7s}"
        else:
            their_wall, their_cpu = nbgrader(chapter, args.n)
            ratios = {"cpu": their_cpu / cpu, "wall": their_wall / wall}
            for k, v in ratios.items():
                worst[k] = min(worst.get(k, v), v)
            row += f" {their_cpu:13.3f} {their_wall:7.3f}"
            row += f" {ratios['cpu']:9.1f}x {ratios['wall']:6.1f}x"
        if args.batch:
            rate, per, mb = batch(chapter, args.batch, args.workers)
            row += f"   {rate:8.1f} {per:10.3f} {mb:8.0f}"
        print(row, flush=True)
    if worst:
        print(
            f"worst chapter: {worst['cpu']:.1f}x less CPU time than nbgrader autograde, "
            f"{worst['wall']:.1f}x faster in wall-clock time (target >= 10x)"
        )
    print(f"load average after: {_load()}")
    if args.check:
        for chapter in chapters:
            times = check_times(chapter)
            print(f"\ncheck() per exercise ({chapter}; target < 1 s):")
            for k, v in times.items():
                print(f"  {k:40s} {v:.3f} s")
            print(f"  max {max(times.values()):.3f} s")


if __name__ == "__main__":
    main()
