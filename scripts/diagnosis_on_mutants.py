"""How often does the diagnosis name a known mistake for some *other* wrong code?

For every exercise with declared mistakes (autograder/mistakes/), a sample of mutants of its
reference (autograder/mutants.py: one planted fault each) is run in-process on the exercise's
public and hidden cases, and the failing ones are diagnosed (autograder/diagnosis.py). A
diagnosed mutant is *consistent* when the named mistake explains every failing case of the
exercise (the mutant is that mistake), *partial* when it explains only the groups it names
(another defect elsewhere, or a coincidence such as NaN where the mistake overflows).

    python scripts/diagnosis_on_mutants.py [MUTANTS_PER_EXERCISE]   # default 15, ~3 min
"""

from __future__ import annotations

import functools
import sys
import warnings

import numpy as np

from autograder import diagnosis, mistakes, mutants, registry
from autograder.compare import compare
from autograder.engine import expected_output, run_case


def outcomes(ex, fn, cases):
    oks, gots = [], []
    for c in cases:
        try:
            with np.errstate(all="ignore"):
                got = mutants._timed(2.0, run_case, ex, fn, c)
            oks.append(compare(ex, expected_output(ex, c), got).ok)
            gots.append(got)
        except BaseException:  # noqa: BLE001 - a mutant that raises or hangs: no output
            oks.append(False)
            gots.append(diagnosis.ERROR)
    return oks, gots


def partial_expected(ex):
    return functools.partial(expected_output, ex)


def main(per_exercise: int = 15) -> None:
    warnings.simplefilter("ignore")
    counts = dict(mutants=0, killed=0, diagnosed=0, consistent=0)
    partial = []
    for ex_id in sorted({m.exercise for m in mistakes.all_mistakes()}):
        ex = registry.get(ex_id)
        target = mutants.target(ex)
        cases = ex.cases()
        for mu in mutants.sample(target.mutants, per_exercise, salt="diagnosis"):
            try:
                fn = mutants.build(target, mu)
            except Exception:  # noqa: BLE001 - a mutant that does not compile
                continue
            counts["mutants"] += 1
            oks, gots = outcomes(ex, fn, cases)
            if all(oks):
                continue
            counts["killed"] += 1
            found = diagnosis.diagnose(ex, cases, oks, gots, partial_expected(ex))
            if not found:
                continue
            counts["diagnosed"] += 1
            known = diagnosis.summary(found)
            failing = [(c, g) for c, ok, g in zip(cases, oks, gots, strict=True) if not ok]
            if all(
                diagnosis._explains(ex, known, c, g, expected_output(ex, c)) for c, g in failing
            ):
                counts["consistent"] += 1
            else:
                partial.append(f"{ex_id}: {known.id} for {mu.description}")
    print(
        f"{counts['mutants']} mutants, {counts['killed']} killed, {counts['diagnosed']} "
        f"diagnosed: {counts['consistent']} consistent, {len(partial)} partial"
    )
    for line in partial:
        print("  partial:", line)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
