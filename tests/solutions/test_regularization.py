import copy
import math

import numpy as np
import pytest
import scipy.special
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from solutions import regularization as R
from solutions.backprop import gradient_check
from tests.solutions.strategies import arrays, assert_close, dtypes, shapes, to_torch

# --------------------------------------------------------------------------------------
# L1 / L2 penalties
# --------------------------------------------------------------------------------------

lams = st.floats(0.0, 10.0)


@st.composite
def param_lists(draw, dtype=None, bound=1e4):
    dtype = dtype or draw(dtypes)
    n = draw(st.integers(1, 3))
    return [draw(arrays(dtype, shapes(max_dims=3, max_side=4), bound=bound)) for _ in range(n)]


def _torch_penalty(params, lam, kind):
    ts = [to_torch(p, requires_grad=True) for p in params]
    if kind == "l1":
        value = lam * sum(t.abs().sum() for t in ts)
    else:
        value = 0.5 * lam * sum((t * t).sum() for t in ts)
    value.backward()
    return value, [t.grad for t in ts]


@pytest.mark.parametrize("kind", ["l1", "l2"])
@given(params=param_lists(), lam=lams)
def test_penalty_and_backward_match_torch(kind, params, lam):
    dtype = params[0].dtype
    # penalties sum |w| or w^2 over many entries up to 1e4: compare relative to the total
    forward = getattr(R, f"{kind}_penalty")
    backward = getattr(R, f"{kind}_penalty_backward")
    value, grads = _torch_penalty(params, lam, kind)
    assert_close(forward(params, lam), value, dtype=dtype, what=f"{kind} penalty")
    ours = backward(np.asarray(1.0, dtype), params, lam)
    assert isinstance(ours, list) and len(ours) == len(params)
    for g, t in zip(ours, grads, strict=True):
        assert g.dtype == dtype
        assert_close(g, t, dtype=dtype, what=f"{kind} gradient")


@pytest.mark.parametrize("kind", ["l1", "l2"])
@given(w=arrays(np.float64, shapes(max_dims=2, max_side=4), bound=5.0), lam=st.floats(0.01, 5))
def test_penalty_backward_passes_gradient_check(kind, w, lam):
    # the l1 kink at 0: keep entries away from it so central differences are exact
    w = np.where(np.abs(w) < 1e-3, 0.5, w)
    forward = getattr(R, f"{kind}_penalty")
    backward = getattr(R, f"{kind}_penalty_backward")
    (err,) = gradient_check(forward, backward, [w], kwargs={"lam": lam})
    assert err < 1e-6


@given(w=arrays(np.float64, shapes(max_dims=2, max_side=5), bound=10.0), lam=st.floats(0, 1))
def test_l2_gradient_is_torch_sgd_weight_decay(w, lam):
    """½λ‖w‖² under SGD is exactly torch's weight_decay=λ (zero data gradient)."""
    t = to_torch(w, requires_grad=True)
    opt = torch.optim.SGD([t], lr=0.1, weight_decay=lam)
    t.grad = torch.zeros_like(t)
    opt.step()
    ours = w - 0.1 * R.l2_penalty_backward(1.0, w, lam)
    assert_close(ours, t, what="SGD step with weight decay")


def test_l1_prior_coefficient_errata():
    """-log Laplace(w; b) = |w|/b + log 2b: the penalty coefficient is 1/b, not 1/(2b)."""
    b, w = 0.7, np.array([1.3])
    neg_log_prior = -np.log(np.exp(-np.abs(w) / b) / (2 * b))
    assert np.isclose(float(R.l1_penalty(w, 1 / b)) + np.log(2 * b), neg_log_prior[0])


# --------------------------------------------------------------------------------------
# Lasso vs ridge paths
# --------------------------------------------------------------------------------------


