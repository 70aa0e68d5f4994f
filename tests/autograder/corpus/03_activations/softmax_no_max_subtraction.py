# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (activations): softmax and log-softmax as exp(x) / sum exp(x), without subtracting
# the max first. exp overflows on the extreme inputs (public: |x| up to 1e3, shown by
# check(); hidden: up to 1e4) and gives NaN; everything else is right. Loses both extreme
# groups of log_softmax (2 of 11 groups) and of the two backwards, which use this softmax:
# softmax_backward (2 of 7) and log_softmax_backward (2 of 11).
# EXPECT: {"activations.log_softmax": 0.818182, "activations.softmax_backward": 0.714286, "activations.log_softmax_backward": 0.818182}
import numpy as np


def softmax(input, dim, dtype=None, *, temperature=1.0):
    input = np.asarray(input, dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(input / temperature)
        return e / e.sum(axis=dim, keepdims=True)


def log_softmax(input, dim, dtype=None, *, temperature=1.0):
    z = np.asarray(input, dtype=dtype) / temperature
    with np.errstate(over="ignore", invalid="ignore"):
        return z - np.log(np.exp(z).sum(axis=dim, keepdims=True))
