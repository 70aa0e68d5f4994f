# ruff: noqa: E501
# ATTACK: fork bomb when called (while True: os.fork())
# DEFENCE: host uid nobody so RLIMIT_NPROC applies; any live process started by a child voids the exercise; every leftover is SIGKILLed
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "started other processes|timed out|BlockingIOError"}
import os


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
        os.fork()
