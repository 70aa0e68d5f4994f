"""05_optimizers: torch.optim-style classes on numpy arrays, graded by their trajectories.

API (as in torch): ``opt = Adam(params, lr=1e-3, ...)`` with ``params`` a list of float
arrays updated IN PLACE by ``opt.step(grads)`` (``grads`` in the same order). Each case
drives ``steps`` steps with fixed, known gradients and compares every parameter after every
step with the reference.
"""

import numpy as np

from autograder.registry import case, exercise
from solutions import lr_scheduler as lr
from solutions import optim as ref


def _trajectory(options: list[dict], hidden: bool):
    def make(g):
        steps = 25 if hidden else 8
        shapes = [(3, 4), (5,)] if hidden else [(4,)]
        for kw in options:
            params = [g.normal(*s) for s in shapes]
            grads = [g.normal(steps, *s) for s in shapes]
            name = ",".join(f"{k}={v}" for k, v in kw.items() if k != "lr") or "default"
            yield case(name, params, grads, steps=steps, **kw)

    return make


def _optimizer(cls, options, points=4):
    return exercise(
        cls,
        points=points,
        kind="optimizer",
        public=_trajectory(options, False),
        hidden=_trajectory(options, True),
    )


#: eps, betas, alpha... set large enough to matter; maximize with weight decay (the sign of
#: the decay term is the classic mistake).
_BETAS = {"betas": (0.5, 0.9), "eps": 0.1}

