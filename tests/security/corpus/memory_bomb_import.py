# ruff: noqa: E501
# ATTACK: a 50 GB lookup table built at import time, used by the function
# DEFENCE: RLIMIT_AS; the failed statement is reported as a note and only what depends on it fails
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "memory", "reason": "NameError.*_TABLE", "note": "out of memory"}
import numpy as np

_TABLE = np.ones((2**20, 50 * 2**10))


def precision_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    return float(_TABLE[0, 0])
