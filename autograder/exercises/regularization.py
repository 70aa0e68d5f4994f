"""06_regularization: L1 penalty and its gradient, soft thresholding, FGM, label smoothing,
class re-sampling and re-weighting."""

import numpy as np

from autograder.authoring import with_grad_output
from autograder.edges import both, has_value, option
from autograder.registry import Rng, case, exercise
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
        if hidden:  # an example with zero gradient is not moved (no 0 / 0)
            grad = g.normal(*shape)
            grad[1] = 0
            yield case("zero gradient", g.normal(*shape), grad, 0.3)

    return make


def _smoothing(hidden: bool):
    def make(g):
        n, k = (20, 7) if hidden else (5, 3)
        yield case("basic", g.integers(0, k, n), k, 0.1)
        yield case("epsilon", g.integers(0, k, n), k, 0.3 if hidden else 0.0)

    return make


def _counts(hidden: bool, extra=(), **kw):
    """One case per option value; ``extra``: more option dicts (their own group each)."""

    def make(g):
        counts = g.integers(1, 1000, 6 if hidden else 4)
        for key, values in kw.items():
            for v in values:
                yield case(f"{key}={v}", counts, **{key: v})
        for options in extra:
            yield case(",".join(f"{k}={v}" for k, v in options.items()), counts, **options)

    return make


def _zero_count(factory):
    """``factory`` and, for each q in (0, 0.5), counts with a zero: probability 0 for that
    class ("Classes with no examples get probability 0"; with q = 0 not 0 ** 0 = 1)."""

    def make(g):
        yield from factory(g)
        counts = g.integers(1, 1000, 5)
        counts[2] = 0
        counts[3] = 1  # a single example: 1 ** q = 1, a probability like the others
        for q in (0.0, 0.5):
            yield case("zero count", counts, q=q)

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
        hidden=_zero_count(_counts(True, q=(0.0, 0.5, 1.0))),
    ),
    exercise(
        ref.class_weights,
        points=2,
        public=_counts(False, scheme=("inverse",)),
        hidden=_counts(
            True,
            scheme=("inverse", "inverse_sqrt", "effective_number"),
            extra=({"scheme": "effective_number", "beta": 0.99},),
        ),
    ),
]


def _regression(hidden: bool, path: bool = False, signs: bool = False):
    """``signs``: one more hidden case whose minimiser has coefficients of both signs (the
    soft-threshold keeps the sign: a version that drops it passed cases of positive ones)."""

    def make(g):
        n, d = (30, 5) if hidden else (12, 3)
        X = g.normal(n, d)
        y = X @ np.where(g.rng.random(d) < 0.5, 0.0, g.normal(d)) + 0.1 * g.normal(n)
        if path:
            yield case("path", X, y, np.array([0.01, 0.1, 1.0]))
        else:
            for lam in (0.1, 2.0) if hidden else (0.5,):
                yield case("lambda", X, y, lam)
        if hidden and signs:
            X = g.normal(n, d)
            y = X @ np.array([-1.5, 0.8, -0.6, 0.0, 2.0])[:d] + 0.1 * g.normal(n)
            yield case("signs", X, y, 0.1)

    return make


def _random(cases):
    def make(hidden: bool):
        def factory(g):
            yield from cases(g, hidden)

        return factory

    return make


def _mask_cases(g, hidden):
    shape = [300, 200] if hidden else [200, 150]
    yield case("p=0.5", shape, generator=Rng(g.seed()))
    yield case("p=0.2", shape, p=0.2, generator=Rng(g.seed()))
    yield case("float32", shape, p=0.3, generator=Rng(g.seed()), dtype="float32")
    if hidden:  # the ends of [0, 1]: p = 1 keeps nothing (all zeros), p = 0 keeps all (ones)
        yield case("p=1", shape, p=1.0, generator=Rng(g.seed()))
        yield case("p=0", shape, p=0.0, generator=Rng(g.seed()))


def _dropout_cases(g, hidden):
    x = g.normal(*((300, 200) if hidden else (200, 150)))
    yield case("training", x, p=0.3, generator=Rng(g.seed()))
    yield case("eval", x, p=0.3, training=False)
    if hidden:
        yield case("p=1", x, p=1.0, generator=Rng(g.seed()))


def _dropout_backward_cases(g, hidden):
    x = g.normal(*((300, 200) if hidden else (200, 150)))
    yield case("training", g.normal(*x.shape), x, p=0.3, generator=Rng(g.seed()))
    yield case("eval", g.normal(*x.shape), x, p=0.3, training=False)
    if hidden:
        yield case("p=1", g.normal(*x.shape), x, p=1.0, generator=Rng(g.seed()))


def _grads(g, hidden):
    return [g.normal(*s) for s in ([(3, 4), (5,)] if hidden else [(4,), (2, 2)])]


def _clip_norm(hidden: bool):
    def make(g):
        yield case("clipped", _grads(g, hidden), 1.0)
        yield case("not clipped", _grads(g, hidden), 100.0)
        yield case("norm_type", _grads(g, hidden), 1.0, norm_type=1.0 if hidden else np.inf)
        if hidden:  # a general p-norm: (sum |g|^p)^(1/p)
            yield case("norm_type", _grads(g, hidden), 1.0, norm_type=3.0)
            # the max norm of small gradients (all |g| < 1): the largest |g|, not 1
            small = [0.1 * a for a in _grads(g, hidden)]
            yield case("norm_type", small, 0.05, norm_type=np.inf)

    return make


