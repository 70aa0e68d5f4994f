"""Conformance tests for solutions.norm against torch.nn.functional and central differences.

Oracle and tolerances. torch runs in float64 on the same values as ours (float32 inputs are
cast up exactly), so the oracle is the exact answer up to float64 rounding; ours computes in
float64 and rounds once to the input dtype, hence the usual rtol (1e-10 float64, 1e-5
float32). Normalizing subtracts the mean: both implementations round ``x - mean`` to about
``eps64 * max|x|`` in different orders, and dividing by ``sqrt(var + eps)`` amplifies that by
the condition number ``kappa = max|x| / sqrt(min var + eps)`` (up to ~3e6 for |x| = 1e4 and a
constant channel). Agreement can only be expected to ``eps64 * kappa`` absolute, so every
comparison adds that term to atol (``_atol``); for well-conditioned data it is negligible.
Where torch's own float32 result is compared, the same bound uses float32's epsilon.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from solutions import norm
from solutions.backprop import gradient_check
from tests.solutions.strategies import (
    ATOL,
    arrays,
    assert_close,
    dtypes,
    moderate_arrays,
    to_torch,
)

# The oracle calls are tiny: torch's intra-op thread pool only adds hand-off latency (tens of
# ms per call on a loaded 2-core machine), so run them on the calling thread.
torch.set_num_threads(1)

EPS64 = np.finfo(np.float64).eps
EPS32 = np.finfo(np.float32).eps
GRAD_CHECK_TOL = 1e-6  # central differences in float64: < 1e-7 typical, > 1e-4 is a bug


# --------------------------------------------------------------------------------------
# helpers


def _kappa(x, var, eps) -> float:
    """Condition number of standardization: max|x| / sqrt(min variance + eps)."""
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x)) / np.sqrt(np.min(var) + eps)) if np.size(var) else 0.0


def _atol(dtype, kappa: float, scale: float = 1.0, unit: float = EPS64) -> float:
    """ATOL plus the rounding bound ``64 unit kappa scale`` (kappa, scale floored at 1)."""
    return ATOL[np.dtype(dtype).type] + 64 * unit * max(kappa, 1.0) * max(scale, 1.0)


def _maxabs(*arrays) -> float:
    return max([float(np.max(np.abs(a))) for a in arrays if a is not None and np.size(a)] + [1.0])


def _var(x, axes) -> np.ndarray:
    return np.var(np.asarray(x, dtype=np.float64), axis=axes)


def _t64(a, requires_grad=False):
    if a is None:
        return None
    return to_torch(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def _torch_with_grads(fn, differentiable, grad_output, **kwargs):
    """Run ``fn(*differentiable, **kwargs)`` in float64 torch; return output and grads."""
    tensors = [_t64(a, requires_grad=True) for a in differentiable]
    out = fn(*tensors, **kwargs)
    out.backward(_t64(grad_output))
    grads = [None if t is None else t.grad.numpy() for t in tensors]
    return out.detach().numpy(), grads


def _check_gradients(f, f_backward, inputs, wrt, kwargs=None) -> list[float]:
    """``gradient_check`` of ``x -> f(x) + x``; the best of three random projections.

    A normalization's input gradient is orthogonal to 1 and x_hat within each group, so it
    can be ~0 by chance (three values per group leave one direction) or exactly 0 (two values
    per group); there an element-wise relative error only measures the ~1e-10 noise of the
    central differences. Adding the identity shifts the input gradient by the O(1) upstream
    gradient r. A component can still cancel by chance, but not for three independent
    projections at once, while a wrong backward fails for every projection. The step
    h = 1e-5 balances truncation (h^2 |f'''| ~ 1e-10) against rounding (eps |f| / h ~ 1e-10).
    """
    kwargs = kwargs or {}

    def shifted(*args, **kw):
        return f(*args, **kw) + args[0]

    def shifted_backward(r, *args, **kw):
        grads = f_backward(r, *args, **kw)
        grads = grads if isinstance(grads, tuple) else (grads,)
        return (grads[0] + r, *grads[1:])

    runs = [
        gradient_check(shifted, shifted_backward, inputs, wrt=wrt, kwargs=kwargs, h=1e-5, seed=s)
        for s in range(3)
    ]
    return min(runs, key=max)


def _assert_grads(ours, theirs, dtype, atol, names=("input", "weight", "bias")):
    for o, t, name in zip(ours, theirs, names, strict=False):
        if t is None:
            assert o is None, f"grad_{name} should be None when {name} is absent"
            continue
        assert o.dtype == dtype, f"grad_{name} dtype {o.dtype} != {dtype}"
        assert_close(o, t, dtype=dtype, atol=atol, what=f"grad_{name}")


@st.composite
def nc_star(draw, min_count: int = 1, max_n: int = 4, max_c: int = 3):
    """Shapes (N, C, *spatial) with at least ``min_count`` values per channel."""
    n = draw(st.integers(1, max_n))
    c = draw(st.integers(1, max_c))
    spatial = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    assume(n * math.prod(spatial) >= min_count)
    return (n, c, *spatial)


def variances(dtype, shape, lo: float = 2.0**-7, hi: float = 100.0):
    """Non-negative running variances (bounds exactly representable in float32)."""
    width = 32 if np.dtype(dtype) == np.float32 else 64
    return hnp.arrays(dtype, shape, elements=st.floats(lo, hi, width=width))


def _optional(strategy):
    return st.one_of(st.none(), strategy)


def _rng(seed):
    return np.random.default_rng(seed)


seeds = st.integers(0, 2**32 - 1)
momenta = st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0])
eps_values = st.sampled_from([1e-5, 1e-3, 1e-12])


# --------------------------------------------------------------------------------------
# batch norm


@given(data=st.data(), shape=nc_star(min_count=2), dtype=dtypes, momentum=momenta)
@example(data=None, shape=(3, 2), dtype=np.float64, momentum=0.1)
def test_batch_norm_training_matches_torch_over_several_steps(data, shape, dtype, momentum):
    c = shape[1]
    if data is None:  # the explicit example: a constant channel of large magnitude
        batches = [np.array([[1e4, -3.0], [1e4, 5.0], [1e4, 7.0]])] * 2
        weight = bias = None
    else:
        steps = data.draw(st.integers(1, 3), label="steps")
        batches = [data.draw(arrays(dtype, shape), label=f"x{i}") for i in range(steps)]
        weight = data.draw(_optional(moderate_arrays(dtype, (c,))), label="weight")
        bias = data.draw(_optional(moderate_arrays(dtype, (c,))), label="bias")
    rm, rv = np.zeros(c, dtype=dtype), np.ones(c, dtype=dtype)
    t_rm, t_rv = torch.zeros(c, dtype=torch.float64), torch.ones(c, dtype=torch.float64)
    axes = (0,) + tuple(range(2, len(shape)))
    scale = _maxabs(weight)
    for x in batches:
        y = norm.batch_norm(x, rm, rv, weight, bias, training=True, momentum=momentum)
        expected = F.batch_norm(
            _t64(x), t_rm, t_rv, _t64(weight), _t64(bias), training=True, momentum=momentum
        )
        assert y.dtype == dtype and y.shape == x.shape
        kappa = _kappa(x, _var(x, axes), 1e-5)
        assert_close(y, expected, dtype=dtype, atol=_atol(dtype, kappa, scale), what="output")
        assert not np.isnan(y).any()
    worst = _maxabs(*batches)
    assert rm.dtype == dtype and rv.dtype == dtype
    # the running stats are stored in the input dtype after every step (as torch's buffers),
    # each storage rounding being up to eps(dtype) * max|x| (squared for the variance)
    unit = float(np.finfo(dtype).eps)
    assert_close(rm, t_rm, dtype=dtype, atol=_atol(dtype, worst, unit=unit), what="running_mean")
    assert_close(
        rv, t_rv, dtype=dtype, atol=_atol(dtype, worst * worst, unit=unit), what="running_var"
    )


@given(
    x=arrays(np.float64, (5, 3)),
    momentum=momenta,
)
def test_batch_norm_running_var_uses_unbiased_variance(x, momentum):
    rm, rv = np.full(3, 2.0), np.full(3, 3.0)
    norm.batch_norm(x, rm, rv, training=True, momentum=momentum)
    expected_var = (1 - momentum) * 3.0 + momentum * x.var(axis=0, ddof=1)
    expected_mean = (1 - momentum) * 2.0 + momentum * x.mean(axis=0)
    assert_close(rv, expected_var, atol=_atol(np.float64, _maxabs(x) ** 2))
    assert_close(rm, expected_mean, atol=_atol(np.float64, _maxabs(x)))


def test_momentum_none_is_refused_and_one_over_t_is_the_cumulative_average():
    x = np.random.default_rng(0).standard_normal((4, 3))
    with pytest.raises(TypeError, match="momentum must be a float; got None"):
        norm.batch_norm(x, np.zeros(3), np.ones(3), training=True, momentum=None)
    module = torch.nn.BatchNorm1d(3, momentum=None, affine=False).double()
    rm, rv = np.zeros(3), np.ones(3)
    for t in range(1, 6):
        batch = np.random.default_rng(t).standard_normal((6, 3)) * t + t
        module(_t64(batch))
        norm.batch_norm(batch, rm, rv, training=True, momentum=1.0 / t)
    assert_close(rm, module.running_mean, what="running_mean")
    assert_close(rv, module.running_var, what="running_var")


def test_batch_norm_matches_nn_batchnorm2d_through_training_then_eval():
    rng = _rng(12)
    module = torch.nn.BatchNorm2d(3, momentum=0.25).double()
    with torch.no_grad():
        module.weight.copy_(_t64(rng.standard_normal(3)))
        module.bias.copy_(_t64(rng.standard_normal(3)))
    weight, bias = module.weight.detach().numpy().copy(), module.bias.detach().numpy().copy()
    rm, rv = np.zeros(3), np.ones(3)
    for step in range(4):
        x = rng.standard_normal((5, 3, 4, 2)) * (step + 1) + step
        y = norm.batch_norm(x, rm, rv, weight, bias, training=True, momentum=0.25)
        assert_close(y, module.train()(_t64(x)), what=f"train step {step}")
    assert_close(rm, module.running_mean, what="running_mean")
    assert_close(rv, module.running_var, what="running_var")
    x = rng.standard_normal((2, 3, 4, 2))
    assert_close(norm.batch_norm(x, rm, rv, weight, bias), module.eval()(_t64(x)), what="eval")


@given(data=st.data(), shape=nc_star(), dtype=dtypes)
def test_batch_norm_eval_matches_torch_and_leaves_running_stats(data, shape, dtype):
    c = shape[1]
    x = data.draw(arrays(dtype, shape), label="x")
    rm = data.draw(arrays(dtype, (c,)), label="running_mean")
    rv = data.draw(variances(dtype, (c,), 0.0, 1e4), label="running_var")
    weight = data.draw(_optional(moderate_arrays(dtype, (c,))), label="weight")
    bias = data.draw(_optional(moderate_arrays(dtype, (c,))), label="bias")
    eps = data.draw(eps_values, label="eps")
    before = rm.copy(), rv.copy()
    y = norm.batch_norm(x, rm, rv, weight, bias, training=False, eps=eps)
    expected = F.batch_norm(_t64(x), _t64(rm), _t64(rv), _t64(weight), _t64(bias), eps=eps)
    kappa = _kappa(np.concatenate([x.ravel(), rm]), rv, eps)
    assert y.dtype == dtype
    assert_close(y, expected, dtype=dtype, atol=_atol(dtype, kappa, _maxabs(weight)))
    np.testing.assert_array_equal(rm, before[0])
    np.testing.assert_array_equal(rv, before[1])


@given(data=st.data(), shape=nc_star(min_count=2), dtype=dtypes, training=st.booleans())
def test_batch_norm_backward_matches_autograd(data, shape, dtype, training):
    c = shape[1]
    x = data.draw(arrays(dtype, shape), label="x")
    g = data.draw(moderate_arrays(dtype, shape), label="grad_output")
    weight = data.draw(_optional(moderate_arrays(dtype, (c,))), label="weight")
    bias = data.draw(_optional(moderate_arrays(dtype, (c,))), label="bias")
    rm = data.draw(moderate_arrays(dtype, (c,)), label="running_mean")
    rv = data.draw(variances(dtype, (c,)), label="running_var")
    saved = rm.copy(), rv.copy()
    ours = norm.batch_norm_backward(g, x, rm, rv, weight, bias, training=training)
    np.testing.assert_array_equal(rm, saved[0])  # the backward never updates running stats
    np.testing.assert_array_equal(rv, saved[1])

    def forward(x_, w_, b_):
        return F.batch_norm(x_, _t64(rm), _t64(rv), w_, b_, training=training)

    _, theirs = _torch_with_grads(forward, [x, weight, bias], g)
    axes = (0,) + tuple(range(2, len(shape)))
    var = _var(x, axes) if training else rv
    kappa = _kappa(np.concatenate([x.ravel(), rm]), var, 1e-5)
    inv_std = 1 / np.sqrt(np.min(var) + 1e-5)
    atol = _atol(dtype, kappa, _maxabs(g) * _maxabs(weight) * inv_std * math.prod(shape))
    _assert_grads(ours, theirs, dtype, atol)


@given(seed=seeds, shape=nc_star(min_count=2), training=st.booleans())
def test_batch_norm_backward_passes_gradient_check(seed, shape, training):
    rng = _rng(seed)
    c = shape[1]
    x = rng.standard_normal(shape) * 3 + 1
    rm, rv = (rng.standard_normal(c), rng.random(c) + 0.5) if not training else (None, None)
    weight, bias = rng.standard_normal(c), rng.standard_normal(c)
    errors = _check_gradients(
        norm.batch_norm,
        norm.batch_norm_backward,
        [x, rm, rv, weight, bias],
        wrt=[0, 3, 4],
        kwargs={"training": training},
    )
    assert max(errors) < GRAD_CHECK_TOL, errors


def test_batch_norm_backward_is_the_errata_formula():
    """dx = (1/(N sqrt(var+eps))) (N dxhat - sum dxhat - xhat sum(dxhat xhat)), dxhat = dy*w."""
    rng = _rng(7)
    x, dy, w = rng.standard_normal((6, 4)), rng.standard_normal((6, 4)), rng.standard_normal(4)
    n, eps = x.shape[0], 1e-5
    mu, var = x.mean(0), x.var(0)
    xhat = (x - mu) / np.sqrt(var + eps)
    dxhat = dy * w
    dx = (n * dxhat - dxhat.sum(0) - xhat * (dxhat * xhat).sum(0)) / (n * np.sqrt(var + eps))
    grad_x, grad_w, grad_b = norm.batch_norm_backward(dy, x, None, None, w, None, training=True)
    assert_close(grad_x, dx)
    assert_close(grad_w, (dy * xhat).sum(0))
    assert grad_b is None


def test_batch_norm_refuses_one_value_per_channel_like_torch():
    for shape in [(1, 3), (1, 3, 1), (1, 2, 1, 1)]:
        x = np.ones(shape)
        with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
            norm.batch_norm(x, np.zeros(shape[1]), np.ones(shape[1]), training=True)
        with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
            F.batch_norm(torch.ones(shape), None, None, training=True)
    # batch of one is fine with spatial positions, and in evaluation mode
    x = np.array([[[1.0, 3.0], [2.0, 2.0]]])
    y = norm.batch_norm(x, None, None, training=True)
    assert_close(y, F.batch_norm(_t64(x), None, None, training=True))
    x1 = np.array([[1.0, 2.0, 3.0]])
    y1 = norm.batch_norm(x1, np.ones(3), np.full(3, 4.0), training=False)
    assert_close(y1, (x1 - 1) / np.sqrt(4 + 1e-5))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("value", [0.0, 1.0, -7.25, 1e4])
def test_constant_channel_gives_bias_not_nan(dtype, value):
    """ERRATA: eps is added to the variance. With sqrt(var - eps) a constant channel is NaN."""
    x = np.full((4, 2), value, dtype=dtype)
    x[:, 1] = np.arange(4)  # one constant channel, one varying
    bias = np.array([0.5, -0.5], dtype=dtype)
    weight = np.array([2.0, 3.0], dtype=dtype)
    y = norm.batch_norm(x, None, None, weight, bias, training=True)
    np.testing.assert_array_equal(y[:, 0], np.full(4, 0.5, dtype=dtype))
    grads = norm.batch_norm_backward(np.ones_like(x), x, None, None, weight, bias, training=True)
    assert all(np.isfinite(g).all() for g in grads)
    with np.errstate(invalid="ignore"):
        minus_eps = (x[:, 0] - x[:, 0].mean()) / np.sqrt(x[:, 0].var() - 1e-5)
    assert np.isnan(minus_eps).all()  # the seed note's formula


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_constant_features_give_bias_in_every_norm(dtype):
    x = np.full((2, 3, 4), 1e4, dtype=dtype)
    b3, b4 = np.arange(3, dtype=dtype), np.arange(4, dtype=dtype)
    cases = [
        (norm.layer_norm(x, (4,), bias=b4), np.broadcast_to(b4, x.shape)),
        (norm.group_norm(x, 3, bias=b3), np.broadcast_to(b3[:, None], x.shape)),
        (norm.instance_norm(x, bias=b3), np.broadcast_to(b3[:, None], x.shape)),
        (norm.rms_norm(np.zeros_like(x), (4,)), np.zeros_like(x)),
    ]
    for ours, expected in cases:
        np.testing.assert_array_equal(ours, expected)


def test_large_magnitudes_match_torch():
    rng = _rng(3)
    for x in (1e4 * rng.standard_normal((8, 3, 2)), 1e4 + rng.standard_normal((8, 3, 2))):
        g = rng.standard_normal(x.shape)
        y = norm.batch_norm(x, None, None, training=True)
        out, (gx,) = _torch_with_grads(lambda t: F.batch_norm(t, None, None, training=True), [x], g)
        assert_close(y, out, atol=_atol(np.float64, _kappa(x, _var(x, (0, 2)), 1e-5)))
        ours = norm.batch_norm_backward(g, x, None, None, training=True)[0]
        assert_close(ours, gx, rtol=1e-8, atol=1e-12)


# --------------------------------------------------------------------------------------
# layer norm and RMS norm


@st.composite
def trailing_case(draw, dtype, min_dims=1):
    """(x, normalized_shape) with 0-2 batch dims (a batch of one allowed)."""
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    normalized = tuple(draw(st.lists(st.integers(1, 4), min_size=min_dims, max_size=2)))
    x = draw(arrays(dtype, batch + normalized))
    return x, normalized


@given(data=st.data(), dtype=dtypes, eps=eps_values)
def test_layer_norm_matches_torch(data, dtype, eps):
    x, shape = data.draw(trailing_case(dtype), label="x, normalized_shape")
    weight = data.draw(_optional(moderate_arrays(dtype, shape)), label="weight")
    bias = data.draw(_optional(moderate_arrays(dtype, shape)), label="bias")
    g = data.draw(moderate_arrays(dtype, x.shape), label="grad_output")
    y = norm.layer_norm(x, shape, weight, bias, eps=eps)
    out, theirs = _torch_with_grads(
        lambda a, w, b: F.layer_norm(a, shape, w, b, eps=eps), [x, weight, bias], g
    )
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    var = _var(x, axes)
    kappa = _kappa(x, var, eps)
    assert y.dtype == dtype
    assert_close(y, out, dtype=dtype, atol=_atol(dtype, kappa, _maxabs(weight)), what="output")
    ours = norm.layer_norm_backward(g, x, shape, weight, bias, eps=eps)
    m = math.prod(shape)
    scale = _maxabs(g) * _maxabs(weight) * m / np.sqrt(np.min(var) + eps)
    _assert_grads(ours, theirs, dtype, _atol(dtype, kappa, scale * x.size))


@given(x=arrays(np.float32, (2, 5), bound=100.0))
def test_layer_norm_float32_agrees_with_torch_float32(x):
    y = norm.layer_norm(x, (5,))
    kappa = _kappa(x, _var(x, (1,)), 1e-5)
    assert_close(
        y,
        F.layer_norm(to_torch(x), (5,)),
        dtype=np.float32,
        atol=_atol(np.float32, kappa, 1, EPS32),
    )


@given(
    seed=seeds, batch=st.lists(st.integers(1, 3), max_size=2), shape=st.sampled_from([(4,), (2, 3)])
)
def test_layer_norm_backward_passes_gradient_check(seed, batch, shape):
    rng = _rng(seed)
    x = rng.standard_normal((*batch, *shape)) * 2 - 1
    weight, bias = rng.standard_normal(shape), rng.standard_normal(shape)
    errors = _check_gradients(
        norm.layer_norm, norm.layer_norm_backward, [x, shape, weight, bias], wrt=[0, 2, 3]
    )
    assert max(errors) < GRAD_CHECK_TOL, errors


def test_layer_norm_divides_by_std_not_variance():
    """ERRATA (004 §2.4.2.1 注1): divide by sqrt(var + eps), not by the variance."""
    x = np.array([[1.0, 2.0, 4.0, 9.0]])
    y = norm.layer_norm(x, (4,))
    assert_close(y.std(), 1.0, rtol=1e-5)
    wrong = (x - x.mean()) / (x.var() + 1e-5)
    assert np.abs(y - wrong).max() > 0.5


@given(data=st.data(), dtype=dtypes, eps=st.sampled_from([None, 1e-6, 1e-3]))
def test_rms_norm_matches_torch(data, dtype, eps):
    x, shape = data.draw(trailing_case(dtype), label="x, normalized_shape")
    weight = data.draw(_optional(moderate_arrays(dtype, shape)), label="weight")
    g = data.draw(moderate_arrays(dtype, x.shape), label="grad_output")
    # eps=None means the machine epsilon of the *input's* computation type, so the float64
    # oracle must be given float32's epsilon explicitly for float32 inputs.
    oracle_eps = eps if eps is not None else float(np.finfo(dtype).eps)
    y = norm.rms_norm(x, shape, weight, eps=eps)
    out, theirs = _torch_with_grads(
        lambda a, w: F.rms_norm(a, shape, w, eps=oracle_eps), [x, weight], g
    )
    assert y.dtype == dtype
    assert_close(y, out, dtype=dtype, what="output")
    ours = norm.rms_norm_backward(g, x, shape, weight, eps=eps)
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    ms = np.mean(np.asarray(x, np.float64) ** 2, axis=axes)
    scale = _maxabs(g) * _maxabs(weight) * math.prod(shape) / np.sqrt(np.min(ms) + oracle_eps)
    _assert_grads(ours, theirs, dtype, _atol(dtype, 1.0, scale), names=("input", "weight"))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_rms_norm_default_eps_is_computation_type_epsilon(dtype):
    x = np.array([[0.0, 0.0, 1e-3]], dtype=dtype)
    expected = F.rms_norm(to_torch(x), (3,)).double().numpy()  # eps=None in torch too
    y = norm.rms_norm(x, (3,))
    assert y.dtype == dtype
    np.testing.assert_allclose(y.astype(np.float64), expected, rtol=2e-3)  # float16 rounding
    if dtype != np.float64:  # float16 uses float32's eps: finfo(float16).eps would give ~0.03
        eps16 = float(np.finfo(np.float16).eps)
        with_eps16 = 1e-3 / np.sqrt(1e-6 / 3 + eps16)
        assert abs(float(y[0, 2]) - with_eps16) > 1.0


@given(seed=seeds, shape=st.sampled_from([(4,), (2, 3)]))
def test_rms_norm_backward_passes_gradient_check(seed, shape):
    rng = _rng(seed)
    x = rng.standard_normal((3, *shape))
    weight = rng.standard_normal(shape)
    errors = _check_gradients(
        norm.rms_norm, norm.rms_norm_backward, [x, shape, weight], wrt=[0, 2], kwargs={"eps": 1e-6}
    )
    assert max(errors) < GRAD_CHECK_TOL, errors


# --------------------------------------------------------------------------------------
# group norm and instance norm


@st.composite
def group_case(draw, dtype):
    groups = draw(st.integers(1, 3))
    c = groups * draw(st.integers(1, 2))
    n = draw(st.integers(1, 3))
    spatial = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    assume(n * (c // groups) * math.prod(spatial) > 1)  # torch refuses one value per group
    x = draw(arrays(dtype, (n, c, *spatial)))
    return x, groups


@given(data=st.data(), dtype=dtypes, eps=eps_values)
def test_group_norm_matches_torch(data, dtype, eps):
    x, groups = data.draw(group_case(dtype), label="x, num_groups")
    c = x.shape[1]
    weight = data.draw(_optional(moderate_arrays(dtype, (c,))), label="weight")
    bias = data.draw(_optional(moderate_arrays(dtype, (c,))), label="bias")
    g = data.draw(moderate_arrays(dtype, x.shape), label="grad_output")
    y = norm.group_norm(x, groups, weight, bias, eps=eps)
    # torch 2.13 fails in group_norm's backward with a bias but no weight ("tensor does not
    # have a device"); a constant weight of ones is the same function.
    ones = torch.ones(c, dtype=torch.float64) if weight is None and bias is not None else None
    out, theirs = _torch_with_grads(
        lambda a, w, b: F.group_norm(a, groups, ones if w is None else w, b, eps=eps),
        [x, weight, bias],
        g,
    )
    var = _var(x.reshape(x.shape[0], groups, -1), (2,))
    kappa = _kappa(x, var, eps)
    assert y.dtype == dtype
    assert_close(y, out, dtype=dtype, atol=_atol(dtype, kappa, _maxabs(weight)), what="output")
    ours = norm.group_norm_backward(g, x, groups, weight, bias, eps=eps)
    scale = _maxabs(g) * _maxabs(weight) * x.size / np.sqrt(np.min(var) + eps)
    _assert_grads(ours, theirs, dtype, _atol(dtype, kappa, scale))


def test_group_norm_refuses_one_value_per_group_like_torch():
    for shape, groups in [((1, 3), 3), ((1, 2, 1), 2), ((1, 1), 1)]:
        with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
            norm.group_norm(np.ones(shape), groups)
        with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
            F.group_norm(torch.ones(shape), groups)
    x = np.array([[1.0, 3.0, 5.0]])  # a batch of one is fine with several values per group
    assert_close(norm.group_norm(x, 1), F.group_norm(_t64(x), 1))


def test_group_norm_extremes_are_layer_and_instance_norm():
    x = _rng(1).standard_normal((2, 4, 3))
    assert_close(norm.group_norm(x, 1), norm.layer_norm(x, (4, 3)))
    assert_close(norm.group_norm(x, 4), norm.instance_norm(x))


@given(seed=seeds, groups=st.sampled_from([1, 2]), spatial=st.sampled_from([(), (3,), (2, 2)]))
def test_group_norm_backward_passes_gradient_check(seed, groups, spatial):
    rng = _rng(seed)
    x = rng.standard_normal((2, 4, *spatial)) + 0.5
    weight, bias = rng.standard_normal(4), rng.standard_normal(4)
    errors = _check_gradients(
        norm.group_norm, norm.group_norm_backward, [x, groups, weight, bias], wrt=[0, 2, 3]
    )
    assert max(errors) < GRAD_CHECK_TOL, errors


@st.composite
def instance_case(draw, dtype):
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    spatial = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
    assume(math.prod(spatial) > 1)
    return draw(arrays(dtype, (n, c, *spatial)))


@given(
    data=st.data(),
    dtype=dtypes,
    momentum=momenta,
    track=st.booleans(),
    use_input_stats=st.booleans(),
)
def test_instance_norm_matches_torch(data, dtype, momentum, track, use_input_stats):
    x = data.draw(instance_case(dtype), label="x")
    c = x.shape[1]
    weight = data.draw(_optional(moderate_arrays(dtype, (c,))), label="weight")
    bias = data.draw(_optional(moderate_arrays(dtype, (c,))), label="bias")
    g = data.draw(moderate_arrays(dtype, x.shape), label="grad_output")
    track = track or not use_input_stats
    rm = data.draw(moderate_arrays(dtype, (c,)), label="running_mean") if track else None
    rv = data.draw(variances(dtype, (c,)), label="rv") if track else None
    t_rm, t_rv = _t64(rm), _t64(rv)
    kw = {"use_input_stats": use_input_stats, "momentum": momentum}
    saved = None if rm is None else (rm.copy(), rv.copy())
    ours_grads = norm.instance_norm_backward(g, x, rm, rv, weight, bias, **kw)
    if saved is not None:  # the backward never updates running stats
        np.testing.assert_array_equal(rm, saved[0])
        np.testing.assert_array_equal(rv, saved[1])
    y = norm.instance_norm(x, rm, rv, weight, bias, **kw)
    out, theirs = _torch_with_grads(
        lambda a, w, b: F.instance_norm(a, t_rm, t_rv, w, b, **kw), [x, weight, bias], g
    )
    axes = tuple(range(2, x.ndim))
    var = _var(x, axes) if use_input_stats else rv
    shift = x.ravel() if rm is None else np.concatenate([x.ravel(), rm])
    kappa = _kappa(shift, var, 1e-5)
    assert y.dtype == dtype
    assert_close(y, out, dtype=dtype, atol=_atol(dtype, kappa, _maxabs(weight)), what="output")
    if track:
        worst = _maxabs(x, rm, rv)
        unit = float(np.finfo(dtype).eps)  # stored in the input dtype, as torch's buffers
        assert_close(
            rm, t_rm, dtype=dtype, atol=_atol(dtype, worst, unit=unit), what="running_mean"
        )
        assert_close(
            rv, t_rv, dtype=dtype, atol=_atol(dtype, worst**2, unit=unit), what="running_var"
        )
    scale = _maxabs(g) * _maxabs(weight) * x.size / np.sqrt(np.min(var) + 1e-5)
    _assert_grads(ours_grads, theirs, dtype, _atol(dtype, kappa, scale))


@given(seed=seeds, use_input_stats=st.booleans(), spatial=st.sampled_from([(3,), (2, 2)]))
def test_instance_norm_backward_passes_gradient_check(seed, use_input_stats, spatial):
    rng = _rng(seed)
    x = rng.standard_normal((2, 3, *spatial)) - 0.5
    rm, rv = rng.standard_normal(3), rng.random(3) + 0.5
    weight, bias = rng.standard_normal(3), rng.standard_normal(3)
    kwargs = {"use_input_stats": use_input_stats, "momentum": 0.0}  # momentum 0: rm, rv fixed
    errors = _check_gradients(
        norm.instance_norm,
        norm.instance_norm_backward,
        [x, rm, rv, weight, bias],
        wrt=[0, 3, 4],
        kwargs=kwargs,
    )
    assert max(errors) < GRAD_CHECK_TOL, errors


def test_instance_norm_refuses_single_spatial_element_like_torch():
    for shape in [(4, 3), (2, 3, 1)]:
        with pytest.raises(ValueError, match="Expected more than 1 spatial element"):
            norm.instance_norm(np.ones(shape))
        with pytest.raises(ValueError, match="Expected more than 1 spatial element"):
            F.instance_norm(torch.ones(shape))
    # a batch of one is fine: the statistics are per instance
    x = _rng(0).standard_normal((1, 2, 5))
    assert_close(norm.instance_norm(x), F.instance_norm(_t64(x)))


# --------------------------------------------------------------------------------------
# bad inputs


def test_bad_inputs_raise_clear_errors():
    x = np.ones((4, 3, 2))
    ones3, zeros3 = np.ones(3), np.zeros(3)
    with pytest.raises(ValueError, match=r"normalized_shape=\[4\] must equal the trailing"):
        norm.layer_norm(x, (4,))
    with pytest.raises(ValueError, match="normalized_shape must contain at least one"):
        norm.layer_norm(x, ())
    with pytest.raises(ValueError, match=r"normalized_shape=\[5, 4, 3, 2\]"):
        norm.rms_norm(x, (5, 4, 3, 2))
    with pytest.raises(TypeError, match="normalized_shape must be an int or a sequence"):
        norm.layer_norm(x, None)
    with pytest.raises(ValueError, match=r"weight must have shape \(2,\)"):
        norm.layer_norm(x, (2,), weight=np.ones(3))
    with pytest.raises(ValueError, match="num_groups=2 must divide the number of channels C=3"):
        norm.group_norm(x, 2)
    with pytest.raises(ValueError, match="num_groups must be > 0; got 0"):
        norm.group_norm(x, 0)
    with pytest.raises(TypeError, match="num_groups must be an int"):
        norm.group_norm(x, 1.5)
    with pytest.raises(ValueError, match="running_mean must have shape"):
        norm.batch_norm(x, np.zeros(4), ones3, training=True)
    with pytest.raises(ValueError, match="running_var must have shape"):
        norm.batch_norm(x, zeros3, np.ones((3, 1)))
    with pytest.raises(ValueError, match="both be None or neither"):
        norm.batch_norm(x, zeros3, None, training=True)
    with pytest.raises(ValueError, match="must be given in evaluation mode"):
        norm.batch_norm(x, None, None, training=False)
    with pytest.raises(ValueError, match="must be given when use_input_stats=False"):
        norm.instance_norm(x, use_input_stats=False)
    with pytest.raises(TypeError, match="running_mean must be a writeable numpy array"):
        norm.batch_norm(x, [0.0, 0.0, 0.0], ones3, training=True)
    with pytest.raises(ValueError, match=r"input must have at least 2 dimensions"):
        norm.batch_norm(np.ones(3), None, None, training=True)
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        norm.group_norm(x, 3, weight=np.ones(2))
    with pytest.raises(ValueError, match="grad_output must have the input's shape"):
        norm.layer_norm_backward(np.ones((4, 3)), x, (2,))
    with pytest.raises(TypeError, match="input must be a numeric array"):
        norm.layer_norm(np.array([object()]), (1,))


@pytest.mark.parametrize(
    "call",
    [
        lambda x, e: norm.batch_norm(x, np.zeros(3), np.ones(3), training=True, eps=e),
        lambda x, e: norm.batch_norm(x, np.zeros(3), np.ones(3), training=False, eps=e),
        lambda x, e: norm.batch_norm_backward(x, x, None, None, training=True, eps=e),
        lambda x, e: norm.layer_norm(x, (2,), eps=e),
        lambda x, e: norm.layer_norm_backward(x, x, (2,), eps=e),
        lambda x, e: norm.rms_norm(x, (2,), eps=e),
        lambda x, e: norm.rms_norm_backward(x, x, (2,), eps=e),
        lambda x, e: norm.group_norm(x, 3, eps=e),
        lambda x, e: norm.group_norm_backward(x, x, 3, eps=e),
        lambda x, e: norm.instance_norm(x, eps=e),
        lambda x, e: norm.instance_norm_backward(x, x, eps=e),
    ],
)
def test_negative_eps_is_refused(call):
    x = _rng(0).standard_normal((4, 3, 2))
    with pytest.raises(ValueError, match="eps must be a finite number"):
        call(x, -1e-5)
    with pytest.raises(ValueError, match="eps must be a finite number"):
        call(x, float("nan"))


def test_batch_norm_eps_zero_refused_when_training_like_torch():
    x = np.ones((4, 3))
    with pytest.raises(ValueError, match=r"eps must be a finite number > 0 when training"):
        norm.batch_norm(x, None, None, training=True, eps=0.0)
    with pytest.raises(ValueError, match="eps must be positive during training"):
        F.batch_norm(torch.ones(4, 3), None, None, training=True, eps=0.0)
    y = norm.batch_norm(x, np.zeros(3), np.ones(3), eps=0.0)  # allowed in evaluation mode
    np.testing.assert_array_equal(y, x)


# --------------------------------------------------------------------------------------
# residual blocks and DeepNorm


def _ln(h):
    return norm.layer_norm(h, h.shape[-1:])


@st.composite
def residual_case(draw):
    rows, width = draw(st.integers(1, 4)), draw(st.integers(2, 6))
    x = draw(arrays(np.float64, (rows, width), bound=100.0))
    weight = draw(arrays(np.float64, (width, width), bound=2.0))
    return x, lambda h: np.tanh(h @ weight)


@given(case=residual_case())
def test_pre_norm_output_minus_input_is_sublayer_of_norm(case):
    x, sublayer = case
    out = norm.pre_norm_residual(x, sublayer, _ln)
    assert_close(out - x, sublayer(_ln(x)), atol=_atol(np.float64, _maxabs(x)))


@given(case=residual_case())
def test_post_norm_output_is_normalized_sum(case):
    x, sublayer = case
    out = norm.post_norm_residual(x, sublayer, _ln)
    s = x + sublayer(x)
    assert_close(out, _ln(s))
    var = s.var(axis=-1)
    well_scaled = var > 1e-3  # rows with real spread come out with mean 0, variance ~1
    assert_close(out.mean(-1), np.zeros(len(x)), atol=1e-9)
    assert_close(out.var(-1)[well_scaled], (var / (var + 1e-5))[well_scaled], rtol=1e-9)


@given(case=residual_case(), alpha=st.floats(0.1, 10))
def test_deepnorm_generalizes_post_norm(case, alpha):
    x, sublayer = case
    assert_close(
        norm.deepnorm_residual(x, sublayer, _ln, 1.0), norm.post_norm_residual(x, sublayer, _ln)
    )
    out = norm.deepnorm_residual(x, sublayer, _ln, alpha)
    assert_close(out, _ln(alpha * x + sublayer(x)))


def test_residual_blocks_match_torch_layers():
    rng = _rng(5)
    x, w = rng.standard_normal((3, 4)), rng.standard_normal((4, 4))
    xt, wt = _t64(x), _t64(w)
    ln_t = lambda h: F.layer_norm(h, (4,))
    sub_t = lambda h: torch.relu(h @ wt)
    sub = lambda h: np.maximum(h @ w, 0)
    assert_close(norm.post_norm_residual(x, sub, _ln), ln_t(xt + sub_t(xt)))
    assert_close(norm.pre_norm_residual(x, sub, _ln), xt + sub_t(ln_t(xt)))
    assert_close(norm.deepnorm_residual(x, sub, _ln, 2.5), ln_t(2.5 * xt + sub_t(xt)))


def test_residual_blocks_refuse_bad_arguments():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="sublayer must return an array of the input's shape"):
        norm.pre_norm_residual(x, lambda h: h[:, :2], _ln)
    with pytest.raises(TypeError, match="norm must be callable"):
        norm.post_norm_residual(x, np.tanh, "layer_norm")
    with pytest.raises(ValueError, match="alpha must be a finite number > 0"):
        norm.deepnorm_residual(x, np.tanh, _ln, 0.0)


@given(n=st.integers(1, 1000), m=st.integers(1, 1000))
def test_deepnorm_constants_follow_the_paper(n, m):
    """Wang et al. 2022 (arXiv:2203.00555), Figure 2: the three architectures."""
    enc, dec = norm.deepnorm_constants(n, 0)
    assert dec is None
    assert math.isclose(enc.alpha**4, 2 * n, rel_tol=1e-12)  # alpha = (2N)^(1/4)
    assert math.isclose(enc.beta**-4, 8 * n, rel_tol=1e-12)  # beta = (8N)^(-1/4)
    enc, dec = norm.deepnorm_constants(0, m)
    assert enc is None
    assert math.isclose(dec.alpha**4, 2 * m, rel_tol=1e-12)
    assert math.isclose(dec.beta**-4, 8 * m, rel_tol=1e-12)
    enc, dec = norm.deepnorm_constants(n, m)
    assert math.isclose((enc.alpha / 0.81) ** 16, n**4 * m, rel_tol=1e-10)
    assert math.isclose((enc.beta / 0.87) ** -16, n**4 * m, rel_tol=1e-10)
    assert math.isclose(dec.alpha**4, 3 * m, rel_tol=1e-12)
    assert math.isclose(dec.beta**-4, 12 * m, rel_tol=1e-12)


def test_deepnorm_constants_known_values_and_refusals():
    enc, _ = norm.deepnorm_constants(8, 0)
    assert (enc.alpha, enc.beta) == pytest.approx((2.0, 8**-0.5))
    _, dec = norm.deepnorm_constants(0, 32)  # alpha = 64^(1/4), beta = 256^(-1/4) = 1/4
    assert (dec.alpha, dec.beta) == pytest.approx((2 * math.sqrt(2), 0.25))
    enc, dec = norm.deepnorm_constants(1, 1)
    assert (enc.alpha, enc.beta, dec.alpha, dec.beta) == pytest.approx(
        (0.81, 0.87, 3**0.25, 12**-0.25)
    )
    with pytest.raises(ValueError, match="at least one of num_encoder_layers"):
        norm.deepnorm_constants(0, 0)
    with pytest.raises(ValueError, match="num_decoder_layers must be an int >= 0"):
        norm.deepnorm_constants(4, -1)


def test_dtype_is_preserved_everywhere():
    x32 = _rng(0).standard_normal((3, 2, 4)).astype(np.float32)
    w = np.ones(2, np.float32)
    outputs = [
        norm.batch_norm(x32, None, None, w, w, training=True),
        norm.layer_norm(x32, (4,)),
        norm.rms_norm(x32, (2, 4)),
        norm.group_norm(x32, 2, w, w),
        norm.instance_norm(x32, weight=w),
        *norm.batch_norm_backward(x32, x32, None, None, w, w, training=True),
        *norm.group_norm_backward(x32, x32, 1, w, w),
        *norm.instance_norm_backward(x32, x32, weight=w, bias=w),
        norm.layer_norm_backward(x32, x32, (4,))[0],
        norm.rms_norm_backward(x32, x32, (4,))[0],
    ]
    assert all(o.dtype == np.float32 for o in outputs), [o.dtype for o in outputs]
