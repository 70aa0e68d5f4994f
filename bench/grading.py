"""Grading speed: this grader (sandbox on) vs ``nbgrader autograde`` on the same N solution
submissions of one chapter, same machine, one run; plus ``check()`` time per exercise.

    python bench/grading.py [--chapter 07_metrics] [-n 8]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import extract, registry  # noqa: E402
from autograder.feedback import check_report  # noqa: E402
from autograder.grade import grade_submissions  # noqa: E402


def ours(chapter: str, n: int) -> float:
    data = (ROOT / "instructor" / "solutions" / f"{chapter}.ipynb").read_bytes()
    subs = [extract.parse(f"student{i}.ipynb", data, ".ipynb") for i in range(n)]
    registry.all_exercises()  # registry import is a one-time cost, not per submission
    grade_submissions(subs[:1], chapter=chapter)  # warm the reference caches and imports
    start = time.perf_counter()
    results, layers = grade_submissions(subs, chapter=chapter, workers=1)
    seconds = time.perf_counter() - start
    assert all(r.points == r.max_points for r in results), "a solution did not score 100 %"
    print(f"sandbox: {layers['namespaces']}")
    return seconds / n


def nbgrader(chapter: str, n: int) -> float:
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
        start = time.perf_counter()
        subprocess.run(
            nbg + ["autograde", "ps1", "--force"],
            cwd=course,
            env=env,
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - start
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
        print(f"nbgrader scores: {scores}")
        return seconds / n
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


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--chapter", default="07_metrics")
    p.add_argument("-n", type=int, default=8)
    args = p.parse_args()
    a = ours(args.chapter, args.n)
    b = nbgrader(args.chapter, args.n)
    print(f"\n{args.chapter}, {args.n} solution submissions")
    print(f"  autograder (sandbox on):  {a:.3f} s per submission")
    print(f"  nbgrader autograde:       {b:.3f} s per submission")
    print(f"  ratio:                    {b / a:.1f}x faster (target >= 10x)")
    times = check_times(args.chapter)
    print(f"\ncheck() per exercise ({args.chapter}; target < 1 s):")
    for k, v in times.items():
        print(f"  {k:40s} {v:.3f} s")
    print(f"  max {max(times.values()):.3f} s")


if __name__ == "__main__":
    main()
