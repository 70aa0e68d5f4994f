"""Conformance of solutions.losses (margin, ranking and metric-learning losses) with torch.

Shares the sources and the oracle check of ``test_losses``; torch compositions stand in for
the losses torch lacks (RankNet, CoSENT, InfoNCE)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import solutions.losses as L
from tests.solutions.strategies import arrays, dtypes, shapes
from tests.solutions.test_losses import (
    Case,
    Drawn,
    HypothesisSource,
    check_against_torch,
    check_gradient,
    pair,
    reduce_torch,
)


def signs(src, shape, values=(-1.0, 1.0)):
    return np.asarray(np.asarray(values, dtype=src.dtype)[src.ints(shape, 0, len(values))])


def draw_multi_margin(src):
    n_classes = src.pick([1, 2, 3, 5])
    shape = src.pick([(n_classes,), (src.pick([1, 2, 4]), n_classes)])
    x = src.arr(shape)
    target = src.ints(() if len(shape) == 1 else shape[:1], 0, n_classes)
    kw = {"p": src.pick([1, 2]), "margin": src.pick([-1.0, 0.5, 1.0, 2.0])}
    if src.pick([False, True]):
        kw["weight"] = src.arr((n_classes,), 0.0, 5.0)
    return Drawn([x, target], kw)


def draw_multilabel_margin(src):
    n_classes = src.pick([1, 2, 3, 5])
    shape = src.pick([(n_classes,), (src.pick([1, 2, 4]), n_classes)])
    return Drawn([src.arr(shape), src.ints(shape, -1, n_classes)], {})


def draw_soft_margin(src):
    shape = src.shape()
    return Drawn([src.arr(shape), signs(src, shape)], {}, skip_grad_of_nan=True)


def draw_multilabel_soft_margin(src):
    shape = src.shape(1, 3)
    y = src.pick([src.arr(shape, 0.0, 1.0), signs(src, shape, (0.0, 1.0))])
    kw = {}
    if src.pick([False, True]):
        kw["weight"] = src.arr(shape[-1:], 0.0, 5.0)
    return Drawn([src.arr(shape), y], kw)


def draw_margin_ranking(src):
    shape, x1, x2 = pair(src, max_dims=2)
    if src.pick([False, True]):  # broadcast one score
        x2 = src.arr((1,) * len(shape))
    return Drawn([x1, x2, signs(src, shape)], {"margin": src.pick([0.0, 0.5, -0.5])})


def draw_ranknet(src):
    shape, s1, s2 = pair(src)
    p = src.pick([src.arr(shape, 0.0, 1.0), signs(src, shape, (0.0, 0.5, 1.0))])
    return Drawn([s1, s2, p], {})


def draw_triplet(src):
    shape = src.pick([(src.pick([1, 3]),), (src.pick([1, 2, 4]), src.pick([1, 3])), (2, 2, 3)])
    a, pos, neg = src.arr(shape), src.arr(shape), src.arr(shape)
    if src.pick([False, True]):
        pos = src.arr((1,) * (len(shape) - 1) + shape[-1:])
    # |u|^p (p <= 3) underflows below ~1e-100 in float64 and ~1e-12 in float32, so both
    # torch's and our norm gradients are rounding noise there (0 vs 0.13, 0.10 vs 0.13 seen):
    # flush such values to an exact 0, a point whose subgradient both sides define alike.
    tiny = 1e-100 if a.dtype == np.float64 else 1e-12
    a, pos, neg = (np.where(np.abs(x) < tiny, 0, x).astype(x.dtype) for x in (a, pos, neg))
    kw = {
        "margin": src.pick([0.1, 1.0, 2.0]),
        "p": src.pick([1.0, 1.5, 2.0, 3.0, np.inf]),
        "eps": src.pick([1e-6, 0.0, 1e-3]),
        "swap": src.pick([False, True]),
    }
    return Drawn([a, pos, neg], kw)


def draw_hinge(src):
    shape = src.shape()
    y = signs(src, shape, (-1.0, 1.0, 1.0, -1.0, 0.0))
    return Drawn([src.arr(shape), y], {"margin": src.pick([1.0, 0.5, -0.5, 2.0])})


def _inverse_smallest_norm(drawn) -> float:
    norms = [np.linalg.norm(np.asarray(a, dtype=np.float64), axis=-1) for a in drawn.args[:2]]
    smallest = min(float(n.min(initial=np.inf)) for n in norms)
    return 1.0 / smallest if smallest > 0 else 1.0


def draw_cosine_embedding(src):
    shape = src.pick([(src.pick([1, 3]),), (src.pick([1, 2, 4]), src.pick([1, 3]))])
    y = signs(src, shape[:-1], (-1.0, 1.0, 1.0, -1.0, 0.0))
    kw = {"margin": src.pick([-0.5, 0.0, 0.5])}
    return Drawn([src.arr(shape), src.arr(shape), y], kw)


def draw_cosent(src):
    n = src.pick([1, 2, 3, 6])
    cos = src.arr((n,), -1.0, 1.0)
    labels = src.ints((n,), 0, 4).astype(src.dtype)
    return Drawn([cos, labels], {"scale": src.pick([1.0, 20.0, 50.0])})


def draw_info_nce(src):
    n, d = src.pick([1, 2, 4]), src.pick([1, 2, 3])
    mode = src.pick([None, "unpaired", "paired"])
    kw = {"temperature": src.pick([0.05, 0.1, 1.0])}
    args = [src.arr((n, d)), src.arr((n, d))]
    if mode is not None:
        m = src.pick([1, 3])
        args.append(src.arr((m, d) if mode == "unpaired" else (n, m, d)))
        kw["negative_mode"] = mode
    # below the 1e-12 floor of F.normalize the gradient is float noise times 1e12 on both
    # sides; keep the embeddings away from 0 (the floor itself is checked in float64 below)
    args = [np.where(np.linalg.norm(a, axis=-1, keepdims=True) < 1e-3, 1, a) for a in args]
    args = [a.astype(src.dtype) for a in args]
    return Drawn(args, kw, wrt=tuple(range(len(args))))


def torch_ranknet(s1, s2, p, reduction="mean"):
    d = s1 - s2
    return reduce_torch(-p * F.logsigmoid(d) - (1 - p) * F.logsigmoid(-d), reduction)


def torch_soft_margin(x, y, reduction="mean"):
    """F.soft_margin_loss, except where its log1p(exp(-y x)) overflows (float32, -yx > 88):
    there the exact value is -y x + log1p(exp(y x))."""
    loss = F.soft_margin_loss(x, y, reduction="none")
    z = -y * x
    stable = torch.clamp(z, min=0) + torch.log1p(torch.exp(-z.abs()))
    return reduce_torch(torch.where(torch.isfinite(loss), loss, stable), reduction)


def torch_cosent(cos, labels, scale=20.0):
    """sentence-transformers' ``CoSENTLoss`` on given cosines."""
    scores = cos * scale
    scores = scores[:, None] - scores[None, :]
    mask = labels[:, None] < labels[None, :]
    scores = scores - (~mask).to(scores.dtype) * 1e12
    scores = torch.cat((torch.zeros(1, dtype=scores.dtype), scores.view(-1)))
    return torch.logsumexp(scores, dim=0)


