# ruff: noqa: E501
# ATTACK: return enormous arrays (a 400 MB array, a broadcast view claiming petabytes)
# DEFENCE: 64 MB per exercise in the child, 128 MB per submission in the manager, 256 MB per message and header/size agreement in the parent
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "invalid", "reason": "too large"}
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
    if len(y_true) % 2:
        return np.broadcast_to(np.float64(1.0), (2**25, 2**25))
    return np.zeros(50_000_000)
