"""Grading time of the chapter 9 milestone (one pipeline exercise: four sandboxed training
runs of 30 or 100 steps, each part recorded and recomputed) next to a 3-exercise submission
and a whole 8-exercise chapter (00_backprop), per submission, sandbox on.

    python bench/milestone.py [-n 5]

Each batch of ``-n`` copies is graded in one warm worker after one warm-up submission (its
cases and reference outputs built once, as in a class-sized run). CPU = user + system time
of the process tree (grader, sandbox and its children, from ``getrusage``): what a busy
machine hardly changes; wall time is printed with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

from autograder import extract
from autograder.grade import grade_submissions
from autograder.notebooks import ROOT


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _solution(chapter: str) -> dict:
    return json.loads((ROOT / "instructor" / "solutions" / f"{chapter}.ipynb").read_text())


def _first_exercises(nb: dict, k: int) -> dict:
    """The setup cell and the first ``k`` exercise cells of a solution notebook."""
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    cells = [code[0]] + [c for c in code[1:] if not "".join(c["source"]).startswith("check(")]
    return dict(nb, cells=cells[: k + 1])


def _batch(label: str, nb: dict, chapter: str, n: int) -> None:
    data = json.dumps(nb).encode()
    subs = [extract.parse(f"{label}-{i}", data + b" " * i, ".ipynb") for i in range(n)]
    grade_submissions(subs[:1], chapter=chapter)  # warm-up: cases and references built
    cpu0, wall0 = _cpu(), time.perf_counter()
    results, _ = grade_submissions(subs, chapter=chapter)
    wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
    score = f"{results[0].points:g}/{results[0].max_points}"
    print(f"{label:<34} {score:>7}  CPU {cpu / n:5.2f} s  wall {wall / n:5.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5, help="submissions per batch")
    n = parser.parse_args().n
    print(f"load average {os.getloadavg()[0]:.1f}; per submission, {n} per batch, sandbox on")
    _batch("09_capstone milestone (solution)", _solution("09_capstone"), "09_capstone", n)
    three = _first_exercises(_solution("00_backprop"), 3)
    _batch("00_backprop, 3 exercises", three, "00_backprop", n)
    _batch("00_backprop, all 8 exercises", _solution("00_backprop"), "00_backprop", n)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
