"""Conformance of solutions.losses (regression and classification) with torch.nn.functional.

One ``draw`` function per loss serves both hypothesis (oracle agreement over shapes, dtypes,
options and extreme values up to |x| = 1e4) and a seeded numpy generator (moderate float64
inputs for central-difference gradient checks)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import log_softmax, softmax

import solutions.losses as L
from solutions.backprop import gradient_check, numerical_gradient
from tests.solutions.strategies import RTOL, arrays, dtypes, shapes

# A hand-derived gradient agrees with central differences to ~1e-9 in float64.
GRADCHECK_TOL = 1e-6


class HypothesisSource:
    """Draws from hypothesis: any shape, values up to |x| = 1e4 (or the given range)."""

    def __init__(self, data, dtype):
        self.data, self.dtype = data, np.dtype(dtype)
        self.width = 32 if self.dtype == np.float32 else 64

    def shape(self, min_dims=1, max_dims=3, max_side=5, min_side=1):
        return self.data.draw(
            hnp.array_shapes(
                min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
            )
        )

    def arr(self, shape, lo=-1e4, hi=1e4):
        lo, hi = float(np.float32(lo)), float(np.float32(hi))  # representable in float32
        elements = st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=self.width)
        return self.data.draw(hnp.arrays(self.dtype, shape, elements=elements))

    def ints(self, shape, lo, hi):
        return self.data.draw(hnp.arrays(np.int64, shape, elements=st.integers(lo, hi - 1)))

    def pick(self, options):
        return self.data.draw(st.sampled_from(list(options)))


class RngSource:
    """Moderate float64 inputs from a seeded generator, away from the kinks (ties have
    probability 0), for central-difference checks."""

    def __init__(self, seed: int):
        self.rng, self.dtype = np.random.default_rng(seed), np.dtype(np.float64)

    def shape(self, min_dims=1, max_dims=3, max_side=4, min_side=1):
        ndim = int(self.rng.integers(min_dims, max_dims + 1))
        return tuple(int(n) for n in self.rng.integers(min_side, min(max_side, 3) + 1, ndim))

    def arr(self, shape, lo=-1e4, hi=1e4):
        lo, hi = max(lo, -3.0), min(hi, 3.0)
        pad = 0.05 * (hi - lo)  # stay inside open intervals such as (0, 1)
        return self.rng.uniform(lo + pad, hi - pad, shape)

    def ints(self, shape, lo, hi):
        return self.rng.integers(lo, hi, shape)

    def pick(self, options):
        options = list(options)
        return options[int(self.rng.integers(len(options)))]


@dataclass
class Drawn:
    """One drawn call: positional args, our kwargs, and torch's kwargs (if different)."""

    args: list
    kwargs: dict
    oracle_kwargs: dict | None = None
    skip_grad_of_nan: bool = False  # compare gradients only where torch's are finite
    wrt: tuple | None = None  # overrides Case.wrt (e.g. no gradient for a number)

    def torch_kwargs(self):
        kw = self.kwargs if self.oracle_kwargs is None else self.oracle_kwargs
        return {k: to_tensor(v) for k, v in kw.items()}


@dataclass
class Case:
    name: str
    ours: Any
    backward: Any
    oracle: Any
    draw: Any  # (source) -> Drawn
    wrt: tuple = (0,)
    reductions: tuple = ("none", "mean", "sum")
    extra: dict = field(default_factory=dict)


def to_tensor(v, requires_grad=False):
    if isinstance(v, np.ndarray):
        t = torch.from_numpy(np.array(v, copy=True))
        return t.requires_grad_(True) if requires_grad else t
    return v


