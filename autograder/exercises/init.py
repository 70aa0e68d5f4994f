"""01_init: gains and the random initializers (graded by distribution: your sampling order
may differ from the reference, so values are compared statistically, not one by one)."""

import numpy as np

from autograder.registry import Rng, case, exercise
from solutions import init as ref


def _gain(hidden: bool):
    def make(g):
        for name in ("linear", "sigmoid", "tanh", "relu"):
            yield case("basic", name)
        yield case("leaky_relu", "leaky_relu", 0.2 if hidden else 0.01)
        if hidden:
            yield case("selu", "selu")
            yield case("leaky_relu", "leaky_relu")

    return make


def _filler(options: list[dict], hidden: bool, shapes=((200, 300),), hidden_shapes=None):
    """One group per option set, a float32 group, and (hidden) conv-kernel shapes."""

    def make(g):
        for kw in options:
            name = ",".join(f"{k}={v}" for k, v in kw.items()) or "default"
            for shape in (hidden_shapes or ((300, 200), (64, 32, 3, 3))) if hidden else shapes:
                yield case(name, np.zeros(shape), generator=Rng(g.seed()), **kw)
        yield case(
            "float32", np.zeros((150, 250), np.float32), generator=Rng(g.seed()), **options[0]
        )

    return make


def _initializer(fn, options, points=3, **kw):
    return exercise(
        fn,
        points=points,
        kind="initializer",
        compare="distribution",
        public=_filler(options, False),
        hidden=_filler(options, True),
        **kw,
    )


EXERCISES = [
    exercise(ref.calculate_gain, points=2, public=_gain(False), hidden=_gain(True)),
    _initializer(ref.xavier_normal_, [{}, {"gain": 2.0}]),
    _initializer(ref.kaiming_uniform_, [{}, {"mode": "fan_out", "nonlinearity": "relu"}]),
    _initializer(ref.kaiming_normal_, [{"nonlinearity": "relu"}, {"a": 0.1}]),
    _initializer(ref.lecun_normal_, [{}]),
    exercise(
        ref.orthogonal_,
        points=3,
        kind="initializer",
        compare="orthogonal",
        public=_filler([{}, {"gain": 2.0}], False, shapes=((20, 30),)),
        hidden=_filler([{}, {"gain": 2.0}], True, hidden_shapes=((30, 20), (8, 4, 3))),
    ),
]
