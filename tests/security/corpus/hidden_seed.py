# ruff: noqa: E501
# ATTACK: read the hidden-case seed from the environment (os.environ, /proc/self/environ, the parent's environ) and compute expected values with the reference
# DEFENCE: cleared environment (--clearenv); /proc of the worker unreadable (non-dumpable); no reference package inside
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "ModuleNotFoundError.*No module named 'solutions'"}
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
    leaked = [v for k, v in os.environ.items() if "SEED" in k or "AUTOGRADER" in k]
    for path in ("/proc/self/environ", f"/proc/{os.getppid()}/environ", "/proc/1/environ"):
        try:
            with open(path, "rb") as f:
                leaked += [x.decode() for x in f.read().split(b"\0") if b"SEED" in x]
        except OSError:
            pass
    import solutions.metrics  # noqa: F401

    return float(len(leaked))
