"""solutions.lr_scheduler against torch.optim.lr_scheduler, step for step.

Each test drives our scheduler (on our optimizer) and torch's (on a torch optimizer with the
same param groups) for >= 1000 steps and compares the lrs (and the cycled momentum / beta1).
The recursive (chainable) forms do the same float operations as torch, so the tolerance is a
few ulps. The two schedules without a torch class are compared with torch's LambdaLR driven by
a lambda written here independently, and with the paper's formula.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from solutions import lr_scheduler as ours_lr
from solutions import optim
from tests.solutions.strategies import assert_close

# torch warns when scheduler.step() runs before any optimizer.step() (we do not step the
# optimizers: only the lrs matter here) and when step(epoch) is used (deprecated, still tested).
pytestmark = [
    pytest.mark.filterwarnings(r"ignore:Detected call of `lr_scheduler\.step\(\)`"),
    pytest.mark.filterwarnings("ignore:The epoch parameter"),
]

LRS = [0.1, 0.02]
RTOL = 1e-13


def make_optimizers(name="SGD", lrs=LRS, **kwargs):
    ours_groups = [{"params": [np.zeros(2)], "lr": lr} for lr in lrs]
    torch_groups = [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs]
    return (
        optim.OPTIMIZERS[name](ours_groups, **kwargs),
        getattr(torch.optim, name)(torch_groups, **kwargs),
    )


def momenta(opt):
    out = []
    for group in opt.param_groups:
        if "betas" in group:
            out.append(group["betas"][0])
        elif "momentum" in group:
            out.append(group["momentum"])
    return out


def trace(sched, opt, steps, epochs=None):
    """lrs and momenta after construction and after every step."""
    lrs, moms = [sched.get_last_lr()], [momenta(opt)]
    for k in range(steps):
        if epochs is None:
            sched.step()
        else:
            sched.step(epochs[k])
        lrs.append(sched.get_last_lr())
        moms.append(momenta(opt))
        assert [g["lr"] for g in opt.param_groups] == lrs[-1]
    return np.array(lrs, dtype=np.float64), np.array(moms, dtype=np.float64)


def compare(cls_name, kwargs, steps, opt_name="SGD", opt_kwargs=None, lrs=LRS, epochs=None):
    opt_kwargs = opt_kwargs or {}
    ours_opt, torch_opt = make_optimizers(opt_name, lrs, **opt_kwargs)
    ours = getattr(ours_lr, cls_name)(ours_opt, **kwargs)
    theirs = getattr(torch.optim.lr_scheduler, cls_name)(torch_opt, **kwargs)
    ours_lrs, ours_m = trace(ours, ours_opt, steps, epochs)
    torch_lrs, torch_m = trace(theirs, torch_opt, steps, epochs)
    assert_close(ours_lrs, torch_lrs, rtol=RTOL, atol=0, what=f"{cls_name} lr")
    assert_close(ours_m, torch_m, rtol=RTOL, atol=0, what=f"{cls_name} momentum")
    assert ours.last_epoch == theirs.last_epoch
    return ours_lrs


# --------------------------------------------------------------------------------------------
# Every scheduler over >= 1000 steps, two param groups
# --------------------------------------------------------------------------------------------

CASES = [
    ("StepLR", {"step_size": 30}),
    ("StepLR", {"step_size": 7, "gamma": 0.9}),
    ("MultiStepLR", {"milestones": [100, 300, 300, 700], "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.995}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 200}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.2, "total_iters": 900}),
    ("CosineAnnealingLR", {"T_max": 1000}),
    ("CosineAnnealingLR", {"T_max": 100, "eta_min": 1e-3}),  # several periods, past T_max
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.05}),  # eta_min above one group's lr
    ("CosineAnnealingWarmRestarts", {"T_0": 50}),
    ("CosineAnnealingWarmRestarts", {"T_0": 10, "T_mult": 2, "eta_min": 1e-4}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 3}),
    ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 100}),
    (
        "CyclicLR",
        {
            "base_lr": [0.001, 0.002],
            "max_lr": [0.1, 0.05],
            "step_size_up": 30,
            "step_size_down": 70,
            "mode": "triangular2",
        },
    ),  # fmt: skip
    (
        "CyclicLR",
        {
            "base_lr": 0.001,
            "max_lr": 0.1,
            "step_size_up": 50,
            "mode": "exp_range",
            "gamma": 0.998,
            "base_momentum": [0.7, 0.8],
            "max_momentum": 0.95,
        },
    ),  # fmt: skip
    ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 40, "cycle_momentum": False}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 1001}),
    (
        "OneCycleLR",
        {
            "max_lr": [0.1, 0.3],
            "epochs": 10,
            "steps_per_epoch": 101,
            "anneal_strategy": "linear",
            "pct_start": 0.25,
        },
    ),  # fmt: skip
    (
        "OneCycleLR",
        {
            "max_lr": 0.1,
            "total_steps": 1001,
            "three_phase": True,
            "div_factor": 10.0,
            "final_div_factor": 100.0,
        },
    ),  # fmt: skip
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 1001, "cycle_momentum": False}),
]
OPTIMIZER_FOR = [("SGD", {"momentum": 0.9}), ("Adam", {}), ("RMSprop", {"momentum": 0.5})]


@pytest.mark.parametrize(
    "cls_name, kwargs", CASES, ids=[f"{c}-{i}" for i, (c, _) in enumerate(CASES)]
)
@pytest.mark.parametrize("opt_name, opt_kwargs", OPTIMIZER_FOR, ids=[o for o, _ in OPTIMIZER_FOR])
def test_lr_sequence_matches_torch(cls_name, kwargs, opt_name, opt_kwargs):
    steps = 1000
    compare(cls_name, kwargs, steps, opt_name, opt_kwargs)


def test_cosine_annealing_recursive_form_tracks_the_closed_form():
    lrs = compare("CosineAnnealingLR", {"T_max": 250, "eta_min": 0.001}, 1000)
    t = np.arange(1001)
    closed = [0.001 + (lr - 0.001) * (1 + np.cos(np.pi * t / 250)) / 2 for lr in LRS]
    assert_close(lrs, np.stack(closed, axis=1), rtol=1e-9, atol=1e-12, what="closed form")


def test_cyclic_without_momentum_works_on_adagrad_and_refuses_cycle_momentum():
    compare("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 20,
                         "cycle_momentum": False}, 1000, "Adagrad")  # fmt: skip
    ours_opt, torch_opt = make_optimizers("Adagrad")
    kw = {"base_lr": 0.01, "max_lr": 0.1}
    with pytest.raises(ValueError) as theirs:
        torch.optim.lr_scheduler.CyclicLR(torch_opt, **kw)
    with pytest.raises(ValueError) as ours:
        ours_lr.CyclicLR(ours_opt, **kw)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("scale_mode", ["cycle", "iterations"])
def test_cyclic_custom_scale_fn(scale_mode):
    kw = {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 25, "scale_mode": scale_mode,
          "scale_fn": lambda x: 1 / (1 + 0.01 * x)}  # fmt: skip
    compare("CyclicLR", kw, 1000)


def test_lambda_lr_single_and_per_group_lambdas():
    compare("LambdaLR", {"lr_lambda": lambda e: 0.99**e}, 1000)
    compare("LambdaLR", {"lr_lambda": [lambda e: 0.99**e, lambda e: 1 / (1 + e)]}, 1000)


def test_chained_schedulers_compose_like_torch():
    ours_opt, torch_opt = make_optimizers("SGD")
    ours = [ours_lr.StepLR(ours_opt, 50, 0.5), ours_lr.ExponentialLR(ours_opt, 0.999)]
    theirs = [
        torch.optim.lr_scheduler.StepLR(torch_opt, 50, 0.5),
        torch.optim.lr_scheduler.ExponentialLR(torch_opt, 0.999),
    ]
    for _ in range(1000):
        for a, b in zip(ours, theirs, strict=True):
            a.step()
            b.step()
        assert_close(
            [g["lr"] for g in ours_opt.param_groups],
            [g["lr"] for g in torch_opt.param_groups],
            rtol=RTOL,
            atol=0,
        )


def test_onecycle_refuses_to_step_past_total_steps_like_torch():
    ours_opt, torch_opt = make_optimizers("SGD", momentum=0.9)
    ours = ours_lr.OneCycleLR(ours_opt, max_lr=0.1, total_steps=10)
    theirs = torch.optim.lr_scheduler.OneCycleLR(torch_opt, max_lr=0.1, total_steps=10)
    for _ in range(10):
        ours.step()
        theirs.step()
    with pytest.raises(ValueError) as t_err:
        theirs.step()
    with pytest.raises(ValueError) as o_err:
        ours.step()
    assert str(o_err.value) == str(t_err.value)


# --------------------------------------------------------------------------------------------
# step(epoch): the closed forms
# --------------------------------------------------------------------------------------------

CLOSED = [
    ("StepLR", {"step_size": 30, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [10, 50, 50, 300], "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.99}),
    ("LinearLR", {"start_factor": 0.2, "total_iters": 300}),
    ("CosineAnnealingLR", {"T_max": 120, "eta_min": 1e-3}),
    ("CosineAnnealingWarmRestarts", {"T_0": 10, "T_mult": 2}),
    ("CosineAnnealingWarmRestarts", {"T_0": 17}),
]


@pytest.mark.parametrize("cls_name, kwargs", CLOSED)
def test_step_with_epoch_uses_the_closed_form_like_torch(cls_name, kwargs):
    epochs = list(np.random.default_rng(0).integers(0, 1000, size=1000))
    epochs = [int(e) for e in epochs]
    compare(cls_name, kwargs, 1000, epochs=epochs)


def test_warm_restarts_accept_fractional_epochs_like_torch():
    epochs = [e / 7 for e in range(1000)]
    compare("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 2, "eta_min": 0.001}, 1000,
            epochs=epochs)  # fmt: skip


# --------------------------------------------------------------------------------------------
# state_dict round trip: save mid-run, restore into fresh objects, continue
# --------------------------------------------------------------------------------------------

ROUND_TRIP = [
    ("StepLR", {"step_size": 30}),
    ("CosineAnnealingLR", {"T_max": 300, "eta_min": 1e-3}),
    ("CosineAnnealingWarmRestarts", {"T_0": 10, "T_mult": 2}),
    ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 70, "mode": "triangular2"}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 1000}),
    ("LinearLR", {"start_factor": 0.1, "total_iters": 600}),
    (
        "LambdaLR",
        {"lr_lambda": partial(ours_lr.linear_warmup_decay, warmup_steps=100, total_steps=1000)},
    ),  # fmt: skip
]


def check_state_dict_round_trip(build):
    """Save ``build(optimizer)``'s scheduler and its optimizer after 400 of 1000 steps,
    step the old ones on (the saved dicts must not change), restore into fresh objects and
    continue: the lr sequence is the uninterrupted one, exactly."""

    def fresh():
        opt = optim.SGD([{"params": [np.zeros(2)], "lr": lr} for lr in LRS], momentum=0.9)
        return opt, build(opt)

    opt, sched = fresh()
    straight = [sched.get_last_lr()]
    for _ in range(999):
        sched.step()
        straight.append(sched.get_last_lr())

    opt, sched = fresh()
    for _ in range(400):
        sched.step()
    saved_opt, saved_sched = opt.state_dict(), sched.state_dict()
    for _ in range(5):  # keep stepping the old one: the saved dicts must not change
        sched.step()
    opt2, sched2 = fresh()  # torch's order: scheduler first, then load the optimizer state
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    if hasattr(sched2, "last_epoch"):  # ChainedScheduler has none (as torch's)
        assert sched2.last_epoch == 400
    resumed = straight[:401]
    for _ in range(599):
        sched2.step()
        resumed.append(sched2.get_last_lr())
    np.testing.assert_array_equal(np.array(resumed), np.array(straight))


@pytest.mark.parametrize("cls_name, kwargs", ROUND_TRIP)
def test_state_dict_round_trip(cls_name, kwargs):
    check_state_dict_round_trip(lambda opt: getattr(ours_lr, cls_name)(opt, **kwargs))


# --------------------------------------------------------------------------------------------
# BERT linear warm-up/decay and the Transformer's inverse-sqrt warm-up
# --------------------------------------------------------------------------------------------


def _torch_side_linear_warmup(warmup, total):
    """Written independently, after transformers' get_linear_schedule_with_warmup."""

    def factor(step):
        if step < warmup:
            return step / max(1.0, warmup)
        return max(0.0, (total - step) / max(1.0, total - warmup))

    return factor


