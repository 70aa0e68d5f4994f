"""Chapter 04: losses. Every loss is two exercises: the forward (1 point) and its hand-derived
``_backward`` (1 point), graded on the same inputs (``mse_loss``, ``huber_loss`` and
``nll_loss`` are worked examples in the book: only their backward is an exercise).

Groups of each loss: public ``basic`` (default reduction), ``reduction`` (``"none"`` and
``"sum"``), ``float32`` (dtype kept) and one group per option; hidden: the same on new data and
other sizes, plus ``extreme`` (|x| up to 1e4) for the losses the chapter derives in a stable
form (log-cosh, BCE with logits, cross-entropy, soft margins, RankNet). Those losses also have
a public ``extreme`` group (one float64 case, inputs of scale 1e3, where exp and cosh already
overflow), so ``check()`` shows a naive formula's overflow before grading does.
"""

from collections.abc import Callable

import numpy as np

from autograder.authoring import pair
from autograder.edges import both, equal_somewhere, has_value, option
from autograder.registry import Gen, case
from solutions import losses as ref

#: Scale of the public extreme case's inputs: exp overflows beyond ~709 (float64).
PUBLIC_EXTREME = 1e3


def _name(kw: dict) -> str:
    return ",".join(f"{k}={'array' if isinstance(v, np.ndarray) else v}" for k, v in kw.items())


def _cases(
    inputs: Callable,
    variants: tuple = (),
    *,
    extreme: bool = False,
    reductions=("none", "sum"),
):
    """(public, hidden) case factories for ``loss(*inputs(g, n, dtype, scale), **kwargs)``.

    ``variants`` are option dicts, callables ``(g, n, dtype) -> dict`` for options that
    are arrays shaped by the data (class weights, ...), or ``(group, inputs, options)`` for
    other kinds of input (probability targets, extra dimensions, ...)."""

    def variant(v, g, n):
        if isinstance(v, tuple):
            name, make_inputs, kw = v
            return name, make_inputs(g, n), kw
        kw = v(g, n, np.float64) if callable(v) else dict(v)
        return (v.__name__ if callable(v) else _name(kw)), inputs(g, n), kw

    def loss_case(group, inputs_, **kw):
        # Discrete targets (0/1, +-1, counts) travel by keyword (see _keyword_target).
        if inputs_ and isinstance(inputs_[-1], dict):
            inputs_, kw = inputs_[:-1], {**inputs_[-1], **kw}
        return case(group, *inputs_, **kw)

    def make(hidden: bool):
        def factory(g: Gen):
            sizes = (3, 11) if hidden else (5,)
            for n in sizes:
                yield loss_case("basic", inputs(g, n, np.float64, 1.0))
            for reduction in reductions:
                yield loss_case("reduction", inputs(g, 4), reduction=reduction)
            yield loss_case("float32", inputs(g, 6 if hidden else 4, np.float32, 1.0))
            for v in variants:
                name, args, kw = variant(v, g, 9 if hidden else 4)
                yield loss_case(name, args, **kw)
            if hidden and extreme:
                yield loss_case("extreme", inputs(g, 6, np.float64, 1e4))
                yield loss_case("extreme", inputs(g, 6, np.float32, 1e4))
            elif extreme:  # last, so the other public cases keep their data
                yield loss_case("extreme", inputs(g, 4, np.float64, PUBLIC_EXTREME))

        return factory

    return make(False), make(True)


def _loss(forward, backward, inputs, variants=(), **kw):
    return pair(forward, backward, points=(1, 1), inputs=_cases(inputs, variants, **kw))


# ------------------------------------------------------------------ input generators


def _keyword_target(name: str = "target") -> Callable:
    """Decorator: pass the last input (a discrete target: 0/1, +-1 or counts) by keyword, as
    one calls these losses (every call style is graded the same)."""

    def decorate(make: Callable) -> Callable:
        def inputs(*a, **k):
            *rest, target = make(*a, **k)
            return (*rest, {name: target})

        return inputs

    return decorate


def _regression(g, n, dtype=np.float64, scale=1.0):
    return g.normal(n, 3, scale=scale, dtype=dtype), g.normal(n, 3, scale=scale, dtype=dtype)


def _probabilities(g, n, dtype=np.float64, scale=1.0):
    p = g.uniform(n, 3, low=0.02, high=0.98, dtype=dtype)
    return p, g.uniform(n, 3, dtype=dtype)


