# ruff: noqa: E501
# ATTACK: write a 1 GB file in the working directory
# DEFENCE: RLIMIT_FSIZE (16 MB): the write fails with EFBIG
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "limit", "reason": "File too large"}
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
    block = b"\0" * 2**20
    with open("cache.bin", "wb") as f:
        for _ in range(1024):
            f.write(block)
            f.flush()
    return 0.0
