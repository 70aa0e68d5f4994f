# ruff: noqa: E501
# ATTACK: os.kill(-1, SIGKILL) and os.kill(1, SIGKILL): kill every process it can see
# DEFENCE: pid namespace (only sandbox processes are visible), the worker is pid 1 (signals from inside are ignored)
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
    os.kill(1, signal.SIGKILL)
    os.kill(-1, signal.SIGKILL)
    return 1.0
