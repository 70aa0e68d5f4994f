"""Conformance tests for solutions/activations.py against torch.nn.functional and autograd."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st

from solutions import activations as act
from solutions.backprop import gradient_check
from tests.solutions.strategies import arrays, assert_close, dtypes, shapes, to_torch

# gradient_check compares element-wise relative errors, so every gradient entry must stay
# well above the rounding error of the central difference, eps |L| / h. With h = 1e-4 (the
# projected loss L sums <= 64 outputs of size <= ~10, so the rounding error is < 1e-10) and
# a truncation error h^2 f'(3)/6 ~ 1e-9, a right gradient agrees to < 1e-6 on "moderate"
# inputs: |x| in [0.01, 3], at least KINK_MARGIN (> h) from every kink, and options that do
# not scale gradients to ~0. A wrong gradient (a missing factor, a wrong sign, the wrong side
# of a kink) is off by > 1e-2.
GRADCHECK_TOL = 1e-5
GRADCHECK_STEP = 1e-4
GRADCHECK_BOUND = 3.0
KINK_MARGIN = 1e-3
# float32 gradients near saturation: numpy's and torch's float32 tanh/exp may differ by one
# ulp (1.2e-7), which 1 - t^2 or s (1 - s) turns into 2.4e-7 and |g| <= 10 into 2.4e-6.
FLOAT32_GRAD_ATOL = 1e-5
# Array sizes: hypothesis draws every element, so up to 4^4 = 256 elements keeps an example
# cheap; the central-difference checks (2 forward calls per element) use up to 4^3.
MAX_SIDE = 4
GRADCHECK_MAX_DIMS = 3
# torch's CELU backward rounds 1/alpha to float32 even for float64 tensors (verified: relative
# error 1.3e-7 at alpha=0.1, x=-1). Its gradient g (alpha/alpha') e^{x/alpha'} then errs by a
# relative 6e-8 (the prefactor) plus an absolute |g| t e^{-t} 6e-8 <= 2.2e-8 (t = |x/alpha|,
# |g| <= 10) from the exponent.
FLOAT64_GRAD_TOL = {"celu": {"rtol": 1e-7, "atol": 1e-7}}


def torch_value_and_grad(fn, x, g, **kwargs):
    """fn(x) and d<fn(x), g>/dx by autograd, both as numpy."""
    xt = to_torch(x, requires_grad=True)
    out = fn(xt, **kwargs)
    out.backward(to_torch(g))
    return out.detach().numpy(), xt.grad.numpy()


def moderate(x: np.ndarray, kinks=()) -> np.ndarray:
    """Move entries near 0 (tiny gradients) or near a kink (no derivative) away by 0.1."""
    x = np.array(x, dtype=np.float64)
    for k in (0.0, *kinks):
        near = np.abs(x - k) < KINK_MARGIN
        x[near] = k + np.where(x[near] >= k, 0.1, -0.1)
    return x


@st.composite
def array_and_grad(draw, bound=1e4, min_dims=1, max_dims=4, dtype=None):
    dtype = dtype or draw(dtypes)
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, max_side=MAX_SIDE))
    x = draw(arrays(dtype, shape, bound=bound))
    g = draw(arrays(dtype, shape, bound=10.0))
    return x, g


# (name, ours, ours_backward, oracle, options strategy, kinks)
ELEMENTWISE = [
    ("sigmoid", act.sigmoid, act.sigmoid_backward, torch.sigmoid, st.just({}), []),
    ("logsigmoid", act.logsigmoid, act.logsigmoid_backward, F.logsigmoid, st.just({}), []),
    ("tanh", act.tanh, act.tanh_backward, torch.tanh, st.just({}), []),
    ("relu", act.relu, act.relu_backward, F.relu, st.just({}), [0.0]),
    (
        "leaky_relu",
        act.leaky_relu,
        act.leaky_relu_backward,
        F.leaky_relu,
        st.fixed_dictionaries(
            {"negative_slope": st.one_of(st.just(0.0), st.floats(0.01, 1), st.floats(-1, -0.01))}
        ),
        [0.0],
    ),
    (
        "rrelu (eval)",
        act.rrelu,
        act.rrelu_backward,
        F.rrelu,
        st.tuples(st.floats(0.01, 1), st.floats(0.01, 1)).map(
            lambda t: {"lower": min(t), "upper": max(t), "training": False}
        ),
        [0.0],
    ),
    (
        "elu",
        act.elu,
        act.elu_backward,
        F.elu,
        st.fixed_dictionaries({"alpha": st.floats(0.5, 3)}),
        [0.0],
    ),
    ("selu", act.selu, act.selu_backward, F.selu, st.just({}), [0.0]),
    (
        "celu",
        act.celu,
        act.celu_backward,
        F.celu,
        st.fixed_dictionaries({"alpha": st.floats(0.5, 3)}),
        [0.0],
    ),
    ("relu6", act.relu6, act.relu6_backward, F.relu6, st.just({}), [0.0, 6.0]),
    (
        "hardtanh",
        act.hardtanh,
        act.hardtanh_backward,
        F.hardtanh,
        st.tuples(st.floats(-3, 0), st.floats(0, 3)).map(
            lambda t: {"min_val": t[0], "max_val": t[1]}
        ),
        None,  # kinks at min_val, max_val: see options
    ),
    (
        "softplus",
        act.softplus,
        act.softplus_backward,
        F.softplus,
        st.fixed_dictionaries({"beta": st.floats(0.5, 2), "threshold": st.floats(16, 30)}),
        [],
    ),
    (
        "gelu",
        act.gelu,
        act.gelu_backward,
        F.gelu,
        st.fixed_dictionaries({"approximate": st.sampled_from(["none", "tanh"])}),
        [],
    ),
    ("silu", act.silu, act.silu_backward, F.silu, st.just({}), []),
    ("mish", act.mish, act.mish_backward, F.mish, st.just({}), []),
]
IDS = [case[0] for case in ELEMENTWISE]


@pytest.mark.parametrize(
    ("name", "ours", "ours_backward", "oracle", "options", "kinks"), ELEMENTWISE, ids=IDS
)
@given(data=st.data())
def test_elementwise_value_and_gradient_match_torch(
    name, ours, ours_backward, oracle, options, kinks, data
):  # fmt: skip
    x, g = data.draw(array_and_grad())
    kwargs = data.draw(options)
    theirs, their_grad = torch_value_and_grad(oracle, x, g, **kwargs)
    out = ours(x, **kwargs)
    assert out.dtype == x.dtype and np.isfinite(out).all()
    assert_close(out, theirs, dtype=x.dtype, what=f"{name} value")
    grad = ours_backward(g, x, **kwargs)
    assert grad.dtype == x.dtype
    if x.dtype == np.float64:
        tol = FLOAT64_GRAD_TOL.get(name, {})
    else:
        tol = {"atol": FLOAT32_GRAD_ATOL}
    assert_close(grad, their_grad, dtype=x.dtype, **tol, what=f"{name} gradient")


@pytest.mark.parametrize(
    ("name", "ours", "ours_backward", "oracle", "options", "kinks"), ELEMENTWISE, ids=IDS
)
@given(data=st.data())
def test_elementwise_backward_passes_gradient_check(
    name, ours, ours_backward, oracle, options, kinks, data
):  # fmt: skip
    x = data.draw(
        arrays(
            np.float64,
            shapes(max_dims=GRADCHECK_MAX_DIMS, max_side=MAX_SIDE),
            bound=GRADCHECK_BOUND,
        )
    )
    kwargs = data.draw(options)
    if kinks is None:
        kinks = [kwargs["min_val"], kwargs["max_val"]]
    x = moderate(x, kinks)
    (error,) = gradient_check(ours, ours_backward, [x], kwargs=kwargs, h=GRADCHECK_STEP)
    assert error < GRADCHECK_TOL, f"{name}: relative error {error:.2e}"


# ----------------------------------------------------------------------------- kinks and laws


def test_subgradients_at_kinks_match_torch():
    x = np.array([-1.0, 0.0, 6.0, 3.0, 7.0])
    cases = [
        (act.relu_backward, F.relu, {}),
        (act.relu6_backward, F.relu6, {}),
        (act.leaky_relu_backward, F.leaky_relu, {"negative_slope": 0.2}),
        (act.elu_backward, F.elu, {"alpha": 2.0}),
        (act.selu_backward, F.selu, {}),
        (act.celu_backward, F.celu, {"alpha": 2.0}),
        (act.hardtanh_backward, F.hardtanh, {"min_val": 0.0, "max_val": 6.0}),
        (act.rrelu_backward, F.rrelu, {"lower": 0.1, "upper": 0.3}),
    ]
    for ours, oracle, kwargs in cases:
        _, expected = torch_value_and_grad(oracle, x, np.ones_like(x), **kwargs)
        np.testing.assert_allclose(ours(np.ones_like(x), x, **kwargs), expected, rtol=1e-15)
    np.testing.assert_array_equal(act.relu_backward(np.ones(1), np.zeros(1)), [0.0])
    np.testing.assert_array_equal(act.relu6_backward(np.ones(2), np.array([0.0, 6.0])), [0, 0])


@given(arrays(np.float64, shapes(max_side=MAX_SIDE)), arrays(np.float32, shapes(max_side=MAX_SIDE)))
def test_sigmoid_is_symmetric(x64, x32):
    for x in (x64, x32):
        eps = np.finfo(x.dtype).eps
        np.testing.assert_allclose(act.sigmoid(-x), 1 - act.sigmoid(x), rtol=0, atol=eps)
        assert ((act.sigmoid(x) >= 0) & (act.sigmoid(x) <= 1)).all()


def test_errata_values():
    # GELU uses erf(x / sqrt 2): gelu(1) = Phi(1) = 0.8413, not 0.5 (1 + erf(1)) = 0.9214
    assert act.gelu(np.array([1.0]))[0] == pytest.approx(0.841344746, abs=1e-9)
    wrong = 0.5 * (1 + math.erf(1.0))
    assert abs(act.gelu(np.array([1.0]))[0] - wrong) > 0.08
    # GELU is not monotone: minimum -0.170 near x = -0.752
    z = np.linspace(-3, 0, 30001)
    assert z[np.argmin(act.gelu(z))] == pytest.approx(-0.7518, abs=1e-3)
    assert act.gelu(z).min() == pytest.approx(-0.16997, abs=1e-4)
    # ReLU6 clamps the activation (it is not gradient clipping)
    np.testing.assert_array_equal(act.relu6(np.array([-1.0, 3.0, 10.0])), [0.0, 3.0, 6.0])
    # naive softmax overflows; the shifted one does not
    x = np.array([1000.0, 1001.0, 1002.0])
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(np.exp(x) / np.exp(x).sum()).all()
    np.testing.assert_allclose(act.softmax(x, 0), [0.0900306, 0.2447285, 0.6652410], atol=1e-7)
    # float32 exp overflows above 88.72
    assert np.isfinite(act.softmax(np.array([100.0, 0.0], np.float32), 0)).all()


# ----------------------------------------------------------------------------- PReLU, RReLU


@st.composite
def prelu_case(draw, max_dims=4):
    dtype = draw(dtypes)
    shape = draw(shapes(min_dims=1, max_dims=max_dims, max_side=MAX_SIDE))
    channels = shape[1] if len(shape) >= 2 else 1
    weight_shape = draw(st.sampled_from([(), (1,), (channels,)]))
    x = draw(arrays(dtype, shape))
    w = draw(arrays(dtype, weight_shape, bound=2.0))
    g = draw(arrays(dtype, shape, bound=10.0))
    return x, w, g


@given(prelu_case())
def test_prelu_value_and_gradients_match_torch(case):
    x, w, g = case
    xt, wt = to_torch(x, requires_grad=True), to_torch(w, requires_grad=True)
    out = F.prelu(xt, wt)
    out.backward(to_torch(g))
    assert_close(act.prelu(x, w), out, dtype=x.dtype, what="prelu")
    grad_input, grad_weight = act.prelu_backward(g, x, w)
    assert grad_weight.shape == w.shape and grad_weight.dtype == w.dtype
    assert_close(grad_input, xt.grad, dtype=x.dtype, what="grad_input")
    # grad_weight sums many products of magnitude up to 1e5: compare relative to their size
    scale = np.abs(g * x).sum() + 1
    tol = 1e-12 if x.dtype == np.float64 else 1e-5
    assert_close(grad_weight, wt.grad, dtype=x.dtype, rtol=tol, atol=tol * scale, what="grad_w")


@given(prelu_case(max_dims=GRADCHECK_MAX_DIMS))
def test_prelu_backward_passes_gradient_check(case):
    x, w, _ = case
    x = moderate(np.clip(x, -GRADCHECK_BOUND, GRADCHECK_BOUND), [0.0])
    w = moderate(w)  # slopes ~0 would make the input gradient ~0
    errors = gradient_check(act.prelu, act.prelu_backward, [x, w], wrt=[0, 1], h=GRADCHECK_STEP)
    assert max(errors) < GRADCHECK_TOL, errors


@given(array_and_grad(), st.floats(0, 1), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_rrelu_training_matches_torch_given_its_noise(xg, a, b, seed):
    x, g = xg
    lower, upper = min(a, b), max(a, b)
    xt = to_torch(x, requires_grad=True)
    noise = torch.empty_like(xt.detach())
    out = torch.ops.aten.rrelu_with_noise(
        xt, noise, lower, upper, True, torch.Generator().manual_seed(seed)
    )
    out.backward(to_torch(g))
    noise = noise.numpy()
    assert_close(act.rrelu(x, lower, upper, True, noise=noise), out, dtype=x.dtype)
    grad = act.rrelu_backward(g, x, lower, upper, True, noise=noise)
    assert_close(grad, xt.grad, dtype=x.dtype, what="rrelu gradient")
    # our own noise has the same law as torch's: U(lower, upper) where x <= 0, 1 elsewhere
    ours = act.rrelu_noise(x, lower, upper, np.random.default_rng(seed))
    assert ours.dtype == x.dtype
    for r in (ours, noise):
        np.testing.assert_array_equal(r[x > 0], 1)
        neg = r[x <= 0].astype(np.float64)
        slack = 1e-7 if x.dtype == np.float32 else 0
        assert ((neg >= lower - slack) & (neg <= upper + slack)).all()


def test_rrelu_training_draws_reproducibly_and_backward_reuses_the_slopes():
    x = np.linspace(-3, 3, 50)
    out = act.rrelu(x, training=True, generator=np.random.default_rng(7))
    again = act.rrelu(x, training=True, generator=np.random.default_rng(7))
    np.testing.assert_array_equal(out, again)
    slopes = out / np.where(x == 0, 1, x)
    grad = act.rrelu_backward(np.ones_like(x), x, training=True, generator=np.random.default_rng(7))
    np.testing.assert_allclose(grad[x != 0], slopes[x != 0], rtol=1e-15)
    assert len(np.unique(slopes[x < 0])) == (x < 0).sum()  # one slope per element
    with pytest.raises(ValueError, match="needs the forward's slopes"):
        act.rrelu_backward(np.ones_like(x), x, training=True)
    with pytest.raises(ValueError, match="noise must have the shape"):
        act.rrelu(x, training=True, noise=np.ones(3))


def test_rrelu_training_backward_passes_gradient_check():
    rng = np.random.default_rng(0)
    x = moderate(rng.uniform(-3, 3, (4, 5)), [0.0])
    noise = act.rrelu_noise(x, 0.1, 0.4, rng)
    kwargs = {"lower": 0.1, "upper": 0.4, "training": True, "noise": noise}
    (error,) = gradient_check(act.rrelu, act.rrelu_backward, [x], kwargs=kwargs, h=GRADCHECK_STEP)
    assert error < GRADCHECK_TOL


# ----------------------------------------------------------------------------- Swish


@st.composite
def swish_case(draw):
    dtype = draw(dtypes)
    x, g = draw(array_and_grad(dtype=dtype))
    kind = draw(st.sampled_from(["float", "per-last-axis", "full"]))
    if kind == "float":
        beta = draw(st.floats(-3, 3))
    else:
        shape = (x.shape[-1],) if kind == "per-last-axis" else x.shape
        beta = draw(arrays(dtype, shape, bound=3.0))
    return x, g, beta


@given(swish_case())
def test_swish_value_and_gradients_match_torch_composition(case):
    x, g, beta = case
    xt = to_torch(x, requires_grad=True)
    bt = torch.tensor(beta, dtype=xt.dtype, requires_grad=True)
    out = xt * torch.sigmoid(bt * xt)
    out.backward(to_torch(g))
    assert_close(act.swish(x, beta), out, dtype=x.dtype, what="swish")
    grad_input, grad_beta = act.swish_backward(g, x, beta)
    assert grad_beta.shape == np.shape(beta)
    assert_close(grad_input, xt.grad, dtype=x.dtype, what="grad_input")
    # grad_beta sums up to 10 x^2 s(1 - s) <= 10 x^2 / 4 over elements: relative to that sum
    scale = (np.abs(g) * x.astype(np.float64) ** 2).sum() / 4 + 1
    tol = 1e-12 if x.dtype == np.float64 else 1e-5
    assert_close(grad_beta, bt.grad, dtype=x.dtype, rtol=tol, atol=tol * scale, what="grad_beta")


@given(
    arrays(
        np.float64, shapes(max_dims=GRADCHECK_MAX_DIMS, max_side=MAX_SIDE), bound=GRADCHECK_BOUND
    ),
    st.floats(-3, 3),
)
def test_swish_backward_passes_gradient_check(x, beta):
    assert act.swish(x, 1.0).tolist() == act.silu(x).tolist()
    per_axis = np.linspace(-2, 2, x.shape[-1])
    for b in (np.array(beta), per_axis):
        errors = gradient_check(
            act.swish, act.swish_backward, [moderate(x), b], wrt=[0, 1], h=GRADCHECK_STEP
        )
        assert max(errors) < GRADCHECK_TOL, errors


# ----------------------------------------------------------------------------- gated units


@st.composite
def split_case(draw, bound=1e4, dtype=None, max_dims=4):
    dtype = dtype or draw(dtypes)
    shape = list(draw(shapes(min_dims=1, max_dims=max_dims, max_side=MAX_SIDE)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] = 2 * draw(st.integers(1, 3))
    x = draw(arrays(dtype, tuple(shape), bound=bound))
    half = list(shape)
    half[dim] //= 2
    g = draw(arrays(dtype, tuple(half), bound=10.0))
    return x, g, dim


def torch_swiglu(x, dim=-1):
    a, b = x.chunk(2, dim=dim)
    return F.silu(a) * b


@pytest.mark.parametrize(
    ("ours", "ours_backward", "oracle"),
    [(act.glu, act.glu_backward, F.glu), (act.swiglu, act.swiglu_backward, torch_swiglu)],
    ids=["glu", "swiglu"],
)
@given(case=split_case())
def test_gated_units_match_torch(ours, ours_backward, oracle, case):
    x, g, dim = case
    theirs, their_grad = torch_value_and_grad(oracle, x, g, dim=dim)
    out = ours(x, dim=dim)
    assert out.dtype == x.dtype
    assert_close(out, theirs, dtype=x.dtype, what="value")
    assert_close(ours_backward(g, x, dim=dim), their_grad, dtype=x.dtype, what="gradient")


@pytest.mark.parametrize(
    ("ours", "ours_backward"),
    [(act.glu, act.glu_backward), (act.swiglu, act.swiglu_backward)],
    ids=["glu", "swiglu"],
)
@given(case=split_case(bound=GRADCHECK_BOUND, dtype=np.float64, max_dims=GRADCHECK_MAX_DIMS))
def test_gated_units_pass_gradient_check(ours, ours_backward, case):
    x, _, dim = case
    kwargs = {"dim": dim}
    (error,) = gradient_check(ours, ours_backward, [moderate(x)], kwargs=kwargs, h=GRADCHECK_STEP)
    assert error < GRADCHECK_TOL


def test_swiglu_gates_the_second_half_with_silu_of_the_first():
    a, b = np.array([1.0, -2.0]), np.array([3.0, 4.0])
    np.testing.assert_allclose(act.swiglu(np.concatenate([a, b])), act.silu(a) * b, rtol=1e-15)
    np.testing.assert_allclose(
        act.glu(np.concatenate([a, b])), a * act.sigmoid(b), rtol=1e-15
    )  # torch's glu: the gate is the second half


# ----------------------------------------------------------------------------- softmax


@st.composite
def softmax_case(draw, bound=1e4, dtype=None, min_dims=0, max_dims=4):
    dtype = dtype or draw(dtypes)
    sizes = shapes(min_dims=max(min_dims, 1), max_dims=max_dims, max_side=MAX_SIDE)
    shape = draw(sizes) if min_dims else draw(st.one_of(st.just(()), sizes))
    ndim = max(len(shape), 1)
    dim = draw(st.integers(-ndim, ndim - 1))
    x = draw(arrays(dtype, shape, bound=bound))
    g = draw(arrays(dtype, shape, bound=10.0))
    temperature = draw(st.one_of(st.just(1.0), st.floats(0.05, 20)))
    return x, g, dim, temperature


@pytest.mark.parametrize(
    ("ours", "ours_backward", "oracle"),
    [
        (act.softmax, act.softmax_backward, torch.softmax),
        (act.log_softmax, act.log_softmax_backward, torch.log_softmax),
    ],
    ids=["softmax", "log_softmax"],
)
@given(case=softmax_case())
@example(case=(np.array([1000.0, 1001.0, 1002.0]), np.ones(3), 0, 1.0))
@example(case=(np.array([[1e4, -1e4]], np.float32), np.ones((1, 2), np.float32), 1, 0.05))
def test_softmax_family_matches_torch(ours, ours_backward, oracle, case):
    x, g, dim, temperature = case
    theirs, their_grad = torch_value_and_grad(lambda t: oracle(t / temperature, dim), x, g)
    out = ours(x, dim, temperature=temperature)
    assert out.dtype == x.dtype and out.shape == x.shape and np.isfinite(out).all()
    assert_close(out, theirs, dtype=x.dtype, what="value")
    grad = ours_backward(g, x, dim, temperature=temperature)
    assert grad.dtype == x.dtype
    # float32: the backward sums up to 6 terms of size |g| <= 10 before the 1/T <= 20 scale
    atol = None if x.dtype == np.float64 else 1e-6 * 10 / temperature * 10
    assert_close(grad, their_grad, dtype=x.dtype, atol=atol, what="gradient")


@given(case=softmax_case(min_dims=1))
def test_softmax_laws(case):
    x, _, dim, temperature = case
    s = act.softmax(x, dim, temperature=temperature)
    eps = np.finfo(x.dtype).eps
    assert (s >= 0).all() and (s <= 1).all()
    np.testing.assert_allclose(s.sum(axis=dim), 1.0, rtol=0, atol=10 * eps * x.shape[dim])
    # invariant to adding a constant along dim (the max-shift is exact for moderate values)
    shifted = act.softmax(x.astype(np.float64) / 100 + 3.0, dim, temperature=temperature)
    np.testing.assert_allclose(
        shifted, act.softmax(x.astype(np.float64) / 100, dim, temperature=temperature), atol=1e-12
    )
    # log_softmax = log(softmax) wherever softmax has not underflowed
    log_s = act.log_softmax(x, dim, temperature=temperature)
    ok = s > np.finfo(x.dtype).tiny * 1e3
    np.testing.assert_allclose(log_s[ok], np.log(s[ok]), rtol=100 * eps, atol=100 * eps)
    assert np.isfinite(log_s).all()


@pytest.mark.parametrize(
    ("ours", "ours_backward"),
    [(act.softmax, act.softmax_backward), (act.log_softmax, act.log_softmax_backward)],
    ids=["softmax", "log_softmax"],
)
@given(case=softmax_case(bound=GRADCHECK_BOUND, dtype=np.float64, max_dims=GRADCHECK_MAX_DIMS))
def test_softmax_family_passes_gradient_check(ours, ours_backward, case):
    x, _, dim, temperature = case
    x = moderate(x)
    kwargs = {"dim": dim, "temperature": max(temperature, 1.0)}
    (error,) = gradient_check(ours, ours_backward, [x], kwargs=kwargs, h=GRADCHECK_STEP)
    assert error < GRADCHECK_TOL


def test_softmax_of_empty_and_scalar_inputs_matches_torch():
    for shape, dim in [((3, 0), 1), ((0, 3), 1), ((), 0), ((), -1)]:
        x = np.zeros(shape)
        for ours, oracle in [(act.softmax, torch.softmax), (act.log_softmax, torch.log_softmax)]:
            np.testing.assert_array_equal(ours(x, dim), oracle(torch.zeros(shape), dim).numpy())


def test_temperature_flattens_and_sharpens():
    x = np.array([1.0, 2.0, 3.0])
    hot, cold = act.softmax(x, 0, temperature=10.0), act.softmax(x, 0, temperature=0.1)
    assert hot.max() < act.softmax(x, 0).max() < cold.max()
    np.testing.assert_allclose(cold, [0.0, 0.0, 1.0], atol=1e-4)  # e^-10 = 4.5e-5


# ----------------------------------------------------------------------------- every function


FLOAT32_CALLS = {
    "sigmoid": lambda x: act.sigmoid(x),
    "logsigmoid": lambda x: act.logsigmoid(x),
    "prelu": lambda x: act.prelu(x, np.array([0.2], np.float32)),
    "swish": lambda x: act.swish(x, 1.5),
    "rrelu train": lambda x: act.rrelu(x, training=True, generator=np.random.default_rng(0)),
    "glu": lambda x: act.glu(x),
    "swiglu": lambda x: act.swiglu(x),
    "softmax": lambda x: act.softmax(x, -1, temperature=np.float64(2.0)),
    "log_softmax": lambda x: act.log_softmax(x, -1, temperature=3),
    **{case[0]: case[1] for case in ELEMENTWISE},
}


@pytest.mark.parametrize("name", FLOAT32_CALLS)
def test_float32_in_float32_out_and_finite_at_1e4(name):
    x = np.array([[-1e4, -50.0, -1.0, 0.0], [1e-30, 1.0, 50.0, 1e4]], dtype=np.float32)
    out = FLOAT32_CALLS[name](x)
    assert out.dtype == np.float32, name
    assert np.isfinite(out).all(), name
    assert FLOAT32_CALLS[name](x.astype(np.int64)).dtype == np.float64  # ints are promoted


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call",
    [
        lambda: act.softmax(np.zeros((2, 3)), 2),
        lambda: act.softmax(np.zeros(3), -2),
        lambda: act.log_softmax(np.zeros((2, 3)), -3),
        lambda: act.softmax_backward(np.zeros(3), np.zeros(3), 1),
        lambda: act.log_softmax_backward(np.zeros(3), np.zeros(3), 1),
        lambda: act.glu(np.zeros((2, 2)), 2),
        lambda: act.swiglu(np.zeros((2, 2)), -3),
        lambda: act.glu_backward(np.zeros((1, 2)), np.zeros((2, 2)), 2),
    ],
)
def test_bad_dim_raises_index_error(call):
    with pytest.raises(IndexError, match="Dimension out of range"):
        call()


def test_torch_raises_index_error_for_the_same_dims():
    for fn, shape, dim in [(torch.softmax, (2, 3), 2), (F.glu, (2, 2), 2)]:
        with pytest.raises(IndexError):
            fn(torch.zeros(shape), dim)


@pytest.mark.parametrize("temperature", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_temperature_raises(temperature):
    for fn in (act.softmax, act.log_softmax):
        with pytest.raises(ValueError, match="temperature"):
            fn(np.zeros(3), 0, temperature=temperature)
    with pytest.raises(ValueError, match="temperature"):
        act.softmax_backward(np.zeros(3), np.zeros(3), 0, temperature=temperature)


@pytest.mark.parametrize(
    ("call", "torch_call", "match"),
    [
        (
            lambda: act.gelu(np.zeros(3), approximate="erf"),
            lambda: F.gelu(torch.zeros(3), approximate="erf"),
            "approximate must be one of",
        ),
        (
            lambda: act.gelu_backward(np.zeros(3), np.zeros(3), approximate="Tanh"),
            lambda: F.gelu(torch.zeros(3), approximate="Tanh"),
            "approximate must be one of",
        ),
        (
            lambda: act.glu(np.zeros((2, 3))),
            lambda: F.glu(torch.zeros(2, 3)),
            "Halving dimension must be even",
        ),
        (
            lambda: act.swiglu_backward(np.zeros((3, 1)), np.zeros((3, 3)), 1),
            lambda: F.glu(torch.zeros(3, 3), 1),  # torch's chunk would split 3 into 2 + 1
            "Halving dimension must be even",
        ),
        (
            lambda: act.glu(np.float64(1.0)),
            lambda: F.glu(torch.tensor(1.0)),
            "does not support scalars",
        ),
        (
            lambda: act.celu(np.zeros(3), alpha=0.0),
            lambda: F.celu(torch.zeros(3), alpha=0.0),
            "alpha cannot be 0",
        ),
        (
            lambda: act.hardtanh(np.zeros(3), 1.0, -1.0),
            lambda: F.hardtanh(torch.zeros(3), 1.0, -1.0),
            "min_val cannot be greater than max_val",
        ),
        (
            lambda: act.rrelu(np.zeros(3), 0.5, 0.1),
            lambda: F.rrelu(torch.zeros(3), 0.5, 0.1),
            "Lower bound should be less than or equal",
        ),
        (
            lambda: act.prelu(np.zeros((2, 3)), np.zeros(2)),
            lambda: F.prelu(torch.zeros(2, 3), torch.zeros(2)),
            "Found parameter numbers = 2 and channel size = 3",
        ),
        (
            lambda: act.prelu_backward(np.zeros(4), np.zeros(4), np.zeros(4)),
            lambda: F.prelu(torch.zeros(4), torch.zeros(4)),
            "channel size = 1",
        ),
        (
            lambda: act.prelu(np.zeros((2, 3)), np.zeros((1, 1))),
            lambda: F.prelu(torch.zeros(2, 3), torch.zeros(1, 1)),
            "scalar or 1D",
        ),
    ],
)
def test_bad_options_raise_value_error_where_torch_refuses(call, torch_call, match):
    with pytest.raises((RuntimeError, ValueError)):
        torch_call()
    with pytest.raises(ValueError, match=match):
        call()


def test_other_bad_inputs():
    with pytest.raises(ValueError, match="grad_output must have the shape of the output"):
        act.relu_backward(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="grad_output must have the shape of the output"):
        act.glu_backward(np.zeros(4), np.zeros(4))
    with pytest.raises(TypeError, match="dim must be an int"):
        act.softmax(np.zeros(3), None)
    with pytest.raises(TypeError, match="input must be a real array"):
        act.sigmoid(np.zeros(3, dtype=complex))
