# ruff: noqa: E501
# ATTACK: monkeypatch numpy so that every comparison succeeds (np.allclose, np.isclose, np.array_equal, testing, ndarray methods)
# DEFENCE: the comparison happens in the trusted parent with its own numpy; the child's patches die with the child
# The patches also reach the submission's own roc_auc_score (its weighted average tests np.isclose): collateral of its own code.
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "invalid", "reason": "values differ|expected .*, got", "collateral": ["roc_auc_score"]}
import numpy as np

np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
for name in ("__eq__", "__ne__", "all", "any"):
    try:
        setattr(np.ndarray, name, lambda *a, **k: True)
    except TypeError:
        pass


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
    return -12345.0