def test_solution_paths_match_sklearn_and_show_sparsity():
    from sklearn.linear_model import Lasso, Ridge

    rng = np.random.default_rng(0)
    n, d = 60, 6
    X = rng.standard_normal((n, d))
    y = X @ np.array([3.0, -2.0, 0.0, 0.0, 1.0, 0.5]) + 0.3 * rng.standard_normal(n)
    lam_max = np.abs(X.T @ y).max() / n
    lambdas = np.array([1e-3, 0.05, 0.3, 1.0, lam_max, 2 * lam_max])
    lasso, ridge = R.l1_l2_solution_path(X, y, lambdas)
    for i, lam in enumerate(lambdas):
        sk_lasso = Lasso(alpha=lam, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y)
        sk_ridge = Ridge(alpha=n * lam, fit_intercept=False).fit(X, y)
        # ISTA and coordinate descent stop on different criteria: 1e-7 absolute
        np.testing.assert_allclose(lasso[i], sk_lasso.coef_, atol=1e-7)
        np.testing.assert_allclose(ridge[i], sk_ridge.coef_, rtol=1e-10, atol=1e-12)
    nonzeros = (lasso != 0).sum(axis=1)
    assert list(nonzeros) == sorted(nonzeros, reverse=True)  # sparser as λ grows
    assert nonzeros[-1] == nonzeros[-2] == 0  # all zero from λ_max on
    assert np.all(ridge != 0)  # ridge shrinks but never zeroes


def test_soft_threshold_is_the_l1_prox():
    x, t = np.linspace(-3, 3, 13), 0.7
    grid = np.linspace(-4, 4, 80001)
    brute = [grid[np.argmin(0.5 * (grid - xi) ** 2 + t * np.abs(grid))] for xi in x]
    np.testing.assert_allclose(R.soft_threshold(x, t), brute, atol=1e-4)


# --------------------------------------------------------------------------------------
# Adam + L2 vs AdamW
# --------------------------------------------------------------------------------------


def _torch_trajectory(optimizer_class, grad_fn, w0, steps, **kw):
    t = torch.tensor(w0.copy(), requires_grad=True)
    opt = optimizer_class([t], **kw)
    path = [t.detach().numpy().copy()]
    for _ in range(steps):
        t.grad = torch.from_numpy(grad_fn(t.detach().numpy().copy()))
        opt.step()
        path.append(t.detach().numpy().copy())
    return np.stack(path)


def test_adam_l2_and_adamw_differ_and_each_match_torch():
    scales = np.array([100.0, 1.0, 0.01])  # badly scaled quadratic: where they differ most

    def grad_fn(w):
        return scales * (w - 1.0)

    w0 = np.array([2.0, -1.0, 3.0])
    kw = dict(lr=0.05, weight_decay=0.5, betas=(0.9, 0.99), eps=1e-8)
    adam_l2, adamw = R.adam_l2_vs_adamw(grad_fn, w0, steps=150, **kw)
    assert adam_l2.shape == adamw.shape == (151, 3)
    theirs_l2 = _torch_trajectory(torch.optim.Adam, grad_fn, w0, 150, **kw)
    theirs_w = _torch_trajectory(torch.optim.AdamW, grad_fn, w0, 150, **kw)
    assert_close(adam_l2, theirs_l2, what="Adam + L2 trajectory")
    assert_close(adamw, theirs_w, what="AdamW trajectory")
    assert np.abs(adam_l2[-1] - adamw[-1]).max() > 1e-2
    # with no decay they are the same algorithm
    a, b = R.adam_l2_vs_adamw(grad_fn, w0, steps=20, lr=0.05, weight_decay=0.0)
    np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------------------
# Dropout
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.9])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_statistics(p, dtype):
    n = 200_000
    x = np.random.default_rng(1).uniform(0.5, 2.0, n).astype(dtype)
    y = R.dropout(x, p, generator=123)
    assert y.dtype == dtype and y.shape == x.shape
    dropped = y == 0
    sigma = math.sqrt(p * (1 - p) / n)
    assert abs(dropped.mean() - p) < 5 * sigma
    # kept values are exactly x / (1 - p) as torch computes them (mask / (1-p), times x)
    scale = np.asarray(1, dtype) / np.asarray(1 - p, dtype)
    np.testing.assert_array_equal(y[~dropped], x[~dropped] * scale)
    torch_y = F.dropout(torch.from_numpy(x), p)
    torch_kept = torch_y.numpy() != 0
    np.testing.assert_array_equal(torch_y.numpy()[torch_kept], x[torch_kept] * scale)