def torch_info_nce(
    query,
    positive_key,
    negative_keys=None,
    temperature=0.1,
    reduction="mean",
    negative_mode="unpaired",
):
    """``info_nce`` of the info-nce-pytorch package, written with F.normalize and
    F.cross_entropy."""
    query, positive_key = F.normalize(query, dim=-1), F.normalize(positive_key, dim=-1)
    if negative_keys is None:
        logits = query @ positive_key.T
        labels = torch.arange(len(query))
    else:
        negative_keys = F.normalize(negative_keys, dim=-1)
        positive_logit = torch.sum(query * positive_key, dim=1, keepdim=True)
        if negative_mode == "unpaired":
            negative_logits = query @ negative_keys.T
        else:
            negative_logits = (query.unsqueeze(1) @ negative_keys.transpose(-2, -1)).squeeze(1)
        logits = torch.cat([positive_logit, negative_logits], dim=1)
        labels = torch.zeros(len(logits), dtype=torch.long)
    return F.cross_entropy(logits / temperature, labels, reduction=reduction)


CASES = [
    Case(
        "multi_margin_loss",
        L.multi_margin_loss,
        L.multi_margin_loss_backward,
        F.multi_margin_loss,
        draw_multi_margin,
    ),
    Case(
        "multilabel_margin_loss",
        L.multilabel_margin_loss,
        L.multilabel_margin_loss_backward,
        F.multilabel_margin_loss,
        draw_multilabel_margin,
    ),
    Case(
        "soft_margin_loss",
        L.soft_margin_loss,
        L.soft_margin_loss_backward,
        torch_soft_margin,
        draw_soft_margin,
    ),
    Case(
        "multilabel_soft_margin_loss",
        L.multilabel_soft_margin_loss,
        L.multilabel_soft_margin_loss_backward,
        F.multilabel_soft_margin_loss,
        draw_multilabel_soft_margin,
    ),
    Case(
        "margin_ranking_loss",
        L.margin_ranking_loss,
        L.margin_ranking_loss_backward,
        F.margin_ranking_loss,
        draw_margin_ranking,
        wrt=(0, 1),
    ),
    Case(
        "ranknet_loss",
        L.ranknet_loss,
        L.ranknet_loss_backward,
        torch_ranknet,
        draw_ranknet,
        wrt=(0, 1),
    ),
    Case(
        "triplet_margin_loss",
        L.triplet_margin_loss,
        L.triplet_margin_loss_backward,
        F.triplet_margin_loss,
        draw_triplet,
        wrt=(0, 1, 2),
        # margin + d(a, p) - d(a, n) cancels: judged against the size of the distances
        extra={"scale_by_inputs": True},
    ),
    Case(
        "hinge_embedding_loss",
        L.hinge_embedding_loss,
        L.hinge_embedding_loss_backward,
        F.hinge_embedding_loss,
        draw_hinge,
    ),
    Case(
        "cosine_embedding_loss",
        L.cosine_embedding_loss,
        L.cosine_embedding_loss_backward,
        F.cosine_embedding_loss,
        draw_cosine_embedding,
        wrt=(0, 1),
        # 1 - cos(x1, x2) for parallel vectors is one float32 ulp of 1 on either side (seen:
        # ours 6e-8, torch 0): the value's scale is that of the cosine, 1. Its gradient
        # d cos / d x2 has terms of size 1/|x2| that cancel there (seen: 3.8e-6 vs 0 at
        # |x2| = 0.004): gradient noise is relative to 1/min|x|.
        extra={"value_floor": 1.0, "grad_term_size": _inverse_smallest_norm},
    ),
    Case(
        "cosent_loss",
        L.cosent_loss,
        L.cosent_loss_backward,
        torch_cosent,
        draw_cosent,
        reductions=(None,),
        extra={"value_floor": 1.0},  # log(1 + tiny): torch's float32 rounds the tiny away
    ),
    Case("info_nce", L.info_nce, L.info_nce_backward, torch_info_nce, draw_info_nce, wrt=(0, 1, 2)),
]
IDS = [c.name for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
@given(data=st.data(), dtype=dtypes)
def test_value_and_gradient_match_torch(case, data, dtype):
    reduction = data.draw(st.sampled_from(case.reductions))
    check_against_torch(case, HypothesisSource(data, dtype), reduction)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("seed", range(4))
def test_backward_passes_gradient_check(case, seed):
    check_gradient(case, seed, case.reductions[seed % len(case.reductions)])


# --------------------------------------------------------------------------------------
# laws


@given(arrays(np.float64, shapes(2, 2, max_side=4), bound=10.0), st.sampled_from([1.0, 2.0]))
def test_triplet_is_hinge_of_distance_difference_and_nonnegative(a, p):
    rng = np.random.default_rng(0)
    pos, neg = a + rng.standard_normal(a.shape), a + 3 * rng.standard_normal(a.shape)
    ours = L.triplet_margin_loss(a, pos, neg, p=p, eps=0.0, reduction="none")
    d_ap = np.linalg.norm(a - pos, ord=p, axis=1)
    d_an = np.linalg.norm(a - neg, ord=p, axis=1)
    np.testing.assert_allclose(ours, np.maximum(d_ap - d_an + 1.0, 0), rtol=1e-12, atol=1e-12)
    assert (ours >= 0).all()


@given(arrays(np.float64, shapes(1, 1, max_side=6), bound=1e4), st.floats(0, 1))
def test_ranknet_is_bce_with_logits_of_the_score_difference(s, p):
    s2, target = s[::-1].copy(), np.full_like(s, p)
    np.testing.assert_allclose(
        L.ranknet_loss(s, s2, target, reduction="sum"),
        L.binary_cross_entropy_with_logits(s - s2, target, reduction="sum"),
        rtol=1e-9,
        atol=1e-9,
    )


def test_margin_ranking_is_elementwise_not_a_matrix():
    x1, x2, y = np.arange(5.0), np.zeros(5), -np.ones(5)
    assert L.margin_ranking_loss(x1, x2, y, reduction="none").shape == (5,)


@given(arrays(np.float64, shapes(1, 1, min_side=2, max_side=6), bound=1.0))
def test_cosent_is_nonnegative_and_vanishes_when_cosines_follow_the_labels(cos):
    assert L.cosent_loss(cos, np.arange(len(cos), dtype=float)) >= 0
    ordered = np.linspace(-1, 1, len(cos))
    assert L.cosent_loss(ordered, np.arange(len(cos), dtype=float), scale=200.0) < 1e-30


def test_info_nce_handles_a_zero_embedding_like_f_normalize():
    q = np.array([[0.0, 0.0], [1.0, 2.0]])
    k = np.array([[1.0, -1.0], [0.5, 1.0]])
    tq, tk = torch.from_numpy(q).requires_grad_(True), torch.from_numpy(k).requires_grad_(True)
    loss = torch_info_nce(tq, tk)
    loss.backward()
    np.testing.assert_allclose(L.info_nce(q, k), loss.item(), rtol=1e-12)
    grads = L.info_nce_backward(np.array(1.0), q, k)
    np.testing.assert_allclose(grads[0], tq.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(grads[1], tk.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_info_nce_with_matching_keys_and_low_temperature_is_near_zero():
    q = np.eye(4)
    assert L.info_nce(q, 2 * q, temperature=0.01) < 1e-30
    assert L.info_nce(q, q[::-1], temperature=0.01) > 99


@given(st.sampled_from([-1e4, 1e4]), dtypes)
def test_margin_losses_are_finite_at_extreme_scores(score, dtype):
    x = np.array([score, -score], dtype=dtype)
    y = np.array([1.0, -1.0], dtype=dtype)
    for value in (
        L.soft_margin_loss(x, y),
        L.multilabel_soft_margin_loss(x[None], (y[None] + 1) / 2),
        L.ranknet_loss(x, -x, (y + 1) / 2),
        L.soft_margin_loss_backward(np.array(1.0, dtype), x, y),
    ):
        assert np.isfinite(value).all() and np.asarray(value).dtype == dtype


BAD_CALLS = [
    (
        L.multi_margin_loss,
        (np.zeros((2, 3)), np.array([0, 1])),
        {"p": 3},
        ValueError,
        "only p == 1 and p == 2",
    ),
    (
        L.multi_margin_loss,
        (np.zeros((2, 3)), np.array([0, 3])),
        {},
        IndexError,
        "target out of range",
    ),
    (
        L.multi_margin_loss,
        (np.zeros((2, 3)), np.array([0, 1, 2])),
        {},
        ValueError,
        r"target must have shape \(2,\)",
    ),
    (
        L.multilabel_margin_loss,
        (np.zeros((2, 3)), np.array([[0, 3, -1], [1, -1, 0]])),
        {},
        IndexError,
        "target out of range",
    ),
    (
        L.multilabel_margin_loss,
        (np.zeros((2, 3, 2)), np.zeros((2, 3, 2), int)),
        {},
        ValueError,
        r"\(C,\) or \(N, C\)",
    ),
    (
        L.triplet_margin_loss,
        (np.ones((2, 3)),) * 3,
        {"margin": 0.0},
        ValueError,
        "margin must be greater than 0",
    ),
    (L.triplet_margin_loss, (np.ones((2, 3)),) * 3, {"p": 0.5}, ValueError, "p must be >= 1"),
    (
        L.triplet_margin_loss,
        (np.ones((2, 3)), np.ones(3), np.ones((2, 3))),
        {},
        ValueError,
        "same number",
    ),
    (
        L.margin_ranking_loss,
        (np.ones(2), np.ones((2, 1)), np.ones(2)),
        {},
        ValueError,
        "same number of dimensions",
    ),
    (
        L.cosine_embedding_loss,
        (np.ones((2, 3)), np.ones((2, 3)), np.ones(3)),
        {},
        ValueError,
        r"target must have shape \(2,\)",
    ),
    (
        L.ranknet_loss,
        (np.ones(2), np.ones(2), np.array([0.5, 2.0])),
        {},
        ValueError,
        "target should be between 0 and 1",
    ),
    (L.cosent_loss, (np.ones(2), np.ones(2)), {"scale": 0.0}, ValueError, "scale must be"),
    (L.info_nce, (np.ones((2, 3)), np.ones((2, 4))), {}, ValueError, "same shape"),
    (
        L.info_nce,
        (np.ones((2, 3)), np.ones((2, 3))),
        {"temperature": 0.0},
        ValueError,
        "temperature must be",
    ),
    (
        L.info_nce,
        (np.ones((2, 3)), np.ones((2, 3)), np.ones((5, 2))),
        {},
        ValueError,
        r"negative_keys must be \(M, D\)",
    ),
    (
        L.info_nce,
        (np.ones((2, 3)), np.ones((2, 3)), np.ones((5, 3))),
        {"negative_mode": "paired"},
        ValueError,
        r"negative_keys must be \(N, M, D\)",
    ),
    (L.soft_margin_loss, (np.ones(2), np.ones(3)), {"reduction": "mean"}, ValueError, "same shape"),
    (
        L.hinge_embedding_loss,
        (np.ones(2), np.ones(2)),
        {"reduction": "batchmean"},
        ValueError,
        "reduction must be one of",
    ),
]


@pytest.mark.parametrize(
    "fn, args, kwargs, error, match", BAD_CALLS, ids=[f"{c[0].__name__}-{c[4]}" for c in BAD_CALLS]
)
def test_bad_input_raises_a_clear_error(fn, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        fn(*args, **kwargs)
