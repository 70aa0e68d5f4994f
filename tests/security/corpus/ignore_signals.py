# ruff: noqa: E501
# ATTACK: ignore SIGTERM, SIGINT, SIGXCPU, SIGHUP, then spin
# DEFENCE: the manager uses SIGKILL (cannot be caught); the CPU hard limit also ends in SIGKILL
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "timeout", "reason": "timed out after|CPU time"}
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
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGXCPU, signal.SIGHUP, signal.SIGALRM):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        pass
