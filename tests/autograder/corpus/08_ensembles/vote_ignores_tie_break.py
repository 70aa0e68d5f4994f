# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Plurality vote that always breaks ties towards the lowest label (tie_break ignored): the
# "ties" groups (which also ask for tie_break="first") fail, 2 of 6 groups of 3 points.
# EXPECT: {"ensembles.vote": 2.0}
import numpy as np


def vote(predictions, weights=None, tie_break="lowest"):
    m, n = predictions.shape
    w = np.ones(m) if weights is None else np.asarray(weights, dtype=np.float64)
    n_labels = int(predictions.max()) + 1
    counts = np.zeros((n, n_labels))
    for i in range(m):
        counts[np.arange(n), predictions[i]] += w[i]
    return counts.argmax(axis=1)
