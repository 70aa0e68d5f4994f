"""Benchmarks of solutions.losses against torch.nn.functional (~1e6 float64 elements)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

import solutions.losses as L

rng = np.random.default_rng(0)
N_ELEMENTS = 1_000_000
N, C = 10_000, 100  # class-score matrices of 1e6 elements

x = rng.standard_normal(N_ELEMENTS)
y = rng.standard_normal(N_ELEMENTS)
prob = rng.uniform(0.01, 0.99, N_ELEMENTS)
label01 = (rng.uniform(size=N_ELEMENTS) < 0.5).astype(np.float64)
sign = 2 * label01 - 1
var = rng.uniform(0.1, 2.0, N_ELEMENTS)
logits = rng.standard_normal((N, C))
classes = rng.integers(0, C, N)
log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
p_target = np.exp(log_probs[::-1].copy())
emb_a, emb_p, emb_n = (rng.standard_normal((N, C)) for _ in range(3))
pair_target = sign[:N].copy()
nll_input = rng.standard_normal((100_000, 10))  # 1e6 elements, 1e5 targets to gather
nll_target = rng.integers(0, 10, 100_000)
ml_x = rng.standard_normal((20_000, 50))  # multilabel margin is O(N C^2): 5e7 pairs
ml_target = np.full((20_000, 50), -1)
ml_target[:, :3] = rng.integers(0, 50, (20_000, 3))


def T(a):
    return torch.from_numpy(a)


tx, ty, tprob, tlabel01, tsign, tvar = map(T, (x, y, prob, label01, sign, var))
tlogits, tclasses, tlog_probs, tp_target = map(T, (logits, classes, log_probs, p_target))
temb_a, temb_p, temb_n, tpair_target = map(T, (emb_a, emb_p, emb_n, pair_target))
tml_x, tml_target = T(ml_x), T(ml_target)
tnll_input, tnll_target = T(nll_input), T(nll_target)
g_scalar = np.array(1.0)


def torch_backward(fn, *tensors, **kw):
    """Forward and backward through torch autograd w.r.t. the first tensor."""
    leaf = tensors[0].clone().requires_grad_(True)

    def run():
        out = fn(leaf, *tensors[1:], **kw)
        (grad,) = torch.autograd.grad(out, leaf)
        return grad

    return run


def ours_backward(fn, backward, *arrays, **kw):
    def run():
        fn(*arrays, **kw)
        return backward(g_scalar, *arrays, **kw)

    return run


CASES = [
    ("mse_loss", lambda: L.mse_loss(x, y), lambda: F.mse_loss(tx, ty)),
    ("l1_loss", lambda: L.l1_loss(x, y), lambda: F.l1_loss(tx, ty)),
    ("huber_loss", lambda: L.huber_loss(x, y), lambda: F.huber_loss(tx, ty)),
    (
        "smooth_l1_loss",
        lambda: L.smooth_l1_loss(x, y, beta=0.5),
        lambda: F.smooth_l1_loss(tx, ty, beta=0.5),
    ),
    (
        "poisson_nll_loss full",
        lambda: L.poisson_nll_loss(x, var * 3, full=True),
        lambda: F.poisson_nll_loss(tx, tvar * 3, full=True),
    ),
    (
        "gaussian_nll_loss",
        lambda: L.gaussian_nll_loss(x, y, var),
        lambda: F.gaussian_nll_loss(tx, ty, tvar),
    ),
    (
        "binary_cross_entropy",
        lambda: L.binary_cross_entropy(prob, label01),
        lambda: F.binary_cross_entropy(tprob, tlabel01),
    ),
    (
        "bce_with_logits",
        lambda: L.binary_cross_entropy_with_logits(x, label01),
        lambda: F.binary_cross_entropy_with_logits(tx, tlabel01),
    ),
    (
        "cross_entropy (N, C)",
        lambda: L.cross_entropy(logits, classes),
        lambda: F.cross_entropy(tlogits, tclasses),
    ),
    (
        "cross_entropy smoothing",
        lambda: L.cross_entropy(logits, classes, label_smoothing=0.1),
        lambda: F.cross_entropy(tlogits, tclasses, label_smoothing=0.1),
    ),
    (
        "cross_entropy probabilities",
        lambda: L.cross_entropy(logits, p_target),
        lambda: F.cross_entropy(tlogits, tp_target),
    ),
    (
        "nll_loss",
        lambda: L.nll_loss(nll_input, nll_target),
        lambda: F.nll_loss(tnll_input, tnll_target),
    ),
    (
        "kl_div batchmean",
        lambda: L.kl_div(log_probs, p_target, reduction="batchmean"),
        lambda: F.kl_div(tlog_probs, tp_target, reduction="batchmean"),
    ),
    (
        "soft_margin_loss",
        lambda: L.soft_margin_loss(x, sign),
        lambda: F.soft_margin_loss(tx, tsign),
    ),
    (
        "multilabel_soft_margin_loss",
        lambda: L.multilabel_soft_margin_loss(logits, p_target),
        lambda: F.multilabel_soft_margin_loss(tlogits, tp_target),
    ),
    (
        "multi_margin_loss",
        lambda: L.multi_margin_loss(logits, classes),
        lambda: F.multi_margin_loss(tlogits, tclasses),
    ),
    (
        "multilabel_margin_loss",
        lambda: L.multilabel_margin_loss(ml_x, ml_target),
        lambda: F.multilabel_margin_loss(tml_x, tml_target),
    ),
    (
        "margin_ranking_loss",
        lambda: L.margin_ranking_loss(x, y, sign, margin=0.1),
        lambda: F.margin_ranking_loss(tx, ty, tsign, margin=0.1),
    ),
    (
        "hinge_embedding_loss",
        lambda: L.hinge_embedding_loss(np.abs(x), sign),
        lambda: F.hinge_embedding_loss(tx.abs(), tsign),
    ),
    (
        "triplet_margin_loss",
        lambda: L.triplet_margin_loss(emb_a, emb_p, emb_n),
        lambda: F.triplet_margin_loss(temb_a, temb_p, temb_n),
    ),
    (
        "cosine_embedding_loss",
        lambda: L.cosine_embedding_loss(emb_a, emb_p, pair_target),
        lambda: F.cosine_embedding_loss(temb_a, temb_p, tpair_target),
    ),
    (
        "mse_loss fwd+bwd",
        ours_backward(L.mse_loss, L.mse_loss_backward, x, y),
        torch_backward(F.mse_loss, tx, ty),
    ),
    (
        "bce_with_logits fwd+bwd",
        ours_backward(
            L.binary_cross_entropy_with_logits,
            L.binary_cross_entropy_with_logits_backward,
            x,
            label01,
        ),
        torch_backward(F.binary_cross_entropy_with_logits, tx, tlabel01),
    ),
    (
        "cross_entropy fwd+bwd",
        ours_backward(L.cross_entropy, L.cross_entropy_backward, logits, classes),
        torch_backward(F.cross_entropy, tlogits, tclasses),
    ),
    (
        "triplet_margin_loss fwd+bwd",
        ours_backward(L.triplet_margin_loss, L.triplet_margin_loss_backward, emb_a, emb_p, emb_n),
        torch_backward(F.triplet_margin_loss, temb_a, temb_p, temb_n),
    ),
]
