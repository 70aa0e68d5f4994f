# ruff: noqa: E501
# ATTACK: write result frames for other exercises, a forged "score" JSON and a full-marks report on the result pipe
# DEFENCE: the manager accepts from a child only a frame for the exercise it is running, rebuilt from checked fields; the parent scores by comparing outputs itself
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "invalid", "reason": "malformed result"}
import json
import os
import stat
import struct


def _frame(header):
    part = json.dumps(header).encode()
    return struct.pack("<Q", 1) + struct.pack("<Q", len(part)) + part


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
    forged = [
        {"id": "metrics.recall_score", "status": "ran", "cases": []},
        {"points": 40, "max_points": 40, "score": 100, "status": "graded"},
        {"results": [{"id": "metrics.precision_score", "status": "graded", "points": 4}]},
    ]
    for fd in range(3, 256):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                for header in forged:
                    os.write(fd, _frame(header))
        except OSError:
            pass
    return 1.0
