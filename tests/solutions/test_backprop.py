import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from solutions.backprop import (
    ACTIVATIONS,
    gradient_check,
    iterate_minibatches,
    mlp_backward,
    mlp_forward,
    mlp_init,
    numerical_gradient,
    quadratic_cost,
    quadratic_cost_backward,
    relative_error,
    running_loss,
    softmax_cross_entropy,
    softmax_cross_entropy_backward,
    train_val_split,
)
from tests.solutions.strategies import arrays, assert_close, shapes, to_torch


@given(arrays(np.float64, shapes(max_dims=3, max_side=4), bound=3.0))
def test_numerical_gradient_of_cubic_matches_derivative(x):
    g = numerical_gradient(lambda v: float((v**3).sum()), [x])
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-6, atol=1e-6)


def test_numerical_gradient_does_not_modify_inputs():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    numerical_gradient(lambda v: float(np.sin(v).sum()), [x])
    np.testing.assert_array_equal(x, before)


@given(st.floats(1e-3, 1e3), st.floats(1e-3, 1e3))
def test_relative_error_is_symmetric_and_zero_on_equality(a, b):
    x, y = np.array([a]), np.array([b])
    assert relative_error(x, y) == relative_error(y, x)
    assert relative_error(x, x) == 0.0


def test_gradient_check_accepts_right_and_rejects_wrong_backward():
    x = np.random.default_rng(0).standard_normal((3, 4))
    right = gradient_check(np.tanh, lambda g, v: g * (1 - np.tanh(v) ** 2), [x])
    wrong = gradient_check(np.tanh, lambda g, v: g * (1 - np.tanh(v)), [x])
    assert right[0] < 1e-7
    assert wrong[0] > 1e-2


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="h must be > 0"):
        numerical_gradient(lambda v: 0.0, [np.zeros(2)], h=0.0)
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.zeros(2), np.zeros(3))


# --------------------------------------------------------------------------------------
# the MLP: forward and backward vs torch autograd and central differences

# The oracle calls are tiny: torch's intra-op thread pool only adds hand-off latency.
torch.set_num_threads(1)