def close(ours, theirs, dtype, *, scale=None, what="value"):
    """Agreement to rtol (1e-10 float64, 1e-5 float32) relative to ``scale`` (default: the
    largest magnitude on the oracle side), so sums with cancellation are judged fairly."""
    rtol = RTOL[np.dtype(dtype).type]
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    ours = np.asarray(ours)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != oracle {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{what}: dtype {ours.dtype} != oracle {theirs.dtype}"
    finite = np.abs(theirs[np.isfinite(theirs)])
    if scale is None:
        scale = finite.max() if finite.size else 0.0
    tiny = np.finfo(np.dtype(dtype)).tiny  # subnormals carry few digits
    ok = np.isclose(ours, theirs, rtol=rtol, atol=rtol * scale + tiny, equal_nan=True)
    if not ok.all():
        idx = np.unravel_index(np.argmax(~ok), ok.shape) if ok.ndim else ()
        raise AssertionError(
            f"{what}: {int((~ok).sum())}/{ok.size} differ (rtol={rtol}, scale={scale:.3g}); "
            f"first at {idx}: ours={ours[idx]!r} oracle={theirs[idx]!r}"
        )


def check_against_torch(case: Case, source, reduction: str):
    """Forward value and every gradient of ``case`` against torch (autograd)."""
    drawn = case.draw(source)
    kwargs = dict(drawn.kwargs)
    if reduction is not None:
        kwargs["reduction"] = reduction
    ours = case.ours(*drawn.args, **kwargs)
    wrt = case.wrt if drawn.wrt is None else drawn.wrt
    targs = [to_tensor(a, requires_grad=i in wrt) for i, a in enumerate(drawn.args)]
    tkw = drawn.torch_kwargs()
    if reduction is not None:
        tkw["reduction"] = reduction
    theirs = case.oracle(*targs, **tkw)
    if reduction is not None:
        terms = case.oracle(*targs, **dict(tkw, reduction="none")).detach().abs()
    else:
        terms = theirs.detach().abs()
    if reduction not in (None, "none"):  # judge a sum by the size of its terms
        scale = float(terms[torch.isfinite(terms)].sum()) if terms.numel() else 0.0
        if reduction in ("mean", "batchmean"):
            scale = max(scale / max(terms.numel(), 1), float(theirs.detach().abs()))
    else:
        finite = theirs.detach()[torch.isfinite(theirs.detach())].abs()
        scale = float(finite.max()) if finite.numel() else 0.0
    scale = max(scale, case.extra.get("value_floor", 0.0))
    if case.extra.get("scale_by_inputs"):  # a difference of large terms (distances)
        largest = max(float(np.abs(a).max(initial=0)) for a in drawn.args)
        scale = max(scale, largest * np.shape(drawn.args[0])[-1])
    close(ours, theirs, source.dtype, scale=scale, what=f"{case.name} value")
    if not wrt:
        return
    g = np.random.default_rng(0).standard_normal(np.shape(ours)).astype(np.asarray(ours).dtype)
    grads = case.backward(g, *drawn.args, **kwargs)
    grads = grads if isinstance(grads, tuple) else (grads,)
    grads = [gr for gr, i in zip(grads, case.wrt, strict=False) if i in wrt]
    inputs = [targs[i] for i in wrt]
    if not bool(torch.isfinite(theirs).all()):
        return  # an infinite loss has no meaningful gradient to compare
    theirs_grads = torch.autograd.grad(theirs, inputs, torch.from_numpy(g), allow_unused=True)
    # float noise of a gradient is relative to its terms (|g| times the weights), not to
    # its value, which may cancel to ~0 (softmax - target)
    weights = [np.abs(v).max() for v in kwargs.values() if isinstance(v, np.ndarray) and v.size]
    n_terms = terms.numel() if reduction in ("mean", "batchmean") else 1
    floor = float(np.abs(g).max(initial=0)) * max([1.0, *weights]) / max(n_terms, 1)
    if "grad_term_size" in case.extra:  # gradients that are differences of large terms
        floor = max(floor, float(np.abs(g).max(initial=0)) * case.extra["grad_term_size"](drawn))
    for i, (ours_g, theirs_g) in enumerate(zip(grads, theirs_grads, strict=True)):
        if theirs_g is None:
            theirs_g = torch.zeros_like(inputs[i])
        theirs_g = theirs_g.numpy()
        if drawn.skip_grad_of_nan:
            assert np.isfinite(ours_g).all(), f"{case.name}: non-finite gradient"
            mask = np.isfinite(theirs_g)
            ours_g, theirs_g = np.where(mask, ours_g, 0), np.where(mask, theirs_g, 0)
        scale = max(float(np.abs(theirs_g[np.isfinite(theirs_g)]).max(initial=0)), floor)
        close(ours_g, theirs_g, source.dtype, scale=scale, what=f"{case.name} grad #{wrt[i]}")


def check_gradient(case: Case, seed: int, reduction: str | None):
    drawn = case.draw(RngSource(seed))
    kwargs = dict(drawn.kwargs)
    if reduction is not None:
        kwargs["reduction"] = reduction
    wrt = case.wrt if drawn.wrt is None else drawn.wrt
    backward = case.backward
    if wrt != case.wrt:  # keep only the gradients checked

        def backward(*a, **k):
            grads = case.backward(*a, **k)
            return tuple(g for g, i in zip(grads, case.wrt, strict=False) if i in wrt)

    errors = gradient_check(case.ours, backward, drawn.args, wrt=wrt, kwargs=kwargs)
    if max(errors) < GRADCHECK_TOL:
        return
    # gradient_check's error is element-wise, so an entry of 1e-9 next to entries of 1 fails
    # on central-difference noise alone; judge those against the gradient's scale instead
    out = np.asarray(case.ours(*drawn.args, **kwargs), dtype=np.float64)
    r = np.random.default_rng(0).standard_normal(out.shape)
    analytic = backward(r, *drawn.args, **kwargs)
    analytic = analytic if isinstance(analytic, tuple) else (analytic,)
    for grad, i in zip(analytic, wrt, strict=True):
        numeric = numerical_gradient(
            lambda *a: float(np.sum(r * case.ours(*a, **kwargs))), drawn.args, i
        )
        worst = np.abs(grad - numeric).max(initial=0) / max(np.abs(numeric).max(initial=0), 1e-8)
        assert worst < GRADCHECK_TOL, f"{case.name}: input {i}, error {worst:.2e} of the scale"


# --------------------------------------------------------------------------------------
# the cases: one draw per loss


def pair(src, lo=-1e4, hi=1e4, **shape_kw):
    shape = src.shape(**shape_kw)
    return shape, src.arr(shape, lo, hi), src.arr(shape, lo, hi)


def draw_weighted_regression(src):
    shape, x, t = pair(src)
    weight = src.pick([None, "w"])
    kw = {} if weight is None else {"weight": src.arr(shape, 0.0, 10.0)}
    if weight is not None:  # a subnormal total weight makes torch's gradient 0 * inf = nan
        w = kw["weight"]
        kw["weight"] = np.where(w < np.finfo(w.dtype).tiny, 0, w).astype(w.dtype)
    if isinstance(src, RngSource) or weight is None or kw["weight"].sum() > 0:
        return Drawn([x, t], kw)
    return Drawn([x, t], {})  # an all-zero weight makes torch's weighted mean 0/0


def draw_huber(src):
    drawn = draw_weighted_regression(src)
    drawn.kwargs["delta"] = src.pick([0.1, 1.0, 2.5, 1e3])
    return drawn


def draw_smooth_l1(src):
    _, x, t = pair(src)
    return Drawn([x, t], {"beta": src.pick([0.0, 0.1, 1.0, 2.5, 1e3])})


def draw_plain_pair(src):
    _, x, t = pair(src)
    return Drawn([x, t], {})


def draw_quantile(src):
    _, x, t = pair(src)
    return Drawn([x, t], {"quantile": src.pick([0.05, 0.5, 0.9])})


def draw_poisson(src):
    shape = src.shape()
    log_input = src.pick([True, False])
    x = src.arr(shape, -80.0, 80.0) if log_input else src.arr(shape, 0.0, 1e4)
    t = src.arr(shape, 0.0, 100.0)
    kw = {"log_input": log_input, "full": src.pick([False, True]), "eps": src.pick([1e-8, 1e-3])}
    return Drawn([x, t], kw)


def _gaussian_var_term_size(drawn) -> float:
    x, t, var = drawn.args
    eps = drawn.kwargs.get("eps", 1e-6)
    smallest = float(np.min(var)) if np.size(var) else 1.0
    r = np.asarray(x, dtype=np.float64) - np.asarray(t, dtype=np.float64)
    r2 = float(np.max(np.square(r), initial=0.0))
    clamped = max(smallest, eps)
    return 0.5 / clamped * max(1.0, r2 / clamped)


def draw_gaussian(src):
    shape, x, t = pair(src)
    kind = src.pick(["same", "drop_last", "one_axis", "number"])
    if kind == "number":
        var = float(src.pick([0.0, 1e-9, 0.5, 3.0]))
        return Drawn([x, t, var], {"full": src.pick([False, True])}, wrt=(0,))
    if kind == "drop_last":
        var_shape = shape[:-1]
    elif kind == "one_axis":
        axis = src.pick(range(len(shape)))
        var_shape = tuple(1 if i == axis else n for i, n in enumerate(shape))
    else:
        var_shape = shape
    var = src.arr(var_shape, 0.0, 1e4)
    kw = {"full": src.pick([False, True]), "eps": src.pick([1e-6, 1e-2])}
    return Drawn([x, t, var], kw)


def draw_bce(src):
    shape = src.shape()
    p, y = src.arr(shape, 0.0, 1.0), src.arr(shape, 0.0, 1.0)
    weight = src.pick([None, "full", "last"])
    kw = {}
    if weight is not None:
        kw["weight"] = src.arr(shape if weight == "full" else shape[-1:], 0.0, 5.0)
    return Drawn([p, y], kw)


def draw_bce_logits(src):
    shape = src.shape()
    x, y = src.arr(shape), src.arr(shape, 0.0, 1.0)
    kw = {}
    if src.pick([False, True]):
        kw["weight"] = src.arr(shape[-1:], 0.0, 5.0)
    pos = src.pick([None, "last", "column"])
    if pos == "last":
        kw["pos_weight"] = src.arr(shape[-1:], 0.0, 5.0)
    elif pos == "column" and len(shape) >= 2:
        kw["pos_weight"] = src.arr(shape[:-1] + (1,), 0.0, 5.0)
    return Drawn([x, y], kw)


def draw_focal(src):
    shape = src.shape()
    x, y = src.arr(shape), src.arr(shape, 0.0, 1.0)
    kw = {"alpha": src.pick([-1.0, 0.25, 0.5]), "gamma": src.pick([0.0, 0.5, 1.0, 2.0, 3.0])}
    return Drawn([x, y], kw, skip_grad_of_nan=True)


def class_shape(src):
    """(C,), (N, C) or (N, C, d1[, d2])."""
    kind = src.pick(["single", "batch", "spatial"])
    n_classes = src.pick([1, 2, 3, 5])
    if kind == "single":
        return (n_classes,)
    if kind == "batch":
        return (src.pick([1, 2, 4]), n_classes)
    return (src.pick([1, 2]), n_classes, *src.shape(1, 2, 3))


def class_targets(src, shape, ignore_index):
    target_shape = () if len(shape) == 1 else (shape[0], *shape[2:])
    t = src.ints(target_shape, 0, shape[0] if len(shape) == 1 else shape[1])
    ignored = src.ints(target_shape, 0, 3) == 0  # about a third ignored
    return np.where(ignored, ignore_index, t) if src.pick([False, True]) else t


def draw_class_loss(src, *, probabilities_allowed, logits_lo=-1e4):
    shape = class_shape(src)
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    x = src.arr(shape, logits_lo, 1e4)
    kw = {}
    if src.pick([False, True]):
        kw["weight"] = src.arr((n_classes,), 0.0, 5.0)
    if probabilities_allowed and src.pick([False, True]):
        target = src.arr(shape, 0.0, 1.0)
    else:
        kw["ignore_index"] = src.pick([-100, 0, n_classes - 1])
        target = class_targets(src, shape, kw["ignore_index"])
    return Drawn([x, target], kw)


def draw_cross_entropy(src):
    drawn = draw_class_loss(src, probabilities_allowed=True)
    drawn.kwargs["label_smoothing"] = src.pick([0.0, 0.1, 0.5, 1.0])
    return drawn


def draw_nll(src):
    return draw_class_loss(src, probabilities_allowed=False)


def draw_kl(src):
    shape = src.shape()
    log_target = src.pick([False, True])
    x = src.arr(shape, -100.0, 10.0)
    t = src.arr(shape, -50.0, 10.0) if log_target else src.arr(shape, 0.0, 1.0)
    return Drawn([x, t], {"log_target": log_target})


# --------------------------------------------------------------------------------------
# torch compositions for the losses torch lacks (written independently of solutions/)


def torch_log_cosh(x, t, reduction="mean"):
    """log cosh r = log1p(expm1(r)^2 / (2 e^r)) near 0, log(e^r + e^-r) - log 2 beyond."""
    r = (x - t).abs()
    near = torch.log1p(torch.expm1(r.clamp(max=1)) ** 2 / (2 * torch.exp(r.clamp(max=1))))
    far = torch.logaddexp(r, -r) - math.log(2.0)
    return reduce_torch(torch.where(r < 1, near, far), reduction)


def torch_quantile(x, t, quantile=0.5, reduction="mean"):
    r = t - x
    return reduce_torch(torch.where(r >= 0, quantile * r, (quantile - 1) * r), reduction)


def torch_focal(x, y, alpha=0.25, gamma=2.0, reduction="none"):
    """torchvision's formula, with 1 - p_t written as sigmoid(x)(1-y) + sigmoid(-x) y."""
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    one_minus_pt = torch.sigmoid(x) * (1 - y) + torch.sigmoid(-x) * y
    loss = ce * one_minus_pt**gamma
    if alpha >= 0:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return reduce_torch(loss, reduction)


def torchvision_focal(x, y, alpha=0.25, gamma=2.0, reduction="none"):
    """``torchvision.ops.sigmoid_focal_loss`` verbatim (torchvision is not installed)."""
    p = torch.sigmoid(x)
    ce_loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * y + (1 - alpha) * (1 - y)
        loss = alpha_t * loss
    return reduce_torch(loss, reduction)


def reduce_torch(loss, reduction):
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def torch_kl_div(x, t, reduction="mean", log_target=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note that 'mean' is not 'batchmean'
        return F.kl_div(x, t, reduction=reduction, log_target=log_target)


CORE_CASES = [
    Case("mse_loss", L.mse_loss, L.mse_loss_backward, F.mse_loss, draw_weighted_regression),
    Case("l1_loss", L.l1_loss, L.l1_loss_backward, F.l1_loss, draw_weighted_regression),
    Case("huber_loss", L.huber_loss, L.huber_loss_backward, F.huber_loss, draw_huber),
    Case(
        "smooth_l1_loss",
        L.smooth_l1_loss,
        L.smooth_l1_loss_backward,
        F.smooth_l1_loss,
        draw_smooth_l1,
    ),
    Case(
        "log_cosh_loss", L.log_cosh_loss, L.log_cosh_loss_backward, torch_log_cosh, draw_plain_pair
    ),
    Case("quantile_loss", L.quantile_loss, L.quantile_loss_backward, torch_quantile, draw_quantile),
    Case(
        "poisson_nll_loss",
        L.poisson_nll_loss,
        L.poisson_nll_loss_backward,
        F.poisson_nll_loss,
        draw_poisson,
    ),
    Case(
        "gaussian_nll_loss",
        L.gaussian_nll_loss,
        L.gaussian_nll_loss_backward,
        F.gaussian_nll_loss,
        draw_gaussian,
        wrt=(0, 2),
        # d/dvar = (1/var - r^2/var^2)/2 cancels between terms of size 1/(2 max(var, eps)):
        # float32 noise is relative to those terms (seen: 1/2e-6 terms, -0.00786 vs -0.00781).
        extra={"grad_term_size": _gaussian_var_term_size},
    ),
    Case(
        "binary_cross_entropy",
        L.binary_cross_entropy,
        L.binary_cross_entropy_backward,
        F.binary_cross_entropy,
        draw_bce,
    ),
    Case(
        "binary_cross_entropy_with_logits",
        L.binary_cross_entropy_with_logits,
        L.binary_cross_entropy_with_logits_backward,
        F.binary_cross_entropy_with_logits,
        draw_bce_logits,
    ),
    Case(
        "sigmoid_focal_loss",
        L.sigmoid_focal_loss,
        L.sigmoid_focal_loss_backward,
        torch_focal,
        draw_focal,
    ),
    Case(
        "cross_entropy",
        L.cross_entropy,
        L.cross_entropy_backward,
        F.cross_entropy,
        draw_cross_entropy,
    ),
    Case("nll_loss", L.nll_loss, L.nll_loss_backward, F.nll_loss, draw_nll),
    Case(
        "kl_div",
        L.kl_div,
        L.kl_div_backward,
        torch_kl_div,
        draw_kl,
        reductions=("none", "mean", "sum", "batchmean"),
    ),
]
CORE_IDS = [c.name for c in CORE_CASES]


@pytest.mark.parametrize("case", CORE_CASES, ids=CORE_IDS)
@given(data=st.data(), dtype=dtypes)
def test_value_and_gradient_match_torch(case, data, dtype):
    reduction = data.draw(st.sampled_from(case.reductions))
    check_against_torch(case, HypothesisSource(data, dtype), reduction)


@pytest.mark.parametrize("case", CORE_CASES, ids=CORE_IDS)
@pytest.mark.parametrize("seed", range(4))
def test_backward_passes_gradient_check(case, seed):
    reduction = case.reductions[seed % len(case.reductions)]
    check_gradient(case, seed, reduction)


# --------------------------------------------------------------------------------------
# laws


@given(data=st.data(), dtype=dtypes)
def test_regression_losses_are_nonnegative_and_zero_at_the_target(data, dtype):
    src = HypothesisSource(data, dtype)
    x = src.arr(src.shape())
    for loss in (L.mse_loss, L.l1_loss, L.huber_loss, L.smooth_l1_loss, L.log_cosh_loss):
        assert loss(x, x) == 0
        assert loss(x, x + 1, reduction="none").min() >= 0
    assert L.quantile_loss(x, x, 0.3) == 0


@given(arrays(np.float64, shapes(max_dims=2), bound=1e3), st.floats(1e-3, 1e3))
def test_smooth_l1_is_huber_divided_by_beta(x, beta):
    t = np.zeros_like(x)
    ours = L.smooth_l1_loss(x, t, beta=beta, reduction="none")
    np.testing.assert_allclose(
        ours, L.huber_loss(x, t, delta=beta, reduction="none") / beta, rtol=1e-12, atol=1e-300
    )


@given(data=st.data(), dtype=dtypes)
def test_kl_of_a_distribution_with_itself_is_zero_and_kl_is_nonnegative(data, dtype):
    src = HypothesisSource(data, dtype)
    logits_p, logits_q = src.arr((3, 4), -30.0, 30.0), src.arr((3, 4), -30.0, 30.0)
    log_p = log_softmax(logits_p.astype(np.float64), axis=1)
    log_q = log_softmax(logits_q.astype(np.float64), axis=1)
    assert abs(L.kl_div(log_p, np.exp(log_p), reduction="batchmean")) < 1e-12
    assert abs(L.kl_div(log_p, log_p, reduction="sum", log_target=True)) < 1e-12
    assert L.kl_div(log_q, np.exp(log_p), reduction="batchmean") >= -1e-12


def test_kl_matches_the_errata_example_and_batchmean_is_per_sample():
    p, q = np.array([[0.5, 0.3, 0.2]]), np.array([[0.2, 0.5, 0.3]])
    assert L.kl_div(np.log(q), p, reduction="batchmean") == pytest.approx(0.2238, abs=1e-4)
    assert L.kl_div(np.log(q), p, reduction="mean") == pytest.approx(0.2238 / 3, abs=1e-4)


@given(data=st.data(), dtype=dtypes)
def test_cross_entropy_is_nll_of_log_softmax(data, dtype):
    src = HypothesisSource(data, dtype)
    drawn = draw_nll(src)
    log_probs = np.moveaxis(
        log_softmax(np.moveaxis(drawn.args[0], min(1, drawn.args[0].ndim - 1), -1), axis=-1),
        -1,
        min(1, drawn.args[0].ndim - 1),
    )
    ours = L.cross_entropy(*drawn.args, **drawn.kwargs, reduction="sum")
    close(ours, L.nll_loss(log_probs, drawn.args[1], **drawn.kwargs, reduction="sum"), dtype)


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    logits = np.array([[0.1, 0.9, 2.0, 1.5]])
    grad = L.cross_entropy_backward(np.array(1.0), logits, np.array([2]))
    expected = softmax(logits, axis=1) - np.eye(4)[[2]]
    np.testing.assert_allclose(grad, expected, rtol=1e-12)
    assert (grad[0, [0, 1, 3]] > 0).all()  # wrong classes get +softmax, not 0


def test_errata_numbers_for_bce():
    p, y = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 1.0])
    assert L.binary_cross_entropy(p, y) == pytest.approx(0.2798, abs=1e-4)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_all_ignored_targets_mirror_torch(reduction):
    logits = np.zeros((2, 3))
    target = np.array([-100, -100])
    for ours, theirs in ((L.cross_entropy, F.cross_entropy), (L.nll_loss, F.nll_loss)):
        value = ours(logits, target, reduction=reduction)
        expected = theirs(torch.zeros(2, 3), torch.from_numpy(target), reduction=reduction)
        np.testing.assert_array_equal(value, expected.numpy().astype(np.float64))
        grad = getattr(L, ours.__name__ + "_backward")(
            np.ones(np.shape(value)), logits, target, reduction=reduction
        )
        np.testing.assert_array_equal(grad, np.zeros((2, 3)))


