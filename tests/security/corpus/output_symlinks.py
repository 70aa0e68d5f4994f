# ruff: noqa: E501
# ATTACK: plant symlinks to host files where result files might be read (result.npy -> /etc/shadow, out -> the repo)
# DEFENCE: no result file is ever read: outputs travel on a pipe; the scratch dir is the sandbox's own tmpfs, wiped afterwards
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "FileNotFoundError"}
import os

import numpy as np


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
    for name, target in (
        ("result.npy", "/etc/shadow"),
        ("out", "/work/main/solutions"),
        ("score.json", "/root/.ssh/id_rsa"),
    ):
        os.symlink(target, name)
    return np.load("result.npy")
