"""The course autograder: exercise registry, instant ``check()``, sandboxed grading."""

__version__ = "0.1.0"


def check(target=None, fn=None, *, forward=None) -> None:
    """See :func:`autograder.check.check` (imported lazily: the registry loads solutions)."""
    import inspect

    from autograder import feedback

    caller = inspect.currentframe().f_back.f_globals
    for report in feedback.check_report(target, fn, forward=forward, caller=caller):
        print(report.text())