EXERCISES = [
    _optimizer(
        ref.SGD,
        [
            {"lr": 0.1, "momentum": 0.9},
            {"lr": 0.1, "momentum": 0.9, "nesterov": True},
            {"lr": 0.1, "momentum": 0.5, "dampening": 0.5, "weight_decay": 0.1},
            {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1, "maximize": True},
        ],
    ),
    _optimizer(
        ref.Adagrad,
        [
            {"lr": 0.1},
            {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1},
            {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 0.1, "maximize": True},
        ],
    ),
    _optimizer(
        ref.RMSprop,
        [
            {"lr": 0.01},
            {"lr": 0.01, "centered": True, "momentum": 0.9},
            {"lr": 0.05, "alpha": 0.5, "eps": 0.1, "weight_decay": 0.1, "maximize": True},
        ],
    ),
    _optimizer(
        ref.Adadelta,
        [{}, {"rho": 0.5, "weight_decay": 0.1}, {"lr": 0.5, "eps": 0.01, "maximize": True}],
    ),
    _optimizer(
        ref.Adam,
        [
            {"lr": 0.1},
            {"lr": 0.1, "weight_decay": 0.1},
            {"lr": 0.1, "amsgrad": True},
            {"lr": 0.1, **_BETAS, "maximize": True},
            {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True},
        ],
    ),
    _optimizer(
        ref.AdamW,
        [
            {"lr": 0.1},
            {"lr": 0.1, "weight_decay": 0.5},
            {"lr": 0.1, **_BETAS, "amsgrad": True, "maximize": True},
        ],
    ),
    _optimizer(
        ref.Adamax, [{"lr": 0.1}, {"lr": 0.1, **_BETAS, "weight_decay": 0.1, "maximize": True}]
    ),
    _optimizer(
        ref.NAdam,
        [
            {"lr": 0.1},
            {"lr": 0.1, **_BETAS, "weight_decay": 0.1, "momentum_decay": 0.1},
            {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
        ],
    ),
]


def _least_squares(hidden: bool):
    def make(g):
        n, d = (40, 3) if hidden else (12, 2)
        X = g.normal(n, d)
        y = X @ g.normal(d) + 0.5 + 0.1 * g.normal(n)
        yield case("basic", X, y, g.normal(d), 0.3)
        if hidden:  # by keyword: the zeros are no secret (see the leak test)
            yield case("zero weights", X, y, weight=np.zeros(d), bias=0.0)

    return make


def _regression_fit(hidden: bool):
    def make(g):
        n, d = (30, 3) if hidden else (10, 2)
        X = g.normal(n, d)
        y = X @ g.normal(d) - 1.0 + 0.1 * g.normal(n)
        yield case("batch", X, y, lr=0.1, epochs=20 if hidden else 10)
        yield case("one mini-batch", X, y, method="minibatch", batch_size=n, lr=0.05, epochs=5)

    return make


def _schedule(options: list[dict], hidden: bool, steps=(12, 30)):
    """Learning rates of one (public) or two (hidden) param groups over ``steps`` steps."""

    def make(g):
        lrs = g.uniform(2, low=0.01, high=0.5) if hidden else np.array([0.1])
        for kw in options:
            name = ",".join(f"{k}={v}" for k, v in kw.items()) or "default"
            yield case(name, lrs, steps=steps[hidden], **kw)

    return make


def _plateau(hidden: bool):
    """A validation loss that improves, stalls (with ties), improves again and stalls: the
    lr drops after ``patience`` bad epochs, then waits ``cooldown`` epochs."""

    def make(g):
        n = 40 if hidden else 24
        trend = np.repeat(np.linspace(1.0, 0.4, n // 4), 4)[:n]  # plateaus of 4 equal values
        noisy = np.round(trend + 0.01 * g.normal(n), 3)
        lrs = g.uniform(2, low=0.01, high=0.5) if hidden else np.array([0.1])
        yield case("default", lrs, noisy, steps=n)
        yield case("patience,cooldown", lrs, noisy, steps=n, patience=1, cooldown=2, factor=0.5)
        yield case(
            "mode=max,abs",
            lrs,
            -noisy,
            steps=n,
            mode="max",
            threshold_mode="abs",
            threshold=0.005,
            patience=2,
            factor=0.5,
        )
        yield case("min_lr", lrs, np.full(n, 1.0), steps=n, patience=0, factor=0.5, min_lr=0.02)
        if hidden:  # max mode, a metric that only gets worse: a reduction every patience + 1
            yield case("mode=max", lrs, noisy, steps=n, mode="max", patience=3, factor=0.5)
        if hidden:
            # a reduction of 1 % changes the second group's lr by 5e-4 <= eps: skipped there
            two = np.array([0.5, 0.05])
            yield case("eps", two, np.full(n, 1.0), steps=n, patience=0, factor=0.99, eps=1e-3)
            # the threshold decides: 2 % better every epoch is no improvement for a relative
            # threshold of 5 % (min and max), and is one for an absolute threshold of 0.01
            k = np.arange(12.0)
            slow = {"steps": 12, "patience": 1, "factor": 0.5}
            yield case("threshold", lrs, 0.98**k, threshold=0.05, **slow)
            yield case("threshold", lrs, 1.02**k, mode="max", threshold=0.05, **slow)
            yield case("threshold", lrs, 0.98**k, threshold_mode="abs", threshold=0.01, **slow)
            # exactly at the threshold is not an improvement (strict inequalities): halving
            # with rel 0.5, doubling with rel 1.0 in max mode, steps of 1 with abs 1.0; with
            # patience 0, each such epoch reduces the lr
            at = {"steps": 12, "patience": 0, "factor": 0.5}
            yield case("at the threshold", lrs, 0.5**k, threshold=0.5, **at)
            yield case("at the threshold", lrs, 2.0**k, mode="max", threshold=1.0, **at)
            yield case("at the threshold", lrs, 9.0 - k, threshold_mode="abs", threshold=1.0, **at)
            yield case(
                "at the threshold",
                lrs,
                k,
                mode="max",
                threshold_mode="abs",
                threshold=1.0,
                **at,
            )
            # min_lr above the lr: max(lr f, min_lr) would raise it; a change <= eps (here
            # negative) is skipped, so the lr stays
            yield case("min_lr", lrs, np.full(12, 1.0), steps=12, patience=0, min_lr=1.0)

    return make


def _scheduler(cls, options, hidden_options=None, points=1, **kw):
    return exercise(
        cls,
        points=points,
        kind="scheduler",
        public=_schedule(options, False),
        hidden=_schedule(hidden_options or options, True),
        **kw,
    )


def _warmup_steps(hidden: bool):
    def make(g):
        steps = (0, 1, 2, 50, 100, 4000, 4001, 10**6) if hidden else (0, 1, 10, 100, 1000)
        for step in steps:
            yield case("warm-up and decay", step, d_model=512, warmup_steps=4000)
        yield case("small model", 3 if hidden else 5, d_model=16, warmup_steps=4)

    return make


EXERCISES += [
    _optimizer(
        ref.RAdam,
        [
            {"lr": 0.1},
            {"lr": 0.1, "weight_decay": 0.1},
            {
                "lr": 0.1,
                **_BETAS,
                "weight_decay": 0.1,
                "decoupled_weight_decay": True,
                "maximize": True,
            },
        ],
        points=2,
    ),
    _optimizer(
        ref.ASGD,
        [
            {"lr": 0.05},
            {"lr": 0.05, "t0": 3.0, "lambd": 0.01},
            {"lr": 0.05, "t0": 2.0, "alpha": 0.5, "weight_decay": 0.1, "maximize": True},
        ],
        points=2,
    ),
    _optimizer(
        ref.Rprop,
        [
            {"lr": 0.05},
            {"lr": 0.05, "etas": (0.3, 1.5)},
            {"lr": 0.05, "step_sizes": (0.01, 0.2), "maximize": True},
        ],
        points=2,
    ),
    exercise(
        ref.mse_loss_and_grad,
        points=1,
        public=_least_squares(False),
        hidden=_least_squares(True),
    ),
    exercise(
        ref.fit_linear_regression,
        points=1,
        public=_regression_fit(False),
        hidden=_regression_fit(True),
        description="Graded with full-batch steps (``method='batch'``, or one mini-batch "
        "holding every example): the shuffled variants depend on your random draws.",
    ),
    _scheduler(lr.MultiStepLR, [{"milestones": [3, 7], "gamma": 0.5}]),
    _scheduler(lr.ExponentialLR, [{"gamma": 0.9}]),
    _scheduler(lr.LinearLR, [{}, {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 8}]),
    _scheduler(
        lr.CosineAnnealingLR,
        [{"T_max": 10}, {"T_max": 5, "eta_min": 0.01}],
        description="Mirror torch's recursive form: past ``T_max`` the rate climbs back up.",
    ),
    _scheduler(
        lr.CosineAnnealingWarmRestarts,
        [{"T_0": 4}, {"T_0": 3, "T_mult": 2, "eta_min": 0.001}],
    ),
    _scheduler(
        lr.CyclicLR,
        [{"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "cycle_momentum": False}],
        [
            {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "cycle_momentum": False},
            {
                "base_lr": 0.01,
                "max_lr": 0.1,
                "step_size_up": 3,
                "mode": "exp_range",
                "gamma": 0.9,
                "cycle_momentum": False,
            },
            {
                "base_lr": 0.01,
                "max_lr": 0.1,
                "step_size_up": 3,
                "step_size_down": 5,
                "mode": "triangular2",
                "cycle_momentum": False,
            },
        ],
        description="Graded on the learning rates (``cycle_momentum=False``).",
    ),
    _scheduler(
        lr.OneCycleLR,
        [{"max_lr": 0.5, "total_steps": 13, "cycle_momentum": False}],
        [
            {"max_lr": 0.5, "total_steps": 31, "cycle_momentum": False},
            {
                "max_lr": 0.5,
                "total_steps": 31,
                "anneal_strategy": "linear",
                "three_phase": True,
                "cycle_momentum": False,
            },
            {
                "max_lr": 0.5,
                "epochs": 2,
                "steps_per_epoch": 16,
                "pct_start": 0.4,
                "div_factor": 10.0,
                "final_div_factor": 100.0,
                "cycle_momentum": False,
            },
        ],
        description="Graded on the learning rates (``cycle_momentum=False``).",
    ),
    _scheduler(
        lr.ConstantLR,
        [{}, {"factor": 0.5, "total_iters": 8}],
        # a factor whose inverse is not a whole number (the lr is restored by dividing)
        [{}, {"factor": 0.5, "total_iters": 8}, {"factor": 0.3, "total_iters": 3}],
    ),
    _scheduler(lr.PolynomialLR, [{}, {"total_iters": 8, "power": 2.0}]),
    exercise(
        lr.ReduceLROnPlateau,
        points=2,
        kind="scheduler",
        public=_plateau(False),
        hidden=_plateau(True),
        description="Driven by ``sched.step(metric)`` once per epoch with the validation "
        "losses of the case; the learning rates after every step are compared.",
    ),
    exercise(
        lr.inverse_sqrt_warmup,
        points=1,
        public=_warmup_steps(False),
        hidden=_warmup_steps(True),
    ),
]

#: Public names of ``solutions.optim`` / ``solutions.lr_scheduler`` that are not exercises.
NOT_EXERCISES = {
    **{
        f"optim.{name}_step": f"the update rule of the {cls} exercise, graded through the "
        "class's trajectory"
        for name, cls in [
            ("adagrad", "Adagrad"),
            ("rmsprop", "RMSprop"),
            ("adadelta", "Adadelta"),
            ("adam", "Adam"),
            ("adamw", "AdamW"),
            ("adamax", "Adamax"),
            ("nadam", "NAdam"),
            ("radam", "RAdam"),
            ("asgd", "ASGD"),
            ("rprop", "Rprop"),
        ]
    },
    "optim.Optimizer": "base class (param groups, state dicts): infrastructure, not a method",
    "lr_scheduler.LRScheduler": "base class of the schedulers: infrastructure",
    "lr_scheduler.SequentialLR": "takes scheduler objects, which cannot cross the grading "
    "sandbox; its bookkeeping is checked against torch in tests/ and run by the capstone",
    "lr_scheduler.ChainedScheduler": "takes scheduler objects, which cannot cross the grading "
    "sandbox; checked against torch in tests/ (the chaining idea is graded through the "
    "recursive forms of each scheduler)",
    "lr_scheduler.LambdaLR": "takes a Python callable, which cannot cross the grading sandbox; "
    "its idea is graded through LinearLR and inverse_sqrt_warmup",
}

_RESUME = (
    "resuming (last_epoch >= 0) needs the optimizer's initial_lr from an earlier scheduler; "
    "the grading driver starts every schedule fresh, as a training run does"
)
_MOMENTUM = (
    "the momentum cycle is not graded (cycle_momentum=False: the grading optimizer has no "
    "momentum); the learning rates are"
)

#: Options no graded case sets, and why (tests/autograder/test_coverage.py).
UNGRADED_OPTIONS = {
    **{
        f"lr_scheduler.{name}.last_epoch": _RESUME
        for name in (
            "MultiStepLR",
            "ExponentialLR",
            "LinearLR",
            "CosineAnnealingLR",
            "CosineAnnealingWarmRestarts",
            "CyclicLR",
            "OneCycleLR",
            "ConstantLR",
            "PolynomialLR",
        )
    },
    "lr_scheduler.CyclicLR.scale_fn": "a Python callable, which cannot cross the grading sandbox",
    "lr_scheduler.CyclicLR.scale_mode": "only used with scale_fn (a Python callable)",
    "lr_scheduler.CyclicLR.base_momentum": _MOMENTUM,
    "lr_scheduler.CyclicLR.max_momentum": _MOMENTUM,
    "lr_scheduler.OneCycleLR.base_momentum": _MOMENTUM,
    "lr_scheduler.OneCycleLR.max_momentum": _MOMENTUM,
    "optim.fit_linear_regression.generator": "only shuffles the mini-batches: graded with "
    "full-batch steps, which do not depend on your random draws",
}


def _lr_change_within_eps(a) -> bool:
    """A reduction whose change lr (1 - factor) is at most eps: skipped."""
    return bool(np.any(np.asarray(a["_0"]) * (1 - a["factor"]) <= a["eps"]))


#: Edges the statements name (tests/autograder/test_edges.py; see autograder/edges.py).
EDGES = {
    "lr_scheduler.ReduceLROnPlateau": {
        "eps: a change within eps": _lr_change_within_eps,
        "at the threshold: an epoch exactly at best (1 - threshold)": lambda a: (
            a["threshold_mode"] == "rel"
            and a["mode"] == "min"
            and bool(
                np.any(np.asarray(a["_1"])[1:] == np.asarray(a["_1"])[:-1] * (1 - a["threshold"]))
            )
        ),
    },
}
