# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Alternative correct implementations: log-cosh and BCE-with-logits through np.logaddexp
# (another stable formula than the reference's), the log-cosh gradient as tanh. Full marks.
# EXPECT: {}
import numpy as np


def _reduce(losses, reduction):
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()


def log_cosh_loss(input, target, *, reduction="mean"):
    d = input - target
    return _reduce(np.logaddexp(d, -d) - np.log(2.0).astype(d.dtype), reduction)


def log_cosh_loss_backward(grad_output, input, target, *, reduction="mean"):
    d = input - target
    scale = 1.0 / d.size if reduction == "mean" else 1.0
    return (grad_output * scale * np.tanh(d)).astype(d.dtype)


def binary_cross_entropy_with_logits(
    input, target, weight=None, *, reduction="mean", pos_weight=None
):
    x, y = input, target
    softplus_neg = np.logaddexp(np.zeros_like(x), -x)  # -log sigmoid(x)
    coef = 1.0 if pos_weight is None else 1.0 + (pos_weight - 1.0) * y
    losses = (1.0 - y) * x + coef * softplus_neg
    if weight is not None:
        losses = losses * weight
    return _reduce(losses.astype(x.dtype), reduction)