@_keyword_target("targets")
def _logits_binary(g, n, dtype=np.float64, scale=1.0):
    x = g.normal(n, 3, scale=3 * scale, dtype=dtype)
    return x, g.integers(0, 2, n, 3).astype(dtype)


def _logits_soft_target(g, n, dtype=np.float64, scale=1.0):
    x = g.normal(n, 3, scale=3 * scale, dtype=dtype)
    return x, g.uniform(n, 3, dtype=dtype)


@_keyword_target()
def _sign_target(g, n, dtype=np.float64, scale=1.0):
    x = g.normal(n, 3, scale=2 * scale, dtype=dtype)
    return x, (2 * g.integers(0, 2, n, 3) - 1).astype(dtype)


@_keyword_target()
def _poisson(g, n, dtype=np.float64, scale=1.0):
    return g.normal(n, 3, dtype=dtype), g.integers(0, 6, n, 3).astype(dtype)


@_keyword_target()
def _poisson_rates(g, n, dtype=np.float64, scale=1.0):
    return g.uniform(n, 3, low=0.1, high=4.0, dtype=dtype), g.integers(0, 6, n, 3).astype(dtype)


@_keyword_target()
def _zero_rates(g, n, dtype=np.float64, scale=1.0):
    """Some rates exactly 0: log(input + eps) must use eps (log 0 is -inf)."""
    rates = g.uniform(n, 3, low=0.1, high=4.0, dtype=dtype)
    rates[::2, 0] = 0
    return rates, g.integers(0, 6, n, 3).astype(dtype)


def _gaussian(g, n, dtype=np.float64, scale=1.0):
    mu, y = g.normal(n, 3, dtype=dtype), g.normal(n, 3, dtype=dtype)
    return mu, y, g.uniform(n, 3, low=0.1, high=2.0, dtype=dtype)


def _classes(g, n, dtype=np.float64, scale=1.0, classes=5):
    return g.normal(n, classes, scale=2 * scale, dtype=dtype), g.integers(0, classes, n)


def _log_probs(g, n, dtype=np.float64, scale=1.0):
    z = g.normal(n, 5, scale=2.0)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return logp.astype(dtype), g.integers(0, 5, n)


def _kl(g, n, dtype=np.float64, scale=1.0):
    q = g.probs(n, 4)
    return np.log(q).astype(dtype), g.probs(n, 4, dtype=dtype)


def _multilabel_targets(g, n, dtype=np.float64, scale=1.0):
    x = g.normal(n, 5, scale=scale, dtype=dtype)
    target = -np.ones((n, 5), dtype=np.int64)
    for i in range(n):
        k = int(g.rng.integers(1, 4))
        target[i, :k] = g.rng.permutation(5)[:k]
    return x, target


@_keyword_target()
def _multilabel_binary(g, n, dtype=np.float64, scale=1.0):
    return g.normal(n, 4, scale=3 * scale, dtype=dtype), g.integers(0, 2, n, 4).astype(dtype)


@_keyword_target()
def _pairs(g, n, dtype=np.float64, scale=1.0):
    y = (2 * g.integers(0, 2, n) - 1).astype(dtype)
    return g.normal(n, scale=scale, dtype=dtype), g.normal(n, scale=scale, dtype=dtype), y


def _ranknet(g, n, dtype=np.float64, scale=1.0):
    s1, s2 = g.normal(n, scale=2 * scale, dtype=dtype), g.normal(n, scale=2 * scale, dtype=dtype)
    return s1, s2, g.uniform(n, dtype=dtype)


def _triplet(g, n, dtype=np.float64, scale=1.0):
    return tuple(g.normal(n, 4, dtype=dtype) for _ in range(3))


def _regression_ties(g, n, dtype=np.float64, scale=1.0):
    """Every third target equal to its input: |x - y| has its kink there (sign(0) = 0)."""
    x, y = _regression(g, n, dtype, scale)
    y[::3] = x[::3]
    return x, y


def _ranknet_ties(g, n, dtype=np.float64, scale=1.0):
    """Targets of exactly 0.5 (a tie) among the others."""
    s1, s2, t = _ranknet(g, n, dtype, scale)
    t[::2] = 0.5
    return s1, s2, t


def _triplet_ties(g, n, dtype=np.float64, scale=1.0):
    """Every other positive equal to its anchor: with swap, d(a, n) == d(p, n) exactly."""
    a, p, neg = _triplet(g, n, dtype, scale)
    p[::2] = a[::2]
    return a, p, neg


