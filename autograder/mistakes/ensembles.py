"""Known mistakes of chapter 08 (ensembles). Instructor material: see autograder/mistakes."""

import numpy as np

from autograder.mistakes import mistake
from solutions import ensembles as _correct


@mistake(
    "ensembles.weighted_average_backward",
    "weighted-average-extra-one-over-t",
    anchor="err-weighted-average",
    sentence="With weights that sum to 1 the average is sum_i w_i h_i: an extra 1/T shrinks "
    "it (and its gradient) T times.",
)
def weighted_average_backward__extra_one_over_t(grad_output, probas, weights=None):
    m = probas.shape[0]
    w = np.ones(m) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    expand = w.reshape((-1,) + (1,) * (probas.ndim - 1))
    grad_p = (expand * grad_output / m).astype(probas.dtype)
    if weights is None:
        return grad_p
    average = (expand * probas).sum(axis=0)
    centred = probas - average
    grad_w = (centred * grad_output).reshape(m, -1).sum(axis=1) / np.sum(weights) / m
    return grad_p, grad_w


@mistake(
    "ensembles.vote",
    "vote-ignores-tie-break",
    anchor="mistake-vote-ties",
    sentence="A tied vote is broken as tie_break says ('first': the label predicted first "
    "among the tied ones), not always towards the lowest label.",
)
def vote__ignores_tie_break(predictions, weights=None, tie_break="lowest"):
    m, n = predictions.shape
    w = np.ones(m) if weights is None else np.asarray(weights, dtype=np.float64)
    counts = np.zeros((n, int(predictions.max()) + 1))
    for i in range(m):
        counts[np.arange(n), predictions[i]] += w[i]
    return counts.argmax(axis=1)


@mistake(
    "ensembles.AveragedModel",
    "averaging-without-first-copy",
    anchor="mistake-ema-first-copy",
    sentence="The first update_parameters() copies the model (n_averaged == 0); only later "
    "updates blend with avg_fn, otherwise an EMA starts from the initial weights.",
)
class AveragedModel__no_first_copy(_correct.AveragedModel):
    def update_parameters(self, params, buffers=None):
        buffers = [] if buffers is None else list(buffers)
        averaged = self.params + self.buffers if self.use_buffers else self.params
        current = list(params) + buffers if self.use_buffers else list(params)
        if self.avg_fn is not None:
            for a, c in zip(averaged, current, strict=True):
                a[...] = self.avg_fn(a, c, self.n_averaged)
        elif self.multi_avg_fn is not None:
            self.multi_avg_fn(averaged, current, self.n_averaged)
        else:
            for a, c in zip(averaged, current, strict=True):
                a[...] = a + (c - a) / (self.n_averaged + 1)
        if not self.use_buffers:
            for b, c in zip(self.buffers, buffers, strict=True):
                b[...] = c
        self.n_averaged += 1
