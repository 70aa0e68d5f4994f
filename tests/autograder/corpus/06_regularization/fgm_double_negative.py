# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (regularization): FGM with r = -eps g/||g|| (the double negative): the step
# decreases the loss. Every case differs.
# EXPECT: {"regularization.fgm": 0}
import numpy as np


def fgm(x, grad, epsilon, clip_min=None, clip_max=None):
    return fgm_reference_free(x, -grad, epsilon, clip_min, clip_max)


def fgm_reference_free(x, grad, epsilon, clip_min, clip_max):
    if grad.ndim == 0:
        norms = np.abs(grad)
    else:
        norms = np.sqrt(np.sum(grad * grad, axis=tuple(range(1, grad.ndim)), keepdims=True))
    step = np.divide(grad, norms, out=np.zeros_like(grad), where=norms > 0)
    out = x + epsilon * step
    if clip_min is not None or clip_max is not None:
        out = np.clip(out, clip_min, clip_max)
    return out
