# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (losses): NLL "takes the log of the probability and negates it": the gradient of
# -log(input[target]) is -1/input[target] instead of -1. Every case group fails: 0 of 1.
# EXPECT: {"losses.nll_loss_backward": 0}
import numpy as np


def nll_loss_backward(
    grad_output, input, target, weight=None, *, ignore_index=-100, reduction="mean"
):
    n, n_classes = input.shape
    w = np.ones(n_classes, dtype=input.dtype) if weight is None else weight
    keep = target != ignore_index
    safe = np.where(keep, target, 0)
    row_weight = w[safe] * keep
    if reduction == "mean":
        per_row = grad_output * row_weight / row_weight.sum()
    elif reduction == "sum":
        per_row = grad_output * row_weight
    else:
        per_row = grad_output * row_weight
    grad = np.zeros_like(input)
    rows = np.arange(n)
    grad[rows, safe] = -per_row / input[rows, safe]  # d/dx of -log(x): the extra log
    return grad
