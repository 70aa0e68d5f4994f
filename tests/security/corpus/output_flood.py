# ruff: noqa: E501
# ATTACK: gigabytes to stdout and stderr (print and raw os.write), forever
# DEFENCE: the child's fds 0-2 are /dev/null (nothing is captured or buffered), CPU-time limit
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "timeout", "reason": "timed out after"}
import os
import sys

_CHUNK = "spam " * 200_000


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
    while True:
        print(_CHUNK)
        print(_CHUNK, file=sys.stderr)
        os.write(1, _CHUNK.encode())
        os.write(2, _CHUNK.encode())
