# ruff: noqa: E501
# ATTACK: an ndarray subclass whose comparisons always say "equal" (and whose values are wrong)
# DEFENCE: only the raw data crosses the boundary (.npy of a base ndarray); the parent compares with its own numpy
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "invalid", "reason": "values differ|expected .*, got"}
import numpy as np


class AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    def __array_finalize__(self, obj):
        pass

    def __reduce__(self):
        return (exec, ("open('/tmp/pwned_subclass', 'w').write('pwned')",))


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
    return np.asarray(-1.0).view(AlwaysEqual)