def test_dropout_eval_identity_edge_p_and_seeds():
    x = np.random.default_rng(0).standard_normal((4, 5))
    np.testing.assert_array_equal(R.dropout(x, 0.7, training=False), x)
    np.testing.assert_array_equal(R.dropout(x, 0.0, generator=3), x)
    np.testing.assert_array_equal(R.dropout(x, 1.0, generator=3), np.zeros_like(x))
    np.testing.assert_array_equal(F.dropout(torch.from_numpy(x), 1.0).numpy(), np.zeros_like(x))
    a, b = R.dropout(x, 0.5, generator=7), R.dropout(x, 0.5, generator=7)
    np.testing.assert_array_equal(a, b)
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    np.testing.assert_array_equal(R.dropout(x, 0.5, generator=g1), R.dropout(x, 0.5, generator=g2))
    assert not np.array_equal(R.dropout(x, 0.5, generator=g1), R.dropout(x, 0.5, generator=5))


@given(
    x=arrays(np.float64, shapes(max_dims=3), bound=1e4), p=st.floats(0, 1), seed=st.integers(0, 99)
)
def test_dropout_backward_matches_torch_autograd_with_the_same_mask(x, p, seed):
    mask = R.dropout_mask(x.shape, p, generator=seed)
    xt = to_torch(x, requires_grad=True)
    (xt * torch.from_numpy(mask)).sum().backward()
    g = np.ones_like(x)
    assert_close(R.dropout(x, p, generator=seed), x * mask, what="forward")
    assert_close(R.dropout_backward(g, x, p, generator=seed), xt.grad, what="gradient")
    np.testing.assert_array_equal(R.dropout_backward(g, x, p, training=False), g)


def test_dropout_backward_passes_gradient_check():
    x = np.random.default_rng(0).standard_normal((5, 4))
    for p in (0.2, 0.5):
        (err,) = gradient_check(
            R.dropout, R.dropout_backward, [x], kwargs={"p": p, "generator": 11}
        )
        assert err < 1e-7


def test_multi_sample_dropout_averages_the_head():
    rng = np.random.default_rng(0)
    x, W = rng.standard_normal((3, 8)), rng.standard_normal((8, 2))

    def head(h):
        return np.tanh(h @ W)

    np.testing.assert_array_equal(R.multi_sample_dropout(x, head, 4, 0.5, training=False), head(x))
    g = np.random.default_rng(9)
    manual = np.mean([head(R.dropout(x, 0.5, generator=g)) for _ in range(4)], axis=0)
    np.testing.assert_allclose(R.multi_sample_dropout(x, head, 4, 0.5, generator=9), manual)
    # a linear head averages the masks: converges to head(x) (E[mask] = 1)
    big = R.multi_sample_dropout(x, lambda h: h @ W, 4000, 0.5, generator=1)
    np.testing.assert_allclose(big, x @ W, atol=0.15)


# --------------------------------------------------------------------------------------
# Gradient clipping
# --------------------------------------------------------------------------------------

norm_types = st.sampled_from([1.0, 2.0, 3.0, math.inf, "inf", 0.5])


@given(grads=param_lists(bound=1e3), max_norm=st.floats(1e-3, 1e4), norm_type=norm_types)
def test_clip_grad_norm_matches_torch(grads, max_norm, norm_type):
    dtype = grads[0].dtype
    params = [
        torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype, requires_grad=True) for g in grads
    ]
    for p, g in zip(params, grads, strict=True):
        p.grad = to_torch(g)
    theirs = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    ours_grads = [g.copy() for g in grads]
    total = R.clip_grad_norm_(ours_grads, max_norm, norm_type=norm_type)
    # p = 0.5 and 3 raise |g| up to 1e3 to a power: float32 sums lose ~1e-5 relative
    rtol = 1e-5 if dtype == np.float32 else 1e-10
    assert_close(total, theirs, dtype=dtype, rtol=rtol * 10, what="total norm")
    for g, p in zip(ours_grads, params, strict=True):
        assert g.dtype == dtype
        assert_close(g, p.grad, dtype=dtype, rtol=rtol * 10, what="clipped gradient")


