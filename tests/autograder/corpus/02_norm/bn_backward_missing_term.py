# ruff: noqa  (a student submission: names come from the rest of the notebook)
# BatchNorm backward without the x_hat * sum(dx_hat * x_hat) term of
# dx = (N dx_hat - sum dx_hat - x_hat sum(dx_hat x_hat)) / (N sqrt(var + eps)).
# Only evaluation mode (running statistics: no such term) is right: 2 of 11 groups of 3.
# EXPECT: {"norm.batch_norm_backward": 0.545455}
import numpy as np


def batch_norm_backward(
    grad_output,
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training=False,
    momentum=0.1,
    eps=1e-05,
):
    axes = (0,) + tuple(range(2, input.ndim))
    shape = (1, -1) + (1,) * (input.ndim - 2)
    if training:
        mean = input.mean(axis=axes, keepdims=True)
        var = input.var(axis=axes, keepdims=True)
    else:
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (input - mean) * inv_std
    gamma = np.ones(input.shape[1], input.dtype) if weight is None else weight
    dx_hat = grad_output * gamma.reshape(shape)
    if training:
        n = input.size // input.shape[1]
        dx = (n * dx_hat - dx_hat.sum(axis=axes, keepdims=True)) * inv_std / n
    else:
        dx = dx_hat * inv_std
    if weight is None:
        return dx.astype(input.dtype), None, None
    return (
        dx.astype(input.dtype),
        (grad_output * x_hat).sum(axis=axes).astype(input.dtype),
        grad_output.sum(axis=axes).astype(input.dtype),
    )
