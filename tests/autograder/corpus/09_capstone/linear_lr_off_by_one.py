# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (lr_scheduler): a warm-up one step ahead: the factor of step t uses t + 1, so the
# first step already runs at a larger learning rate.
# EXPECT: {"train.train_network": 5.0}
# LOCATES: {"step": 0, "part": "LinearLR"}


class LinearLR:
    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        self.optimizer = optimizer
        self.start, self.end, self.total = start_factor, end_factor, total_iters
        self.base = [group["lr"] for group in optimizer.param_groups]
        self.t = 0
        self._apply()

    def _apply(self):
        done = min(self.t + 1, self.total)  # the bug: min(self.t, self.total)
        factor = self.start + (self.end - self.start) * done / self.total
        for group, base in zip(self.optimizer.param_groups, self.base):
            group["lr"] = base * factor

    def step(self):
        self.t += 1
        self._apply()
