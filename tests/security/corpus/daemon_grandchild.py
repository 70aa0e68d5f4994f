# ruff: noqa: E501
# ATTACK: double-fork a daemon (new session, signals ignored) that outlives the child and keeps running
# DEFENCE: seccomp refuses fork/clone of a new process (EPERM); were one started, a live descendant would void the exercise and every descendant of the worker is SIGKILLed after each child
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "PermissionError.*Operation not permitted|started other processes"}
import os
import signal
import time


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
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(sig, signal.SIG_IGN)
            while True:
                with open("pwned_daemon", "a") as f:
                    f.write("alive\n")
                time.sleep(0.05)
        os._exit(0)
    time.sleep(0.2)
    return 0.5
