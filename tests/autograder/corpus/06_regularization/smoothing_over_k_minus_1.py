# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Label smoothing spreading epsilon over the K-1 wrong classes instead of all K classes.
# Right only when epsilon = 0 (the public "epsilon" case): 1 of 4 groups survives.
# EXPECT: {"regularization.label_smoothing": 0.5}
import numpy as np


def label_smoothing(targets, num_classes, epsilon=0.1):
    out = np.full((len(targets), num_classes), epsilon / (num_classes - 1))
    out[np.arange(len(targets)), targets] = 1.0 - epsilon
    return out