@_keyword_target()
def _cosine(g, n, dtype=np.float64, scale=1.0):
    y = (2 * g.integers(0, 2, n) - 1).astype(dtype)
    return g.normal(n, 4, dtype=dtype), g.normal(n, 4, dtype=dtype), y


def _cosent(g, n, dtype=np.float64, scale=1.0):
    return g.uniform(n, low=-1.0, high=1.0, dtype=dtype), g.uniform(n, high=5.0, dtype=dtype)


def _info_nce(g, n, dtype=np.float64, scale=1.0):
    return g.normal(n, 4, dtype=dtype), g.normal(n, 4, dtype=dtype), g.normal(6, 4, dtype=dtype)


# ------------------------------------------------------------------ option variants


def weight(g, n, dtype):
    return {"weight": g.uniform(n, 3, low=0.1, high=2.0, dtype=dtype)}


def class_weight(g, n, dtype):
    return {"weight": g.uniform(5, low=0.1, high=2.0, dtype=dtype)}


def ignore_index(g, n, dtype):
    return {"ignore_index": 2}


def pos_weight(g, n, dtype):
    return {"pos_weight": g.uniform(3, low=0.5, high=3.0, dtype=dtype)}


def label_weight(g, n, dtype):
    return {"weight": g.uniform(4, low=0.1, high=2.0, dtype=dtype)}


def _probability_targets(g, n, dtype=np.float64, scale=1.0):
    return g.normal(n, 5, scale=2.0, dtype=dtype), g.probs(n, 5, dtype=dtype)


def _weighted_probability_targets(g, n, dtype=np.float64, scale=1.0):
    x, p = _probability_targets(g, n, dtype)
    return x, p, {"weight": g.uniform(5, low=0.1, high=2.0, dtype=dtype)}


def _spatial(g, n, dtype=np.float64, scale=1.0):
    return g.normal(n, 5, 2, 3, scale=2.0, dtype=dtype), g.integers(0, 5, n, 2, 3)


def _paired_negatives(g, n, dtype=np.float64, scale=1.0):
    q, k = g.normal(n, 4, dtype=dtype), g.normal(n, 4, dtype=dtype)
    return q, k, g.normal(n, 3, 4, dtype=dtype)


