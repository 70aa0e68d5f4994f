"""Time each reference against its oracle (torch CPU / scikit-learn) in one run.

Each ``bench/refs/bench_<module>.py`` defines ``CASES``: a list of
``(name, ours: () -> None, oracle: () -> None)`` on ~1e6-element float64 inputs. We time
both sides in CPU time (``time.process_time``: a busy machine slows both sides' wall clock
unequally, their CPU time much less) with the best of several repeats, the two sides'
repeats interleaved, and print ours/oracle ratios, the median and the max.

    python bench/references.py [module ...]      # e.g. python bench/references.py init losses
"""

from __future__ import annotations

import os

# Single-threaded on both sides: numpy's BLAS must be told before numpy is first imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import importlib.util  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import timeit  # noqa: E402
from pathlib import Path  # noqa: E402

REFS = Path(__file__).parent / "refs"


def _calibrated(fn) -> tuple[timeit.Timer, int]:
    """A CPU-time timer of ``fn`` and the number of calls that take at least 0.05 s."""
    fn()  # warm up (allocations, lazy imports)
    timer = timeit.Timer(fn, timer=time.process_time)
    number = 1
    while timer.timeit(number) < 0.05 and number < 1000:
        number *= 4
    return timer, number


def best_times(ours, oracle, repeat: int = 7) -> tuple[float, float]:
    """Best CPU seconds per call of each side over ``repeat`` rounds; each round times both
    sides one after the other, so that a change of the machine's load (other processes
    competing for the memory bandwidth slow both) meets both sides alike."""
    (timer_a, n_a), (timer_b, n_b) = _calibrated(ours), _calibrated(oracle)
    times_a, times_b = [], []
    for _ in range(repeat):
        times_a.append(timer_a.timeit(n_a) / n_a)
        times_b.append(timer_b.timeit(n_b) / n_b)
    return min(times_a), min(times_b)


def load_cases(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def main(argv: list[str]) -> int:
    import torch

    torch.set_num_threads(1)  # a fair, single-threaded comparison with numpy
    wanted = set(argv)
    files = sorted(REFS.glob("bench_*.py"))
    rows = []
    for path in files:
        module = path.stem.removeprefix("bench_")
        if wanted and module not in wanted:
            continue
        for name, ours, oracle in load_cases(path):
            t_ours, t_oracle = best_times(ours, oracle)
            rows.append((module, name, t_ours, t_oracle, t_ours / t_oracle))
            print(
                f"{module:>14} {name:<34} {t_ours * 1e3:9.2f} ms {t_oracle * 1e3:9.2f} ms "
                f"{t_ours / t_oracle:7.2f}",
                flush=True,
            )
    if not rows:
        print("no benchmark cases found", file=sys.stderr)
        return 1
    ratios = [r[-1] for r in rows]
    print(
        f"\n{len(rows)} cases: median ratio {statistics.median(ratios):.2f}, "
        f"max {max(ratios):.2f} ({max(rows, key=lambda r: r[-1])[1]})"
    )
    print(
        "\n| module | function | ours (ms) | oracle (ms) | ours/oracle |\n|---|---|---:|---:|---:|"
    )
    for module, name, a, b, r in rows:
        print(f"| {module} | {name} | {a * 1e3:.2f} | {b * 1e3:.2f} | {r:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