TORCH_ACTIVATIONS = {"sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh}


@st.composite
def mlp_case(draw):
    sizes = draw(st.lists(st.integers(1, 5), min_size=2, max_size=5))
    batch = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    params = mlp_init(sizes, rng)
    scale = draw(st.sampled_from([0.1, 1.0, 10.0]))  # 10: saturated sigmoid/tanh units
    x = rng.standard_normal((batch, sizes[0])) * scale
    grad_output = rng.standard_normal((batch, sizes[-1]))
    return params, x, grad_output


def _torch_mlp(params, x, activation, activate_output):
    """The same network in torch (float64); returns output, parameter tensors, z tensors."""
    tensors = [(to_torch(w, True), to_torch(b, True)) for w, b in params]
    a, zs = to_torch(x), []
    for i, (w, b) in enumerate(tensors):
        z = torch.nn.functional.linear(a, w, b)
        z.retain_grad()
        zs.append(z)
        last = i == len(tensors) - 1
        a = TORCH_ACTIVATIONS[activation](z) if (activate_output or not last) else z
    return a, tensors, zs


@given(
    case=mlp_case(),
    activation=st.sampled_from(ACTIVATIONS),
    activate_output=st.booleans(),
)
def test_mlp_forward_and_backward_match_torch_autograd(case, activation, activate_output):
    params, x, grad_output = case
    out, cache = mlp_forward(params, x, activation, activate_output=activate_output)
    grads = mlp_backward(params, cache, grad_output)
    expected, tensors, _ = _torch_mlp(params, x, activation, activate_output)
    expected.backward(to_torch(grad_output))
    assert_close(out, expected, what="output")
    assert len(grads) == len(params)
    for layer, ((dw, db), (w, b)) in enumerate(zip(grads, tensors, strict=True), start=1):
        assert_close(dw, w.grad, what=f"dC/dW^{layer}")
        assert_close(db, b.grad, what=f"dC/db^{layer}")


@given(case=mlp_case(), activation=st.sampled_from(["sigmoid", "tanh"]))
def test_mlp_backward_passes_gradient_check(case, activation):
    """Every dC/dW^l and dC/db^l against central differences of mlp_forward.

    A saturated unit (inputs scaled by 10) has gradients ~1e-9 whose element-wise relative
    error is pure finite-difference noise; then the fallback compares each gradient's
    absolute error with its largest entry (1e-7), which a wrong backward still fails.
    """
    params, x, _ = case
    flat = [p for layer in params for p in layer]

    def forward(*flat_params):
        pairs = list(zip(flat_params[::2], flat_params[1::2], strict=True))
        return mlp_forward(pairs, x, activation)[0]

    def backward(r, *flat_params):
        pairs = list(zip(flat_params[::2], flat_params[1::2], strict=True))
        _, cache = mlp_forward(pairs, x, activation)
        return tuple(g for layer in mlp_backward(pairs, cache, r) for g in layer)

    errors = gradient_check(forward, backward, flat, wrt=range(len(flat)), h=1e-5)
    # a weight whose gradient is ~0 (a saturated unit) only shows finite-difference noise
    # relative to itself; compare those on the scale of the largest gradient instead
    assert max(errors) < 1e-6 or _absolute_check(forward, backward, flat), errors


def _absolute_check(forward, backward, flat) -> bool:
    out = forward(*flat)
    r = np.random.default_rng(0).standard_normal(out.shape)
    analytic = backward(r, *flat)
    for i, grad in enumerate(analytic):
        numeric = numerical_gradient(lambda *p: float(np.sum(r * forward(*p))), flat, i, h=1e-5)
        scale = max(1.0, float(np.max(np.abs(grad))))
        if np.max(np.abs(grad - numeric)) > 1e-7 * scale:
            return False
    return True


def test_relu_mlp_passes_gradient_check_away_from_kinks():
    rng = np.random.default_rng(11)
    params = mlp_init([3, 6, 4, 2], rng)
    x = rng.standard_normal((5, 3))
    _, cache = mlp_forward(params, x, "relu")
    assert min(np.min(np.abs(z)) for z in cache["z"]) > 1e-3  # no unit within h of its kink
    flat = [p for layer in params for p in layer]

    def forward(*p):
        return mlp_forward(list(zip(p[::2], p[1::2], strict=True)), x, "relu")[0]

    def backward(r, *p):
        pairs = list(zip(p[::2], p[1::2], strict=True))
        return tuple(
            g for layer in mlp_backward(pairs, mlp_forward(pairs, x, "relu")[1], r) for g in layer
        )

    assert max(gradient_check(forward, backward, flat, wrt=range(len(flat)))) < 1e-6


def test_hidden_bias_gradient_is_its_own_delta():
    """ERRATA (004 §2.1.4): dC/db^l = delta^l (BP3), not the next layer's delta repeated."""
    rng = np.random.default_rng(4)
    params = mlp_init([2, 2, 2, 1], rng)  # the seed note's 2-2-2-1 network
    x, y = rng.standard_normal((1, 2)), np.array([[0.3]])
    out, cache = mlp_forward(params, x, "sigmoid")
    grads = mlp_backward(params, cache, quadratic_cost_backward(1.0, out, y))
    expected, _, zs = _torch_mlp(params, x, "sigmoid", True)
    (0.5 * ((expected - to_torch(y)) ** 2).sum()).backward()
    for layer, z in enumerate(zs):
        assert_close(grads[layer][1], z.grad[0], what=f"dC/db^{layer + 1} vs delta^{layer + 1}")
    delta3 = zs[2].grad[0].numpy()
    seed_version = np.array([delta3[-1], delta3[-1]])  # [delta_2^3, delta_2^3] of the note
    assert np.abs(grads[1][1] - seed_version).max() > 1e-3


def test_bp_equations_written_out_for_one_hidden_layer():
    """BP1-BP4 by hand for a 1-hidden-layer sigmoid net, independent of mlp_backward."""
    rng = np.random.default_rng(2)
    (w1, b1), (w2, b2) = params = mlp_init([3, 4, 2], rng)
    x, y = rng.standard_normal((5, 3)), rng.random((5, 2))
    sig = lambda z: 1 / (1 + np.exp(-z))
    z1 = x @ w1.T + b1
    a1 = sig(z1)
    z2 = a1 @ w2.T + b2
    a2 = sig(z2)
    delta2 = (a2 - y) / 5 * sig(z2) * (1 - sig(z2))  # BP1 with C = sum ||a - y||^2 / (2B)
    delta1 = (delta2 @ w2) * sig(z1) * (1 - sig(z1))  # BP2
    out, cache = mlp_forward(params, x, "sigmoid")
    (dw1, db1), (dw2, db2) = mlp_backward(params, cache, quadratic_cost_backward(1.0, out, y))
    assert_close(db2, delta2.sum(0))  # BP3
    assert_close(db1, delta1.sum(0))
    assert_close(dw2, delta2.T @ a1)  # BP4
    assert_close(dw1, delta1.T @ x)


def test_mlp_init_matches_torch_linear_bounds_and_is_reproducible():
    params = mlp_init([400, 300, 10], np.random.default_rng(0))
    again = mlp_init([400, 300, 10], np.random.default_rng(0))
    for (w, b), (w2, b2), fan_in in zip(params, again, [400, 300], strict=True):
        bound = 1 / np.sqrt(fan_in)  # torch nn.Linear: kaiming_uniform_(a=sqrt(5))
        assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
        assert np.abs(w).max() > 0.95 * bound
        np.testing.assert_array_equal(w, w2)
        np.testing.assert_array_equal(b, b2)
    torch_w = torch.nn.Linear(400, 300).weight.detach().numpy()
    assert abs(params[0][0].var() - torch_w.var()) < 0.05 * torch_w.var()


@given(
    logits=arrays(np.float64, (3, 4)),
    target=hnp.arrays(np.int64, (3,), elements=st.integers(0, 3)),
)
def test_loss_heads_match_torch(logits, target):
    t_logits = to_torch(logits, True)
    expected = torch.nn.functional.cross_entropy(t_logits, to_torch(target))
    expected.backward()
    assert_close(softmax_cross_entropy(logits, target), expected, atol=1e-10)
    assert_close(softmax_cross_entropy_backward(1.0, logits, target), t_logits.grad)
    y = np.tanh(logits)
    t_out = to_torch(logits, True)
    mse = torch.nn.functional.mse_loss(t_out, to_torch(y), reduction="sum") / (2 * len(y))
    mse.backward()
    assert_close(quadratic_cost(logits, y), mse)
    assert_close(quadratic_cost_backward(1.0, logits, y), t_out.grad)


def test_mlp_bad_inputs_raise():
    rng = np.random.default_rng(0)
    params = mlp_init([3, 2], rng)
    with pytest.raises(ValueError, match="layer_sizes needs at least 2 entries"):
        mlp_init([3], rng)
    with pytest.raises(ValueError, match=r"layer_sizes\[1\] must be an int >= 1"):
        mlp_init([3, 0], rng)
    with pytest.raises(TypeError, match="generator must be a numpy.random.Generator"):
        mlp_init([3, 2], 0)
    with pytest.raises(ValueError, match=r"x must have shape \(B, 3\)"):
        mlp_forward(params, np.ones(3))
    with pytest.raises(ValueError, match="activation must be one of"):
        mlp_forward(params, np.ones((1, 3)), "gelu")
    with pytest.raises(ValueError, match="layer 2: W has 5 inputs but layer 1 has 2 outputs"):
        mlp_forward([*params, (np.ones((1, 5)), np.ones(1))], np.ones((1, 3)))
    _, cache = mlp_forward(params, np.ones((4, 3)))
    with pytest.raises(ValueError, match="grad_output must have the output's shape"):
        mlp_backward(params, cache, np.ones((4, 3)))
    with pytest.raises(IndexError, match=r"target must be in \[0, 1\]"):
        softmax_cross_entropy(np.zeros((2, 2)), np.array([0, 2]))


# --------------------------------------------------------------------------------------
# running loss, mini-batches, train/validation split


@given(
    losses=hnp.arrays(np.float64, st.integers(1, 300), elements=st.floats(-1e4, 1e4)),
    beta=st.floats(0.0, 0.999),
)
def test_running_loss_is_the_weighted_sum(losses, beta):
    """s_t = (1 - beta) sum_k beta^(t-k) L_k, over lengths beyond the 64-step blocks."""
    ema = running_loss(losses, beta)
    t = np.arange(1, len(losses) + 1)
    lag = t[:, None] - t[None, :]
    weights = np.where(lag >= 0, (1 - beta) * beta ** np.maximum(lag, 0), 0.0)
    scale = max(1.0, float(np.abs(losses).max()))
    assert_close(ema, weights @ losses, rtol=1e-9, atol=1e-9 * scale)
    corrected = running_loss(losses, beta, bias_correction=True)
    assert_close(corrected, ema / (1 - beta**t), rtol=1e-9, atol=1e-9 * scale)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.999])
