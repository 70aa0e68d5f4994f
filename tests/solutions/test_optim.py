"""solutions.optim against torch.optim, step for step, and the gradient-descent laws.

Every run feeds the SAME gradient sequence to our optimizer and to torch's (single-tensor
path, ``foreach=False``) on float64 parameters and compares the parameters. torch keeps
scalar state (``step``, NAdam's ``mu_product``, ASGD's ``eta``/``mu``) in the *default* dtype,
float32 unless changed; we keep Python floats, so the oracle runs with default dtype float64.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from solutions import optim
from tests.solutions.strategies import assert_close, shapes

NAMES = list(optim.OPTIMIZERS)
STEPS = 100
#: torch keys that are implementation switches, not hyperparameters (see the module notes).
TORCH_SWITCHES = {"foreach", "differentiable", "fused", "capturable"}


@pytest.fixture(autouse=True, scope="module")
def torch_float64_scalars():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def _grad_sequence(rng, shapes_, steps, dtype=np.float64, scale=1.0, zeros=0.1):
    """Random gradients; a fraction of exact zeros exercises Rprop's sign-zero branch."""
    seq = []
    for _ in range(steps):
        grads = []
        for shape in shapes_:
            g = rng.standard_normal(shape) * scale
            g = np.where(rng.random(shape) < zeros, 0.0, g)
            grads.append(np.asarray(g, dtype=dtype))
        seq.append(grads)
    return seq


def run_pair(name, kwargs, groups, steps, seed=0, dtype=np.float64, scale=1.0):
    """Run ours and torch's optimizer on copies of the same params and gradients.

    ``groups``: list of ``(shapes, group_options)``. Returns (ours, theirs, opt, torch_opt).
    """
    rng = np.random.default_rng(seed)
    ours_groups, torch_groups, ours_params, torch_params = [], [], [], []
    for shapes_, options in groups:
        arrays = [np.asarray(rng.standard_normal(s), dtype=dtype) for s in shapes_]
        tensors = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
        ours_groups.append({"params": arrays, **options})
        torch_groups.append({"params": tensors, **options})
        ours_params += arrays
        torch_params += tensors
    opt = optim.OPTIMIZERS[name](ours_groups, **kwargs)
    torch_opt = getattr(torch.optim, name)(torch_groups, **kwargs, foreach=False)
    all_shapes = [p.shape for p in ours_params]
    for grads in _grad_sequence(rng, all_shapes, steps, dtype, scale):
        opt.step(grads)
        for t, g in zip(torch_params, grads, strict=True):
            t.grad = torch.from_numpy(g.copy())
        torch_opt.step()
    theirs = [t.detach().numpy() for t in torch_params]
    return ours_params, theirs, opt, torch_opt


def assert_params_close(ours, theirs, rel=1e-12, what=""):
    """max |ours - torch| <= rel * max(1, max |param|) for every parameter."""
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
        assert_close(a, b, rtol=0, atol=rel * scale, what=f"{what} param {i}")


# --------------------------------------------------------------------------------------------
# Every optimizer x every option combination, >= 100 steps
# --------------------------------------------------------------------------------------------


def _grid(**axes):
    return [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())]


def _valid_sgd(kw):
    return not kw["nesterov"] or (kw["momentum"] > 0 and kw["dampening"] == 0)


