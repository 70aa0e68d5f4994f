# ruff: noqa: E501
# ATTACK: os.system / subprocess: rm -rf everything reachable, then report success
# DEFENCE: seccomp refuses new processes (subprocess raises PermissionError, os.system returns 127); read-only mounts and the nobody uid behind it
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "PermissionError.*Operation not permitted|values differ|expected"}
import os
import subprocess


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
    os.system("rm -rf /tmp/* /work /root /grader 2>/dev/null")
    subprocess.run(
        ["sh", "-c", "touch /work/main/pwned_shell; echo pwned > /tmp/pwned_shell"], check=False
    )
    return -1.0