@pytest.mark.parametrize("n", [1, 63, 64, 65, 4096, 10_007])
def test_running_loss_matches_the_plain_recursion(beta, n):
    losses = np.random.default_rng(n).gamma(2.0, size=n) + 1.0
    s, expected = 0.0, []
    for loss in losses:  # the textbook loop
        s = beta * s + (1 - beta) * loss
        expected.append(s)
    assert_close(running_loss(losses, beta), np.array(expected), rtol=1e-12)


@given(
    value=st.floats(-1e4, 1e4, allow_subnormal=False),
    beta=st.floats(0.0, 0.999),
    steps=st.integers(1, 50),
)
def test_bias_corrected_running_loss_of_a_constant_is_the_constant(value, beta, steps):
    corrected = running_loss([value] * steps, beta, bias_correction=True)
    np.testing.assert_array_equal(corrected, np.full(steps, value))  # exactly
    raw = running_loss([value] * steps, beta)  # uncorrected: (1 - beta^t) * value
    np.testing.assert_allclose(raw, value * (1 - beta ** np.arange(1, steps + 1)), rtol=1e-9)


def test_running_loss_bad_inputs():
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\)"):
        running_loss([1.0], beta=1.0)
    with pytest.raises(ValueError, match="losses must be a 1-d sequence"):
        running_loss(np.ones((2, 2)))
    assert running_loss([]).shape == (0,)