OPTION_GRIDS = {
    "SGD": [
        kw
        for kw in _grid(
            lr=[0.05],
            momentum=[0.0, 0.9],
            dampening=[0.0, 0.3],
            weight_decay=[0.0, 0.1],
            nesterov=[False, True],
            maximize=[False, True],
        )
        if _valid_sgd(kw)
    ],
    "Adagrad": _grid(
        lr=[0.1],
        lr_decay=[0.0, 0.01],
        weight_decay=[0.0, 0.1],
        initial_accumulator_value=[0.0, 0.5],
        eps=[1e-10, 1e-3],
        maximize=[False, True],
    ),
    "RMSprop": _grid(
        lr=[0.01],
        alpha=[0.99, 0.9],
        weight_decay=[0.0, 0.1],
        momentum=[0.0, 0.9],
        centered=[False, True],
        maximize=[False, True],
    ),
    "Adadelta": _grid(
        lr=[1.0, 0.5], rho=[0.9, 0.5], weight_decay=[0.0, 0.1], maximize=[False, True]
    ),
    "Adam": _grid(
        lr=[0.01],
        betas=[(0.9, 0.999), (0.5, 0.9)],
        weight_decay=[0.0, 0.1],
        amsgrad=[False, True],
        maximize=[False, True],
        decoupled_weight_decay=[False, True],
    ),
    "AdamW": _grid(
        lr=[0.01], weight_decay=[0.0, 0.01, 0.3], amsgrad=[False, True], maximize=[False, True]
    ),
    "Adamax": _grid(
        lr=[0.01],
        betas=[(0.9, 0.999), (0.5, 0.9)],
        weight_decay=[0.0, 0.1],
        maximize=[False, True],
    ),
    "NAdam": _grid(
        lr=[0.01],
        weight_decay=[0.0, 0.1],
        momentum_decay=[4e-3, 0.1],
        decoupled_weight_decay=[False, True],
        maximize=[False, True],
    ),
    "RAdam": _grid(
        lr=[0.01],
        betas=[(0.9, 0.999), (0.8, 0.95)],
        weight_decay=[0.0, 0.1],
        decoupled_weight_decay=[False, True],
        maximize=[False, True],
    ),
    "ASGD": _grid(
        lr=[0.05],
        lambd=[1e-4, 0.1],
        alpha=[0.75],
        t0=[1e6, 20.0],
        weight_decay=[0.0, 0.1],
        maximize=[False, True],
    ),
    "Rprop": _grid(
        lr=[0.01],
        etas=[(0.5, 1.2), (0.3, 2.0)],
        step_sizes=[(1e-6, 50.0), (1e-3, 0.05)],
        maximize=[False, True],
    ),
}
CASES = [(name, kw) for name in NAMES for kw in OPTION_GRIDS[name]]
SHAPES = [(4, 3), (5,), ()]


def test_every_optimizer_has_an_option_grid():
    assert (
        set(OPTION_GRIDS)
        == set(NAMES)
        == {
            "SGD",
            "Adagrad",
            "RMSprop",
            "Adadelta",
            "Adam",
            "AdamW",
            "Adamax",
            "NAdam",
            "RAdam",
            "ASGD",
            "Rprop",
        }
    )


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_matches_torch_over_many_steps(name, kwargs):
    ours, theirs, _, _ = run_pair(name, kwargs, [(SHAPES, {})], STEPS, seed=len(str(kwargs)))
    assert_params_close(ours, theirs, what=f"{name}({kwargs})")


@pytest.mark.parametrize("name", NAMES)
def test_defaults_match_torch(name):
    ours, theirs, opt, torch_opt = run_pair(name, {}, [(SHAPES, {})], STEPS, seed=3)
    assert_params_close(ours, theirs, what=f"{name}()")
    torch_group = {k: v for k, v in torch_opt.param_groups[0].items() if k not in TORCH_SWITCHES}
    ours_group = opt.param_groups[0]
    assert set(ours_group) == set(torch_group)
    for key, value in torch_group.items():
        if key != "params":
            assert ours_group[key] == value, key