@pytest.mark.parametrize("warmup, total", [(100, 1000), (0, 1000), (1, 1200), (1000, 1000)])
def test_linear_warmup_decay_matches_torch_lambda_lr_and_the_formula(warmup, total):
    fn = partial(ours_lr.linear_warmup_decay, warmup_steps=warmup, total_steps=total)
    ours_opt, torch_opt = make_optimizers("AdamW")
    ours = ours_lr.LambdaLR(ours_opt, fn)
    theirs = torch.optim.lr_scheduler.LambdaLR(torch_opt, _torch_side_linear_warmup(warmup, total))
    ours_lrs, _ = trace(ours, ours_opt, 1100)
    torch_lrs, _ = trace(theirs, torch_opt, 1100)
    assert_close(ours_lrs, torch_lrs, rtol=RTOL, atol=0, what="linear warmup")
    # the formula: piecewise linear through (0, 0), (W, 1), (T, 0), then 0
    t = np.arange(1101)
    knots = ([0, warmup, total], [0.0, 1.0, 0.0]) if warmup > 0 else ([0, total], [1.0, 0.0])
    factor = np.interp(t, *knots)
    assert_close(ours_lrs, np.outer(factor, LRS), rtol=1e-12, atol=1e-15, what="formula")


def _torch_side_noam(d_model, warmup):
    return lambda step: d_model**-0.5 * min((step or math.inf) ** -0.5, step * warmup**-1.5)


