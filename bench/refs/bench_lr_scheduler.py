"""solutions.lr_scheduler vs torch.optim.lr_scheduler: 1000 scheduler steps, 4 param groups.

Schedulers are scalar bookkeeping (no arrays), so the cost is Python overhead per step; the
1e6-element parameters only make the optimizers realistic (they are not stepped here).
"""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np
import torch

from solutions import lr_scheduler, optim

# the optimizers are never stepped here; torch would warn about that at every construction
warnings.filterwarnings("ignore", message="Detected call of `lr_scheduler.step()`")

STEPS = 1000
GROUPS = 4
_PARAMS = [np.random.default_rng(i).standard_normal(250_000) for i in range(GROUPS)]

SETTINGS = [
    ("StepLR", {"step_size": 30}),
    ("MultiStepLR", {"milestones": [100, 300, 600]}),
    ("ExponentialLR", {"gamma": 0.999}),
    ("LinearLR", {"start_factor": 0.1, "total_iters": 500}),
    ("CosineAnnealingLR", {"T_max": 250}),
    ("CosineAnnealingWarmRestarts", {"T_0": 50, "T_mult": 2}),
    ("CyclicLR", {"base_lr": 1e-3, "max_lr": 0.1, "step_size_up": 100}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": STEPS + 1}),
]


def _pair(name, kwargs, ours_lambda=None, torch_lambda=None):
    def run_ours():
        opt = optim.SGD([{"params": [p]} for p in _PARAMS], lr=0.1, momentum=0.9)
        extra = {"lr_lambda": ours_lambda} if ours_lambda else {}
        sched = getattr(lr_scheduler, name)(opt, **kwargs, **extra)
        for _ in range(STEPS):
            sched.step()

    tensors = [torch.from_numpy(p).requires_grad_() for p in _PARAMS]

    def run_theirs():
        opt = torch.optim.SGD([{"params": [t]} for t in tensors], lr=0.1, momentum=0.9)
        extra = {"lr_lambda": torch_lambda} if torch_lambda else {}
        sched = getattr(torch.optim.lr_scheduler, name)(opt, **kwargs, **extra)
        for _ in range(STEPS):
            sched.step()

    return (name if not ours_lambda else f"LambdaLR({ours_lambda.func.__name__})", run_ours,
            run_theirs)  # fmt: skip


def _torch_linear_warmup(step, warmup=100, total=STEPS):
    if step < warmup:
        return step / max(1, warmup)
    return max(0.0, (total - step) / max(1, total - warmup))


CASES = [_pair(name, kwargs) for name, kwargs in SETTINGS] + [
    _pair(
        "LambdaLR",
        {},
        partial(lr_scheduler.linear_warmup_decay, warmup_steps=100, total_steps=STEPS),
        _torch_linear_warmup,
    )
]