EXERCISES = [
    *pair(
        ref.mse_loss,
        ref.mse_loss_backward,
        points=(1, 1),
        inputs=_cases(_regression, (weight,)),
    ),
    *_loss(
        ref.l1_loss, ref.l1_loss_backward, _regression, (weight, ("ties", _regression_ties, {}))
    ),
    *pair(
        ref.huber_loss,
        ref.huber_loss_backward,
        points=(1, 1),
        inputs=_cases(_regression, ({"delta": 0.5}, {"delta": 2.0}, weight)),
    ),
    *_loss(
        ref.smooth_l1_loss,
        ref.smooth_l1_loss_backward,
        _regression,
        ({"beta": 0.5}, {"beta": 0.0}),  # beta = 0: exactly the L1 loss (as torch)
    ),
    *_loss(ref.log_cosh_loss, ref.log_cosh_loss_backward, _regression, extreme=True),
    *_loss(
        ref.quantile_loss,
        ref.quantile_loss_backward,
        _regression,
        ({"quantile": 0.1}, {"quantile": 0.9}),
    ),
    *_loss(
        ref.poisson_nll_loss,
        ref.poisson_nll_loss_backward,
        _poisson,
        (
            {"full": True},
            ("rates", _poisson_rates, {"log_input": False, "eps": 0.5}),
            ("zero rates", _zero_rates, {"log_input": False}),
        ),
    ),
    *_loss(
        ref.gaussian_nll_loss,
        ref.gaussian_nll_loss_backward,
        _gaussian,
        ({"full": True}, {"eps": 0.5}),
    ),
    *_loss(ref.binary_cross_entropy, ref.binary_cross_entropy_backward, _probabilities, (weight,)),
    *_loss(
        ref.binary_cross_entropy_with_logits,
        ref.binary_cross_entropy_with_logits_backward,
        _logits_soft_target,
        (weight, pos_weight),
        extreme=True,
    ),
    *_loss(
        ref.sigmoid_focal_loss,
        ref.sigmoid_focal_loss_backward,
        _logits_binary,
        ({"alpha": -1.0}, {"gamma": 0.0}),
        reductions=("mean", "sum"),
    ),
    *pair(
        ref.nll_loss,
        ref.nll_loss_backward,
        points=(1, 1),
        inputs=_cases(_log_probs, (class_weight, ignore_index)),
    ),
    *_loss(
        ref.cross_entropy,
        ref.cross_entropy_backward,
        _classes,
        (
            class_weight,
            ignore_index,
            {"label_smoothing": 0.1},
            ("probability targets", _probability_targets, {}),
            (
                "probability targets, weight, smoothing",
                _weighted_probability_targets,
                {"label_smoothing": 0.2},
            ),
            {"ignore_index": 2, "label_smoothing": 0.1, "reduction": "sum"},
            ("extra dimensions", _spatial, {}),
        ),
        extreme=True,
    ),
    *_loss(
        ref.kl_div,
        ref.kl_div_backward,
        _kl,
        ({"reduction": "batchmean"}, {"log_target": True}),
    ),
    *_loss(
        ref.multi_margin_loss,
        ref.multi_margin_loss_backward,
        _classes,
        ({"p": 2}, {"margin": 0.5}, class_weight),
    ),
    *_loss(ref.multilabel_margin_loss, ref.multilabel_margin_loss_backward, _multilabel_targets),
    *_loss(ref.soft_margin_loss, ref.soft_margin_loss_backward, _sign_target, extreme=True),
    *_loss(
        ref.multilabel_soft_margin_loss,
        ref.multilabel_soft_margin_loss_backward,
        _multilabel_binary,
        (label_weight,),
        extreme=True,
    ),
    *_loss(ref.margin_ranking_loss, ref.margin_ranking_loss_backward, _pairs, ({"margin": 0.5},)),
    *_loss(
        ref.ranknet_loss,
        ref.ranknet_loss_backward,
        _ranknet,
        (("ties", _ranknet_ties, {}),),
        extreme=True,
    ),
    *_loss(
        ref.triplet_margin_loss,
        ref.triplet_margin_loss_backward,
        _triplet,
        (
            {"p": 1.0},
            {"p": 3.0},
            {"swap": True},
            {"margin": 0.3, "eps": 0.1},
            ("swap, ties", _triplet_ties, {"swap": True}),
        ),
    ),
    *_loss(
        ref.hinge_embedding_loss,
        ref.hinge_embedding_loss_backward,
        _sign_target,
        ({"margin": 2.0},),
    ),
    *_loss(
        ref.cosine_embedding_loss,
        ref.cosine_embedding_loss_backward,
        _cosine,
        ({"margin": 0.5},),
    ),
    *_loss(ref.cosent_loss, ref.cosent_loss_backward, _cosent, ({"scale": 5.0},), reductions=()),
    *_loss(
        ref.info_nce,
        ref.info_nce_backward,
        _info_nce,
        (
            {"temperature": 0.5},
            ("paired negatives", _paired_negatives, {"negative_mode": "paired"}),
            ("no negatives", lambda g, n: _info_nce(g, n)[:2], {}),
        ),
    ),
]


def _tied_triplet(a) -> bool:
    """With ``swap``, d(a, n) == d(p, n) exactly somewhere (a positive equal to its anchor)."""
    same = np.all(np.asarray(a["anchor"]) == np.asarray(a["positive"]), axis=-1)
    return bool(a["swap"] and np.any(same))


def _eps_scale_difference(a) -> bool:
    """|anchor - positive| is below 10 eps somewhere: eps is a visible part of the distance."""
    diff = np.abs(np.asarray(a["anchor"]) - np.asarray(a["positive"]))
    return bool(np.any(diff < 10 * a["eps"]))


#: Edges the statements name (tests/autograder/test_edges.py; see autograder/edges.py).
EDGES = {
    "losses.l1_loss_backward": {"ties: input == target": equal_somewhere("input", "target")},
    "losses.ranknet_loss": {"ties: target 0.5": has_value("target", 0.5)},
    "losses.triplet_margin_loss": {"eps-scale differences": _eps_scale_difference},
    "losses.triplet_margin_loss_backward": {"ties of the swapped distances": _tied_triplet},
    "losses.poisson_nll_loss": {
        "eps: a zero rate": both(option("log_input", False), has_value("input", 0.0))
    },
    "losses.gaussian_nll_loss": {
        "eps: a variance below eps": lambda a: bool(np.any(np.asarray(a["var"]) < a["eps"]))
    },
    "losses.cross_entropy": {
        "probability targets with class weights": lambda a: (
            np.asarray(a["target"]).dtype.kind == "f" and a["weight"] is not None
        )
    },
}