@pytest.mark.parametrize("d_model, warmup", [(512, 4000), (64, 100), (1, 1)])
def test_inverse_sqrt_warmup_matches_torch_lambda_lr_and_the_paper(d_model, warmup):
    fn = partial(ours_lr.inverse_sqrt_warmup, d_model=d_model, warmup_steps=warmup)
    ours_opt, torch_opt = make_optimizers("Adam", lrs=[1.0, 2.0], betas=(0.9, 0.98), eps=1e-9)
    ours = ours_lr.LambdaLR(ours_opt, fn)
    theirs = torch.optim.lr_scheduler.LambdaLR(torch_opt, _torch_side_noam(d_model, warmup))
    steps = 2 * warmup + 1000
    ours_lrs, _ = trace(ours, ours_opt, steps)
    torch_lrs, _ = trace(theirs, torch_opt, steps)
    assert_close(ours_lrs, torch_lrs, rtol=RTOL, atol=0, what="noam")
    lr = ours_lrs[:, 0]
    t = np.arange(1, steps + 1)
    paper = d_model**-0.5 * np.minimum(t**-0.5, t * warmup**-1.5)  # Vaswani et al., eq. 3
    assert_close(lr[1:], paper, rtol=1e-12, atol=0, what="paper formula")
    assert lr[0] == 0.0
    assert np.argmax(lr) == warmup and lr[warmup] == pytest.approx((d_model * warmup) ** -0.5)
    assert np.all(np.diff(lr[: warmup + 1]) > 0) and np.all(np.diff(lr[warmup:]) < 0)


