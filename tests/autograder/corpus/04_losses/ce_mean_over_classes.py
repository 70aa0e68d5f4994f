# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (losses): cross-entropy as -(targets * log_softmax).mean() over the N x C matrix,
# which also divides by C. reduction="none"/"sum" are right, so only the two "reduction"
# groups and the two "ignore_index,label_smoothing,reduction=sum" groups (public and hidden)
# pass: 4 of 22 groups of 1 point. info_nce calls cross_entropy,
# so it keeps only its two "reduction" groups too: 2 of 12.
# EXPECT: {"losses.cross_entropy": 0.181818, "losses.info_nce": 0.166667}
import numpy as np


def cross_entropy(
    input, target, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    x = np.moveaxis(input, 1, -1)  # classes last
    n_classes = x.shape[-1]
    z = x - x.max(axis=-1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    if np.issubdtype(target.dtype, np.integer):
        keep = target != ignore_index
        q = np.eye(n_classes, dtype=x.dtype)[np.where(keep, target, 0)] * keep[..., None]
    else:
        q = np.moveaxis(target, 1, -1)
    q = (1 - label_smoothing) * q + label_smoothing / n_classes * q.sum(-1, keepdims=True)
    w = np.ones(n_classes, dtype=x.dtype) if weight is None else weight
    losses = -(w * q * log_probs)  # N x C
    if reduction == "none":
        return losses.sum(axis=-1)
    if reduction == "sum":
        return losses.sum()
    return losses.mean()
