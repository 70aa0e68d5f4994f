# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (losses): BCE as -sum y log p, without the (1 - y) log(1 - p) term. The targets
# are never all 1, so every case group fails: 0 of 1.
# EXPECT: {"losses.binary_cross_entropy": 0}
import numpy as np


def binary_cross_entropy(input, target, weight=None, *, reduction="mean"):
    losses = -target * np.maximum(np.log(input), -100.0)
    if weight is not None:
        losses = losses * weight
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()
