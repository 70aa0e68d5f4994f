# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (optim): Adagrad dividing by the accumulated squared gradient without the root.
# EXPECT: {"optim.Adagrad": 0}
import numpy as np


class Adagrad:
    def __init__(
        self,
        params,
        lr=0.01,
        lr_decay=0.0,
        weight_decay=0.0,
        initial_accumulator_value=0.0,
        eps=1e-10,
        *,
        maximize=False,
    ):
        self.params, self.lr, self.lr_decay, self.eps = params, lr, lr_decay, eps
        self.weight_decay = weight_decay
        self.sum = [np.full_like(p, initial_accumulator_value) for p in params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        clr = self.lr / (1 + (self.t - 1) * self.lr_decay)
        for p, g, s in zip(self.params, grads, self.sum):
            g = g + self.weight_decay * p
            s += g * g
            p -= clr * g / (s + self.eps)
