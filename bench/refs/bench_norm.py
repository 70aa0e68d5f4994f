"""Benchmarks of solutions/norm.py against torch.nn.functional on ~1e6 float64 elements.

Forward: ours vs ``F.<name>``. Backward: ours (which recomputes the statistics from the
input) vs torch autograd from the input (forward with a graph, then the backward), so both
sides do the same work.
"""

import numpy as np
import torch
import torch.nn.functional as F

from solutions import norm

rng = np.random.default_rng(0)
IMAGES = (64, 64, 16, 16)  # (N, C, H, W): 1,048,576 elements
ROWS = (1024, 1024)  # (batch, features) for layer/RMS norm and BatchNorm1d-style input
x4 = rng.standard_normal(IMAGES) * 2 + 1
g4 = rng.standard_normal(IMAGES)
x2 = rng.standard_normal(ROWS) * 2 + 1
g2 = rng.standard_normal(ROWS)
C = IMAGES[1]
w_c, b_c = rng.standard_normal(C), rng.standard_normal(C)
w_f, b_f = rng.standard_normal(ROWS[1]), rng.standard_normal(ROWS[1])
running_mean, running_var = np.zeros(C), np.ones(C)
GROUPS = 8

t = torch.from_numpy
x4t, g4t, x2t, g2t = t(x4), t(g4), t(x2), t(g2)
w_ct, b_ct, w_ft, b_ft = t(w_c), t(b_c), t(w_f), t(b_f)
running_mean_t, running_var_t = t(running_mean.copy()), t(running_var.copy())


def autograd(fn, grad, *tensors):
    """torch: forward with a graph from fresh leaves, then the backward."""
    leaves = [a.detach().requires_grad_(True) for a in tensors]
    return lambda: torch.autograd.grad(fn(*leaves), leaves, grad)


CASES = [
    (
        "batch_norm (train, 4-d)",
        lambda: norm.batch_norm(x4, running_mean, running_var, w_c, b_c, training=True),
        lambda: F.batch_norm(x4t, running_mean_t, running_var_t, w_ct, b_ct, training=True),
    ),
    (
        "batch_norm (eval, 4-d)",
        lambda: norm.batch_norm(x4, running_mean, running_var, w_c, b_c),
        lambda: F.batch_norm(x4t, running_mean_t, running_var_t, w_ct, b_ct),
    ),
    (
        "batch_norm (train, 2-d)",
        lambda: norm.batch_norm(x2, None, None, w_f, b_f, training=True),
        lambda: F.batch_norm(x2t, None, None, w_ft, b_ft, training=True),
    ),
    (
        "batch_norm_backward (train, 4-d)",
        lambda: norm.batch_norm_backward(g4, x4, None, None, w_c, b_c, training=True),
        autograd(lambda a, w, b: F.batch_norm(a, None, None, w, b, True), g4t, x4t, w_ct, b_ct),
    ),
    (
        "layer_norm",
        lambda: norm.layer_norm(x2, (ROWS[1],), w_f, b_f),
        lambda: F.layer_norm(x2t, (ROWS[1],), w_ft, b_ft),
    ),
    (
        "layer_norm_backward",
        lambda: norm.layer_norm_backward(g2, x2, (ROWS[1],), w_f, b_f),
        autograd(lambda a, w, b: F.layer_norm(a, (ROWS[1],), w, b), g2t, x2t, w_ft, b_ft),
    ),
    (
        "rms_norm",
        lambda: norm.rms_norm(x2, (ROWS[1],), w_f),
        lambda: F.rms_norm(x2t, (ROWS[1],), w_ft),
    ),
    (
        "rms_norm_backward",
        lambda: norm.rms_norm_backward(g2, x2, (ROWS[1],), w_f),
        autograd(lambda a, w: F.rms_norm(a, (ROWS[1],), w), g2t, x2t, w_ft),
    ),
    (
        "group_norm",
        lambda: norm.group_norm(x4, GROUPS, w_c, b_c),
        lambda: F.group_norm(x4t, GROUPS, w_ct, b_ct),
    ),
    (
        "group_norm_backward",
        lambda: norm.group_norm_backward(g4, x4, GROUPS, w_c, b_c),
        autograd(lambda a, w, b: F.group_norm(a, GROUPS, w, b), g4t, x4t, w_ct, b_ct),
    ),
    (
        "instance_norm",
        lambda: norm.instance_norm(x4, weight=w_c, bias=b_c),
        lambda: F.instance_norm(x4t, weight=w_ct, bias=b_ct),
    ),
    (
        "instance_norm_backward",
        lambda: norm.instance_norm_backward(g4, x4, weight=w_c, bias=b_c),
        autograd(lambda a, w, b: F.instance_norm(a, weight=w, bias=b), g4t, x4t, w_ct, b_ct),
    ),
]
