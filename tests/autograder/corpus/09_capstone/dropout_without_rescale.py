# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (regularization): dropout that zeroes units but does not scale the kept ones by
# 1 / (1 - p): the training-time activations are smaller than at test time.
# EXPECT: {"train.train_network": 5.0}
# LOCATES: {"step": 0, "part": "dropout"}
import numpy as np


def dropout(input, p=0.5, training=True, generator=None):
    if not training:
        return input.copy()
    keep = np.random.default_rng(generator).random(input.shape) >= p
    return input * keep  # the bug: / (1 - p)


def dropout_backward(grad_output, input, p=0.5, training=True, generator=None):
    if not training:
        return grad_output.copy()
    keep = np.random.default_rng(generator).random(input.shape) >= p
    return grad_output * keep
