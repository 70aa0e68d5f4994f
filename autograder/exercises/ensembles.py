"""Chapter 08: ensembles. Combining members (backward of the weighted average, voting, rank
averaging), the folds and features of stacking, the snapshot / FGE schedules, weight
averaging (``AveragedModel``: SWA and EMA, graded by the averaged weights after every
update) and ``SWALR`` (graded by its learning rates), and the multi-exit loss's backward.
"""

import numpy as np

from autograder.authoring import with_grad_output
from autograder.edges import has_ties
from autograder.registry import Fn, Gen, case, exercise
from solutions import ensembles as ref


def _members(hidden: bool):
    def make(g: Gen):
        m, n = (4, 9) if hidden else (3, 5)
        yield case("equal weights", g.probs(m, n, 3))
        yield case("weights", g.probs(m, n, 3), weights=g.uniform(m, low=0.1, high=1.0))
        yield case("float32", g.probs(m, n, 2, dtype=np.float32), weights=g.uniform(m))
        if hidden:
            yield case("weights", g.probs(m, n), weights=g.uniform(m, low=0.1, high=1.0))

    return make


def _votes(hidden: bool):
    def make(g: Gen):
        m, n = (5, 30) if hidden else (3, 10)
        yield case("plurality", g.integers(0, 4, m, n))
        yield case("ties", g.integers(0, 3, 2, n))
        yield case("ties", g.integers(0, 3, 2, n), tie_break="first")
        yield case("weights", g.integers(0, 4, m, n), weights=g.uniform(m, low=0.1, high=1.0))
        if hidden:  # 'first' among more than two models: 2-2-1 and 2-1-1 splits, clear wins
            yield case("ties", g.integers(0, 3, m, n), tie_break="first")
            w = [1.0, 2.0, 1.0, 2.0]
            yield case("ties", g.integers(0, 3, 4, n), weights=w, tie_break="first")

    return make


def _ranks(hidden: bool):
    def make(g: Gen):
        n = 25 if hidden else 8
        yield case("distinct", g.normal(n))
        yield case("ties", g.integers(0, 4, n) * 0.5)
        yield case("along the last axis", g.integers(0, 4, 3, n) * 0.5)

    return make


def _rank_average(hidden: bool):
    def make(g: Gen):
        m, n = (4, 20) if hidden else (3, 6)
        yield case("scores", g.normal(m, n))
        yield case("ties and weights", g.integers(0, 3, m, n) * 1.0, weights=g.uniform(m))
        yield case("per column", g.normal(m, n, 3))

    return make


def _folds(hidden: bool):
    def make(g: Gen):
        for n, k in ((20, 4), (23, 5), (7, 7)) if hidden else ((10, 5), (11, 3)):
            yield case("unshuffled", n, k)

    return make


def _stacking(hidden: bool):
    def make(g: Gen):
        n = 12 if hidden else 5
        yield case("members", [g.probs(n, 3) for _ in range(3 if hidden else 2)])
        yield case("binary", [g.probs(n, 2) for _ in range(2)])

    return make


def _cycles(hidden: bool):
    def make(g: Gen):
        for total, cycles in ((100, 4), (30, 7), (5, 5)) if hidden else ((20, 4), (10, 3)):
            yield case("cycles", total, cycles)

    return make


def _fge_schedule(hidden: bool):
    def make(g: Gen):
        yield case("schedule", 0.05, 0.01, 4, 12)
        yield case("schedule", 0.1, 0.0, 6 if hidden else 2, 25 if hidden else 9)

    return make


def _fge_steps(hidden: bool):
    def make(g: Gen):
        for c, t in ((4, 12), (6, 30), (2, 3)) if hidden else ((4, 8), (2, 7)):
            yield case("cycles", c, t)

    return make


def _averaging(hidden: bool):
    def make(g: Gen):
        steps = 9 if hidden else 5
        shapes = [(3, 2), (4,)] if hidden else [(3,)]
        start = [g.normal(*s) for s in shapes]
        yield case("swa", start, [g.normal(steps, *s) for s in shapes], steps=steps)
        yield case(
            "ema",
            start,
            [g.normal(steps, *s) for s in shapes],
            steps=steps,
            avg_fn=Fn("ema_avg_fn_0.9"),
        )
        if hidden:  # use_buffers=True without buffers: the params are averaged all the same
            updates = [g.normal(steps, *s) for s in shapes]
            yield case("swa, use_buffers", start, updates, steps=steps, use_buffers=True)

    return make


def _swalr(hidden: bool):
    def make(g: Gen):
        lrs = g.uniform(2, low=0.1, high=1.0) if hidden else np.array([0.5])
        yield case("cos", lrs, swa_lr=0.05, anneal_epochs=4, steps=8)
        yield case("linear", lrs, swa_lr=0.05, anneal_epochs=3, anneal_strategy="linear", steps=8)
        if hidden:
            yield case("no annealing", lrs, swa_lr=0.02, anneal_epochs=0, steps=3)

    return make


