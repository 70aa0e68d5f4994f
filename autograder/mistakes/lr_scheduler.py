"""Known mistakes of chapter 05 (learning-rate schedules). Instructor material: see
autograder/mistakes."""

import math

from autograder.mistakes import mistake
from solutions import lr_scheduler as _correct


@mistake(
    "lr_scheduler.CosineAnnealingLR",
    "cosine-off-by-one",
    anchor="mistake-cosine-off-by-one",
    sentence="Your cosine is one step ahead: the rate at step t is eta_min + (eta_0 - "
    "eta_min)(1 + cos(pi t / T_max)) / 2 with t = 0 (the initial rate) before the first "
    "step().",
)
class CosineAnnealingLR__one_step_ahead:
    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.optimizer, self.T_max, self.eta_min = optimizer, T_max, eta_min
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._apply()

    def _apply(self):
        t = self.last_epoch + 1
        for group, base in zip(self.optimizer.param_groups, self.base_lrs, strict=True):
            cosine = (1 + math.cos(math.pi * t / self.T_max)) / 2
            group["lr"] = self.eta_min + (base - self.eta_min) * cosine

    def step(self):
        self.last_epoch += 1
        self._apply()

    def get_last_lr(self):
        return [g["lr"] for g in self.optimizer.param_groups]


@mistake(
    "lr_scheduler.CosineAnnealingWarmRestarts",
    "warm-restarts-off-by-one",
    anchor="mistake-cosine-off-by-one",
    sentence="T_cur counts the epochs since the last restart starting from 0, so the rate is "
    "back at eta_0 right at each restart; yours runs one epoch ahead (T_cur + 1).",
)
class CosineAnnealingWarmRestarts__one_ahead(_correct.CosineAnnealingWarmRestarts):
    def get_lr(self):
        return [
            self.eta_min
            + (base - self.eta_min) * (1 + math.cos(math.pi * (self.T_cur + 1) / self.T_i)) / 2
            for base in self.base_lrs
        ]