@given(
    n=st.integers(0, 60),
    batch_size=st.integers(1, 16),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_minibatches_cover_each_index_once_per_epoch(n, batch_size, shuffle, drop_last, seed):
    rng = np.random.default_rng(seed)
    batches = list(iterate_minibatches(n, batch_size, rng, shuffle=shuffle, drop_last=drop_last))
    sampler = torch.utils.data.BatchSampler(range(n), batch_size, drop_last)
    assert [len(b) for b in batches] == [len(b) for b in sampler]  # torch's batch sizes
    seen = np.concatenate(batches) if batches else np.array([], dtype=int)
    assert len(set(seen.tolist())) == len(seen)  # no index twice
    if not drop_last:
        assert sorted(seen.tolist()) == list(range(n))  # every index once
    if not shuffle:
        assert [b.tolist() for b in batches] == list(sampler)


def test_minibatch_epochs_differ_and_are_reproducible():
    rng, rng2 = np.random.default_rng(5), np.random.default_rng(5)
    first = np.concatenate(list(iterate_minibatches(50, 8, rng)))
    second = np.concatenate(list(iterate_minibatches(50, 8, rng)))
    assert not np.array_equal(first, second)  # a new order each epoch
    np.testing.assert_array_equal(first, np.concatenate(list(iterate_minibatches(50, 8, rng2))))
    with pytest.raises(ValueError, match="batch_size must be an int >= 1"):
        list(iterate_minibatches(10, 0, rng))
    with pytest.raises(TypeError, match="generator"):
        list(iterate_minibatches(10, 2, None))


@given(n=st.integers(2, 500), val_fraction=st.floats(0.01, 0.99), seed=st.integers(0, 2**32 - 1))
def test_train_val_split_sizes_match_sklearn_and_partition(n, val_fraction, seed):
    from sklearn.model_selection import train_test_split

    try:
        sk_train, sk_val = train_test_split(np.arange(n), test_size=val_fraction, random_state=0)
    except ValueError:  # sklearn refuses an empty training set: so must we
        with pytest.raises(ValueError, match="training set would be empty"):
            train_val_split(n, val_fraction, np.random.default_rng(seed))
        return
    train, val = train_val_split(n, val_fraction, np.random.default_rng(seed))
    assert (len(train), len(val)) == (len(sk_train), len(sk_val))
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(n))


def test_train_val_split_bad_inputs():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"val_fraction must be in \(0, 1\)"):
        train_val_split(10, 1.0, rng)
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        train_val_split(0, 0.5, rng)


def test_relu_gradient_at_exactly_zero_is_zero_like_torch():
    params = [(np.zeros((2, 3)), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))]
    x = np.ones((2, 3))
    out, cache = mlp_forward(params, x, "relu")
    grads = mlp_backward(params, cache, np.ones_like(out))
    expected, tensors, _ = _torch_mlp(params, x, "relu", True)
    expected.backward(torch.ones_like(expected))
    for (dw, db), (w, b) in zip(grads, tensors, strict=True):
        assert_close(dw, w.grad)
        assert_close(db, b.grad)


def test_loss_heads_preserve_float32_like_torch():
    rng = np.random.default_rng(8)
    z = (rng.standard_normal((4, 5)) * 3).astype(np.float32)
    labels = rng.integers(0, 5, 4)
    y = rng.random((4, 5)).astype(np.float32)
    z_t = to_torch(z, True)
    ce = torch.nn.functional.cross_entropy(z_t, to_torch(labels))
    ce.backward()
    ours = [softmax_cross_entropy(z, labels), softmax_cross_entropy_backward(1.0, z, labels)]
    assert all(o.dtype == np.float32 for o in ours)
    assert_close(ours[0], ce, dtype=np.float32)
    assert_close(ours[1], z_t.grad, dtype=np.float32)
    cost, grad = quadratic_cost(z, y), quadratic_cost_backward(1.0, z, y)
    assert cost.dtype == np.float32 and grad.dtype == np.float32
    assert_close(grad, (z.astype(np.float64) - y) / 4, dtype=np.float32)
