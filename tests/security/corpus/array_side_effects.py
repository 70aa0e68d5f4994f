# ruff: noqa: E501
# ATTACK: return an object whose __array__ / __float__ run code when the parent converts it
# DEFENCE: codec only encodes ndarray, numpy scalars and plain Python values; anything else is refused in the child
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "invalid", "reason": "cannot send a value of type Sneaky"}
import numpy as np


class Sneaky:
    def __array__(self, dtype=None, copy=None):
        open("/tmp/pwned_array", "w").write("pwned")
        return np.asarray(1.0)

    def __float__(self):
        open("/tmp/pwned_float", "w").write("pwned")
        return 1.0


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
    return Sneaky()
