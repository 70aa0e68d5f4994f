# ruff: noqa: E501
# ATTACK: allocate 50 GB when called
# DEFENCE: RLIMIT_AS per child
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "memory", "reason": "out of memory"}
import numpy as np


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
    table = np.ones(50 * 2**30 // 8)
    return float(table[0])