def test_warmup_functions_reject_bad_arguments():
    with pytest.raises(ValueError, match="warmup_steps and total_steps must be >= 0"):
        ours_lr.linear_warmup_decay(3, warmup_steps=-1, total_steps=10)
    with pytest.raises(ValueError, match="d_model and warmup_steps must be > 0"):
        ours_lr.inverse_sqrt_warmup(3, d_model=0)
    with pytest.raises(ValueError, match="step must be >= 0"):
        ours_lr.inverse_sqrt_warmup(-1, d_model=8)


# --------------------------------------------------------------------------------------------
# Hypothesis over hyperparameters
# --------------------------------------------------------------------------------------------

pos_int = st.integers(1, 60)
unit = st.floats(0.01, 1.0)

HYPER = {
    "StepLR": st.fixed_dictionaries({"step_size": pos_int, "gamma": unit}),
    "MultiStepLR": st.fixed_dictionaries(
        {"milestones": st.lists(st.integers(0, 300), max_size=6).map(sorted), "gamma": unit}
    ),
    "ExponentialLR": st.fixed_dictionaries({"gamma": st.floats(0.9, 1.0)}),
    "LinearLR": st.fixed_dictionaries(
        {"start_factor": unit, "end_factor": st.floats(0.0, 1.0), "total_iters": pos_int}
    ),
    "CosineAnnealingLR": st.fixed_dictionaries(
        {"T_max": st.integers(1, 400), "eta_min": st.floats(0.0, 0.01)}
    ),
    "CosineAnnealingWarmRestarts": st.fixed_dictionaries(
        {"T_0": pos_int, "T_mult": st.integers(1, 3), "eta_min": st.floats(0.0, 0.01)}
    ),
    "CyclicLR": st.fixed_dictionaries(
        {
            "base_lr": st.floats(1e-4, 0.01),
            "max_lr": st.floats(0.01, 1.0),
            "step_size_up": pos_int,
            "step_size_down": st.none() | pos_int,
            "mode": st.sampled_from(["triangular", "triangular2", "exp_range"]),
            "gamma": st.floats(0.99, 1.0),
            "base_momentum": st.floats(0.5, 0.85),
            "max_momentum": st.floats(0.85, 0.99),
        }
    ),
    "OneCycleLR": st.fixed_dictionaries(
        {
            "max_lr": st.floats(1e-3, 1.0),
            "total_steps": st.just(300),
            "pct_start": st.floats(0.05, 0.45),
            "anneal_strategy": st.sampled_from(["cos", "linear"]),
            "div_factor": st.floats(1.0, 100.0),
            "final_div_factor": st.floats(1.0, 1e4),
            "three_phase": st.booleans(),
        }
    ),
}


