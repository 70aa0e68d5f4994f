# ruff: noqa: E501
# ATTACK: fork bomb when called (while True: os.fork())
# DEFENCE: seccomp refuses fork (EPERM); behind it RLIMIT_NPROC (host uid nobody), a live process voids the exercise, every leftover is SIGKILLed
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "PermissionError.*Operation not permitted|started other processes|timed out|BlockingIOError"}
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
