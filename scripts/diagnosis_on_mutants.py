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

from autograder import diagnosis, mistakes, mutants, registry
from autograder.compare import compare
from autograder.engine import expected_output, run_case


def outcomes(ex, fn, cases):
    """Every case's verdict and output (:data:`diagnosis.ERROR` where the mutant raised or ran
    over 2 s). Not :func:`mutants.killed_by_cases`: that stops at the first failing case and
    keeps no output, while the diagnosis needs each failing case's output; the running itself
    is the mutation runner's (:func:`mutants._timed`, :func:`mutants._quiet`)."""
    oks, gots = [], []
    for c in cases:
        try:
            got = mutants._timed(2.0, mutants._quiet, run_case, ex, fn, c)
            ok = compare(ex, expected_output(ex, c), got).ok
        except KeyboardInterrupt:
            raise
        except BaseException:  # noqa: BLE001 - a mutant that raises or hangs: no output
            ok, got = False, diagnosis.ERROR
        oks.append(ok)
        gots.append(got)
    return oks, gots


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
            found = diagnosis.diagnose(ex, cases, oks, gots, functools.partial(expected_output, ex))
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
