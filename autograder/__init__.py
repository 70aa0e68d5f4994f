"""The course autograder: exercise registry, instant ``check()``, sandboxed grading."""

__version__ = "0.1.0"


def check(target=None, fn=None, *, forward=None) -> None:
    """See :func:`autograder.feedback.check` (imported lazily: the registry loads solutions)."""
    import inspect

    from autograder import feedback

    feedback.check(target, fn, forward=forward, caller=inspect.currentframe().f_back.f_globals)
