"""05_optimizers: torch.optim-style classes on numpy arrays, graded by their trajectories.

API (as in torch): ``opt = Adam(params, lr=1e-3, ...)`` with ``params`` a list of float
arrays updated IN PLACE by ``opt.step(grads)`` (``grads`` in the same order). Each case
drives ``steps`` steps with fixed, known gradients and compares every parameter after every
step with the reference.
"""

from autograder.registry import case, exercise
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


EXERCISES = [
    _optimizer(
        ref.SGD,
        [
            {"lr": 0.1, "momentum": 0.9},
            {"lr": 0.1, "momentum": 0.9, "nesterov": True},
            {"lr": 0.1, "momentum": 0.5, "dampening": 0.5, "weight_decay": 0.1},
        ],
    ),
    _optimizer(ref.Adagrad, [{"lr": 0.1}, {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1}]),
    _optimizer(ref.RMSprop, [{"lr": 0.01}, {"lr": 0.01, "centered": True, "momentum": 0.9}]),
    _optimizer(ref.Adadelta, [{}, {"rho": 0.5, "weight_decay": 0.1}]),
    _optimizer(
        ref.Adam, [{"lr": 0.1}, {"lr": 0.1, "weight_decay": 0.1}, {"lr": 0.1, "amsgrad": True}]
    ),
    _optimizer(ref.AdamW, [{"lr": 0.1}, {"lr": 0.1, "weight_decay": 0.5}]),
    _optimizer(ref.Adamax, [{"lr": 0.1}]),
    _optimizer(ref.NAdam, [{"lr": 0.1}]),
]
