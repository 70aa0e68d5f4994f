# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Alternative correct implementation: plain loops. Full marks.
# EXPECT: {}


def top_k_accuracy_score(y_true, y_score, *, k=2, normalize=True, sample_weight=None, labels=None):
    hits = 0
    for row, label in zip(y_score, y_true):
        order = sorted(range(len(row)), key=lambda j: -row[j])
        hits += int(label in order[:k])
    return hits / len(y_true) if normalize else float(hits)
