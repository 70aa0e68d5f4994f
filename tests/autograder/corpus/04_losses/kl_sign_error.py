# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (losses): KL written -sum p log(p/q) (the seed's sign). Every value has the wrong
# sign, so every case group fails: 0 of 1. The backward is not touched.
# EXPECT: {"losses.kl_div": 0}
import numpy as np


def kl_div(input, target, *, reduction="mean", log_target=False):
    log_p = target if log_target else np.log(target)
    p = np.exp(target) if log_target else target
    pointwise = -p * (log_p - input)
    if reduction == "none":
        return pointwise
    if reduction == "sum":
        return pointwise.sum()
    if reduction == "batchmean":
        return pointwise.sum() / input.shape[0]
    return pointwise.mean()
