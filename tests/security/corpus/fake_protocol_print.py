# ruff: noqa: E501
# ATTACK: print fake protocol lines / framed results and a fake "100%" report to stdout and stderr
# DEFENCE: the child's stdout/stderr are /dev/null; the protocol runs on dedicated pipes the child does not hold
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "invalid", "reason": "expected an array or number, got NoneType"}
import json
import os
import struct
import sys


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
    fake = json.dumps(
        {"results": [{"id": "metrics.precision_score", "status": "ran", "points": 4}]}
    )
    print(fake)
    print("precision_score 4/4 100%", file=sys.stderr)
    os.write(1, struct.pack("<Q", 1) + struct.pack("<Q", len(fake)) + fake.encode())
    sys.__stdout__.write(fake)
    return None