@pytest.mark.parametrize("cls_name", list(HYPER))
@given(data=st.data(), opt=st.sampled_from(OPTIMIZER_FOR))
def test_hypothesis_hyperparameters(cls_name, data, opt):
    kwargs = data.draw(HYPER[cls_name], label="hyperparameters")
    opt_name, opt_kwargs = opt
    compare(cls_name, kwargs, 299, opt_name, opt_kwargs)


# --------------------------------------------------------------------------------------------
# Validation: torch's refusals, torch's messages
# --------------------------------------------------------------------------------------------

BAD = [
    ("LinearLR", {"start_factor": 0.0}),
    ("LinearLR", {"start_factor": 1.5}),
    ("LinearLR", {"end_factor": -0.1}),
    ("CosineAnnealingWarmRestarts", {"T_0": 0}),
    ("CosineAnnealingWarmRestarts", {"T_0": 2.5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 0}),
    ("CosineAnnealingWarmRestarts", {"T_0": 5, "eta_min": "0"}),
    ("OneCycleLR", {"max_lr": 0.1}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 0}),
    ("OneCycleLR", {"max_lr": 0.1, "epochs": 0, "steps_per_epoch": 5}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.5}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "anneal_strategy": "exp"}),
    ("OneCycleLR", {"max_lr": [0.1, 0.2, 0.3], "total_steps": 10}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "mode": "sawtooth"}),
    ("CyclicLR", {"base_lr": [0.01], "max_lr": 0.1}),
    ("LambdaLR", {"lr_lambda": [lambda e: 1.0]}),
]


