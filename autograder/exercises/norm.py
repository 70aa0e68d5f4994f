"""Chapter 02: normalization. Forward and hand-derived backward of BatchNorm, RMSNorm,
GroupNorm and InstanceNorm, LayerNorm's backward (its forward is a worked example), and the
DeepNorm constants.

``batch_norm`` is graded as an ``inplace`` exercise: the output AND the running mean and
variance after the call are compared (training mode updates them with the unbiased batch
variance). Groups: ``training`` / ``eval`` modes, ``affine`` (weight and bias), ``float32``,
``spatial`` ((N, C, H, W) inputs) and, hidden, ``tiny variance`` (a nearly constant
channel, where a wrong epsilon shows).
"""

from collections.abc import Callable

import numpy as np

from autograder.authoring import with_grad_output
from autograder.registry import Gen, case, exercise
from solutions import norm as ref


def _affine(g: Gen, c: int, dtype=np.float64) -> dict:
    return {"weight": g.normal(c, dtype=dtype), "bias": g.normal(c, dtype=dtype)}


def _batch(hidden: bool):
    def make(g: Gen):
        n, c = (16, 5) if hidden else (6, 3)

        def stats(dtype=np.float64):
            return g.uniform(c, low=-0.5, high=0.5, dtype=dtype), g.uniform(
                c, low=0.5, high=2.0, dtype=dtype
            )

        yield case("training", g.normal(n, c, scale=2.0, loc=1.0), *stats(), training=True)
        yield case("eval", g.normal(n, c), *stats(), training=False)
        yield case(
            "affine",
            g.normal(n, c),
            *stats(),
            training=True,
            momentum=0.3,
            eps=0.01,
            **_affine(g, c),
        )
        yield case("float32", g.normal(n, c, dtype=np.float32), *stats(np.float32), training=True)
        yield case("spatial", g.normal(4, c, 3, 2), *stats(), training=True, **_affine(g, c))
        if hidden:
            x = g.normal(n, c)
            x[:, 0] = 0.3 + 1e-4 * g.normal(n)
            yield case("tiny variance", x, *stats(), training=True)

    return make


def _layer(hidden: bool):
    def make(g: Gen):
        yield case("basic", g.normal(5, 6), (6,))
        yield case("affine", g.normal(4, 3, 5), (5,), eps=0.01, **_affine(g, 5))
        yield case("float32", g.normal(4, 6, dtype=np.float32), (6,))
        if hidden:
            yield case("two axes", g.normal(3, 4, 5), (4, 5))
            x = 0.7 + 1e-4 * g.normal(3, 8)
            yield case("tiny variance", x, (8,))

    return make


def _rms(hidden: bool):
    def make(g: Gen):
        yield case("basic", g.normal(5, 6), (6,))
        yield case("weight", g.normal(4, 3, 5), (5,), weight=g.normal(5))
        yield case("float32", g.normal(4, 6, dtype=np.float32), (6,))
        x = g.normal(4, 6)
        x[1] *= 0.01  # a row whose mean square is below eps
        yield case("eps", x, (6,), eps=0.1)
        if hidden:
            yield case("two axes", g.normal(3, 4, 5), (4, 5))

    return make


def _group(hidden: bool):
    def make(g: Gen):
        yield case("basic", g.normal(4, 6, 3), 3)
        yield case("affine", g.normal(3, 6, 2, 2), 2, eps=0.01, **_affine(g, 6))
        yield case("float32", g.normal(4, 4, 5, dtype=np.float32), 2)
        if hidden:
            yield case("layer and instance", g.normal(2, 4, 5), 1)
            yield case("layer and instance", g.normal(2, 4, 5), 4)
            x = g.normal(3, 4, 6)
            x[0, :2] = 0.2 + 1e-4 * g.normal(2, 6)
            yield case("tiny variance", x, 2)

    return make


