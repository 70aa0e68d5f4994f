"""07_metrics: precision/recall/F-scores by average, top-k accuracy, Dice, per-class counts,
chance-corrected agreement (balanced accuracy, MCC, kappa) and probabilistic scores."""

import numpy as np

from autograder.edges import both, has_ties, option
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
            # the options: the other class as positive, weighted samples, a subset of labels
            y_true, y_pred = _labels(g, n, 2)
            w = g.uniform(n, low=0.1, high=2.0)
            yield case(
                "options",
                y_true,
                y_pred,
                average="binary",
                pos_label=0,
                sample_weight=w,
                zero_division=0,
            )
            y_true, y_pred = _labels(g, n, 4)
            yield case("options", y_true, y_pred, labels=[3, 0], average="macro", zero_division=0)

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
            w = g.uniform(n, low=0.1, high=2.0)
            labels = np.arange(classes) * 10 + 5  # class c is labels[c], column c
            yield case("weights, labels", labels[y], scores, k=2, sample_weight=w, labels=labels)
            # tied scores within a row (rounded): broken as scikit-learn does
            yield case("ties", y, np.round(scores, 0), k=2)

    return make


def _dice(hidden: bool):
    def make(g):
        n = 50 if hidden else 10
        yield case("basic", *_labels(g, n, 2))
        if hidden:
            yield case("empty masks", g.integers(0, 1, n), g.integers(0, 1, n))
            yield case("empty masks", g.integers(0, 1, n), g.integers(0, 1, n), zero_division=0.0)
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
            y_true, y_pred = _labels(g, n, 4)
            w = g.uniform(n, low=0.1, high=2.0)
            yield case("weights, labels", y_true, y_pred, sample_weight=w, labels=[2, 0, 3])

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


def _weights(g, n):
    return g.uniform(n, low=0.1, high=2.0)


def _scores(hidden: bool, multiclass: bool = False, options=None, public_cases=()):
    """Binary labels and scores with ties (rounded scores), as ranking metrics see them.
    ``options(g, n)``: the keyword options of one more hidden case (group ``options``);
    ``public_cases``: fixed ``(group, y_true, y_score)`` public cases (a rule made visible)."""

    def make(g):
        n = 40 if hidden else 12
        y = g.integers(0, 2, n)
        yield case("binary", y, g.uniform(n) + 0.3 * y)
        # by keyword: rounded scores (0.5, ...) are not mistaken for leaked data (leak test)
        yield case("ties", y, y_score=np.round(g.uniform(n) + 0.3 * y, 1))
        if multiclass:
            labels = g.integers(0, 3, n)
            ovr = {"average": "weighted", "labels": [0, 1, 2]} if hidden else {}
            yield case("ovr", labels, g.probs(n, 3), multi_class="ovr", **ovr)
        if hidden and options is not None:
            y = g.integers(0, 2, n)
            yield case("options", y, y_score=np.round(g.uniform(n) + 0.3 * y, 1), **options(g, n))
        if not hidden:
            for group, y_true, y_score in public_cases:
                yield case(group, np.array(y_true), y_score=np.array(y_score))

    return make


def _and_ovo(factory):
    """``factory``'s cases and one-vs-one multiclass AUCs (macro and prevalence-weighted)."""

    def make(g):
        yield from factory(g)
        labels = g.integers(0, 3, 40)
        for average in ("macro", "weighted"):
            yield case("ovo", labels, g.probs(40, 3), multi_class="ovo", average=average)

    return make


def _pos_label_weights(**extra):
    def options(g, n):
        return {"pos_label": 0, "sample_weight": _weights(g, n), **extra}

    return options


