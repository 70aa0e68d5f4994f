"""Called from the test cells of the generated nbgrader notebooks: runs the exercise's public
and hidden cases in-process against the reference and returns the points earned (nbgrader
takes a numeric cell result as partial credit). Feedback never shows hidden data, and no
message carries a path of the grading machine (nbgrader's feedback HTML shows cell outputs).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping


def grade_exercise(exercise_id: str, fn: Callable | Mapping) -> float:
    """Points earned by ``fn`` on exercise ``exercise_id``.

    ``fn`` is the student's callable, or the notebook's namespace (``globals()``), where
    the exercise's function is looked up by name: a missing function scores 0 with a
    message instead of a ``NameError`` traceback.
    """
    from autograder import registry
    from autograder.drivers import student_error
    from autograder.engine import CaseResult, judge, run_case, score

    ex = registry.get(exercise_id)
    if isinstance(fn, Mapping):
        found = fn.get(ex.function)
        if found is None:
            print(f"✗ {ex.function} is not defined: 0 of {ex.points:g} points")
            return 0.0
        fn = found
    results: list[CaseResult] = []
    # nbgrader scores a test cell 0 when anything reaches stderr, and a warning (e.g. the
    # UndefinedMetricWarning that the reference itself emits on an edge case, while the
    # expected output is computed) would: warnings are not part of the grade
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in ex.cases():
            try:
                got = run_case(ex, fn, case)
            except Exception as exc:  # noqa: BLE001
                err = student_error(exc)
                error = err.split(":", 1)[0] if case.hidden else err
                results.append(judge(ex, case, error=error))
                continue
            results.append(judge(ex, case, got))
    for r in results:
        if not r.ok:
            print(f"✗ {r.name}: {r.reason}")
    return score(ex, results)