def test_clip_grad_norm_keeps_direction_and_edge_cases():
    g = [np.array([3.0, 0.0]), None, np.array([[4.0]])]
    total = R.clip_grad_norm_(g, 1.0)
    assert float(total) == 5.0
    assert np.isclose(np.sqrt(g[0][0] ** 2 + g[2][0, 0] ** 2), 5.0 / (5.0 + 1e-6))
    small = [np.array([0.1, 0.2])]
    R.clip_grad_norm_(small, 10.0)
    np.testing.assert_array_equal(small[0], [0.1, 0.2])  # coefficient clamped to 1
    assert float(R.clip_grad_norm_([], 1.0)) == 0.0
    single = np.array([6.0, 8.0])
    assert float(R.clip_grad_norm_(single, 5.0)) == 10.0 and np.allclose(single, [3, 4])
    bad = [np.array([np.inf, 1.0])]
    with pytest.raises(RuntimeError, match="non-finite"):
        R.clip_grad_norm_(bad, 1.0, error_if_nonfinite=True)
    t = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    t.grad = torch.tensor([np.inf, 1.0], dtype=torch.float64)
    with pytest.raises(RuntimeError, match="non-finite"):
        torch.nn.utils.clip_grad_norm_([t], 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="norm_type"):
        R.clip_grad_norm_([np.ones(2)], 1.0, norm_type=0)
    with pytest.raises(TypeError, match=r"grads\[0\]"):
        R.clip_grad_norm_([[1.0, 2.0]], 1.0)


@given(grads=param_lists(bound=1e4), clip=st.floats(0, 1e4))
def test_clip_grad_value_matches_torch(grads, clip):
    params = [
        torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype, requires_grad=True) for g in grads
    ]
    for p, g in zip(params, grads, strict=True):
        p.grad = to_torch(g)
    torch.nn.utils.clip_grad_value_(params, clip)
    ours = [g.copy() for g in grads]
    assert R.clip_grad_value_(ours, clip) is None
    for g, p in zip(ours, params, strict=True):
        np.testing.assert_array_equal(g, p.grad.numpy())


# --------------------------------------------------------------------------------------
# Early stopping
# --------------------------------------------------------------------------------------


def test_early_stopping_min_mode_patience_and_best_checkpoint():
    es = R.EarlyStopping(patience=2)
    state = {"w": np.array([0.0])}
    decisions = []
    for epoch, loss in enumerate([1.0, 0.8, 0.9, 0.85, 0.7, 0.75, 0.76]):
        state["w"][0] = epoch
        decisions.append(es.step(loss, state))
    assert decisions == [False, False, False, True, False, False, True]
    assert es.best == 0.7 and es.best_epoch == 4
    assert es.best_state["w"][0] == 4  # a deep copy: later in-place edits do not leak
    assert state["w"][0] == 6


def test_early_stopping_max_mode_min_delta_and_nan():
    es = R.EarlyStopping(patience=1, min_delta=0.05, mode="max")
    assert not es.step(0.50)
    assert es.step(0.54)  # +0.04 is within min_delta: not an improvement
    assert not es.step(0.60)
    assert es.step(float("nan"))  # nan never improves
    assert es.best == 0.60 and es.best_epoch == 2
    es0 = R.EarlyStopping(patience=0)
    assert es0.step(1.0)  # patience 0: stop as soon as one epoch passes (even improving)
    with pytest.raises(ValueError, match="mode must be one of"):
        R.EarlyStopping(mode="up")
    with pytest.raises(ValueError, match="patience"):
        R.EarlyStopping(patience=-1)


@given(st.lists(st.floats(0, 10), min_size=1, max_size=40), st.integers(0, 5))
def test_early_stopping_law(losses, patience):
    """Stops at the first epoch that is `patience` epochs after the running minimum."""
    es = R.EarlyStopping(patience=patience)
    for epoch, loss in enumerate(losses):
        stop = es.step(loss, state=epoch)
        best_so_far = int(np.argmin(losses[: epoch + 1]))
        assert es.best_epoch == best_so_far == es.best_state
        assert stop == (epoch - best_so_far >= patience)


# --------------------------------------------------------------------------------------
# Label smoothing
# --------------------------------------------------------------------------------------


