"""solutions.optim vs torch.optim: 10 steps of each optimizer on a 1e6-element float64 param.

torch runs its single-tensor path (``foreach=False``), the one our code transcribes; the
gradient is fixed (built once), the optimizer state persists across timing repeats.
"""

from __future__ import annotations

import numpy as np
import torch

from solutions import optim

SIZE = 1_000_000
STEPS = 10
_rng = np.random.default_rng(0)
PARAM = _rng.standard_normal(SIZE)
GRAD = _rng.standard_normal(SIZE)

SETTINGS = [
    ("SGD", {"lr": 0.01}),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-4}),
    ("Adagrad", {}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.9, "centered": True}),
    ("Adadelta", {}),
    ("Adam", {}),
    ("Adam", {"amsgrad": True, "weight_decay": 1e-4}),
    ("AdamW", {}),
    ("Adamax", {}),
    ("NAdam", {}),
    ("RAdam", {}),
    ("ASGD", {}),
    ("Rprop", {}),
]


def _pair(name, kwargs):
    ours_param = PARAM.copy()
    ours = optim.OPTIMIZERS[name]([ours_param], **kwargs)
    grads = [GRAD]

    torch_param = torch.tensor(PARAM, requires_grad=True)
    torch_param.grad = torch.from_numpy(GRAD.copy())
    theirs = getattr(torch.optim, name)([torch_param], foreach=False, **kwargs)

    def run_ours():
        for _ in range(STEPS):
            ours.step(grads)

    @torch.no_grad()
    def run_theirs():
        for _ in range(STEPS):
            theirs.step()

    options = ",".join(f"{k}={v}" for k, v in kwargs.items() if k != "lr")
    return (f"{name}({options})"[:34], run_ours, run_theirs)


CASES = [_pair(name, kwargs) for name, kwargs in SETTINGS]
