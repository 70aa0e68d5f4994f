"""00_backprop: numerical gradient checking."""

import numpy as np

from autograder.authoring import pair
from autograder.registry import Fn, Rng, case, exercise
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
    if hidden:
        # a large step: the O(h^2) truncation error of central differences shows (~1e-5)
        yield case("step h", Fn("tanh"), Fn("tanh_backward"), [g.normal(n)], h=1e-2)
        # large values: the error is relative (an absolute |a - b| is ~1e-5 here)
        big = [g.normal(2, n, scale=300.0), g.normal(2, n, scale=300.0)]
        yield case("correct backward", Fn("mul"), Fn("mul_backward"), big, wrt=[0, 1])
        # inputs of different scales: the denominator is |a| + |b|, not |a| alone
        apart = [g.normal(2, n, scale=1e-3), g.normal(2, n)]
        yield case("buggy backward", Fn("mul"), Fn("mul_backward_swapped"), apart, wrt=[0, 1])
        # one element (x < 0: the analytic gradient is above the numeric one): the error
        # is an absolute value, never negative
        yield case("buggy backward", Fn("tanh"), Fn("tanh_backward_buggy"), [np.array([-0.8])])


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


def _mlp(hidden: bool):
    sizes = [4, 5, 3] if hidden else [3, 4, 2]

    def make(g):
        yield case("layers", sizes, generator=Rng(g.seed()))
        yield case("deeper", [20, 30, 30, 10], generator=Rng(g.seed()))

    return make


def _mlp_backward(hidden: bool):
    def make(g):
        for activation in ("sigmoid", "tanh", "relu"):
            params = ref.mlp_init([3, 5, 2] if not hidden else [4, 6, 5, 3], g.rng)
            x = g.normal(6, params[0][0].shape[1])
            out, cache = ref.mlp_forward(params, x, activation)
            yield case(activation, params, cache, g.normal(*out.shape))
        out, cache = ref.mlp_forward(params, x, "relu", activate_output=False)
        yield case("linear output", params, cache, g.normal(*out.shape))

    return make


def _costs(hidden: bool, classes: bool):
    def make(g):
        for n in (7, 30) if hidden else (5,):
            z = g.normal(n, 4, scale=2.0)
            target = g.integers(0, 4, n) if classes else g.uniform(n, 4)
            yield case("basic", z if classes else 1 / (1 + np.exp(-z)), target)
        z = g.normal(3, 4, dtype=np.float32)
        yield case("float32", z, g.integers(0, 4, 3) if classes else g.uniform(3, 4, dtype=z.dtype))
        if hidden and classes:
            yield case("extreme", g.normal(4, 5, scale=1e4), g.integers(0, 5, 4))
        elif classes:  # public: exp(z) overflows unless the max is subtracted first
            z = g.uniform(3, 4, low=-1e3, high=1e3)
            z[0, :2] = (-1e3, 1e3)
            yield case("extreme", z, g.integers(0, 4, 3))

    return make


def _running(hidden: bool):
    def make(g):
        losses = 2.0 + g.normal(40 if hidden else 10)
        yield case("ema", losses)
        yield case("ema", losses, beta=0.5)
        yield case("bias correction", losses, beta=0.9, bias_correction=True)

    return make


def _pair(forward, backward, classes):
    inputs = (_costs(False, classes), _costs(True, classes))
    return pair(forward, backward, points=(1, 1), inputs=inputs)


EXERCISES += [
    exercise(
        ref.mlp_init,
        points=1,
        compare="distribution",
        public=_mlp(False),
        hidden=_mlp(True),
        description="Random: each weight matrix and bias vector is compared by distribution.",
    ),
    exercise(
        ref.mlp_backward,
        points=3,
        public=_mlp_backward(False),
        hidden=_mlp_backward(True),
        description="BP1-BP4: the cache is what the worked example ``mlp_forward`` returns.",
    ),
    *_pair(ref.quadratic_cost, ref.quadratic_cost_backward, classes=False),
    *_pair(ref.softmax_cross_entropy, ref.softmax_cross_entropy_backward, classes=True),
    exercise(ref.running_loss, points=1, public=_running(False), hidden=_running(True)),
]

NOT_EXERCISES = {
    "backprop.iterate_minibatches": "a Python generator of shuffled index batches: the "
    "batches depend on the student's random draws, and generators cannot cross the sandbox",
    "backprop.train_val_split": "a random permutation split: the result depends on the "
    "student's random draws (the chapter checks sizes and disjointness in its text)",
}

#: Options no graded case sets, and why (tests/autograder/test_coverage.py).
UNGRADED_OPTIONS = {
    "backprop.gradient_check.kwargs": "the trusted forward/backward pairs of the grading "
    "sandbox take no keyword options",
    "backprop.gradient_check.seed": "only changes the random projection: graded by magnitude, "
    "the verdict does not depend on it",
}
