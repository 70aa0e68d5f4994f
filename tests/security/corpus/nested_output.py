# ruff: noqa: E501
# ATTACK: deeply nested lists / dicts (recursion bombs for the JSON decoder and the comparison in the parent)
# DEFENCE: the manager refuses outputs nested more than 16 levels; the parent's reader turns RecursionError into a wire error
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "invalid", "reason": "nested more than 16 levels|RecursionError"}
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
    out = 1.0
    for i in range(400):
        out = [out] if i % 2 else {"k": out}
    return out