@pytest.mark.parametrize("cls_name, kwargs", BAD)
def test_bad_arguments_raise_like_torch(cls_name, kwargs):
    ours_opt, torch_opt = make_optimizers("SGD", momentum=0.9)
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim.lr_scheduler, cls_name)(torch_opt, **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(ours_lr, cls_name)(ours_opt, **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_bad_arguments_torch_fails_on_late_or_obscurely():
    opt, _ = make_optimizers("SGD")
    with pytest.raises(ValueError, match="Expected positive integer step_size, but got 0"):
        ours_lr.StepLR(opt, step_size=0)  # torch: ZeroDivisionError
    with pytest.raises(ValueError, match="Expected positive integer T_max, but got 0"):
        ours_lr.CosineAnnealingLR(opt, T_max=0)  # torch: ZeroDivisionError at step 1
    with pytest.raises(TypeError, match="SGD is not an Optimizer"):
        ours_lr.StepLR(torch.optim.SGD([torch.zeros(1, requires_grad=True)]), step_size=3)
    with pytest.raises(KeyError, match=r"'initial_lr' is not specified in param_groups\[0\]"):
        ours_lr.StepLR(opt, step_size=3, last_epoch=5)


# --------------------------------------------------------------------------------------------
# The schedulers a training loop needs: ConstantLR, PolynomialLR, SequentialLR,
# ChainedScheduler, ReduceLROnPlateau
# --------------------------------------------------------------------------------------------

LOOP_CASES = [
    ("ConstantLR", {}),
    ("ConstantLR", {"factor": 0.1, "total_iters": 300}),
    ("ConstantLR", {"factor": 1.0, "total_iters": 0}),
    ("PolynomialLR", {}),
    ("PolynomialLR", {"total_iters": 700, "power": 2.0}),
    ("PolynomialLR", {"total_iters": 999, "power": 0.5}),
]


@pytest.mark.parametrize("cls_name, kwargs", LOOP_CASES)
@pytest.mark.parametrize("opt_name, opt_kwargs", OPTIMIZER_FOR, ids=[o for o, _ in OPTIMIZER_FOR])
def test_constant_and_polynomial_match_torch(cls_name, kwargs, opt_name, opt_kwargs):
    compare(cls_name, kwargs, 1000, opt_name, opt_kwargs)


@pytest.mark.parametrize("cls_name, kwargs", LOOP_CASES[1:2] + LOOP_CASES[4:5])
def test_constant_and_polynomial_closed_form_matches_torch(cls_name, kwargs):
    epochs = [3, 3, 0, 299, 300, 301, 650, 700, 701, 2000, 5]
    compare(cls_name, kwargs, len(epochs), epochs=epochs)


def _composite(lib, opt, kind):
    """The same composite schedule built from ``lib`` (ours or torch's) on ``opt``."""
    s = lib.lr_scheduler if lib is torch.optim else lib
    if kind == "warmup-cosine":
        return s.SequentialLR(
            opt,
            [s.LinearLR(opt, start_factor=0.01, total_iters=100), s.CosineAnnealingLR(opt, 900)],
            milestones=[100],
        )
    if kind == "three-phases":
        return s.SequentialLR(
            opt,
            [
                s.ConstantLR(opt, factor=0.1, total_iters=50),
                s.ExponentialLR(opt, gamma=0.999),
                s.StepLR(opt, step_size=100, gamma=0.5),
            ],
            milestones=[200, 600],
        )
    if kind == "chained":
        return s.ChainedScheduler(
            [s.ConstantLR(opt, factor=0.1, total_iters=20), s.ExponentialLR(opt, gamma=0.995)]
        )
    if kind == "chained-cosine-warmup":
        return s.ChainedScheduler(
            [s.LinearLR(opt, start_factor=0.05, total_iters=50), s.CosineAnnealingLR(opt, 1000)]
        )
    raise ValueError(kind)


COMPOSITES = ["warmup-cosine", "three-phases", "chained", "chained-cosine-warmup"]


@pytest.mark.parametrize("kind", COMPOSITES)
@pytest.mark.parametrize("opt_name, opt_kwargs", OPTIMIZER_FOR, ids=[o for o, _ in OPTIMIZER_FOR])
def test_sequential_and_chained_match_torch(kind, opt_name, opt_kwargs):
    ours_opt, torch_opt = make_optimizers(opt_name, **opt_kwargs)
    ours, theirs = _composite(ours_lr, ours_opt, kind), _composite(torch.optim, torch_opt, kind)
    ours_lrs, _ = trace(ours, ours_opt, 1000)
    torch_lrs, _ = trace(theirs, torch_opt, 1000)
    assert_close(ours_lrs, torch_lrs, rtol=RTOL, atol=0, what=f"{kind} lr")


@pytest.mark.parametrize("kind", COMPOSITES)
def test_composite_state_dict_round_trip(kind):
    check_state_dict_round_trip(lambda opt: _composite(ours_lr, opt, kind))


def test_sequential_and_chained_refuse_what_torch_refuses():
    opt, other = optim.SGD([np.zeros(1)], lr=0.1), optim.SGD([np.zeros(1)], lr=0.1)
    step = ours_lr.StepLR(opt, 10)
    with pytest.raises(ValueError, match="milestone"):
        ours_lr.SequentialLR(opt, [step, ours_lr.ExponentialLR(opt, 0.9)], milestones=[])
    with pytest.raises(ValueError, match="same optimizer"):
        ours_lr.SequentialLR(opt, [step, ours_lr.StepLR(other, 5)], milestones=[3])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        ours_lr.ChainedScheduler([step, ours_lr.ReduceLROnPlateau(opt)])
    with pytest.raises(ValueError, match="at least one"):
        ours_lr.ChainedScheduler([])


@given(
    data=st.data(),
    mode=st.sampled_from(["min", "max"]),
    threshold_mode=st.sampled_from(["rel", "abs"]),
    factor=st.sampled_from([0.1, 0.5, 0.9]),
    patience=st.integers(0, 6),
    cooldown=st.integers(0, 4),
    threshold=st.sampled_from([0.0, 1e-4, 0.01, 0.1]),
    min_lr=st.sampled_from([0.0, 1e-3, [1e-4, 5e-3]]),
    eps=st.sampled_from([1e-8, 1e-3]),
)
def test_reduce_on_plateau_matches_torch(
    data, mode, threshold_mode, factor, patience, cooldown, threshold, min_lr, eps
):
    """1000 epochs of a noisy metric with plateaus and ties (repeated values)."""
    kwargs = dict(
        mode=mode,
        factor=factor,
        patience=patience,
        threshold=threshold,
        threshold_mode=threshold_mode,
        cooldown=cooldown,
        min_lr=min_lr,
        eps=eps,
    )
    ours_opt, torch_opt = make_optimizers("SGD", momentum=0.9)
    ours = ours_lr.ReduceLROnPlateau(ours_opt, **kwargs)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(torch_opt, **kwargs)
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    trend = np.cumsum(rng.choice([-0.01, 0.0, 0.0, 0.005], size=1000)) + 1.0
    metric = np.round(trend + 0.01 * rng.standard_normal(1000), 2)  # rounding makes ties
    ours_lrs, torch_lrs = [ours.get_last_lr()], [theirs.get_last_lr()]
    for m in metric:
        ours.step(m)
        theirs.step(m)
        ours_lrs.append(ours.get_last_lr())
        torch_lrs.append(theirs.get_last_lr())
    assert_close(np.array(ours_lrs), np.array(torch_lrs), rtol=RTOL, atol=0, what="plateau lr")
    assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter) == (
        theirs.best,
        theirs.num_bad_epochs,
        theirs.cooldown_counter,
    )


def test_reduce_on_plateau_state_dict_round_trip_and_refusals():
    opt = optim.SGD([np.zeros(1)], lr=0.1)
    sched = ours_lr.ReduceLROnPlateau(opt, patience=2, cooldown=1)
    for m in [1.0, 1.0, 1.0, 1.0, 0.5, 0.5]:
        sched.step(m)
    saved = sched.state_dict()
    opt2 = optim.SGD([np.zeros(1)], lr=0.1)
    opt2.load_state_dict(opt.state_dict())
    sched2 = ours_lr.ReduceLROnPlateau(opt2)
    sched2.load_state_dict(saved)
    for m in [0.5, 0.5, 0.5, 0.5]:
        sched.step(m)
        sched2.step(m)
        assert sched.get_last_lr() == sched2.get_last_lr()
    for bad, match in (
        ({"factor": 1.0}, "Factor"),
        ({"mode": "up"}, "mode"),
        ({"threshold_mode": "pct"}, "threshold mode"),
        ({"min_lr": [0, 0]}, "min_lrs"),
    ):
        with pytest.raises(ValueError, match=match):
            ours_lr.ReduceLROnPlateau(opt, **bad)
