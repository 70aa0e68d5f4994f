# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (optim): momentum as an EMA, v = m v + (1 - m) g. Equal to torch only when
# dampening = momentum (the third option set): 2 of 8 groups survive.
# EXPECT: {"optim.SGD": 1.0}


class SGD:
    def __init__(
        self,
        params,
        lr=0.001,
        momentum=0.0,
        dampening=0.0,
        weight_decay=0.0,
        nesterov=False,
        *,
        maximize=False,
    ):
        self.params, self.lr, self.momentum = params, lr, momentum
        self.weight_decay, self.nesterov = weight_decay, nesterov
        self.buf = [None] * len(params)

    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            g = g + self.weight_decay * p
            if self.momentum:
                b = self.buf[i]
                b = g.copy() if b is None else self.momentum * b + (1 - self.momentum) * g
                self.buf[i] = b
                g = g + self.momentum * b if self.nesterov else b
            p -= self.lr * g
