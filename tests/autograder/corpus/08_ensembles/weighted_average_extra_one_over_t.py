# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (ensembles): H = (1/T) sum w_i h_i with weights that already sum to one: the
# backward of that forward is the true gradient divided by T, in every case: 0 of 2.
# EXPECT: {"ensembles.weighted_average_backward": 0}
import numpy as np


def weighted_average_backward(grad_output, probas, weights=None):
    m = probas.shape[0]
    w = np.ones(m) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    expand = w.reshape((-1,) + (1,) * (probas.ndim - 1))
    grad_p = (expand * grad_output / m).astype(probas.dtype)  # the extra 1/T
    if weights is None:
        return grad_p
    average = (expand * probas).sum(axis=0)
    centred = probas - average
    grad_w = (centred * grad_output).reshape(m, -1).sum(axis=1) / np.sum(weights) / m
    return grad_p, grad_w