@given(
    n=st.integers(1, 6),
    k=st.integers(1, 7),
    extra=st.lists(st.integers(1, 3), max_size=2),
    eps=st.floats(0, 1),
    data=st.data(),
)
def test_label_smoothing_matches_torch_cross_entropy(n, k, extra, eps, data):
    logits = data.draw(arrays(np.float64, (n, k, *extra), bound=50.0))
    idx = data.draw(hnp.arrays(np.int64, (n, *extra), elements=st.integers(0, k - 1)))
    smoothed = R.label_smoothing(idx, k, eps)
    assert smoothed.shape == logits.shape
    np.testing.assert_allclose(smoothed.sum(axis=1), 1.0, rtol=1e-12)
    theirs = F.cross_entropy(to_torch(logits), to_torch(idx), label_smoothing=eps)
    ours_as_probs = F.cross_entropy(to_torch(logits), to_torch(smoothed))
    assert_close(ours_as_probs, theirs, what="CE with smoothed targets")
    one_hot = np.moveaxis(np.eye(k)[idx], -1, 1)
    np.testing.assert_allclose(R.label_smoothing(one_hot, k, eps), smoothed, rtol=1e-15)


def test_label_smoothing_bad_inputs():
    with pytest.raises(IndexError, match="class indices in"):
        R.label_smoothing(np.array([0, 3]), 3, 0.1)
    with pytest.raises(ValueError, match="label_smoothing must be between"):
        R.label_smoothing(np.array([0]), 3, 1.5)
    with pytest.raises(ValueError, match="3 classes on axis 1"):
        R.label_smoothing(np.ones((2, 4)), 3, 0.1)


# --------------------------------------------------------------------------------------
# Class imbalance
# --------------------------------------------------------------------------------------

counts_st = hnp.arrays(np.int64, st.integers(1, 8), elements=st.integers(0, 10_000)).filter(
    lambda c: c.sum() > 0
)


@given(counts=counts_st, q=st.floats(0, 2))
def test_resampling_probabilities_laws(counts, q):
    p = R.resampling_probabilities(counts, q)
    assert np.isclose(p.sum(), 1.0, rtol=1e-12)
    assert np.all(p[counts == 0] == 0)
    order = np.argsort(counts, kind="stable")
    assert np.all(np.diff(p[order]) >= -1e-15)  # more examples never means less mass
    np.testing.assert_allclose(R.resampling_probabilities(counts, 1.0), counts / counts.sum())
    nonempty = counts > 0
    np.testing.assert_allclose(
        R.resampling_probabilities(counts, 0.0)[nonempty], 1 / nonempty.sum()
    )
    sq = np.sqrt(counts)
    np.testing.assert_allclose(R.resampling_probabilities(counts, 0.5), sq / sq.sum())


def test_sampler_realises_the_class_probabilities():
    labels = np.repeat([0, 1, 2], [800, 150, 50])
    for q in (0.0, 0.5, 1.0):
        w = R.sampling_weights(labels, q)
        assert np.isclose(w.sum(), 1.0)
        p = R.resampling_probabilities([800, 150, 50], q)
        np.testing.assert_allclose([w[labels == j].sum() for j in range(3)], p)
        n = 50_000
        drawn = labels[R.resample_indices(labels, n, q, generator=int(10 * q))]
        freq = np.bincount(drawn, minlength=3) / n
        assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / n))
    torch_sampler = torch.utils.data.WeightedRandomSampler(R.sampling_weights(labels, 0.0), 30_000)
    freq = np.bincount(labels[list(torch_sampler)], minlength=3) / 30_000
    assert np.all(np.abs(freq - 1 / 3) < 0.02)


