# ruff: noqa: E501
# ATTACK: memory that grows slowly (1 MB at a time, touched) until something gives
# DEFENCE: RLIMIT_AS (MemoryError), else the CPU-time limit
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "memory", "reason": "out of memory|timed out"}
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
    hoard = []
    while True:
        hoard.append(bytearray(b"x" * 2**20))
