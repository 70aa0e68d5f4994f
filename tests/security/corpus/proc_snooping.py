# ruff: noqa: E501
# ATTACK: read /proc/<parent>/environ, /proc/1/cmdline, and open the parent's pipes through /proc/<pid>/fd to inject fake results
# DEFENCE: non-dumpable worker and manager (their /proc entries belong to root), pid namespace
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "PermissionError.*nothing opened"}
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
    opened = []
    for pid in {os.getppid(), 1}:
        for name in ("environ", "cmdline", "maps", "cwd/x", "root/etc/passwd"):
            try:
                with open(f"/proc/{pid}/{name}", "rb") as f:
                    if name != "cmdline":
                        opened.append(f.read(100))
            except OSError:
                pass
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            fds = []
        for fd in fds:
            try:
                out = os.open(f"/proc/{pid}/fd/{fd}", os.O_WRONLY | os.O_NONBLOCK)
                os.write(out, b"\x02\0\0\0\0\0\0\0pwned")
                opened.append(fd)
            except OSError:
                pass
    if opened:
        return float(len(opened))
    raise PermissionError("nothing opened")
