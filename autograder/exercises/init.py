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
                yield case(name, g.normal(*shape), generator=Rng(g.seed()), **kw)
        yield case(
            "float32",
            g.normal(150, 250, dtype=np.float32),
            generator=Rng(g.seed()),
            **options[0],
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
    _initializer(
        ref.kaiming_uniform_,
        [{}, {"mode": "fan_out", "nonlinearity": "relu"}, {"a": 2.0}],
    ),
    _initializer(ref.kaiming_normal_, [{"nonlinearity": "relu"}, {"a": 0.1, "mode": "fan_out"}]),
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


def _exact(fn, shapes, hidden_shapes, options=({},), points=1):
    def make(hidden):
        def factory(g):
            for shape in hidden_shapes if hidden else shapes:
                for kw in options:
                    name = ",".join(f"{k}={v}" for k, v in kw.items()) or "shapes"
                    yield case(name, g.normal(*shape), **kw)

        return factory

    return exercise(
        fn,
        points=points,
        kind="initializer",
        compare="exact",
        public=make(False),
        hidden=make(True),
    )


EXERCISES += [
    _initializer(ref.normal_, [{}, {"mean": 1.0, "std": 0.2}], points=1),
    _initializer(ref.trunc_normal_, [{}, {"mean": 0.5, "std": 2.0, "a": -1.0, "b": 3.0}], points=2),
    _initializer(ref.lecun_uniform_, [{}], points=2),
    exercise(
        ref.sparse_,
        points=2,
        kind="initializer",
        compare="distribution",
        public=_filler([{"sparsity": 0.3}, {"sparsity": 0.8, "std": 0.1}], False),
        hidden=_filler(
            [{"sparsity": 0.3}, {"sparsity": 0.8, "std": 0.1}], True, hidden_shapes=((300, 200),)
        ),
    ),
    _exact(ref.constant_, [(3, 4)], [(2, 3, 4), (5,)], ({"val": 0.5},)),
    _exact(ref.eye_, [(3, 3), (3, 5)], [(6, 4), (1, 7)]),
    _exact(
        ref.dirac_, [(4, 4, 3), (4, 5, 3, 3)], [(6, 3, 5), (4, 4, 1, 3, 3)], ({}, {"groups": 2})
    ),
]

NOT_EXERCISES = {
    "init.ones_": "constant_ with val=1 (the constant_ exercise)",
    "init.zeros_": "constant_ with val=0 (the constant_ exercise)",
}
