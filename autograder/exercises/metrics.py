"""07_metrics: precision/recall/F-scores by average, top-k accuracy, Dice, per-class counts."""

from autograder.registry import case, exercise
from solutions import metrics as ref


def _labels(g, n, classes):
    y_true = g.integers(0, classes, n)
    y_pred = y_true.copy()
    flip = g.rng.random(n) < 0.4
    y_pred[flip] = g.integers(0, classes, int(flip.sum()))
    return y_true, y_pred


def _averaged(hidden: bool):
    """Groups: binary, macro, micro, weighted (hidden), absent class with zero_division."""

    def make(g):
        n = 40 if hidden else 12
        yield case("binary", *_labels(g, n, 2), zero_division=0)
        for average in ("macro", "micro") + (("weighted",) if hidden else ()):
            yield case(f"average={average}", *_labels(g, n, 4), average=average, zero_division=0)
        if hidden:
            y_true, y_pred = _labels(g, n, 3)
            y_pred[y_pred == 2] = 0  # class 2 never predicted: precision is 0/0
            yield case("zero_division", y_true, y_pred, average="macro", zero_division=1.0)
            yield case("zero_division", y_true, y_pred, average=None, zero_division=0.0)

    return make


def _fbeta(hidden: bool):
    inner = _averaged(hidden)

    def make(g):
        for c in inner(g):
            yield case(c.group, *c.args, beta=0.5 if hidden else 2.0, **c.kwargs)

    return make


def _top_k(hidden: bool):
    def make(g):
        n, classes = (30, 6) if hidden else (8, 4)
        scores = g.normal(n, classes)
        y = g.integers(0, classes, n)
        yield case("k=2", y, scores, k=2)
        yield case("k=1", y, scores, k=1)
        if hidden:
            yield case("k=3, counts", y, scores, k=3, normalize=False)

    return make


def _dice(hidden: bool):
    def make(g):
        n = 50 if hidden else 10
        yield case("basic", *_labels(g, n, 2))
        if hidden:
            yield case("empty masks", g.integers(0, 1, n), g.integers(0, 1, n))
            yield case("smooth", *_labels(g, n, 2), smooth=1.0)

    return make


def _multilabel(hidden: bool):
    def make(g):
        n = 30 if hidden else 10
        yield case("multiclass", *_labels(g, n, 3))
        if hidden:
            yield case(
                "samplewise", g.integers(0, 2, n, 4), g.integers(0, 2, n, 4), samplewise=True
            )

    return make


EXERCISES = [
    exercise(ref.precision_score, points=4, public=_averaged(False), hidden=_averaged(True)),
    exercise(ref.recall_score, points=4, public=_averaged(False), hidden=_averaged(True)),
    exercise(
        ref.f1_score,
        points=4,
        public=_averaged(False),
        hidden=_averaged(True),
        description="F1 per class, then averaged: macro is the mean of per-class F1, "
        "not the harmonic mean of macro precision and macro recall.",
    ),
    exercise(ref.fbeta_score, points=4, public=_fbeta(False), hidden=_fbeta(True)),
    exercise(ref.top_k_accuracy_score, points=3, public=_top_k(False), hidden=_top_k(True)),
    exercise(ref.dice_score, points=3, public=_dice(False), hidden=_dice(True)),
    exercise(
        ref.multilabel_confusion_matrix,
        points=2,
        public=_multilabel(False),
        hidden=_multilabel(True),
    ),
]
