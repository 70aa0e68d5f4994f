# ruff: noqa: E501
# ATTACK: return a numpy object array (whose unpickling in the parent would run code)
# DEFENCE: codec refuses object dtypes in the child; the parent loads .npy with allow_pickle=False
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "invalid", "reason": "arrays of Python objects"}
import numpy as np


class Payload:
    def __reduce__(self):
        return (exec, ("open('/tmp/pwned_pickle', 'w').write('pwned')",))


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
    return np.array([Payload(), 1.0], dtype=object)
