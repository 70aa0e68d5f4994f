# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (optim): Adam without bias correction. Every trajectory differs: 0 of 4.
# EXPECT: {"optim.Adam": 0}
import numpy as np


class Adam:
    def __init__(
        self,
        params,
        lr=0.001,
        betas=(0.9, 0.999),
        eps=1e-08,
        weight_decay=0.0,
        amsgrad=False,
        *,
        maximize=False,
        decoupled_weight_decay=False,
    ):
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.weight_decay = weight_decay
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads):
        b1, b2 = self.betas
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            g = g + self.weight_decay * p
            m[...] = b1 * m + (1 - b1) * g
            v[...] = b2 * v + (1 - b2) * g * g
            p -= self.lr * m / (np.sqrt(v) + self.eps)
