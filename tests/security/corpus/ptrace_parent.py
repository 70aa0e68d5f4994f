# ruff: noqa: E501
# ATTACK: ptrace-attach to the parent and to pid 1 (to rewrite the grader in memory), or read /proc/<pid>/mem
# DEFENCE: the worker and manager are non-dumpable (PR_SET_DUMPABLE 0): same-uid ptrace is refused
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "PermissionError.*ptrace"}
import ctypes
import os

PTRACE_ATTACH = 16


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
    libc = ctypes.CDLL(None, use_errno=True)
    for pid in (os.getppid(), 1):
        if libc.ptrace(PTRACE_ATTACH, pid, None, None) == 0:
            return float(pid)
        try:
            with open(f"/proc/{pid}/mem", "rb") as f:
                return float(len(f.read(1)))
        except OSError:
            pass
    raise PermissionError("ptrace")