@given(st.sampled_from([-1e4, 1e4]), st.sampled_from([0.0, 1.0, 0.5]), dtypes)
def test_logit_losses_are_finite_at_extreme_logits(logit, target, dtype):
    x, y = np.array([logit, -logit], dtype=dtype), np.array([target, target], dtype=dtype)
    values = [
        L.binary_cross_entropy_with_logits(x, y, pos_weight=np.array([2.0], dtype=dtype)),
        L.sigmoid_focal_loss(x, y, reduction="mean"),
        L.cross_entropy(x[None], np.array([0])),
        L.cross_entropy(
            x[None], np.array([[target, 1 - target]], dtype=dtype), label_smoothing=0.1
        ),
        L.log_cosh_loss(x, y),
    ]
    grads = [
        L.binary_cross_entropy_with_logits_backward(np.array(1.0, dtype), x, y),
        L.sigmoid_focal_loss_backward(np.ones(2, dtype), x, y, gamma=0.5),
        L.cross_entropy_backward(np.array(1.0, dtype), x[None], np.array([0])),
        L.log_cosh_loss_backward(np.array(1.0, dtype), x, y),
    ]
    for v in values + grads:
        assert np.isfinite(v).all() and np.asarray(v).dtype == dtype


@given(arrays(np.float64, shapes(max_dims=2), bound=10.0), st.floats(0, 1))
def test_focal_with_gamma_0_alpha_minus_1_is_bce_with_logits_and_matches_torchvision(x, y):
    y = np.full_like(x, y)
    np.testing.assert_allclose(
        L.sigmoid_focal_loss(x, y, alpha=-1, gamma=0.0),
        L.binary_cross_entropy_with_logits(x, y, reduction="none"),
        rtol=1e-12,
        atol=1e-300,
    )
    # torchvision's 1 - p_t cancels for |x| >> 1, hence the looser tolerance here
    theirs = torchvision_focal(torch.from_numpy(x), torch.from_numpy(y))
    np.testing.assert_allclose(L.sigmoid_focal_loss(x, y), theirs.numpy(), rtol=1e-6, atol=1e-12)