def _clip_value(hidden: bool):
    def make(g):
        yield case("clipped", _grads(g, hidden), 0.5)

    return make


def _labels(hidden: bool):
    def make(g):
        labels = g.integers(0, 4, 40 if hidden else 12)
        yield case("q=1", labels)
        yield case("q", labels, q=0.5 if hidden else 0.0)
        if hidden:
            yield case("num_classes", g.integers(0, 3, 10), q=0.5, num_classes=5)
            # an empty class (no label 2) with q = 0: it gets probability 0, not 0 ** 0 = 1
            present = np.array([0, 1, 3])[g.integers(0, 3, 15)]
            present[:3] = (0, 1, 3)
            yield case("empty class", present, q=0.0)

    return make


def _resample_cases(g, hidden):
    labels = np.repeat(np.arange(4), [5, 20, 60, 200])
    yield case("q=0", labels, 5000, q=0.0, generator=Rng(g.seed()))
    yield case("q", labels, 5000, q=0.5, generator=Rng(g.seed()))


def _random_exercise(fn, cases, points=1, **kw):
    make = _random(cases)
    return exercise(
        fn, points=points, compare="distribution", public=make(False), hidden=make(True), **kw
    )


EXERCISES += [
    exercise(
        ref.lasso_proximal_gradient,
        points=2,
        public=_regression(False),
        hidden=_regression(True, signs=True),
        rtol={"float64": 1e-5},
        atol={"float64": 1e-7},
        description="Graded on the converged minimiser (any convergent algorithm works).",
    ),
    exercise(ref.ridge_solution, points=1, public=_regression(False), hidden=_regression(True)),
    exercise(
        ref.l1_l2_solution_path,
        points=1,
        public=_regression(False, path=True),
        hidden=_regression(True, path=True),
        rtol={"float64": 1e-5},
        atol={"float64": 1e-7},
    ),
    _random_exercise(
        ref.dropout_mask,
        _mask_cases,
        description="Random: graded by distribution (zeros with probability p, else 1 / (1 - p)).",
    ),
    _random_exercise(ref.dropout, _dropout_cases, description="Random: graded by distribution."),
    _random_exercise(
        ref.dropout_backward,
        _dropout_backward_cases,
        description="Random (the mask is redrawn from the same generator as the forward): "
        "graded by distribution.",
    ),
    exercise(
        ref.clip_grad_norm_,
        points=2,
        kind="inplace",
        public=_clip_norm(False),
        hidden=_clip_norm(True),
        description="Graded on the returned total norm and on the gradients after the call "
        "(clipped in place).",
    ),
    exercise(
        ref.clip_grad_value_,
        points=1,
        kind="inplace",
        public=_clip_value(False),
        hidden=_clip_value(True),
        description="Returns None, as in torch; graded on the gradients after the call.",
    ),
    exercise(ref.sampling_weights, points=1, public=_labels(False), hidden=_labels(True)),
    _random_exercise(
        ref.resample_indices,
        _resample_cases,
        description="Random: graded by the distribution of the drawn indices.",
    ),
]

#: Options no graded case sets, and why (tests/autograder/test_coverage.py).
UNGRADED_OPTIONS = {
    **{
        f"regularization.lasso_proximal_gradient.{name}": "graded on the converged minimiser, "
        "which does not depend on the start or on the stopping rule (any convergent algorithm "
        "works)"
        for name in ("w0", "max_iter", "tol")
    },
    "regularization.clip_grad_norm_.error_if_nonfinite": "only decides whether a non-finite "
    "norm raises: graded outputs are values, not exceptions",
}

NOT_EXERCISES = {
    "regularization.multi_sample_dropout": "takes the classifier head as a Python callable, "
    "which cannot cross the grading sandbox; its dropout is the dropout exercise",
    "regularization.pgd": "takes the loss gradient as a Python callable (sandbox); its "
    "single steps are the fgm exercise and the worked example fgsm",
    "regularization.EarlyStopping": "a stateful class with step(metric) -> bool: no grading "
    "driver for it; the chapter shows it as a worked pattern",
}


def _zero_gradient_example(a) -> bool:
    g = np.asarray(a["grad"])
    return bool(np.any(np.abs(g).reshape(g.shape[0], -1).max(axis=1) == 0)) if g.ndim else False


def _empty_class(a) -> bool:
    labels = np.asarray(a["labels"])
    k = a["num_classes"] or labels.max() + 1
    return bool(np.any(np.bincount(labels, minlength=k) == 0))


#: Edges the statements name (tests/autograder/test_edges.py; see autograder/edges.py).
EDGES = {
    "regularization.fgm": {"zero gradient": _zero_gradient_example},
    "regularization.dropout_mask": {"p = 1": option("p", 1.0)},
    "regularization.dropout": {"p = 1": option("p", 1.0)},
    "regularization.dropout_backward": {"p = 1": option("p", 1.0)},
    "regularization.resampling_probabilities": {
        "empty": has_value("class_counts", 0),
        "empty, q = 0": both(has_value("class_counts", 0), option("q", 0.0)),
    },
    "regularization.sampling_weights": {"empty, q = 0": both(_empty_class, option("q", 0.0))},
    "regularization.clip_grad_norm_": {
        "max norm of gradients below 1": lambda a: (
            a["norm_type"] == np.inf and max(np.abs(g).max() for g in a["grads"]) < 1
        ),
    },
}
