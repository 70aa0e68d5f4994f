r"""Chapter 5: learning-rate schedules, mirroring ``torch.optim.lr_scheduler``.

A scheduler wraps one of the optimizers of :mod:`solutions.optim` and writes the learning
rate of every parameter group into ``optimizer.param_groups[i]["lr"]``::

    opt = SGD(params, lr=0.1, momentum=0.9)
    sched = StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        opt.step(grads)        # first the optimizer ...
        sched.step()           # ... then the schedule: last_epoch += 1, new lr into the groups
    sched.get_last_lr()        # one lr per group

Construction performs the first step (``last_epoch`` goes from -1 to 0) and records each
group's starting lr as ``group["initial_lr"]`` (the ``base_lrs``). Like torch, most schedules
are *chainable*: :meth:`LRScheduler.get_lr` updates the current ``group["lr"]`` recursively
(so schedulers can be stacked), while ``step(epoch)`` uses the closed form where one exists.
The sequences match torch's exactly (the same floating-point operations in the same order).

Two schedules from the transformer literature have no torch class; they are factor functions
for :class:`LambdaLR`: :func:`linear_warmup_decay` (BERT) and :func:`inverse_sqrt_warmup`
(Noam, "Attention is all you need").
"""

from __future__ import annotations

import copy
import math
import types
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from solutions.optim import Optimizer

__worked_examples__ = ["StepLR", "linear_warmup_decay"]


