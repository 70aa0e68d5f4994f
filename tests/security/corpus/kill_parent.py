# ruff: noqa: E501
# ATTACK: os.kill(os.getppid(), SIGKILL): kill the process that runs the grading
# DEFENCE: the parent is a per-submission manager; the worker (pid 1, immune) reports the whole submission as failed and goes on
# EXPECT: {"chapter": "07_metrics", "target": "*", "scope": "submission", "category": "crash", "reason": "killed or stopped the grading process"}
import os
import signal


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
    os.kill(os.getppid(), signal.SIGKILL)
    return 1.0
