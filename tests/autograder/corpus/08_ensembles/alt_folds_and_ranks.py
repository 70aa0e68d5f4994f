# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Alternative correct implementations: folds with np.array_split, average ranks with
# scipy.stats.rankdata. Full marks.
# EXPECT: {}
import numpy as np
from scipy.stats import rankdata


def kfold_indices(n_samples, n_splits=5, shuffle=False, generator=None):
    order = np.arange(n_samples)
    folds = np.array_split(order, n_splits)
    return [(np.setdiff1d(order, test), test) for test in folds]


def rankdata_average(x):
    return rankdata(x, method="average", axis=-1)