#: Four positives and a negative: the point of threshold 0.8 is collinear with its neighbours
#: (0, 1/4) and (0, 1) but the steps around it differ (one positive, then two): it is kept.
#: Ten positives: recalls are exact multiples of 1/10, and precision drops after 3 of them:
#: the level is linspace's 0.30000000000000004 (as in the VOC devkit), which the recall 3/10
#: does not reach (the statement says so).
_RECALL_TENTHS = [
    (
        "recall levels k/10",
        [1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0],
        list(np.linspace(1.0, 0.3, 15).round(3)),
    )
]
_UNEQUAL_STEPS = [("unequal steps", [1, 1, 1, 1, 0], [0.9, 0.8, 0.7, 0.7, 0.1])]


def _multilabel_ap(factory):
    """average_precision_score's hidden cases plus multilabel targets averaged over labels."""

    def make(g):
        yield from factory(g)
        y = g.integers(0, 2, 20, 3)
        y[0] = 1  # every label has a positive
        yield case("multilabel", y, g.uniform(20, 3) + 0.3 * y, average="micro")

    return make


def _curve_points(hidden: bool):
    def make(g):
        x = np.sort(g.uniform(12 if hidden else 6))
        yield case("increasing", x, g.uniform(x.size))
        yield case("decreasing", x[::-1].copy(), g.uniform(x.size))
        if hidden:  # repeated x values (a vertical step) are still monotonic
            x = np.sort(np.round(g.uniform(12), 1))
            x[3] = x[4]
            yield case("repeated x", x, g.uniform(x.size))
            # decreasing with a repeat: still monotonic (the area keeps its sign)
            yield case("repeated x", x[::-1].copy(), g.uniform(x.size))

    return make


def _boxes(g, n):
    xy = g.uniform(n, 2, high=10.0)
    return np.concatenate([xy, xy + g.uniform(n, 2, low=0.5, high=5.0)], axis=1)


def _box_cases(pairwise: bool):
    def make(hidden: bool):
        def factory(g):
            n = 6 if hidden else 3
            if pairwise:
                yield case("boxes", _boxes(g, n), _boxes(g, n + 1))
                a = _boxes(g, 2)
                yield case("identical and disjoint", a, np.concatenate([a, a + 100.0]))
            else:
                yield case("boxes", _boxes(g, n))

        return factory

    return make


