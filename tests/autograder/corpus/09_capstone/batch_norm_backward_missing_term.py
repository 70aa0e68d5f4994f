# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (norm): BatchNorm's input gradient without the term through the variance,
# -xhat * mean(g * xhat): the gradients of W1 and b1 are wrong from the first step.
# EXPECT: {"train.train_network": 5.0}
# LOCATES: {"step": 0, "part": "batch_norm_backward"}
import numpy as np


def batch_norm_backward(grad_output, input, running_mean, running_var, weight=None, bias=None,
                        training=False, momentum=0.1, eps=1e-05):
    x = input
    mean, var = x.mean(axis=0), x.var(axis=0)
    xhat = (x - mean) / np.sqrt(var + eps)
    g = grad_output * weight
    grad_x = (g - g.mean(axis=0)) / np.sqrt(var + eps)  # the bug: no - xhat * mean(g * xhat)
    return grad_x, (grad_output * xhat).sum(axis=0), grad_output.sum(axis=0)