def _per_group(name: str, optimizer: Optimizer, value) -> list:
    """One value per param group: a scalar is repeated, a list must have one per group."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(value)} values, param_groups has "
                f"{len(optimizer.param_groups)}."
            )
        return list(value)
    return [value] * len(optimizer.param_groups)


def _check_positive_int(value, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"Expected positive integer {name}, but got {value}")


class LRScheduler:
    r"""Base class: ``step()``, ``get_last_lr()``, ``last_epoch``, ``state_dict()``.

    Subclasses implement :meth:`get_lr` (the lr of each group at ``last_epoch``, usually
    computed from the current ``group["lr"]``) and may implement ``_get_closed_form_lr``
    (used by ``step(epoch)``).

    Args:
        optimizer: a :class:`solutions.optim.Optimizer`.
        last_epoch: index of the last epoch seen; -1 (default) starts a fresh schedule.
            Any other value resumes one and needs ``"initial_lr"`` in every group.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        "resuming scheduler with last_epoch >= 0"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rate of each group at ``last_epoch``."""
        raise NotImplementedError

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or jump to ``epoch``) and write the new lrs into the groups."""
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The most recent learning rate of each group (a copy)."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer (plain functions are not saved, as in torch)."""
        return {
            key: copy.deepcopy(value)
            for key, value in self.__dict__.items()
            if key != "optimizer" and not isinstance(value, types.FunctionType)
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(copy.deepcopy(state_dict))


class LambdaLR(LRScheduler):
    r"""The initial lr times a user factor: :math:`\eta_t = \eta_0 \cdot \lambda(t)`.

    Args:
        optimizer: the optimizer.
        lr_lambda: ``epoch -> factor``, or a list with one such function per param group.
        last_epoch: see :class:`LRScheduler`.

    Example:
        >>> import numpy as np
        >>> from solutions.optim import SGD
        >>> sched = LambdaLR(SGD([np.zeros(1)], lr=0.5), lambda epoch: 0.5**epoch)
        >>> lrs = []
        >>> for _ in range(3):
        ...     sched.step()
        ...     lrs.append(sched.get_last_lr()[0])
        >>> lrs
        [0.25, 0.125, 0.0625]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(
                    f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}"
                )
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [
            base_lr * lmbda(self.last_epoch)
            for lmbda, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)
        ]

    def state_dict(self) -> dict[str, Any]:
        """As torch: the functions themselves are not saved (only callable objects' fields)."""
        state = {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k != "optimizer"}
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else copy.deepcopy(vars(fn))
            for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = copy.deepcopy(state_dict)
        saved_lambdas = state.pop("lr_lambdas")
        self.__dict__.update(state)
        for fn, saved in zip(self.lr_lambdas, saved_lambdas, strict=True):
            if saved is not None:
                vars(fn).update(saved)


class StepLR(LRScheduler):
    r"""Multiply the lr by ``gamma`` every ``step_size`` epochs.

    .. math:: \eta_t = \eta_0\, \gamma^{\lfloor t / \text{step\_size} \rfloor}

    (computed recursively: at every non-zero multiple of ``step_size`` the current lr is
    multiplied by :math:`\gamma`).

    Args:
        optimizer: the optimizer.
        step_size: period of the decay, in epochs (a positive int).
        gamma: multiplicative factor (default 0.1).
        last_epoch: see :class:`LRScheduler`.

    Example:
        >>> import numpy as np
        >>> from solutions.optim import SGD
        >>> opt = SGD([np.zeros(1)], lr=1.0)
        >>> sched = StepLR(opt, step_size=2, gamma=0.5)
        >>> lrs = []
        >>> for _ in range(5):
        ...     lrs.append(opt.param_groups[0]["lr"])
        ...     sched.step()
        >>> lrs
        [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    # book: hide
    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        _check_positive_int(step_size, "step_size")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    # book: show
    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        factor = self.gamma ** (self.last_epoch // self.step_size)
        return [base_lr * factor for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    r"""Multiply the lr by ``gamma`` at each milestone epoch.

    .. math:: \eta_t = \eta_0\, \gamma^{\#\{m \in \text{milestones}:\ m \le t\}}

    A milestone listed twice decays twice.

    Args:
        optimizer: the optimizer.
        milestones: epoch indices (increasing).
        gamma: multiplicative factor (default 0.1).
        last_epoch: see :class:`LRScheduler`.

    Example:
        >>> import numpy as np
        >>> from solutions.optim import SGD
        >>> opt = SGD([np.zeros(1)], lr=1.0)
        >>> sched = MultiStepLR(opt, milestones=[1, 3], gamma=0.5)
        >>> lrs = []
        >>> for _ in range(4):
        ...     sched.step()
        ...     lrs.append(sched.get_last_lr()[0])
        >>> lrs
        [0.5, 0.5, 0.25, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [
            group["lr"] * self.gamma ** self.milestones[self.last_epoch]
            for group in self.optimizer.param_groups
        ]

    def _get_closed_form_lr(self) -> list[float]:
        milestones = sorted(self.milestones.elements())
        return [
            base_lr * self.gamma ** bisect_right(milestones, self.last_epoch)
            for base_lr in self.base_lrs
        ]


class ExponentialLR(LRScheduler):
    r"""Multiply the lr by ``gamma`` every epoch: :math:`\eta_t = \eta_0 \gamma^t`.

    Example:
        >>> import numpy as np
        >>> from solutions.optim import SGD
        >>> sched = ExponentialLR(SGD([np.zeros(1)], lr=1.0), gamma=0.5)
        >>> lrs = []
        >>> for _ in range(3):
        ...     sched.step()
        ...     lrs.append(sched.get_last_lr()[0])
        >>> lrs
        [0.5, 0.25, 0.125]
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    r"""Scale the lr by a factor going linearly from ``start_factor`` to ``end_factor``.

    .. math::
        \eta_t = \eta_0 \Big(s + (e - s) \frac{\min(t, T)}{T}\Big),
        \qquad s = \text{start\_factor},\ e = \text{end\_factor},\ T = \text{total\_iters}

    Recursively, each step multiplies the current lr by
    :math:`1 + \frac{e - s}{T s + (t - 1)(e - s)}` (the ratio of consecutive factors).

    Args:
        optimizer: the optimizer.
        start_factor: in (0, 1] (default 1/3).
        end_factor: in [0, 1] (default 1).
        total_iters: epochs to go from start to end (default 5).
        last_epoch: see :class:`LRScheduler`.

    Example:
        >>> import numpy as np
        >>> from solutions.optim import SGD
        >>> opt = SGD([np.zeros(1)], lr=1.0)
        >>> sched = LinearLR(opt, start_factor=0.25, total_iters=3)
        >>> lrs = []
        >>> for _ in range(4):
        ...     sched.step()
        ...     lrs.append(round(sched.get_last_lr()[0], 12))
        >>> lrs
        [0.5, 0.75, 1.0, 1.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or "
                "equal to 1."
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return [group["lr"] for group in self.optimizer.param_groups]
        ratio = 1.0 + (self.end_factor - self.start_factor) / (
            self.total_iters * self.start_factor
            + (self.last_epoch - 1) * (self.end_factor - self.start_factor)
        )
        return [group["lr"] * ratio for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [
            base_lr
            * (
                self.start_factor
                + (self.end_factor - self.start_factor)
                * min(self.total_iters, self.last_epoch)
                / self.total_iters
            )
            for base_lr in self.base_lrs
        ]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from the initial lr down to ``eta_min`` over ``T_max`` epochs.

    Closed form (SGDR without restarts):

    .. math::
        \eta_t = \eta_{min} + \tfrac12 (\eta_0 - \eta_{min})
        \Big(1 + \cos\frac{t\pi}{T_{max}}\Big)

    Like torch, ``step()`` applies it *recursively* to the current lr,

    .. math::
        \eta_t = \eta_{min} + (\eta_{t-1} - \eta_{min})
        \frac{1 + \cos(t\pi / T_{max})}{1 + \cos((t - 1)\pi / T_{max})}

    (so it composes with other schedulers), with the special case
    :math:`\eta_t = \eta_{t-1} + \tfrac12(\eta_0 - \eta_{min})(1 - \cos(\pi / T_{max}))` when
    :math:`(t - 1 - T_{max})` is a multiple of :math:`2 T_{max}` (the ratio would be 0/0
    there). Past :math:`T_{max}` the lr rises again along the cosine (period
    :math:`2 T_{max}`). ``step(epoch)`` uses the closed form.

    Args:
        optimizer: the optimizer.
        T_max: half period, in epochs (a positive int).
        eta_min: the minimum lr (default 0).
        last_epoch: see :class:`LRScheduler`.

    Example:
        >>> import numpy as np
        >>> from solutions.optim import SGD
        >>> sched = CosineAnnealingLR(SGD([np.zeros(1)], lr=1.0), T_max=2)
        >>> lrs = []
        >>> for _ in range(4):
        ...     sched.step()
        ...     lrs.append(round(sched.get_last_lr()[0], 12))
        >>> lrs
        [0.5, 0.0, 0.5, 1.0]
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        _check_positive_int(T_max, "T_max")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self._is_initial:
            return [group["lr"] for group in groups]
        if self._step_count == 1 and self.last_epoch > 0:  # resumed at last_epoch: no previous lr
            return self._get_closed_form_lr()
        if (self.last_epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            return [
                group["lr"] + (base_lr - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
                for base_lr, group in zip(self.base_lrs, groups, strict=True)
            ]
        return [
            (1 + math.cos(math.pi * self.last_epoch / self.T_max))
            / (1 + math.cos(math.pi * (self.last_epoch - 1) / self.T_max))
            * (group["lr"] - self.eta_min)
            + self.eta_min
            for group in groups
        ]

    def _get_closed_form_lr(self) -> list[float]:
        return [
            self.eta_min
            + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
            for base_lr in self.base_lrs
        ]


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""SGDR: cosine annealing restarted every :math:`T_i` epochs, :math:`T_{i+1} = T_i\,T_{mult}`.

    .. math::
        \eta_t = \eta_{min} + \tfrac12 (\eta_0 - \eta_{min})
        \Big(1 + \cos\frac{T_{cur}\,\pi}{T_i}\Big)

    where :math:`T_{cur}` counts the epochs since the last restart (back to 0, i.e. back to
    :math:`\eta_0`, at each restart). ``step(epoch)`` accepts fractional epochs (a restart
    schedule stepped per batch: ``epoch + i / iters_per_epoch``).

    Args:
        optimizer: the optimizer.
        T_0: epochs until the first restart (a positive int).
        T_mult: growth factor of the period after each restart (an int >= 1, default 1).
        eta_min: the minimum lr (default 0).
        last_epoch: see :class:`LRScheduler`.

    Example:
        >>> import numpy as np
        >>> from solutions.optim import SGD
        >>> sched = CosineAnnealingWarmRestarts(SGD([np.zeros(1)], lr=1.0), T_0=2)
        >>> lrs = []
        >>> for _ in range(4):
        ...     sched.step()
        ...     lrs.append(round(sched.get_last_lr()[0], 12))
        >>> lrs
        [0.5, 1.0, 0.5, 1.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(
                f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}"
            )
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [
            self.eta_min
            + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
            for base_lr in self.base_lrs
        ]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or jump to a (possibly fractional) ``epoch``."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:  # n restarts so far: T_0 (T_mult^n - 1) / (T_mult - 1) <= epoch
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


def _set_momentum(group: dict, momentum: float, use_beta1: bool) -> None:
    """Cycle SGD/RMSprop's ``momentum``, or beta1 of the Adam family."""
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def _momentum_kind(optimizer: Optimizer) -> bool:
    """True when the optimizer's momentum is ``betas[0]``; refuses optimizers with neither."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(
            "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
        )
    return "betas" in optimizer.defaults


class CyclicLR(LRScheduler):
    r"""Cyclical learning rate (Smith 2017), stepped per batch; momentum cycles inversely.

    .. math::
        \begin{aligned}
        c &= \lfloor 1 + t / (s_{up} + s_{down}) \rfloor \text{ (cycle, from 1)},\quad
        x = 1 + t / (s_{up} + s_{down}) - c \in [0, 1) \\
        h &= x / r \text{ if } x \le r \text{ else } (x - 1)/(r - 1),
            \quad r = s_{up} / (s_{up} + s_{down}) \\
        \eta_t &= \eta_{base} + (\eta_{max} - \eta_{base})\, h\, \text{scale}, \qquad
        m_t = m_{max} - (m_{max} - m_{base})\, h\, \text{scale}
        \end{aligned}

    with ``scale`` = 1 (``"triangular"``), :math:`1/2^{c-1}` (``"triangular2"``: the
    amplitude halves every cycle) or :math:`\gamma^t` (``"exp_range"``), or a custom
    ``scale_fn`` of the cycle or of the iteration (``scale_mode``). With ``cycle_momentum``
    (default) the momentum (SGD, RMSprop) or :math:`\beta_1` (Adam family) goes down while
    the lr goes up.

    Args:
        optimizer: the optimizer (needs ``momentum`` or ``betas`` if ``cycle_momentum``).
        base_lr, max_lr: the bounds of the cycle (a float or one per group).
        step_size_up: iterations of the increasing half (default 2000).
        step_size_down: iterations of the decreasing half (default: ``step_size_up``).
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
        gamma: the ``exp_range`` base (default 1.0).
        scale_fn: custom scale (then ``mode`` is ignored); ``scale_mode``: ``"cycle"`` or
            ``"iterations"``.
        cycle_momentum, base_momentum (0.8), max_momentum (0.9): the momentum cycle.
        last_epoch: see :class:`LRScheduler`.

    Example:
        >>> import numpy as np
        >>> from solutions.optim import SGD
        >>> opt = SGD([np.zeros(1)], lr=0.1, momentum=0.9)
        >>> sched = CyclicLR(opt, base_lr=0.0, max_lr=1.0, step_size_up=2)
        >>> lrs = []
        >>> for _ in range(4):
        ...     sched.step()
        ...     lrs.append(sched.get_last_lr()[0])
        >>> lrs
        [0.5, 1.0, 0.5, 0.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        base_lrs = _per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                group["lr"] = lr
        self.max_lrs = _per_group("max_lr", optimizer, max_lr)
        step_size_up = float(step_size_up)
        step_size_down = float(step_size_down) if step_size_down is not None else step_size_up
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self.scale_fn_custom = scale_fn
        # the built-in modes fix their scale mode, as in torch
        builtin_mode = {"triangular": "cycle", "triangular2": "cycle", "exp_range": "iterations"}
        self.scale_mode = scale_mode if scale_fn is not None else builtin_mode[mode]
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_kind(optimizer)
            self.base_momentums = _per_group("base_momentum", optimizer, base_momentum)
            self.max_momentums = _per_group("max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                for max_m, base_m, group in zip(
                    self.max_momentums, self.base_momentums, optimizer.param_groups, strict=True
                ):
                    _set_momentum(group, max_m, self.use_beta1)
                    group["max_momentum"] = max_m
                    group["base_momentum"] = base_m
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        """The amplitude scale at cycle (or iteration) ``x``."""
        if self.scale_fn_custom is not None:
            return self.scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[float]:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [
            base_lr + (max_lr - base_lr) * scale_factor * scale
            for base_lr, max_lr in zip(self.base_lrs, self.max_lrs, strict=True)
        ]
        if self.cycle_momentum:
            for group, base_m, max_m in zip(
                self.optimizer.param_groups, self.base_momentums, self.max_momentums, strict=True
            ):
                _set_momentum(
                    group, max_m - (max_m - base_m) * scale_factor * scale, self.use_beta1
                )
        return lrs


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith & Topin 2018), stepped per batch for ``total_steps`` steps.

    Two phases (default) annealing between the three lrs
    :math:`\eta_{init} = \eta_{max}/\text{div\_factor}`, :math:`\eta_{max}` and
    :math:`\eta_{min} = \eta_{init}/\text{final\_div\_factor}`:

    .. math::
        \begin{aligned}
        &t \le p T - 1: && \eta_{init} \to \eta_{max}, && m_{max} \to m_{base} \\
        &\text{then up to } T - 1: && \eta_{max} \to \eta_{min}, && m_{base} \to m_{max}
        \end{aligned}

    where :math:`p` = ``pct_start``, :math:`T` = ``total_steps``, and each arrow is
    ``anneal(start, end, pct)``: ``"cos"`` :math:`= e + \tfrac12 (s - e)(1 + \cos \pi\,pct)`
    or ``"linear"`` :math:`= s + (e - s)\, pct`, with *pct* the fraction of the phase done.
    ``three_phase=True`` uses :math:`\eta_{init} \to \eta_{max} \to \eta_{init}` (ending at
    :math:`2pT - 2`) then :math:`\eta_{init} \to \eta_{min}`. Momentum (or :math:`\beta_1`)
    cycles inversely when ``cycle_momentum``.

    Args:
        optimizer: the optimizer.
        max_lr: peak lr (a float or one per group).
        total_steps: number of steps, or give ``epochs`` and ``steps_per_epoch``.
        pct_start: fraction of the steps spent increasing the lr (default 0.3).
        anneal_strategy: ``"cos"`` (default) or ``"linear"``.
        cycle_momentum, base_momentum (0.85), max_momentum (0.95): the momentum cycle.
        div_factor (25), final_div_factor (1e4), three_phase (False): see above.
        last_epoch: see :class:`LRScheduler`.

    Example:
        >>> import numpy as np
        >>> from solutions.optim import SGD
        >>> opt = SGD([np.zeros(1)], lr=0.1, momentum=0.9)
        >>> sched = OneCycleLR(opt, max_lr=1.0, total_steps=4, pct_start=0.5,
        ...                    anneal_strategy="linear", div_factor=4.0, final_div_factor=1.0)
        >>> lrs = [sched.get_last_lr()[0]]
        >>> for _ in range(3):
        ...     sched.step()
        ...     lrs.append(sched.get_last_lr()[0])
        >>> lrs
        [0.25, 1.0, 0.625, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if total_steps is not None:
            _check_positive_int(total_steps, "total_steps")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            _check_positive_int(epochs, "epochs")
            _check_positive_int(steps_per_epoch, "steps_per_epoch")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if three_phase:
            self._schedule_phases = [
                (float(pct_start * self.total_steps) - 1, "initial_lr", "max_lr",
                 "max_momentum", "base_momentum"),
                (float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr",
                 "base_momentum", "max_momentum"),
                (self.total_steps - 1, "initial_lr", "min_lr",
                 "max_momentum", "max_momentum"),
            ]  # fmt: skip
        else:
            self._schedule_phases = [
                (float(pct_start * self.total_steps) - 1, "initial_lr", "max_lr",
                 "max_momentum", "base_momentum"),
                (self.total_steps - 1, "max_lr", "min_lr",
                 "base_momentum", "max_momentum"),
            ]  # fmt: skip
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self.anneal_strategy = anneal_strategy
        max_lrs = _per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, peak in zip(optimizer.param_groups, max_lrs, strict=True):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_kind(optimizer)
            max_momentums = _per_group("max_momentum", optimizer, max_momentum)
            base_momentums = _per_group("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for max_m, base_m, group in zip(
                    max_momentums, base_momentums, optimizer.param_groups, strict=True
                ):
                    _set_momentum(group, max_m, self.use_beta1)
                    group["max_momentum"] = max_m
                    group["base_momentum"] = base_m
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(
                f"Tried to step {step_num} times. The specified number of total steps is "
                f"{self.total_steps}"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, (end_step, lr_from, lr_to, m_from, m_to) in enumerate(self._schedule_phases):
                if step_num <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step_num - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[lr_from], group[lr_to], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[m_from], group[m_to], pct)
                        _set_momentum(group, momentum, self.use_beta1)
                    break
                start_step = end_step
        return lrs


class ConstantLR(LRScheduler):
    r"""Multiply the lr by a constant ``factor`` until epoch ``total_iters``, then restore it.

    .. math:: \eta_t = \eta_0 \cdot \begin{cases} f & t < T \\ 1 & t \ge T \end{cases}

    Recursively (chainable): the first step multiplies the current lr by :math:`f`, step
    :math:`T` divides it by :math:`f`, the others leave it unchanged (torch's exact form).

    Args:
        optimizer: the optimizer.
        factor: in [0, 1] (default 1/3).
        total_iters: number of epochs at the reduced lr (default 5).
        last_epoch: see :class:`LRScheduler`.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * (1.0 / self.factor) for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [
            base_lr * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
            for base_lr in self.base_lrs
        ]


class PolynomialLR(LRScheduler):
    r"""Polynomial decay to 0 over ``total_iters`` epochs.

    .. math:: \eta_t = \eta_0 \Big(1 - \frac{\min(t, T)}{T}\Big)^{p}

    Recursively each step multiplies the current lr by
    :math:`\big((1 - t/T) / (1 - (t-1)/T)\big)^p` while :math:`t \le T`.

    Args:
        optimizer: the optimizer.
        total_iters: epochs of decay (default 5).
        power: :math:`p` (default 1.0, a linear decay).
        last_epoch: see :class:`LRScheduler`.
    """

    def __init__(
        self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1
    ) -> None:
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial or self.last_epoch > self.total_iters:
            return [group["lr"] for group in self.optimizer.param_groups]
        decay_factor = (
            (1.0 - self.last_epoch / self.total_iters)
            / (1.0 - (self.last_epoch - 1) / self.total_iters)
        ) ** self.power
        return [group["lr"] * decay_factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [
            base_lr
            * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
            for base_lr in self.base_lrs
        ]


def _check_same_optimizer(owner: str, optimizer: Optimizer, schedulers) -> None:
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{owner} at index {i} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{owner} does not support `ReduceLROnPlateau` scheduler as it requires "
                "additional kwargs to be specified when calling `step`, but got one at index "
                f"{i} in the given schedulers sequence."
            )
        if scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{owner} expects all schedulers to belong to the same optimizer, but got "
                f"scheduler {type(scheduler).__name__} at index {i} with another optimizer."
            )


class SequentialLR(LRScheduler):
    r"""Run ``schedulers[0]`` until ``milestones[0]``, then ``schedulers[1]``, and so on.

    At milestone :math:`m_i` the next scheduler starts from its own epoch 0 (its closed form
    at 0, e.g. the top of a cosine), so warm-up then cosine is
    ``SequentialLR(opt, [LinearLR(opt, 0.01, total_iters=w), CosineAnnealingLR(opt, T)],
    milestones=[w])``. Construction resets every group to its ``initial_lr``, undoes the
    initial step the given schedulers made, and performs the first scheduler's initial step
    (torch's exact bookkeeping).

    Args:
        optimizer: the optimizer all ``schedulers`` belong to.
        schedulers: at least one scheduler (not ``ReduceLROnPlateau``).
        milestones: ``len(schedulers) - 1`` increasing epochs.
        last_epoch: see :class:`LRScheduler`.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: list[LRScheduler],
        milestones: list[int],
        last_epoch: int = -1,
    ) -> None:
        if len(schedulers) < 1:
            raise ValueError("SequentialLR expects at least one scheduler, but got no scheduler.")
        _check_same_optimizer("SequentialLR", optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more than "
                f"the number of milestone points, but got number of schedulers {len(schedulers)} "
                f"and the number of milestones to be equal to {len(milestones)}"
            )
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo_initial_steps(self)
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = self._schedulers[idx].get_last_lr()

    def _undo_initial_steps(self, scheduler) -> None:
        nested = (
            scheduler._schedulers if scheduler is self else getattr(scheduler, "_schedulers", None)
        )
        if nested is not None:
            for inner in nested:
                self._undo_initial_steps(inner)
        elif hasattr(scheduler, "last_epoch"):
            scheduler.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler.step(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        state = {
            key: copy.deepcopy(value)
            for key, value in self.__dict__.items()
            if key not in ("optimizer", "_schedulers")
        }
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = copy.deepcopy(state_dict)
        inner = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, saved in zip(self._schedulers, inner, strict=True):
            scheduler.load_state_dict(saved)


class ChainedScheduler(SequentialLR):
    r"""Step every scheduler of ``schedulers`` at each step: their (chainable) factors
    multiply, e.g. a ``ConstantLR`` warm-up on top of an ``ExponentialLR`` decay.

    Construction performs no step of its own (the schedulers have made their initial steps).

    Args:
        schedulers: at least one scheduler, all on the same optimizer (not
            ``ReduceLROnPlateau``).
        optimizer: that optimizer (default: the first scheduler's).
    """

    def __init__(self, schedulers: list[LRScheduler], optimizer: Optimizer | None = None) -> None:
        if len(schedulers) < 1:
            raise ValueError(
                "ChainedScheduler expects at least one scheduler to be chained, but got no "
                "scheduler."
            )
        optimizer = optimizer or schedulers[0].optimizer
        _check_same_optimizer("ChainedScheduler", optimizer, schedulers)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def step(self) -> None:  # type: ignore[override]
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


class ReduceLROnPlateau(LRScheduler):
    r"""Multiply the lr by ``factor`` when a metric has stopped improving.

    After each epoch, ``step(metric)`` compares the metric with the best so far. An epoch is
    an improvement when (``mode='min'``)

    .. math:: \text{rel}: \ a < \text{best}\,(1 - \tau), \qquad
              \text{abs}: \ a < \text{best} - \tau

    (``'max'``: :math:`a > \text{best}\,(1 + \tau)`, :math:`a > \text{best} + \tau`), with
    :math:`\tau` = ``threshold``. After more than ``patience`` bad epochs in a row, every
    group's lr becomes :math:`\max(\eta f, \eta_\text{min})` (skipped when the change is at
    most ``eps``), then ``cooldown`` epochs are ignored. Unlike the other schedulers,
    construction does not step.

    Args:
        optimizer: the optimizer.
        mode: ``'min'`` (default) or ``'max'``.
        factor: < 1 (default 0.1).
        patience: bad epochs tolerated (default 10).
        threshold: :math:`\tau` (default 1e-4). threshold_mode: ``'rel'`` or ``'abs'``.
        cooldown: epochs to wait after a reduction (default 0).
        min_lr: a lower bound, or one per group (default 0).
        eps: minimal change of the lr (default 1e-8).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: list[float] | float = 0,
        eps: float = 1e-8,
    ) -> None:
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(
                    f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}"
                )
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience, self.cooldown, self.eps = patience, cooldown, eps
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metrics, epoch: int | None = None) -> None:  # type: ignore[override]
        current = float(metrics)
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce_lr(self) -> None:
        if len(self.optimizer.param_groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The number of param groups in the `optimizer` "
                    f"({len(self.optimizer.param_groups)}) differs from when "
                    f"`ReduceLROnPlateau` was initialized ({len(self.min_lrs)})."
                )
            self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
        for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr


def linear_warmup_decay(step: int, *, warmup_steps: int, total_steps: int) -> float:
    r"""BERT's schedule as a :class:`LambdaLR` factor: linear warm-up, then linear decay to 0.

    .. math::
        \lambda(t) = \begin{cases}
            t / \max(1, W) & t < W \\
            \max\big(0,\ (T - t) / \max(1, T - W)\big) & t \ge W
        \end{cases}

    with :math:`W` = ``warmup_steps`` and :math:`T` = ``total_steps`` (as Hugging Face's
    ``get_linear_schedule_with_warmup``). Use it with ``functools.partial``::

        LambdaLR(opt, partial(linear_warmup_decay, warmup_steps=100, total_steps=1000))

    Example:
        >>> [linear_warmup_decay(t, warmup_steps=2, total_steps=6) for t in range(7)]
        [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0]
    """
    if warmup_steps < 0 or total_steps < 0:
        raise ValueError(
            f"warmup_steps and total_steps must be >= 0; got {warmup_steps}, {total_steps}"
        )
    if step < warmup_steps:
        return float(step) / float(max(1, warmup_steps))
    decay_steps = max(1, total_steps - warmup_steps)
    return max(0.0, float(total_steps - step) / float(decay_steps))


def inverse_sqrt_warmup(step: int, *, d_model: int, warmup_steps: int = 4000) -> float:
    r"""The Transformer ("Noam") schedule: linear warm-up, then :math:`1/\sqrt{t}` decay.

    .. math::
        \eta_t = d_{model}^{-1/2} \cdot \min\big(t^{-1/2},\ t \cdot W^{-3/2}\big)

    with :math:`W` = ``warmup_steps`` (Vaswani et al. 2017, eq. 3; the peak
    :math:`(d_{model} W)^{-1/2}` is reached at :math:`t = W`). At :math:`t = 0` the minimum
    is :math:`0` (the first argument is :math:`+\infty`). As a :class:`LambdaLR` factor, set
    the optimizer's lr to 1.0 to get the paper's lr (or to a multiplier).

    Example:
        >>> inverse_sqrt_warmup(0, d_model=16, warmup_steps=4)
        0.0
        >>> [inverse_sqrt_warmup(t, d_model=16, warmup_steps=4) for t in (2, 4, 16)]
        [0.0625, 0.125, 0.0625]
    """
    if d_model <= 0 or warmup_steps <= 0:
        raise ValueError(
            f"d_model and warmup_steps must be > 0; got d_model={d_model}, "
            f"warmup_steps={warmup_steps}"
        )
    if step < 0:
        raise ValueError(f"step must be >= 0; got {step}")
    if step == 0:
        return 0.0
    return d_model**-0.5 * min(step**-0.5, step * warmup_steps**-1.5)