@pytest.mark.parametrize("name", NAMES)
def test_param_groups_with_different_hyperparameters(name):
    second = {"lr": 0.003}
    if name == "SGD":
        second["momentum"] = 0.5
    if name in ("Adam", "AdamW", "NAdam", "RAdam", "Adamax"):
        second["betas"] = (0.8, 0.99)
    groups = [([(3, 2), (4,)], {}), ([(2, 2)], second)]
    kwargs = {"lr": 0.02, "momentum": 0.9} if name == "SGD" else {"lr": 0.02}
    ours, theirs, opt, torch_opt = run_pair(name, kwargs, groups, STEPS, seed=5)
    assert_params_close(ours, theirs, what=f"{name} groups")
    assert [g["lr"] for g in opt.param_groups] == [0.02, 0.003]
    assert opt.state_dict()["param_groups"][1]["params"] == [2]
    assert torch_opt.state_dict()["param_groups"][1]["params"] == [2]


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "Adam", "Rprop"])
def test_add_param_group_later_matches_torch(name):
    rng = np.random.default_rng(4)
    first, second = rng.standard_normal((3, 2)), rng.standard_normal(4)
    tfirst, tsecond = (torch.tensor(a.copy(), requires_grad=True) for a in (first, second))
    opt = optim.OPTIMIZERS[name]([first], lr=0.05)
    topt = getattr(torch.optim, name)([tfirst], lr=0.05, foreach=False)
    extra = {"lr": 0.01, "initial_accumulator_value": 3.0} if name == "Adagrad" else {"lr": 0.01}
    grads = _grad_sequence(rng, [(3, 2), (4,)], 40)
    for k, (g1, g2) in enumerate(grads):
        if k == 10:
            opt.add_param_group({"params": [second], **extra})
            topt.add_param_group({"params": [tsecond], **extra})
        opt.step([g1, g2] if k >= 10 else [g1])
        tfirst.grad = torch.from_numpy(g1.copy())
        tsecond.grad = torch.from_numpy(g2.copy()) if k >= 10 else None
        topt.step()
    assert_params_close([first, second], [tfirst.detach().numpy(), tsecond.detach().numpy()])


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_has_torch_structure(name):
    kwargs = {"momentum": 0.9} if name == "SGD" else {}
    if name in ("Adam", "AdamW"):
        kwargs["amsgrad"] = True
    if name == "RMSprop":
        kwargs.update(momentum=0.9, centered=True)
    _, _, opt, torch_opt = run_pair(name, kwargs, [(SHAPES, {})], 3, seed=1)
    ours, theirs = opt.state_dict(), torch_opt.state_dict()
    assert set(ours["state"]) == set(theirs["state"]) == {0, 1, 2}
    for index, torch_state in theirs["state"].items():
        assert set(ours["state"][index]) == set(torch_state)
        for key, value in torch_state.items():
            assert_close(np.asarray(ours["state"][index][key]), value, what=f"{name} {key}")
    assert ours["param_groups"][0]["params"] == theirs["param_groups"][0]["params"]


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_round_trip_continues_exactly(name):
    """Save mid-run, load into a fresh optimizer on copied params, continue: same as no break."""
    kwargs = {"lr": 0.01, "momentum": 0.9, "nesterov": True} if name == "SGD" else {"lr": 0.01}
    rng = np.random.default_rng(11)
    params = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    grads = _grad_sequence(rng, [(3, 4), (5,)], 60)
    cls = optim.OPTIMIZERS[name]
    groups = lambda ps: [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.02}]

    straight = [p.copy() for p in params]
    opt = cls(groups(straight), **kwargs)
    for g in grads:
        opt.step(g)

    first = [p.copy() for p in params]
    opt1 = cls(groups(first), **kwargs)
    for g in grads[:30]:
        opt1.step(g)
    saved = opt1.state_dict()
    checkpoint = [p.copy() for p in first]
    for g in grads[30:33]:  # keep using the old optimizer: the saved dict must not change
        opt1.step(g)
    resumed = [p.copy() for p in checkpoint]
    opt2 = cls(groups(resumed), **kwargs)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[1]["lr"] == 0.02
    for g in grads[30:]:
        opt2.step(g)
    for a, b in zip(resumed, straight, strict=True):
        np.testing.assert_array_equal(a, b)


def test_load_state_dict_casts_state_to_param_dtype_and_checks_sizes():
    w64 = np.ones(3)
    opt = optim.Adam([w64])
    opt.step([np.ones(3)])
    w32 = np.ones(3, dtype=np.float32)
    opt32 = optim.Adam([w32])
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[0]["exp_avg"].dtype == np.float32
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.Adam([{"params": [np.ones(3)]}, {"params": [np.ones(2)]}]).load_state_dict(
            opt.state_dict()
        )
    with pytest.raises(ValueError, match="doesn't match the size"):
        optim.Adam([np.ones(3), np.ones(2)]).load_state_dict(opt.state_dict())


