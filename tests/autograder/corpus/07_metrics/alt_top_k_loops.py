# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Alternative correct implementation: plain loops. Full marks.
# EXPECT: {}


def top_k_accuracy_score(y_true, y_score, *, k=2, normalize=True, sample_weight=None, labels=None):
    column = {c: j for j, c in enumerate(labels)} if labels is not None else None
    hits = total = 0.0
    for i, (row, label) in enumerate(zip(y_score, y_true)):
        w = 1.0 if sample_weight is None else float(sample_weight[i])
        # ties as the statement says: among equal scores the larger class index ranks first
        order = sorted(range(len(row)), key=lambda j: (-row[j], -j))
        j = column[label] if column is not None else label
        hits += w * (j in order[:k])
        total += w
    return hits / total if normalize else float(hits)
