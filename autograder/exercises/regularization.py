"""06_regularization: L1 penalty and its gradient, soft thresholding, FGM, label smoothing,
class re-sampling and re-weighting."""

from autograder.authoring import with_grad_output
from autograder.registry import case, exercise
from solutions import regularization as ref


def _penalty(hidden: bool):
    def make(g):
        yield case("array", g.normal(*((4, 5) if hidden else (6,))), 0.3)
        yield case("zeros", g.normal(5) * (g.rng.random(5) < 0.5), 0.7)
        if hidden:
            yield case("float32", g.normal(3, 3).astype("float32"), 0.1)

    return make


def _soft(hidden: bool):
    def make(g):
        yield case("basic", g.normal(*((3, 7) if hidden else (8,))), 0.5)
        yield case("threshold=0", g.normal(5), 0.0)
        if hidden:
            yield case("extreme", g.normal(6, scale=1e4), 100.0)

    return make


def _fgm(hidden: bool):
    def make(g):
        shape = (4, 6) if hidden else (5,)
        yield case("basic", g.normal(*shape), g.normal(*shape), 0.1)
        yield case("clipped", g.uniform(*shape), g.normal(*shape), 0.5, clip_min=0.0, clip_max=1.0)

    return make


def _smoothing(hidden: bool):
    def make(g):
        n, k = (20, 7) if hidden else (5, 3)
        yield case("basic", g.integers(0, k, n), k, 0.1)
        yield case("epsilon", g.integers(0, k, n), k, 0.3 if hidden else 0.0)

    return make


def _counts(hidden: bool, **kw):
    def make(g):
        counts = g.integers(1, 1000, 6 if hidden else 4)
        for key, values in kw.items():
            for v in values:
                yield case(f"{key}={v}", counts, **{key: v})

    return make


EXERCISES = [
    exercise(ref.l1_penalty, points=2, public=_penalty(False), hidden=_penalty(True)),
    exercise(
        ref.l1_penalty_backward,
        points=2,
        kind="backward",
        forward=ref.l1_penalty,
        public=with_grad_output(ref.l1_penalty, _penalty(False)),
        hidden=with_grad_output(ref.l1_penalty, _penalty(True)),
    ),
    exercise(ref.soft_threshold, points=2, public=_soft(False), hidden=_soft(True)),
    exercise(ref.fgm, points=2, public=_fgm(False), hidden=_fgm(True)),
    exercise(ref.label_smoothing, points=2, public=_smoothing(False), hidden=_smoothing(True)),
    exercise(
        ref.resampling_probabilities,
        points=2,
        public=_counts(False, q=(1.0, 0.5)),
        hidden=_counts(True, q=(0.0, 0.5, 1.0)),
    ),
    exercise(
        ref.class_weights,
        points=2,
        public=_counts(False, scheme=("inverse",)),
        hidden=_counts(True, scheme=("inverse", "inverse_sqrt", "effective_number")),
    ),
]
