"""00_backprop: numerical gradient checking."""

from autograder.registry import Fn, case, exercise
from solutions import backprop as ref


def _check_cases(g, hidden=False):
    n = 6 if hidden else 3
    yield case("correct backward", Fn("tanh"), Fn("tanh_backward"), [g.normal(n)])
    yield case(
        "correct backward",
        Fn("mul"),
        Fn("mul_backward"),
        [g.normal(2, n), g.normal(2, n)],
        wrt=[0, 1],
    )
    yield case("buggy backward", Fn("tanh"), Fn("tanh_backward_buggy"), [g.normal(n)])
    yield case(
        "buggy backward",
        Fn("mul"),
        Fn("mul_backward_swapped"),
        [g.normal(2, n), g.normal(2, n)],
        wrt=[0, 1],
    )


EXERCISES = [
    exercise(
        ref.gradient_check,
        points=3,
        public=_check_cases,
        hidden=lambda g: _check_cases(g, hidden=True),
        compare="magnitude",
        description="Return the relative error of each analytic gradient: tiny (< 1e-6) for "
        "a correct backward, large for a buggy one.",
    ),
]
