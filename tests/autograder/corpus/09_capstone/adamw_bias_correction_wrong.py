# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (optim): Adam's second-moment bias correction divided by 1 - beta2 instead of
# 1 - beta2**t: equal at step 0 (1 - beta2**1), wrong from step 1 on; the network still learns.
# EXPECT: {"train.train_network": 5.0}
# LOCATES: {"step": 1, "part": "AdamW"}
import numpy as np


class AdamW(Optimizer):
    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))
        self.m, self.v, self.t = {}, {}, 0

    def step(self, grads):
        self.t += 1
        i = 0
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                g = grads[i]
                m = self.m.setdefault(i, np.zeros_like(p))
                v = self.v.setdefault(i, np.zeros_like(p))
                p *= 1 - group["lr"] * group["weight_decay"]
                m[...] = b1 * m + (1 - b1) * g
                v[...] = b2 * v + (1 - b2) * g * g
                m_hat = m / (1 - b1**self.t)
                v_hat = v / (1 - b2)  # the bug: 1 - b2**t
                p -= group["lr"] * m_hat / (np.sqrt(v_hat) + group["eps"])
                i += 1