def _instance(hidden: bool):
    def make(g: Gen):
        yield case("basic", g.normal(3, 4, 6))
        yield case("affine", g.normal(2, 3, 4, 4), **_affine(g, 3))
        yield case("float32", g.normal(3, 4, 5, dtype=np.float32))
        c = 3  # the running statistics are updated in place (compared after the call)
        yield case(
            "running stats",
            g.normal(2, c, 5),
            g.normal(c),
            g.uniform(c, low=0.5, high=2.0),
            momentum=0.3,
            eps=0.01,
        )
        if hidden:
            c = 4
            yield case(
                "eval with running stats",
                g.normal(2, c, 5),
                g.normal(c),
                g.uniform(c, low=0.5, high=2.0),
                use_input_stats=False,
            )
            x = g.normal(3, 4, 6)
            x[0, 1] = 0.3 + 1e-4 * g.normal(6)  # a variance (1e-8) below eps
            yield case("tiny variance", x)

    return make


def _deepnorm(hidden: bool):
    def make(g: Gen):
        for n, m in ((6, 6), (12, 0), (0, 18)) if not hidden else ((100, 0), (0, 50), (9, 3)):
            yield case("encoder/decoder", n, m)

    return make


def _pair(forward, backward, factory, points=(2, 2), forward_kind="function"):
    out = []
    if forward.__name__ not in ref.__worked_examples__:
        out.append(
            exercise(
                forward,
                points=points[0],
                kind=forward_kind,
                public=factory(False),
                hidden=factory(True),
            )
        )
    out.append(
        exercise(
            backward,
            points=points[1],
            kind="backward",
            forward=forward,
            public=with_grad_output(forward, factory(False)),
            hidden=with_grad_output(forward, factory(True)),
            properties=("backward matches central differences of your own forward",),
        )
    )
    return out


EXERCISES = [
    *_pair(ref.batch_norm, ref.batch_norm_backward, _batch, (3, 3), forward_kind="inplace"),
    *_pair(ref.layer_norm, ref.layer_norm_backward, _layer),
    *_pair(ref.rms_norm, ref.rms_norm_backward, _rms),
    *_pair(ref.group_norm, ref.group_norm_backward, _group),
    *_pair(ref.instance_norm, ref.instance_norm_backward, _instance, forward_kind="inplace"),
    exercise(ref.deepnorm_constants, points=1, public=_deepnorm(False), hidden=_deepnorm(True)),
]

NOT_EXERCISES = {
    "norm.deepnorm_residual": "takes the sub-layer and the norm as Python callables, which "
    "cannot cross the grading sandbox; its constants are the deepnorm_constants exercise",
    "norm.DeepNormConstants": "a NamedTuple (alpha, beta): the return type of "
    "deepnorm_constants, not a function",
}


def _variance_below_eps(reduce_axes: Callable[[np.ndarray, dict], np.ndarray]):
    """Some normalized group of the input has a variance below ``eps`` (the default eps when
    the option is None: float32's or float64's machine epsilon, as the statement says)."""

    def check(a) -> bool:
        x = np.asarray(a["input"], dtype=np.float64)
        eps = a["eps"] if a["eps"] is not None else np.finfo(np.asarray(a["input"]).dtype).eps
        return bool(np.any(reduce_axes(x, a) < eps))

    return check


def _channel_var(x, a):  # batch norm: over every axis but the channels (axis 1)
    return x.var(axis=tuple(i for i in range(x.ndim) if i != 1))


def _instance_var(x, a):  # per example and channel, over the spatial axes
    return x.var(axis=tuple(range(2, x.ndim)))


def _group_var(x, a):
    return x.reshape(x.shape[0], a["num_groups"], -1).var(axis=-1)


def _mean_square(x, a):  # RMSNorm: mean of squares over the normalized axes
    k = len(np.atleast_1d(a["normalized_shape"]))
    return np.mean(x**2, axis=tuple(range(x.ndim - k, x.ndim)))


#: Edges the statements name (tests/autograder/test_edges.py; see autograder/edges.py):
#: "a variance below eps" is where eps is the result, not a rounding detail.
EDGES = {
    "norm.batch_norm": {"eps: variance below eps": _variance_below_eps(_channel_var)},
    "norm.instance_norm": {"eps: variance below eps": _variance_below_eps(_instance_var)},
    "norm.group_norm": {"eps: variance below eps": _variance_below_eps(_group_var)},
    "norm.rms_norm": {"eps: mean square below eps": _variance_below_eps(_mean_square)},
}