def _exits(hidden: bool):
    def make(g: Gen):
        k = 5 if hidden else 3
        yield case("depth weights", g.uniform(k, high=3.0))
        yield case("weights", g.uniform(k, high=3.0), weights=g.uniform(k, low=0.1))

    return make


def _backward(forward, backward, factory, points):
    return exercise(
        backward,
        points=points,
        kind="backward",
        forward=forward,
        public=with_grad_output(forward, factory(False)),
        hidden=with_grad_output(forward, factory(True)),
        properties=("backward matches central differences of your own forward",),
    )


EXERCISES = [
    _backward(ref.weighted_average, ref.weighted_average_backward, _members, 2),
    exercise(ref.vote, points=3, public=_votes(False), hidden=_votes(True)),
    exercise(ref.rankdata_average, points=2, public=_ranks(False), hidden=_ranks(True)),
    exercise(ref.rank_average, points=2, public=_rank_average(False), hidden=_rank_average(True)),
    exercise(ref.kfold_indices, points=2, public=_folds(False), hidden=_folds(True)),
    exercise(ref.stacking_features, points=1, public=_stacking(False), hidden=_stacking(True)),
    exercise(ref.snapshot_steps, points=1, public=_cycles(False), hidden=_cycles(True)),
    exercise(ref.fge_schedule, points=2, public=_fge_schedule(False), hidden=_fge_schedule(True)),
    exercise(ref.fge_steps, points=1, public=_fge_steps(False), hidden=_fge_steps(True)),
    exercise(
        ref.AveragedModel,
        points=4,
        kind="averager",
        public=_averaging(False),
        hidden=_averaging(True),
        description="API: ``model = AveragedModel(params, avg_fn=None)`` keeps its own "
        "averaged copies in ``model.params``; ``model.update_parameters(current_params)`` "
        "folds the current weights in (the first call copies them). Graded by "
        "``model.params`` after every update, for SWA and for an EMA ``avg_fn``.",
    ),
    exercise(
        ref.SWALR,
        points=2,
        kind="scheduler",
        public=_swalr(False),
        hidden=_swalr(True),
    ),
    _backward(ref.multi_exit_loss, ref.multi_exit_loss_backward, _exits, 2),
]

NOT_EXERCISES = {
    "ensembles.out_of_fold_predictions": "takes a model-fitting callable, which cannot cross "
    "the grading sandbox; its folds are the kfold_indices exercise",
    "ensembles.stacking_predict_proba": "takes model-fitting callables (sandbox); its parts "
    "are the kfold_indices and stacking_features exercises",
    "ensembles.snapshot_ensemble": "takes a gradient callable (sandbox); its schedule is the "
    "snapshot_steps exercise (and CosineAnnealingWarmRestarts in 05)",
    "ensembles.update_bn": "takes a forward callable (sandbox); the running statistics it "
    "recomputes are graded in batch_norm (02)",
    "ensembles.LogisticRegression": "the stacking meta-learner, an estimator class fitted with "
    "scipy.optimize: no grading driver for fit/predict_proba objects",
    **{
        f"ensembles.{name}": "returns a Python function; graded through AveragedModel, which "
        "applies it"
        for name in (
            "get_ema_multi_avg_fn",
            "get_swa_multi_avg_fn",
            "get_ema_avg_fn",
            "get_swa_avg_fn",
        )
    },
}

#: Options no graded case sets, and why (tests/autograder/test_coverage.py).
UNGRADED_OPTIONS = {
    "ensembles.kfold_indices.shuffle": "a shuffled split depends on your random draws (the "
    "order of your calls to the generator): graded without shuffling",
    "ensembles.kfold_indices.generator": "only used to shuffle (see shuffle)",
    "ensembles.AveragedModel.multi_avg_fn": "a Python callable, which cannot cross the grading "
    "sandbox (avg_fn is graded through a trusted EMA callable)",
    "ensembles.SWALR.last_epoch": "resuming (last_epoch >= 0) needs the optimizer's initial_lr "
    "from an earlier scheduler; the grading driver starts every schedule fresh",
}


def _tied_vote(tie_break: str):
    """Some sample's top (weighted) count is shared by two labels, with ``tie_break``."""

    def check(a) -> bool:
        if a["tie_break"] != tie_break:
            return False
        preds = np.asarray(a["predictions"])
        w = np.ones(preds.shape[0]) if a["weights"] is None else np.asarray(a["weights"], float)
        labels = np.unique(preds)
        counts = np.array(
            [[w[preds[:, i] == c].sum() for c in labels] for i in range(preds.shape[1])]
        )
        return bool(np.any((counts == counts.max(axis=1, keepdims=True)).sum(axis=1) > 1))

    return check


#: Edges the statements name (tests/autograder/test_edges.py; see autograder/edges.py).
EDGES = {
    "ensembles.vote": {
        "ties, tie_break='lowest'": _tied_vote("lowest"),
        "ties, tie_break='first'": _tied_vote("first"),
    },
    "ensembles.rankdata_average": {"ties": has_ties("x")},
    "ensembles.rank_average": {"ties": has_ties("scores", axis=1)},
}