def _coco(hidden: bool):
    def make(g):
        gt = _boxes(g, 6 if hidden else 3)
        det = np.concatenate([gt + g.normal(*gt.shape, scale=0.5), _boxes(g, 2)])
        yield case("one image", {"boxes": det, "scores": g.uniform(len(det))}, {"boxes": gt})
        yield case(
            "AP50",
            {"boxes": det, "scores": g.uniform(len(det))},
            {"boxes": gt},
            iou_thresholds=np.array([0.5]),
        )
        if hidden:
            dets = {"boxes": det, "scores": g.uniform(len(det))}
            yield case("recall_points", dets, {"boxes": gt}, recall_points=11)
            # tied scores: ranked by image, then input order
            tied = {"boxes": det, "scores": np.round(g.uniform(len(det)), 1)}
            tied["scores"][1::2] = tied["scores"][::2][: len(det) // 2]
            yield case("ties", tied, {"boxes": gt})

    return make


def _perplexity(hidden: bool):
    def make(g):
        lp = np.log(g.uniform(*((4, 9) if hidden else (2, 5)), low=0.05, high=1.0))
        yield case("tokens", lp)
        yield case("mask", lp, mask=g.integers(0, 2, *lp.shape).astype(bool) | (lp > -1.0))

    return make


def _regression(hidden: bool, positive: bool = False):
    def make(g):
        n = 25 if hidden else 8
        y = g.uniform(n, low=1.0, high=5.0) if positive else g.normal(n)
        yield case("basic", y, y + 0.3 * g.normal(n))
        yield case("sample_weight", y, y + 0.3 * g.normal(n), sample_weight=g.uniform(n))
        y2 = g.uniform(n, 2, low=1.0, high=5.0)
        yield case("multioutput", y2, y2 + 0.3 * g.normal(n, 2), multioutput="raw_values")

    return make


def _constant_target(factory):
    """r2_score's hidden cases plus a constant target (R^2 is 0/0): both conventions."""

    def make(g):
        yield from factory(g)
        y = np.full(8, 2.5)
        pred = y + 0.3 * g.normal(8)
        yield case("constant target", y, pred)
        yield case("constant target", y, pred, force_finite=False)
        y2 = g.uniform(12, 2, low=1.0, high=5.0)
        pred2 = y2 + 0.5 * g.normal(12, 2)
        yield case("options", y2, pred2, multioutput="variance_weighted", force_finite=False)

    return make


def _one(fn, factory, points=1, **kw):
    return exercise(fn, points=points, public=factory(False), hidden=factory(True), **kw)


EXERCISES += [
    _one(ref.precision_recall_fscore_support, _fbeta, points=1),
    exercise(
        ref.roc_curve,
        points=1,
        public=_scores(False, public_cases=_UNEQUAL_STEPS),
        hidden=_scores(True, options=_pos_label_weights(drop_intermediate=False)),
    ),
    _one(ref.auc, _curve_points),
    exercise(
        ref.roc_auc_score,
        points=1,
        public=_scores(False, multiclass=True),
        hidden=_and_ovo(
            _scores(
                True,
                multiclass=True,
                options=lambda g, n: {"sample_weight": _weights(g, n), "max_fpr": 0.5},
            )
        ),
    ),
    exercise(
        ref.precision_recall_curve,
        points=1,
        public=_scores(False),
        hidden=_scores(True, options=_pos_label_weights(drop_intermediate=True)),
    ),
    exercise(
        ref.average_precision_score,
        points=1,
        public=_scores(False),
        hidden=_multilabel_ap(_scores(True, options=_pos_label_weights())),
    ),
    exercise(
        ref.eleven_point_average_precision,
        points=1,
        public=_scores(False, public_cases=_RECALL_TENTHS),
        hidden=_scores(True, options=_pos_label_weights()),
    ),
    exercise(
        ref.all_point_average_precision,
        points=1,
        public=_scores(False),
        hidden=_scores(True, options=_pos_label_weights()),
    ),
    _one(ref.box_area, _box_cases(False)),
    _one(ref.box_iou, _box_cases(True)),
    _one(ref.coco_average_precision, _coco, points=1),
    _one(ref.perplexity, _perplexity),
    _one(ref.root_mean_squared_error, _regression),
    _one(ref.mean_absolute_error, _regression),
    exercise(
        ref.mean_absolute_percentage_error,
        points=1,
        public=_regression(False, positive=True),
        hidden=_regression(True, positive=True),
    ),
    exercise(
        ref.r2_score,
        points=1,
        public=_regression(False),
        hidden=_constant_target(_regression(True)),
    ),
]


def _agreement(hidden: bool):
    """Labels with errors; weights and an absent class in the hidden groups."""

    def make(g):
        n = 40 if hidden else 12
        yield case("binary", *_labels(g, n, 2))
        yield case("multiclass", *_labels(g, n, 4))
        if hidden:
            yield case("sample_weight", *_labels(g, n, 3), sample_weight=g.uniform(n))
            y_true, y_pred = _labels(g, n, 3)
            yield case("constant prediction", y_true, np.zeros_like(y_pred))

    return make


def _kappa(hidden: bool):
    inner = _agreement(hidden)

    def make(g):
        yield from inner(g)
        yield case("quadratic", *_labels(g, 30, 5), weights="quadratic")
        if hidden:
            yield case("linear", *_labels(g, 30, 5), weights="linear")

    return make


def _probabilistic(hidden: bool, binary_vector: bool = False):
    """Labels and predicted probabilities (rows sum to 1), with a confident mistake."""

    def make(g):
        n = 30 if hidden else 10
        y = g.integers(0, 2, n)
        p = g.uniform(n, low=0.05, high=0.95)
        yield case("binary", y, p if binary_vector else np.stack([1 - p, p], axis=1))
        k = 4
        labels = g.integers(0, k, n)
        yield case("multiclass", labels, g.probs(n, k), labels=list(range(k)))
        if hidden:
            yield case(
                "sample_weight",
                labels,
                g.probs(n, k),
                labels=list(range(k)),
                sample_weight=g.uniform(n),
            )
            sure = np.zeros((n, k))
            sure[np.arange(n), (labels + 1) % k] = 1.0  # certain and always wrong
            yield case("confident mistakes", labels, sure, labels=list(range(k)))

    return make


def _and_options(factory, options):
    """``factory``'s hidden cases plus ``options(g)``: cases (group ``options``) setting the
    options no other case sets."""

    def make(hidden: bool):
        inner = factory(hidden)

        def cases(g):
            yield from inner(g)
            if hidden:
                yield from options(g)

        return cases

    return make


def _balanced_options(g):
    yield case("options", *_labels(g, 30, 3), adjusted=True)


def _kappa_options(g):
    yield case("options", *_labels(g, 30, 4), labels=[0, 2, 3])
    same = np.zeros(10, dtype=np.int64)  # one class only: chance agreement 1, kappa 0/0
    yield case("options", same, same.copy(), labels=[0, 1], replace_undefined_by=0.5)


def _log_loss_options(g):
    labels = g.integers(0, 3, 20)
    yield case("options", labels, g.probs(20, 3), labels=[0, 1, 2], normalize=False)
    # normalize=False with weights: the weighted sum
    w = g.uniform(20, low=0.1, high=2.0)
    yield case("options", labels, g.probs(20, 3), normalize=False, sample_weight=w)


def _brier_options(g):
    y = g.integers(0, 2, 20)
    p = g.uniform(20, low=0.05, high=0.95)
    yield case("options", y, p, pos_label=0)
    labels = g.integers(0, 3, 20)
    yield case("options", labels, g.probs(20, 3), labels=[0, 1, 2], scale_by_half=False)


EXERCISES += [
    _one(ref.balanced_accuracy_score, _and_options(_agreement, _balanced_options), points=1),
    _one(ref.matthews_corrcoef, _agreement, points=2),
    _one(ref.cohen_kappa_score, _and_options(_kappa, _kappa_options), points=2),
    _one(ref.log_loss, _and_options(_probabilistic, _log_loss_options), points=2),
    exercise(
        ref.brier_score_loss,
        points=1,
        public=_probabilistic(False, binary_vector=True),
        hidden=_and_options(
            lambda hidden: _probabilistic(hidden, binary_vector=True), _brier_options
        )(True),
    ),
]

NOT_EXERCISES = {
    "metrics.UndefinedMetricWarning": "a warning class (sklearn's), not a metric",
    "metrics.confusion_matrix": "taught on the page through its two kernels "
    "(_confusion_counts, _normalize_confusion: worked examples); the rest is argument handling",
    "metrics.zero_one_loss": "one minus accuracy_score (a worked example); taught with it",
    "metrics.hamming_loss": "the per-entry error rate, zero_one_loss for single-label data; "
    "a special case of the graded counts",
    "metrics.jaccard_score": "TP / (TP + FP + FN) = F1 / (2 - F1) per class, averaged as the "
    "graded F-scores (box_iou grades the same ratio for boxes)",
    "metrics.det_curve": "the graded roc_curve's points with FNR = 1 - TPR, trimmed to the "
    "useful range",
    "metrics.dcg_score": "a retrieval ranking score; the graded AP variants cover rankings",
    "metrics.ndcg_score": "dcg_score over the ideal ranking's; the graded AP variants cover "
    "rankings",
    "metrics.hinge_loss": "the margin loss of chapter 04 (multi_margin_loss, graded there) "
    "read as a metric of decision values",
    "metrics.classification_report": "a formatted table (text or dict) of the graded "
    "precision_recall_fscore_support per label and averaged; no new quantity",
    "metrics.class_likelihood_ratios": "TPR / FPR and FNR / TNR from the graded confusion counts",
    "metrics.d2_log_loss_score": "1 - log_loss / log_loss of the class prior: the graded "
    "log_loss twice",
    "metrics.d2_brier_score": "1 - Brier / Brier of the class prior: the graded "
    "brier_score_loss twice",
    "metrics.label_ranking_average_precision_score": "multilabel ranking; the graded AP "
    "variants cover rankings",
    "metrics.coverage_error": "multilabel ranking (depth of the lowest relevant label); the "
    "graded AP variants cover rankings",
    "metrics.label_ranking_loss": "the share of misordered pairs, 1 - AUC per sample; the "
    "graded roc_auc_score covers it",
    "metrics.confusion_matrix_at_thresholds": "the counts behind the graded roc_curve and "
    "precision_recall_curve",
    "metrics.metric_at_thresholds": "a loop calling a metric it is given (a callable cannot "
    "cross the sandbox)",
    "metrics.mean_squared_log_error": "mean_squared_error of log1p: the graded RMSE's pattern",
    "metrics.root_mean_squared_log_error": "root_mean_squared_error of log1p (graded)",
    "metrics.median_absolute_error": "a median instead of the graded MAE's mean",
    "metrics.explained_variance_score": "r2_score (graded) with the residuals centred",
    "metrics.max_error": "the largest absolute error; one line of numpy",
    "metrics.d2_pinball_score": "1 - pinball loss / pinball loss of the constant quantile",
    "metrics.d2_absolute_error_score": "d2_pinball_score with alpha = 0.5",
    "metrics.mean_tweedie_deviance": "a GLM deviance family beyond the course's scope "
    "(power 0 is the graded MSE's square)",
    "metrics.mean_poisson_deviance": "mean_tweedie_deviance with power 1",
    "metrics.mean_gamma_deviance": "mean_tweedie_deviance with power 2",
    "metrics.d2_tweedie_score": "1 - deviance / deviance of the mean (power 0: the graded "
    "r2_score)",
}

#: Options no graded case sets, and why (tests/autograder/test_coverage.py).
UNGRADED_OPTIONS = {
    "metrics.precision_recall_fscore_support.warn_for": "only chooses which warnings are "
    "raised; warnings are not graded",
}


def _scores(detections) -> np.ndarray:
    images = [detections] if isinstance(detections, dict) else list(detections)
    return np.concatenate([np.asarray(d["scores"], dtype=np.float64).ravel() for d in images])


def _tied_positive_and_negative(a) -> bool:
    """A positive and a negative with the same score (binary y_true)."""
    y, s = np.asarray(a["y_true"]), np.asarray(a["y_score"])
    if s.ndim != 1:
        return False
    positive = y == (a.get("pos_label") or y.max())
    return bool(np.intersect1d(s[positive], s[~positive]).size)


#: Edges the statements name (tests/autograder/test_edges.py; see autograder/edges.py).
EDGES = {
    "metrics.top_k_accuracy_score": {"ties: tied scores in a row": has_ties("y_score")},
    "metrics.roc_curve": {"ties: tied scores": has_ties("y_score", axis=None)},
    "metrics.roc_auc_score": {"ties: a positive and a negative tied": _tied_positive_and_negative},
    "metrics.eleven_point_average_precision": {"ties: tied scores": has_ties("y_score", axis=None)},
    "metrics.coco_average_precision": {
        "ties: tied detection scores": lambda a: has_ties("s", axis=None)(
            {"s": _scores(a["detections"])}
        )
    },
    "metrics.expected_calibration_error": {
        "ties: tied probabilities, quantile edges": both(
            option("strategy", "quantile"), has_ties("y_prob", axis=None)
        )
    },
    "metrics.dice_score": {
        "empty masks": lambda a: not np.any(a["y_true"]) and not np.any(a["y_pred"])
    },
}


def _calibration(hidden: bool):
    """An overconfident binary forecaster; hidden: quantile bins, probabilities on the bin
    edges (right-closed bins: 0.2 belongs to (0, 0.2]), the other label as positive."""

    def make(g):
        n = 200 if hidden else 40
        p = g.uniform(n)
        y = (g.uniform(n) < p**1.5).astype(np.int64)
        yield case("uniform bins", y, p)
        yield case("n_bins", y, p, n_bins=10)
        if hidden:
            yield case("quantile", y, p, n_bins=4, strategy="quantile")
            on_edges = g.integers(0, 11, n) / 10
            yield case("bin edges", y, on_edges, n_bins=5)
            yield case("pos_label", 1 - y, 1 - p, pos_label=0)

    return make


def _calibration_error(hidden: bool):
    """Binary forecasts (as calibration_curve) and multiclass top-label forecasts."""
    binary = _calibration(hidden)

    def make(g):
        yield from binary(g)
        if hidden:  # under-confident below 1/2, over-confident above: the bins matter (the
            # l1 ECE of a forecaster that errs the same way in every bin ignores the binning)
            p = g.uniform(200)
            y = (g.uniform(200) < 0.25 + 0.5 * p).astype(np.int64)
            yield case("quantile", y, p, n_bins=4, strategy="quantile")
            yield case("uniform bins", y, p, n_bins=5)
            # gaps of alternating sign from bin to bin: merging two neighbouring bins (a
            # dropped or misplaced edge) changes every norm, not only "max" and "l2"
            p = g.uniform(200)
            y = (g.uniform(200) < np.clip(p + 0.3 * np.sin(7 * np.pi * p), 0, 1)).astype(np.int64)
            for norm in ("l1", "max"):
                yield case("quantile", y, p, n_bins=7, strategy="quantile", norm=norm)
            # probabilities on the edges, 0 and 1 included, many tied: quantile edges fall on
            # tied values (a value equal to an edge belongs to the bin it closes; equal edges
            # leave empty bins) and p = 0 belongs to the first bin
            on_edges = g.integers(0, 11, 200) / 10
            y = g.uniform(200) < np.clip(on_edges + 0.3 * np.sin(7 * np.pi * on_edges), 0, 1)
            for strategy in ("uniform", "quantile"):
                yield case(
                    "bin edges",
                    y.astype(np.int64),
                    on_edges,
                    n_bins=6,
                    strategy=strategy,
                    norm="l2",
                )
        n, k = (150, 4) if hidden else (30, 3)
        labels = g.integers(0, k, n)
        yield case("top-label", labels, g.probs(n, k), n_bins=10)
        if hidden:
            proba = g.probs(n, k)
            yield case("norm", labels, proba, norm="max")
            yield case("norm", labels, proba, norm="l2")
            names = np.array([2, 5, 7, 9])
            yield case("options", names[labels], proba, labels=names.tolist(), n_bins=5)

    return make


def _pinball(hidden: bool):
    """The regression groups at a low quantile level; hidden: a high level, alpha = 0.5
    (half the MAE) and exact ties (y == y_pred counts as under-prediction: loss 0)."""
    inner = _regression(hidden)

    def make(g):
        for c in inner(g):
            yield case(c.group, *c.args, alpha=0.1, **c.kwargs)
        if hidden:
            y = g.normal(20)
            pred = y + g.normal(20)
            yield case("alpha", y, pred, alpha=0.9)
            yield case("alpha", y, pred)
            pred[::2] = y[::2]
            yield case("exact predictions", y, pred, alpha=0.75)

    return make


EXERCISES += [
    _one(ref.mean_pinball_loss, _pinball, points=1),
    _one(ref.calibration_curve, _calibration, points=1),
    _one(ref.expected_calibration_error, _calibration_error, points=2),
]
