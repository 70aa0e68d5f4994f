# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Correct parts written another way (a closed-form warm-up, AdamW from the textbook
# formulas, BatchNorm's backward in the "three terms" form): full marks.
# EXPECT: {}
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
                v_hat = v / (1 - b2**self.t)
                p -= group["lr"] * m_hat / (np.sqrt(v_hat) + group["eps"])
                i += 1


class LinearLR:
    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        self.optimizer = optimizer
        self.start, self.end, self.total = start_factor, end_factor, total_iters
        self.base = [group["lr"] for group in optimizer.param_groups]
        self.t = 0
        self._apply()

    def _apply(self):
        factor = self.start + (self.end - self.start) * min(self.t, self.total) / self.total
        for group, base in zip(self.optimizer.param_groups, self.base):
            group["lr"] = base * factor

    def step(self):
        self.t += 1
        self._apply()


def batch_norm_backward(grad_output, input, running_mean, running_var, weight=None, bias=None,
                        training=False, momentum=0.1, eps=1e-05):
    x = input
    n = x.shape[0]
    mean, var = x.mean(axis=0), x.var(axis=0)
    inv = 1.0 / np.sqrt(var + eps)
    xhat = (x - mean) * inv
    g = grad_output * weight
    grad_var = (g * (x - mean)).sum(axis=0) * -0.5 * inv**3
    grad_mean = -(g * inv).sum(axis=0)
    grad_x = g * inv + grad_var * 2 * (x - mean) / n + grad_mean / n
    return grad_x, (grad_output * xhat).sum(axis=0), grad_output.sum(axis=0)
