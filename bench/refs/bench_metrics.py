"""solutions.metrics vs scikit-learn on ~1e6-sample inputs (ours / sklearn time ratios).

Perplexity, box IoU and COCO AP have no scikit-learn counterpart: perplexity is timed against
torch's exp(cross_entropy) on the same token log-probabilities, box IoU against a plain numpy
broadcast of the same formula; COCO AP is not benchmarked (its cost is the per-image greedy
matching loop, as in pycocotools).
"""

from __future__ import annotations

import warnings

import numpy as np
import sklearn.metrics as skm
import torch
import torch.nn.functional as F

from solutions import metrics as M

warnings.simplefilter("ignore")  # ill-defined metric warnings are not what we time

N = 1_000_000
_rng = np.random.default_rng(0)

# classification: 10 classes, ~70 % accuracy, float sample weights
C = 10
Y_TRUE = _rng.integers(0, C, N)
Y_PRED = np.where(_rng.random(N) < 0.7, Y_TRUE, _rng.integers(0, C, N))
WEIGHT = _rng.random(N)
Y_BIN, P_BIN = Y_TRUE % 2, Y_PRED % 2
Y_STR_TRUE = np.array([f"c{i}" for i in range(C)])[Y_TRUE]
Y_STR_PRED = np.array([f"c{i}" for i in range(C)])[Y_PRED]

# scores: binary (continuous and heavily tied) and 10-class probabilities (100k x 10)
SCORE = Y_BIN + _rng.standard_normal(N)
SCORE_TIED = np.round(SCORE, 1)
NC = N // C
Y_MC = Y_TRUE[:NC]
_logits = _rng.standard_normal((NC, C)) + 2 * np.eye(C)[Y_MC]
PROBA = np.exp(_logits) / np.exp(_logits).sum(axis=1, keepdims=True)
Y_ML = (_rng.random((NC, C)) < 0.3).astype(np.int64)

