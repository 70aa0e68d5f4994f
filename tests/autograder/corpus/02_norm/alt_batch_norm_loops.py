# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Alternative correct implementation: BatchNorm channel by channel with explicit loops and
# a two-pass variance. Full marks.
# EXPECT: {}
import numpy as np


def batch_norm(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training=False,
    momentum=0.1,
    eps=1e-05,
):
    out = np.empty_like(input)
    for ch in range(input.shape[1]):
        values = input[:, ch].ravel()
        if training:
            mean = sum(values) / len(values)
            var = sum((v - mean) ** 2 for v in values) / len(values)
            if running_mean is not None:
                unbiased = var * len(values) / (len(values) - 1)
                running_mean[ch] = (1 - momentum) * running_mean[ch] + momentum * mean
                running_var[ch] = (1 - momentum) * running_var[ch] + momentum * unbiased
        else:
            mean, var = running_mean[ch], running_var[ch]
        y = (input[:, ch] - mean) / np.sqrt(var + eps)
        if weight is not None:
            y = y * weight[ch]
        if bias is not None:
            y = y + bias[ch]
        out[:, ch] = y
    return out