def test_adamw_stays_decoupled_after_loading_an_adam_state():
    adam = optim.Adam([np.ones(2)], weight_decay=0.1)
    adamw = optim.AdamW([np.ones(2)])
    adamw.load_state_dict(adam.state_dict())
    assert adamw.param_groups[0]["decoupled_weight_decay"] is True


def test_none_gradient_skips_the_parameter_as_torch_does():
    w, b = np.ones(3), np.ones(2)
    opt = optim.Adam([w, b], lr=0.1)
    opt.step([np.ones(3), None])
    np.testing.assert_array_equal(b, np.ones(2))
    assert 1 not in opt.state and opt.state[0]["step"] == 1


def test_gradients_are_not_modified():
    for name in NAMES:
        kwargs = {"weight_decay": 0.1} if name not in ("Rprop",) else {"maximize": True}
        w = np.ones(4)
        g = np.array([1.0, -2.0, 0.0, 3.0])
        before = g.copy()
        opt = optim.OPTIMIZERS[name]([w], **kwargs)
        for _ in range(3):
            opt.step([g])
        np.testing.assert_array_equal(g, before, err_msg=name)


@pytest.mark.parametrize("name", NAMES)
def test_float32_params_stay_float32_and_track_torch(name):
    # float32 rounding differs op by op (torch fuses addcmul/lerp); 20 steps stay within 1e-5.
    ours, theirs, opt, _ = run_pair(name, {}, [(SHAPES, {})], 20, seed=9, dtype=np.float32)
    for a, b in zip(ours, theirs, strict=True):
        assert a.dtype == np.float32
        assert_close(a, b, dtype=np.float32, rtol=1e-5, atol=1e-5, what=name)
    for state in opt.state.values():
        for value in state.values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32


# --------------------------------------------------------------------------------------------
# Hypothesis: hyperparameters within their valid ranges, shapes
# --------------------------------------------------------------------------------------------


def _unit(lo, hi):
    return st.floats(lo, hi, allow_nan=False)


# beta2 >= 0.5: as beta2 -> 0 the Adam-family step becomes lr * m / |g_t|, and a gradient
# element near 0 turns one-ulp differences (torch's fused lerp/addcmul vs numpy) into
# arbitrarily large ones; that is ill-conditioning of the method, not a mismatch.
def _betas():
    return st.tuples(_unit(0.0, 0.99), _unit(0.5, 0.9999))