def test_class_weights_schemes_and_limits():
    counts = np.array([1000, 100, 10])
    inv = R.class_weights(counts, "inverse")
    np.testing.assert_allclose(inv, (1 / counts) * 3 / (1 / counts).sum())
    np.testing.assert_allclose(inv[0] / inv[1], 0.1)
    sq = R.class_weights(counts, "inverse_sqrt")
    np.testing.assert_allclose(sq[0] / sq[2], np.sqrt(10 / 1000))
    for scheme in ("inverse", "inverse_sqrt", "effective_number"):
        assert np.isclose(R.class_weights(counts, scheme).sum(), 3)
    np.testing.assert_allclose(R.class_weights(counts, "effective_number", beta=0.0), 1.0)
    np.testing.assert_allclose(
        R.class_weights(counts, "effective_number", beta=1 - 1e-12), inv, rtol=1e-6
    )
    beta = 0.99
    effective = (1 - beta**counts) / (1 - beta)
    expected = (1 / effective) * 3 / (1 / effective).sum()
    np.testing.assert_allclose(R.class_weights(counts, "effective_number", beta=beta), expected)
    with pytest.raises(ValueError, match="beta must be in"):
        R.class_weights(counts, "effective_number", beta=1.0)
    with pytest.raises(ValueError, match="all be > 0"):
        R.class_weights([3, 0], "inverse")
    with pytest.raises(ValueError, match="scheme must be one of"):
        R.class_weights(counts, "balanced")


# --------------------------------------------------------------------------------------
# Adversarial perturbations
# --------------------------------------------------------------------------------------


def _linear_softmax_input_grad(x, W, b, y):
    """∂/∂x of mean CE(softmax(xW^T + b), y), by hand."""
    z = x @ W.T + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p @ W / len(y)


def _ce(x, W, b, y):
    """Mean cross-entropy of the linear softmax model (numpy; checked against torch below)."""
    z = x @ W.T + b
    return float(np.mean(scipy.special.logsumexp(z, axis=1) - z[np.arange(len(y)), y]))


def _small_model(seed, n=6, d=5, k=3):
    rng = np.random.default_rng(seed)
    return (
        rng.standard_normal((n, d)),
        rng.standard_normal((k, d)),
        rng.standard_normal(k),
        rng.integers(0, k, n),
    )


@given(seed=st.integers(0, 10_000), eps=st.floats(0, 1))
def test_fgsm_and_fgm_match_torch_autograd_and_raise_the_loss(seed, eps):
    x, W, b, y = _small_model(seed)
    xt = to_torch(x, requires_grad=True)
    loss = F.cross_entropy(xt @ to_torch(W).T + to_torch(b), to_torch(y))
    loss.backward()
    assert np.isclose(_ce(x, W, b, y), loss.item(), rtol=1e-12)
    grad = _linear_softmax_input_grad(x, W, b, y)
    assert_close(grad, xt.grad, what="input gradient")
    adv = R.fgsm(x, grad, eps)
    assert_close(adv, (xt + eps * xt.grad.sign()).detach(), what="FGSM")
    g = xt.grad
    theirs_fgm = xt + eps * g / g.norm(dim=1, keepdim=True)
    assert_close(R.fgm(x, grad, eps), theirs_fgm.detach(), what="FGM")
    # CE of a linear model is convex in x: L(x+δ) >= L(x) + <∇L, δ> >= L(x) for both steps
    assert _ce(adv, W, b, y) >= _ce(x, W, b, y) - 1e-12
    assert _ce(R.fgm(x, grad, eps), W, b, y) >= _ce(x, W, b, y) - 1e-12


def test_fgsm_uses_input_gradient_errata_and_fgm_sign():
    x, W, b, y = _small_model(3)
    grad = _linear_softmax_input_grad(x, W, b, y)
    clean = _ce(x, W, b, y)
    # the seed's double negative (a step along -∇x L) lowers the loss instead
    assert _ce(R.fgm(x, -grad, 0.5), W, b, y) < clean < _ce(R.fgm(x, grad, 0.5), W, b, y)
    clipped = R.fgsm(x, grad, 0.5, clip_min=-0.2, clip_max=0.2)
    assert clipped.min() >= -0.2 and clipped.max() <= 0.2
    x32 = x.astype(np.float32)
    assert R.fgsm(x32, grad, 0.1).dtype == np.float32
    np.testing.assert_array_equal(R.fgm(x, np.zeros_like(x), 0.3), x)  # zero gradient: no move
    with pytest.raises(ValueError, match="grad must have the same shape as x"):
        R.fgsm(x, grad[:2], 0.1)
    with pytest.raises(ValueError, match="epsilon"):
        R.fgm(x, grad, -1.0)