def test_focal_loss_focuses_on_hard_examples():
    easy, hard = np.array([3.0]), np.array([-3.0])
    y = np.array([1.0])
    ratio_focal = L.sigmoid_focal_loss(easy, y) / L.sigmoid_focal_loss(hard, y)
    ratio_bce = L.binary_cross_entropy_with_logits(easy, y) / L.binary_cross_entropy_with_logits(
        hard, y
    )
    assert ratio_focal < ratio_bce / 100


def test_gaussian_nll_clamps_variance_and_accepts_a_number():
    x, t = np.array([1.0, 2.0]), np.array([1.5, 2.0])
    a = L.gaussian_nll_loss(x, t, 0.0, reduction="none")
    b = L.gaussian_nll_loss(x, t, np.full(2, 1e-6), reduction="none")
    np.testing.assert_array_equal(a, b)
    g_input, g_var = L.gaussian_nll_loss_backward(np.array(1.0), x, t, 2.0)
    assert g_var.shape == () and g_input.shape == (2,)


# --------------------------------------------------------------------------------------
# refusals


BAD_CALLS = [
    (L.mse_loss, ([1.0, 2.0], [1.0]), {}, ValueError, "same shape"),
    (L.mse_loss, ([1.0], [1.0]), {"reduction": "avg"}, ValueError, "reduction must be one of"),
    (L.mse_loss, ([1.0], [1.0]), {"weight": [1.0, 2.0]}, ValueError, "weight must have"),
    (L.huber_loss, ([1.0], [1.0]), {"delta": 0.0}, ValueError, "non-positive values for delta"),
    (L.smooth_l1_loss, ([1.0], [1.0]), {"beta": -1.0}, ValueError, "negative values for beta"),
    (L.quantile_loss, ([1.0], [1.0]), {"quantile": 1.0}, ValueError, r"quantile must be in"),
    (L.gaussian_nll_loss, ([1.0], [1.0], [-1.0]), {}, ValueError, "negative entry"),
    (
        L.gaussian_nll_loss,
        (np.ones((2, 3)), np.ones((2, 3)), np.ones(3)),
        {},
        ValueError,
        "var is of incorrect size",
    ),
    (
        L.gaussian_nll_loss,
        (np.ones((2, 3)), np.ones((2, 3)), np.ones((1, 1))),
        {},
        ValueError,
        "var is of incorrect size",
    ),
    (L.binary_cross_entropy, ([0.5], [2.0]), {}, ValueError, "target should be between 0 and 1"),
    (L.binary_cross_entropy, ([1.5], [1.0]), {}, ValueError, "input should be between 0 and 1"),
    (
        L.binary_cross_entropy,
        ([0.5, 0.5], [1.0, 1.0]),
        {"weight": [1.0, 2.0, 3.0]},
        ValueError,
        "weight must be broadcastable",
    ),
    (L.binary_cross_entropy_with_logits, ([0.5], [1.0, 0.0]), {}, ValueError, "same shape"),
    (
        L.binary_cross_entropy_with_logits,
        (np.ones((2, 3)), np.ones((2, 3))),
        {"pos_weight": np.ones(5)},
        ValueError,
        "pos_weight must be broadcastable",
    ),
    (
        L.cross_entropy,
        (np.zeros((2, 3)), np.array([0, 3])),
        {},
        IndexError,
        "Target 3 is out of bounds",
    ),
    (
        L.cross_entropy,
        (np.zeros((2, 3)), np.array([0, -1])),
        {},
        IndexError,
        "Target -1 is out of bounds",
    ),
    (
        L.cross_entropy,
        (np.zeros((2, 3)), np.array([0, 1])),
        {"label_smoothing": 1.5},
        ValueError,
        "label_smoothing must be between",
    ),
    (
        L.cross_entropy,
        (np.zeros((2, 3)), np.array([0, 1])),
        {"label_smoothing": -0.1},
        ValueError,
        "label_smoothing must be between",
    ),
    (
        L.cross_entropy,
        (np.zeros((2, 3)), np.array([0, 1])),
        {"weight": np.ones(2)},
        ValueError,
        r"weight must have one entry per class, shape \(3,\)",
    ),
    (
        L.cross_entropy,
        (np.zeros((2, 3)), np.array([0, 1, 1])),
        {},
        ValueError,
        r"target must have shape \(2,\)",
    ),
    (
        L.cross_entropy,
        (np.zeros((2, 3)), np.ones((2, 2))),
        {},
        ValueError,
        "class probabilities must have the input's shape",
    ),
    (L.nll_loss, (np.zeros((2, 3)), np.array([0.0, 1.0])), {}, TypeError, "integer class"),
    (L.nll_loss, (np.array(1.0), np.array(0)), {}, ValueError, "1 or more dimensions"),
    (L.kl_div, (np.zeros(3), np.ones(3)), {"reduction": "avg"}, ValueError, "reduction must"),
    (L.sigmoid_focal_loss, ([0.0], [1.0]), {"gamma": -1.0}, ValueError, "gamma must be"),
]


@pytest.mark.parametrize(
    "fn, args, kwargs, error, match", BAD_CALLS, ids=[f"{c[0].__name__}-{c[4]}" for c in BAD_CALLS]
)
def test_bad_input_raises_a_clear_error(fn, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        fn(*args, **kwargs)