HYPER = {
    "SGD": st.fixed_dictionaries(
        {
            "lr": _unit(0.0, 0.5),
            "momentum": _unit(0.0, 0.99),
            "dampening": _unit(0.0, 1.0),
            "weight_decay": _unit(0.0, 0.5),
            "maximize": st.booleans(),
        }
    ),
    "Adagrad": st.fixed_dictionaries(
        {
            "lr": _unit(0.0, 0.5),
            "lr_decay": _unit(0.0, 0.5),
            "weight_decay": _unit(0.0, 0.5),
            "initial_accumulator_value": _unit(0.0, 2.0),
            "eps": _unit(1e-10, 1e-2),
            "maximize": st.booleans(),
        }
    ),
    # alpha >= 0.5: with centered=True and alpha -> 0 the variance estimate v - (g_avg)^2 is a
    # difference of two nearly equal numbers, and one rounding step apart becomes any value.
    "RMSprop": st.fixed_dictionaries(
        {
            "lr": _unit(0.0, 0.1),
            "alpha": _unit(0.5, 0.999),
            "eps": _unit(1e-8, 1e-2),
            "weight_decay": _unit(0.0, 0.5),
            "momentum": _unit(0.0, 0.95),
            "centered": st.booleans(),
            "maximize": st.booleans(),
        }
    ),
    "Adadelta": st.fixed_dictionaries(
        {
            "lr": _unit(0.0, 2.0),
            "rho": _unit(0.0, 1.0),
            "eps": _unit(1e-8, 1e-2),
            "weight_decay": _unit(0.0, 0.5),
            "maximize": st.booleans(),
        }
    ),
    "Adam": st.fixed_dictionaries(
        {
            "lr": _unit(0.0, 0.1),
            "betas": _betas(),
            "eps": _unit(1e-10, 1e-2),
            "weight_decay": _unit(0.0, 0.5),
            "amsgrad": st.booleans(),
            "maximize": st.booleans(),
            "decoupled_weight_decay": st.booleans(),
        }
    ),
    "AdamW": st.fixed_dictionaries(
        {
            "lr": _unit(0.0, 0.1),
            "betas": _betas(),
            "eps": _unit(1e-10, 1e-2),
            "weight_decay": _unit(0.0, 0.5),
            "amsgrad": st.booleans(),
            "maximize": st.booleans(),
        }
    ),
    "Adamax": st.fixed_dictionaries(
        {
            "lr": _unit(0.0, 0.1),
            "betas": _betas(),
            "eps": _unit(1e-10, 1e-2),
            "weight_decay": _unit(0.0, 0.5),
            "maximize": st.booleans(),
        }
    ),
    "NAdam": st.fixed_dictionaries(
        {
            "lr": _unit(0.0, 0.1),
            "betas": _betas(),
            "eps": _unit(1e-10, 1e-2),
            "weight_decay": _unit(0.0, 0.5),
            "momentum_decay": _unit(0.0, 0.1),
            "decoupled_weight_decay": st.booleans(),
            "maximize": st.booleans(),
        }
    ),
    "RAdam": st.fixed_dictionaries(
        {
            "lr": _unit(0.0, 0.1),
            "betas": _betas(),
            "eps": _unit(1e-10, 1e-2),
            "weight_decay": _unit(0.0, 0.5),
            "decoupled_weight_decay": st.booleans(),
            "maximize": st.booleans(),
        }
    ),
    "ASGD": st.fixed_dictionaries(
        {
            "lr": _unit(0.0, 0.5),
            "lambd": _unit(0.0, 0.5),
            "alpha": _unit(0.0, 1.0),
            "t0": _unit(0.0, 50.0),
            "weight_decay": _unit(0.0, 0.5),
            "maximize": st.booleans(),
        }
    ),
    "Rprop": st.fixed_dictionaries(
        {
            "lr": _unit(1e-4, 0.5),
            "etas": st.tuples(_unit(0.05, 0.95), _unit(1.05, 3.0)),
            "step_sizes": st.tuples(_unit(0.0, 1e-3), _unit(1e-2, 50.0)),
            "maximize": st.booleans(),
        }
    ),
}


@pytest.mark.parametrize("name", NAMES)
@given(
    data=st.data(),
    shape_list=st.lists(shapes(min_dims=0, max_dims=3, max_side=5), min_size=1, max_size=3),
    scale=st.sampled_from([1e-3, 1.0, 1e3]),
    seed=st.integers(0, 2**31),
)
def test_hypothesis_hyperparameters_and_shapes(name, data, shape_list, scale, seed):
    kwargs = data.draw(HYPER[name], label="hyperparameters")
    if "weight_decay" in kwargs:
        # Weight decay in proportion to the gradients: with lr * weight_decay >> |g| the
        # coupled dynamics of the sign-like adaptive methods near theta = 0 are chaotic
        # (one-step Jacobian ~ lr * weight_decay / |g| >> 1), and any two correct
        # implementations drift apart from one rounding difference within a few dozen steps.
        kwargs["weight_decay"] *= min(scale, 1.0)
    if name == "SGD" and data.draw(st.booleans(), label="nesterov") and kwargs["momentum"] > 0:
        kwargs.update(nesterov=True, dampening=0.0)
    ours, theirs, _, _ = run_pair(name, kwargs, [(shape_list, {})], 20, seed, scale=scale)
    assert_params_close(ours, theirs, what=f"{name}({kwargs})")


# --------------------------------------------------------------------------------------------
# Validation: bad hyperparameters raise with torch's message
# --------------------------------------------------------------------------------------------

