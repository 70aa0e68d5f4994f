# ruff: noqa: E501
# ATTACK: look for other students' submissions (the graded folder, other sandboxes' scratch dirs, /proc of other processes)
# DEFENCE: submissions are never mounted; each worker has its own pid and mount namespace; /tmp is wiped between submissions
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "FileNotFoundError.*no other submission"}
import glob
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
    found = []
    for pattern in (
        "/tmp/**/*.py",
        "/tmp/**/*.ipynb",
        "/work/**/*.ipynb",
        "/home/**/*.ipynb",
        "/root/**/*.ipynb",
    ):
        found += glob.glob(pattern, recursive=True)
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                found += [os.readlink(f"/proc/{pid}/cwd")]
            except OSError:
                pass
    if found:
        return float(len(found))
    raise FileNotFoundError("no other submission")
