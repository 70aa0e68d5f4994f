# ruff: noqa: E501
# ATTACK: SIGSTOP the parent (and pid 1) so that nothing ever times out
# DEFENCE: the worker (pid 1 ignores SIGSTOP from inside its namespace) sees its manager stopped and kills it
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
    os.kill(1, signal.SIGSTOP)
    os.kill(os.getppid(), signal.SIGSTOP)
    return 1.0