BAD = [
    ("SGD", {"lr": -1}),
    ("SGD", {"momentum": -0.1}),
    ("SGD", {"weight_decay": -1e-3}),
    ("SGD", {"nesterov": True}),
    ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}),
    ("Adagrad", {"lr_decay": -1.0}),
    ("Adagrad", {"initial_accumulator_value": -0.5}),
    ("Adagrad", {"eps": -1e-10}),
    ("RMSprop", {"alpha": -0.1}),
    ("RMSprop", {"momentum": -1.0}),
    ("RMSprop", {"eps": -1.0}),
    ("Adadelta", {"rho": 1.5}),
    ("Adadelta", {"lr": -0.1}),
    ("Adam", {"betas": (1.2, 0.999)}),
    ("Adam", {"betas": (0.9, 1.0)}),
    ("Adam", {"eps": -1e-8}),
    ("Adam", {"weight_decay": -0.1}),
    ("AdamW", {"lr": -0.5}),
    ("AdamW", {"betas": (-0.1, 0.9)}),
    ("Adamax", {"betas": (0.9, -0.1)}),
    ("NAdam", {"momentum_decay": -1.0}),
    ("RAdam", {"betas": (0.9, 1.5)}),
    ("ASGD", {"weight_decay": -1.0}),
    ("Rprop", {"etas": (1.5, 1.2)}),
    ("Rprop", {"etas": (0.5, 0.9)}),
]


@pytest.mark.parametrize("name, kwargs", BAD)
def test_bad_hyperparameters_raise_like_torch(name, kwargs):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        optim.OPTIMIZERS[name]([np.zeros(2)], **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_bad_params_and_grads_raise():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([])
    with pytest.raises(TypeError, match="iterable of arrays or dicts, but got numpy.ndarray"):
        optim.SGD(np.zeros(3))
    with pytest.raises(TypeError, match="floating-point numpy arrays.*int64"):
        optim.SGD([np.zeros(3, dtype=np.int64)])
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {1, 2}}])
    w = np.zeros(3)
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([{"params": [w]}, {"params": [w]}])
    opt = optim.SGD([w, np.zeros(2)])
    with pytest.raises(ValueError, match="expected 2 gradients"):
        opt.step([np.zeros(3)])
    with pytest.raises(ValueError, match=r"grads\[1\] must match params\[1\].*\(2,\)"):
        opt.step([np.zeros(3), np.zeros(4)])


# --------------------------------------------------------------------------------------------
# Gradient descent on least squares, Newton's method
# --------------------------------------------------------------------------------------------


