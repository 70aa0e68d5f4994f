"""Chapter 09: putting it together. The graded milestone ``train_network``: the student's
whole training pipeline (their own linear, batch_norm, relu, dropout, cross_entropy, their
backwards, AdamW and LinearLR), run for a fixed seed and step budget on the digits training
set. Graded by the per-step loss curve against the reference pipeline and by the trained
network's accuracy on the held-out test set; every recorded call of a part is recomputed
with the reference, and the first one that differs is named with its step
(:mod:`autograder.pipeline`)."""

import numpy as np

from autograder.pipeline import ACCURACY, CURVE
from autograder.registry import Gen, case, exercise
from solutions import train as ref

#: Steps of a loss-curve case and of an accuracy case (the reference reaches 97-99 % test
#: accuracy after 100 steps of 64 examples), and the steps whose calls are recorded.
CURVE_STEPS, ACCURACY_STEPS, RECORDED = 30, 100, 3
HIDDEN = 64


def _batches(g: Gen, n: int, batch_size: int, steps: int) -> np.ndarray:
    """``steps`` mini-batches of indices: a fresh permutation per epoch, last partial batch
    dropped."""
    per_epoch = n // batch_size
    epochs = -(-steps // per_epoch)
    rows = [g.rng.permutation(n)[: per_epoch * batch_size].reshape(per_epoch, -1)]
    rows += [
        g.rng.permutation(n)[: per_epoch * batch_size].reshape(per_epoch, -1)
        for _ in range(epochs - 1)
    ]
    return np.concatenate(rows)[:steps].astype(np.int64)


def _run(g: Gen, group: str, steps: int, batch_size: int, *, hidden=False, **options):
    """A case on the digits' training set; a hidden case gets its rows in another order
    (its inputs are then no array of the public cases, which a student bundle stores)."""
    data = ref.load_digits()
    x, y = data["X_train"], data["y_train"]
    if hidden:
        order = g.rng.permutation(len(x))
        x, y = x[order], y[order]
    params = ref.init_network(x.shape[1], HIDDEN, 10, g.seed())
    return case(
        group,
        params,
        x,
        y,
        _batches(g, len(x), batch_size, steps),
        steps=RECORDED,
        seed=g.seed() % 10_000,
        **options,
    )


def _public(g: Gen):
    yield _run(g, CURVE, CURVE_STEPS, 64, lr=0.01, warmup=10, p=0.1)
    yield _run(g, ACCURACY, ACCURACY_STEPS, 64, lr=0.01, warmup=10, p=0.1)


def _hidden(g: Gen):
    yield _run(
        g,
        CURVE,
        CURVE_STEPS,
        50,
        lr=0.005,
        weight_decay=0.05,
        warmup=6,
        p=0.2,
        label_smoothing=0.05,
        hidden=True,
    )
    yield _run(
        g,
        ACCURACY,
        ACCURACY_STEPS,
        64,
        lr=0.008,
        warmup=8,
        p=0.15,
        label_smoothing=0.0,
        hidden=True,
    )


EXERCISES = [
    exercise(
        ref.train_network,
        points=10,
        kind="pipeline",
        compare="pipeline",
        public=_public,
        hidden=_hidden,
        description=(
            "The milestone: assemble the training pipeline from your own parts. Define (paste "
            "from the earlier chapters, or write now) `linear`, `linear_backward`, `relu`, "
            "`relu_backward`, `batch_norm`, `batch_norm_backward`, `dropout`, "
            "`dropout_backward`, `cross_entropy`, `cross_entropy_backward`, `AdamW` and "
            "`LinearLR`, then `train_network` calling them by these names."
        ),
    )
]

_CHAPTER = "the chapter's own training code (model class, loop, plots), shown on its page"
NOT_EXERCISES = {
    "train.linear": "a part of the milestone: graded through train_network, which records "
    "every call of the student's linear and recomputes it with this reference",
    "train.linear_backward": "a part of the milestone: graded through train_network (each "
    "recorded call recomputed with this reference)",
    "train.network_step": "the reference milestone's own helper (one forward and backward); "
    "students may structure their train_network differently",
    "train.init_network": "builds the milestone's initial parameters for the grader's cases",
    "train.predict_network": "the grader's evaluation of the trained milestone network on the "
    "held-out test set (computed in the trusted parent)",
    "train.MLP": _CHAPTER,
    "train.History": _CHAPTER,
    "train.fit": _CHAPTER,
    "train.evaluate": _CHAPTER,
    "train.predict_proba": _CHAPTER,
    "train.make_scheduler": _CHAPTER,
    "train.recompute_batch_norm": _CHAPTER,
    "train.signal_statistics": _CHAPTER,
    "train.load_digits": "data loading (numpy only), used by the chapter and the grader",
    "train.two_spirals": "data for the chapter's decision-boundary picture",
}
