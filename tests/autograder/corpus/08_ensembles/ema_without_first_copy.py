# ruff: noqa  (a student submission: names come from the rest of the notebook)
# EMA weight averaging that applies avg_fn from the first update on, blending the current
# weights into the initial copy instead of copying them (n_averaged == 0). For SWA the
# running mean's first step is a copy anyway, so only the two "ema" groups fail: 2 of 5
# groups of 4 points.
# EXPECT: {"ensembles.AveragedModel": 2.4}
import numpy as np


class AveragedModel:
    def __init__(self, params, buffers=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        self.params = [np.array(p, copy=True) for p in params]
        self.avg_fn = avg_fn
        self.n_averaged = 0

    def update_parameters(self, params, buffers=None):
        for a, c in zip(self.params, params):
            if self.avg_fn is not None:
                a[...] = self.avg_fn(a, c, self.n_averaged)  # no first-step copy
            else:
                a[...] = a + (c - a) / (self.n_averaged + 1)
        self.n_averaged += 1