def _regression_problem(seed=0, n=64, d=3, noise=0.1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + 0.7 + noise * rng.standard_normal(n)
    return X, y


def _optimum_loss(X, y):
    A = np.column_stack([X, np.ones(len(y))])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return float(np.mean((A @ coef - y) ** 2)), coef


@given(st.integers(0, 2**31), st.integers(1, 6))
def test_mse_loss_and_grad_matches_torch_autograd(seed, d):
    rng = np.random.default_rng(seed)
    X, y, w, b = rng.standard_normal((9, d)), rng.standard_normal(9), rng.standard_normal(d), 0.3
    loss, gw, gb = optim.mse_loss_and_grad(X, y, w, b)
    wt, bt = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    lt = torch.nn.functional.mse_loss(torch.from_numpy(X) @ wt + bt, torch.from_numpy(y))
    lt.backward()
    assert_close(loss, lt, what="loss")
    assert_close(gw, wt.grad, what="grad weight")
    assert_close(gb, bt.grad, what="grad bias")


def test_gd_step_is_the_sgd_step_without_options():
    rng = np.random.default_rng(0)
    w, v, g = rng.standard_normal(5), None, rng.standard_normal(5)
    v = w.copy()
    assert optim.gd_step(w, g, 0.3) is w
    optim.sgd_step(v, g, {}, lr=0.3)
    np.testing.assert_array_equal(w, v)


def test_batch_gd_decreases_the_loss_monotonically_and_reaches_least_squares():
    X, y = _regression_problem()
    best, coef = _optimum_loss(X, y)
    # lr below 1/L with L = 2 * lambda_max of the augmented second-moment matrix
    A = np.column_stack([X, np.ones(len(y))])
    lr = 0.9 / (2 * np.linalg.eigvalsh(A.T @ A / len(y)).max())
    w, b, losses = optim.fit_linear_regression(X, y, method="batch", lr=lr, epochs=2000)
    assert losses.shape == (2001,)
    assert np.all(np.diff(losses) <= 1e-15)
    np.testing.assert_allclose(np.append(w, b), coef, atol=1e-8)
    assert losses[-1] == pytest.approx(best, rel=1e-10)


@pytest.mark.parametrize("method, lr", [("sgd", 0.01), ("minibatch", 0.05)])
def test_stochastic_variants_decrease_the_loss_near_the_optimum(method, lr):
    X, y = _regression_problem(1)
    best, _ = _optimum_loss(X, y)
    kw = dict(method=method, lr=lr, epochs=60, batch_size=8)
    _, _, losses = optim.fit_linear_regression(X, y, generator=np.random.default_rng(0), **kw)
    assert losses[-1] < 0.05 * losses[0]
    assert losses[-1] < 1.2 * best
    _, _, again = optim.fit_linear_regression(X, y, generator=np.random.default_rng(0), **kw)
    np.testing.assert_array_equal(losses, again)


def test_minibatch_with_full_batch_equals_batch_gd():
    X, y = _regression_problem(2, n=20)
    w1, b1, l1 = optim.fit_linear_regression(X, y, method="batch", lr=0.05, epochs=30)
    w2, b2, l2 = optim.fit_linear_regression(
        X, y, method="minibatch", lr=0.05, epochs=30, batch_size=20
    )
    # same full batch, only the row order differs: equal up to summation order
    np.testing.assert_allclose(w1, w2, rtol=1e-12)
    np.testing.assert_allclose(l1, l2, rtol=1e-12)


def test_sgd_takes_one_step_per_example():
    X, y = np.array([[1.0], [2.0]]), np.array([1.0, 2.0])
    w, b, _ = optim.fit_linear_regression(
        X, y, method="sgd", lr=0.1, epochs=1, generator=np.random.default_rng(0)
    )
    order = np.random.default_rng(0).permutation(2)
    ww, bb = 0.0, 0.0
    for i in order:  # d/dw (x w + b - y)^2 = 2 x r
        r = X[i, 0] * ww + bb - y[i]
        ww, bb = ww - 0.1 * 2 * X[i, 0] * r, bb - 0.1 * 2 * r
    assert w[0] == pytest.approx(ww, rel=1e-14) and b == pytest.approx(bb, rel=1e-14)


def test_fit_linear_regression_rejects_bad_input():
    X, y = _regression_problem()
    with pytest.raises(ValueError, match="method must be one of"):
        optim.fit_linear_regression(X, y, method="adam")
    with pytest.raises(ValueError, match=r"y must have shape \(64,\)"):
        optim.fit_linear_regression(X, y[:3])
    with pytest.raises(ValueError, match="lr must be > 0"):
        optim.fit_linear_regression(X, y, lr=0.0)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        optim.fit_linear_regression(X, y, method="minibatch", batch_size=0)


@given(st.integers(0, 2**31), st.integers(1, 6))
def test_newton_solves_a_quadratic_in_one_step(seed, d):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((d, d))
    A = M @ M.T + d * np.eye(d)
    b, x0 = rng.standard_normal(d), 10 * rng.standard_normal(d)
    xs = optim.newton_method(lambda x: A @ x - b, lambda x: A, x0, steps=2)
    assert xs.shape == (3, d)
    np.testing.assert_array_equal(xs[0], x0)
    # one step lands on the minimiser; the second step stays there
    np.testing.assert_allclose(xs[1], np.linalg.solve(A, b), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(xs[2], xs[1], rtol=1e-9, atol=1e-9)


def test_newton_converges_quadratically_on_rosenbrock():
    def grad(v):
        x, y = v
        return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])

    def hess(v):
        x, y = v
        return np.array([[2 - 400 * (y - 3 * x**2), -400 * x], [-400 * x, 200.0]])

    xs = optim.newton_method(grad, hess, np.array([-1.2, 1.0]), steps=8)
    np.testing.assert_allclose(xs[-1], [1.0, 1.0], atol=1e-12)


def test_newton_rejects_bad_shapes():
    with pytest.raises(ValueError, match="x0 must have shape"):
        optim.newton_method(lambda x: x, lambda x: np.eye(2), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"hess_fn must return shape \(2, 2\)"):
        optim.newton_method(lambda x: x, lambda x: np.eye(3), np.zeros(2))
