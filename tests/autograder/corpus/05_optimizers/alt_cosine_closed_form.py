# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Alternative correct implementation: cosine annealing in closed form (torch uses a recursive
# update; both give the same rates, also past T_max). Full marks.
# EXPECT: {}
import math


class CosineAnnealingLR:
    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.optimizer, self.T_max, self.eta_min = optimizer, T_max, eta_min
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._apply()

    def _apply(self):
        t = self.last_epoch
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            cosine = (1 + math.cos(math.pi * t / self.T_max)) / 2
            group["lr"] = self.eta_min + (base - self.eta_min) * cosine

    def step(self):
        self.last_epoch += 1
        self._apply()

    def get_last_lr(self):
        return [group["lr"] for group in self.optimizer.param_groups]
