# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (activations): softmax and log-softmax as exp(x) / sum exp(x), without subtracting
# the max first. exp overflows on the hidden extreme inputs (|x| up to 1e4) and gives NaN;
# everything else is right. Loses the extreme group of log_softmax (1 of 8 groups) and of
# the two backwards, which use this softmax: softmax_backward (1 of 6) and
# log_softmax_backward (1 of 8).
# EXPECT: {"activations.log_softmax": 0.875, "activations.softmax_backward": 0.833333, "activations.log_softmax_backward": 0.875}
import numpy as np


def softmax(input, dim, *, temperature=1.0):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(input / temperature)
        return e / e.sum(axis=dim, keepdims=True)


def log_softmax(input, dim, *, temperature=1.0):
    z = input / temperature
    with np.errstate(over="ignore", invalid="ignore"):
        return z - np.log(np.exp(z).sum(axis=dim, keepdims=True))
