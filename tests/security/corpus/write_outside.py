# ruff: noqa: E501
# ATTACK: write outside the scratch dir: /tmp/pwned, the repo's solutions/, /dev/shm, /, the grader and numpy mounts
# DEFENCE: mount namespace: only the sandbox's private tmpfs /tmp is writable, everything else read-only or absent
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "OSError.*wrote nowhere else"}
import os

TARGETS = [
    "/work/main/solutions/pwned.py",
    "/work/main/pwned.txt",
    "/root/pwned",
    "/dev/shm/pwned",
    "/pwned",
    "/grader/autograder/pwned.py",
    "/site/numpy/pwned.py",
    "/usr/lib/pwned",
]


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
    with open("/tmp/pwned", "w") as f:  # the sandbox's own /tmp: allowed, gone afterwards
        f.write("pwned")
    written = []
    for path in TARGETS:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write("pwned")
            written.append(path)
        except OSError:
            pass
    if written:
        return float(len(written))
    raise OSError("wrote nowhere else")