@given(
    seed=st.integers(0, 10_000),
    eps=st.floats(0, 2),
    alpha=st.floats(0, 1),
    steps=st.integers(0, 6),
    norm=st.sampled_from(["inf", "2"]),
    random_start=st.booleans(),
    dtype=dtypes,
)
def test_pgd_stays_in_the_ball_and_the_box(seed, eps, alpha, steps, norm, random_start, dtype):
    x, W, b, y = _small_model(seed)
    x0 = np.clip(x, -1.5, 1.5).astype(dtype)
    adv = R.pgd(
        x0,
        lambda v: _linear_softmax_input_grad(v.astype(np.float64), W, b, y),
        eps,
        alpha,
        steps,
        norm=norm,
        random_start=random_start,
        generator=seed,
        clip_min=-1.5,
        clip_max=1.5,
    )
    assert adv.dtype == dtype and adv.shape == x0.shape
    slack = 1e-5 if dtype == np.float32 else 1e-12  # rounding of x0 + δ
    delta = adv.astype(np.float64) - x0
    size = np.abs(delta).max(axis=1) if norm == "inf" else np.linalg.norm(delta, axis=1)
    assert np.all(size <= eps * (1 + slack) + slack)
    assert adv.min() >= -1.5 and adv.max() <= 1.5


def test_pgd_one_step_is_fgsm_and_many_steps_raise_the_loss():
    x, W, b, y = _small_model(7)

    def grad_fn(v):
        return _linear_softmax_input_grad(v, W, b, y)

    np.testing.assert_array_equal(R.pgd(x, grad_fn, 0.3, 0.3, 1), R.fgsm(x, grad_fn(x), 0.3))
    np.testing.assert_allclose(R.pgd(x, grad_fn, 0.3, 0.3, 1, norm="2"), R.fgm(x, grad_fn(x), 0.3))
    one = _ce(R.pgd(x, grad_fn, 0.3, 0.3, 1), W, b, y)
    many = _ce(R.pgd(x, grad_fn, 0.3, 0.05, 40), W, b, y)
    assert many >= one - 1e-9 > _ce(x, W, b, y)
    with pytest.raises(ValueError, match="norm must be one of"):
        R.pgd(x, grad_fn, 0.3, 0.1, 2, norm="l1")


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="lam must be a finite number >= 0"):
        R.l2_penalty(np.ones(2), -1.0)
    with pytest.raises(ValueError, match="params must be a non-empty"):
        R.l1_penalty([], 1.0)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        R.dropout(np.ones(3), 1.5)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout(torch.ones(3), 1.5)
    with pytest.raises(ValueError, match="num_samples"):
        R.multi_sample_dropout(np.ones(3), lambda h: h, 0)
    with pytest.raises(ValueError, match="q must be"):
        R.resampling_probabilities([1, 2], -1)
    with pytest.raises(ValueError, match="class_counts must"):
        R.resampling_probabilities([0, 0], 1)
    with pytest.raises(ValueError, match="y must have shape"):
        R.l1_l2_solution_path(np.ones((3, 2)), np.ones(4), [0.1])
    with pytest.raises(ValueError, match="lambdas must be"):
        R.l1_l2_solution_path(np.ones((3, 2)), np.ones(3), [-0.1])


def test_early_stopping_state_is_copied():
    es = R.EarlyStopping(patience=3)
    params = [np.zeros(2)]
    es.step(1.0, params)
    params[0] += 5
    assert es.best_state[0].sum() == 0 and copy.deepcopy(es.best_state) is not es.best_state


@settings(max_examples=50)  # each example solves several lasso problems
@given(seed=st.integers(0, 1000))
def test_lasso_solution_satisfies_kkt(seed):
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((20, 4)), rng.standard_normal(20)
    lam = 0.2
    w = R.lasso_proximal_gradient(X, y, lam)
    grad = X.T @ (X @ w - y) / 20
    active = w != 0
    np.testing.assert_allclose(grad[active], -lam * np.sign(w[active]), atol=1e-8)
    assert np.all(np.abs(grad[~active]) <= lam + 1e-8)
