"""Called from the test cells of the generated nbgrader notebooks: runs the exercise's public
and hidden cases in-process against the reference and returns the points earned (nbgrader
takes a numeric cell result as partial credit). Feedback never shows hidden data."""

from __future__ import annotations


def grade_exercise(exercise_id: str, fn) -> float:
    from autograder import registry
    from autograder.drivers import student_error
    from autograder.engine import CaseResult, judge, run_case, score

    ex = registry.get(exercise_id)
    results: list[CaseResult] = []
    for case in ex.cases():
        try:
            got = run_case(ex, fn, case)
        except Exception as exc:  # noqa: BLE001
            err = student_error(exc)
            results.append(judge(ex, case, error=err.split(":", 1)[0] if case.hidden else err))
            continue
        results.append(judge(ex, case, got))
    for r in results:
        if not r.ok:
            print(f"✗ {r.name}: {r.reason}")
    return score(ex, results)
