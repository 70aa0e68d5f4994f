"""Benchmarks of solutions/backprop.py on ~1e6-element float64 inputs.

MLP: ours vs the same network in torch (``F.linear`` + activation), forward, and forward +
backward (torch autograd). Loss heads: vs ``F.cross_entropy`` / ``F.mse_loss``. Running
loss: vs ``scipy.signal.lfilter`` (the library way to run a first-order linear recurrence;
torch has none). Mini-batches and the split: vs ``torch.randperm`` cut into pieces.
"""

import numpy as np
import torch
import torch.nn.functional as F
from scipy.signal import lfilter

from solutions import backprop as bp

rng = np.random.default_rng(0)
SIZES = [1024, 1024, 1024, 10]
BATCH = 1024  # x has 1,048,576 elements, each hidden weight matrix as many
params = bp.mlp_init(SIZES, rng)
x = rng.standard_normal((BATCH, SIZES[0]))
grad_out = rng.standard_normal((BATCH, SIZES[-1]))
logits = rng.standard_normal((1000, 1000)) * 3
labels = rng.integers(0, 1000, size=1000)
targets = rng.standard_normal((1000, 1000))
losses = rng.gamma(2.0, size=1_000_000)
N_EXAMPLES = 1_000_000

t = torch.from_numpy
params_t = [(t(w), t(b)) for w, b in params]
x_t, grad_out_t = t(x), t(grad_out)
logits_t, labels_t, targets_t = t(logits), t(labels), t(targets)
torch_generator = torch.Generator().manual_seed(0)


def torch_mlp(layers):
    a = x_t
    for w, b in layers:
        a = torch.tanh(F.linear(a, w, b))
    return a


def torch_mlp_backward():
    leaves = [p.detach().requires_grad_(True) for layer in params_t for p in layer]
    out = torch_mlp(list(zip(leaves[::2], leaves[1::2], strict=True)))
    return torch.autograd.grad(out, leaves, grad_out_t)


def ours_mlp_backward():
    _, cache = bp.mlp_forward(params, x, "tanh")
    return bp.mlp_backward(params, cache, grad_out)


def torch_grad(fn, tensor):
    leaf = tensor.detach().requires_grad_(True)
    return lambda: torch.autograd.grad(fn(leaf), leaf)


CASES = [
    (
        "mlp_forward (tanh, 3 layers)",
        lambda: bp.mlp_forward(params, x, "tanh"),
        lambda: torch_mlp(params_t),
    ),
    ("mlp_forward + mlp_backward", ours_mlp_backward, torch_mlp_backward),
    (
        "softmax_cross_entropy",
        lambda: bp.softmax_cross_entropy(logits, labels),
        lambda: F.cross_entropy(logits_t, labels_t),
    ),
    (
        "softmax_cross_entropy_backward",
        lambda: bp.softmax_cross_entropy_backward(1.0, logits, labels),
        torch_grad(lambda z: F.cross_entropy(z, labels_t), logits_t),
    ),
    (
        "quadratic_cost",
        lambda: bp.quadratic_cost(logits, targets),
        lambda: F.mse_loss(logits_t, targets_t, reduction="sum") / (2 * len(logits_t)),
    ),
    (
        "quadratic_cost_backward",
        lambda: bp.quadratic_cost_backward(1.0, logits, targets),
        torch_grad(lambda z: F.mse_loss(z, targets_t, reduction="sum") / (2 * len(z)), logits_t),
    ),
    (
        "running_loss (vs scipy lfilter)",
        lambda: bp.running_loss(losses, 0.9),
        lambda: lfilter([0.1], [1.0, -0.9], losses),
    ),
    (
        "running_loss bias-corrected",
        lambda: bp.running_loss(losses, 0.9, bias_correction=True),
        lambda: (
            lfilter([0.1], [1.0, -0.9], losses)
            / -np.expm1(np.arange(1, len(losses) + 1) * np.log(0.9))
        ),
    ),
    (
        "iterate_minibatches (b=256)",
        lambda: list(bp.iterate_minibatches(N_EXAMPLES, 256, rng)),
        lambda: list(torch.randperm(N_EXAMPLES, generator=torch_generator).split(256)),
    ),
    (
        "train_val_split (0.2)",
        lambda: bp.train_val_split(N_EXAMPLES, 0.2, rng),
        lambda: torch.randperm(N_EXAMPLES, generator=torch_generator).split(
            [N_EXAMPLES - 200_000, 200_000]
        ),
    ),
]