# regression: 1e6 x 1 and 250k x 4
R_TRUE, R_PRED = _rng.standard_normal(N), _rng.standard_normal(N)
R4_TRUE, R4_PRED = _rng.standard_normal((N // 4, 4)), _rng.standard_normal((N // 4, 4))

# language model: 1e6 tokens over a 32-word vocabulary (log-probs of the targets)
V = 32
_lm_logits = torch.from_numpy(_rng.standard_normal((N, V)))
_lm_targets = torch.from_numpy(_rng.integers(0, V, N))
_lm_log_probs = torch.log_softmax(_lm_logits, dim=-1)
TOKEN_LOG_PROBS = _lm_log_probs.gather(1, _lm_targets[:, None])[:, 0].numpy()

# boxes: 1000 x 1000 pairs
_xy = _rng.random((2000, 2)) * 100
BOXES = np.concatenate([_xy, _xy + 1 + _rng.random((2000, 2)) * 30], axis=1)
B1, B2 = BOXES[:1000], BOXES[1000:]


def _numpy_box_iou(a, b):
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def pair(name, fn, *args, **kwargs):
    """(name, ours, sklearn) for a function that exists under the same name in both."""
    return (
        name,
        lambda: getattr(M, fn)(*args, **kwargs),
        lambda: getattr(skm, fn)(*args, **kwargs),
    )


CASES = [
    pair("confusion_matrix", "confusion_matrix", Y_TRUE, Y_PRED),
    pair("confusion_matrix weighted", "confusion_matrix", Y_TRUE, Y_PRED, sample_weight=WEIGHT),
    pair("confusion_matrix strings", "confusion_matrix", Y_STR_TRUE, Y_STR_PRED),
    pair("accuracy_score", "accuracy_score", Y_TRUE, Y_PRED),
    pair("top_k_accuracy_score k=3", "top_k_accuracy_score", Y_MC, PROBA, k=3),
    pair("f1_score binary", "f1_score", Y_BIN, P_BIN),
    pair("f1_score macro", "f1_score", Y_TRUE, Y_PRED, average="macro"),
    pair(
        "precision_score weighted+w",
        "precision_score",
        Y_TRUE,
        Y_PRED,
        average="weighted",
        sample_weight=WEIGHT,
    ),
    pair("prfs None", "precision_recall_fscore_support", Y_TRUE, Y_PRED),
    pair(
        "f1_score multilabel samples",
        "f1_score",
        Y_ML,
        (PROBA > 0.1).astype(int),
        average="samples",
    ),
    pair("roc_curve", "roc_curve", Y_BIN, SCORE),
    pair("roc_curve tied", "roc_curve", Y_BIN, SCORE_TIED),
    pair("roc_auc_score", "roc_auc_score", Y_BIN, SCORE),
    pair("roc_auc_score weighted", "roc_auc_score", Y_BIN, SCORE, sample_weight=WEIGHT),
    pair("roc_auc_score max_fpr=0.1", "roc_auc_score", Y_BIN, SCORE, max_fpr=0.1),
    pair("roc_auc_score ovr", "roc_auc_score", Y_MC, PROBA, multi_class="ovr"),
    pair("roc_auc_score ovo", "roc_auc_score", Y_MC, PROBA, multi_class="ovo"),
    pair("precision_recall_curve", "precision_recall_curve", Y_BIN, SCORE),
    pair("average_precision_score", "average_precision_score", Y_BIN, SCORE),
    pair("average_precision multilabel", "average_precision_score", Y_ML, PROBA),
    pair("mean_squared_error", "mean_squared_error", R_TRUE, R_PRED),
    pair("root_mean_squared_error 4 out", "root_mean_squared_error", R4_TRUE, R4_PRED),
    pair(
        "mean_absolute_error weighted", "mean_absolute_error", R_TRUE, R_PRED, sample_weight=WEIGHT
    ),
    pair("mean_absolute_percentage_error", "mean_absolute_percentage_error", R_TRUE, R_PRED),
    pair("r2_score", "r2_score", R_TRUE, R_PRED),
    pair(
        "r2_score variance_weighted", "r2_score", R4_TRUE, R4_PRED, multioutput="variance_weighted"
    ),
    (
        "eleven_point_AP vs sklearn AP",
        lambda: M.eleven_point_average_precision(Y_BIN, SCORE),
        lambda: skm.average_precision_score(Y_BIN, SCORE),
    ),
    (
        "all_point_AP vs sklearn AP",
        lambda: M.all_point_average_precision(Y_BIN, SCORE),
        lambda: skm.average_precision_score(Y_BIN, SCORE),
    ),
    (
        "dice_score vs f1_score",
        lambda: M.dice_score(Y_BIN.astype(bool), P_BIN.astype(bool)),
        lambda: skm.f1_score(Y_BIN, P_BIN),
    ),
    (
        "perplexity vs torch exp(CE)",
        lambda: M.perplexity(TOKEN_LOG_PROBS),
        lambda: torch.exp(F.nll_loss(_lm_log_probs, _lm_targets)),
    ),
    ("box_iou 1000x1000 vs numpy", lambda: M.box_iou(B1, B2), lambda: _numpy_box_iou(B1, B2)),
]

# The metrics added for issue 15 (same inputs: 1e6 labels, 100k x 10 probabilities).
P_POS = PROBA[:, 1] / PROBA[:, :2].sum(axis=1)
Y_POS = Y_MC == 1
DECISION = np.log(PROBA)
CASES += [
    (
        f"{name}{suffix}",
        lambda f=name, a=args, k=kw: getattr(M, f)(*a, **k),
        lambda f=name, a=args, k=kw: getattr(skm, f)(*a, **k),
    )
    for name, suffix, args, kw in [
        ("balanced_accuracy_score", "", (Y_TRUE, Y_PRED), {}),
        ("matthews_corrcoef", "", (Y_TRUE, Y_PRED), {}),
        ("cohen_kappa_score", " quadratic", (Y_TRUE, Y_PRED), {"weights": "quadratic"}),
        ("zero_one_loss", " weighted", (Y_TRUE, Y_PRED), {"sample_weight": WEIGHT}),
        ("hamming_loss", "", (Y_TRUE, Y_PRED), {}),
        ("log_loss", " 100k x 10", (Y_MC, PROBA), {}),
        ("brier_score_loss", " binary", (Y_POS, P_POS), {}),
        ("brier_score_loss", " 100k x 10", (Y_MC, PROBA), {}),
        ("hinge_loss", " 100k x 10", (Y_MC, DECISION), {}),
        ("jaccard_score", " macro", (Y_TRUE, Y_PRED), {"average": "macro"}),
        ("det_curve", "", (Y_BIN, SCORE), {}),
        # both loop over the queries in Python (tie averaging): 10k queries, not 100k
        ("ndcg_score", " 10k x 10", (PROBA[:10_000].round(1), DECISION[:10_000]), {}),
    ]
]

# The metrics added in the second round of issue 15 (same inputs). Ranking metrics loop over
# the samples in Python on both sides: 10k x 10, not 100k. calibration_curve is compared
# with sklearn.calibration's; expected_calibration_error has no scikit-learn counterpart and
# is timed against torchmetrics' binary_calibration_error (15 bins) on the same data.
_Y_ML_10K, _S_ML_10K = Y_ML[:10_000], DECISION[:10_000]
R_POSITIVE = np.abs(R_PRED) + 0.1
CASES += [
    (
        f"{name}{suffix}",
        lambda f=name, a=args, k=kw: getattr(M, f)(*a, **k),
        lambda f=name, a=args, k=kw: getattr(skm, f)(*a, **k),
    )
    for name, suffix, args, kw in [
        ("classification_report", " dict", (Y_TRUE, Y_PRED), {"output_dict": True}),
        ("class_likelihood_ratios", "", (Y_BIN, P_BIN), {}),
        ("d2_log_loss_score", " 100k x 10", (Y_MC, PROBA), {}),
        ("d2_brier_score", " 100k x 10", (Y_MC, PROBA), {}),
        ("mean_squared_log_error", "", (np.abs(R_TRUE), np.abs(R_PRED)), {}),
        ("median_absolute_error", " 250k x 4", (R4_TRUE, R4_PRED), {}),
        ("median_absolute_error", " weighted", (R_TRUE, R_PRED), {"sample_weight": WEIGHT}),
        ("explained_variance_score", " 250k x 4", (R4_TRUE, R4_PRED), {}),
        ("max_error", "", (R_TRUE, R_PRED), {}),
        ("mean_pinball_loss", " alpha=0.9", (R_TRUE, R_PRED), {"alpha": 0.9}),
        ("d2_pinball_score", " alpha=0.9", (R_TRUE, R_PRED), {"alpha": 0.9}),
        (
            "mean_tweedie_deviance",
            " power=1.5",
            (np.abs(R_TRUE), np.abs(R_PRED) + 0.1),
            {"power": 1.5},
        ),
        ("label_ranking_average_precision_score", " 10k x 10", (_Y_ML_10K, _S_ML_10K), {}),
        ("label_ranking_loss", " 10k x 10", (_Y_ML_10K, _S_ML_10K), {}),
        ("coverage_error", " 100k x 10", (Y_ML, DECISION), {}),
        ("confusion_matrix_at_thresholds", " tied", (Y_BIN, SCORE_TIED), {}),
    ]
]


def _torchmetrics_ece():
    from torchmetrics.functional.classification import binary_calibration_error

    p, y = torch.from_numpy(P_POS), torch.from_numpy(Y_POS.astype(np.int64))
    return lambda: binary_calibration_error(p, y, n_bins=15)


def _sklearn_calibration_curve():
    from sklearn.calibration import calibration_curve

    return lambda: calibration_curve(Y_POS, P_POS, n_bins=10)


CASES += [
    (
        "calibration_curve 100k",
        lambda: M.calibration_curve(Y_POS, P_POS, n_bins=10),
        _sklearn_calibration_curve(),
    ),
    (
        "expected_calibration_error 100k vs torchmetrics",
        lambda: M.expected_calibration_error(Y_POS, P_POS),
        _torchmetrics_ece(),
    ),
]
