# ruff: noqa: E501
# ATTACK: read the grader's own files and import its modules to find the registry, the hidden seed or expected values
# DEFENCE: only codec/drivers/worker (no registry, no seed, no reference) are in the sandbox, read-only
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "ModuleNotFoundError"}
import glob
import importlib


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
    text = ""
    for path in glob.glob("/grader/**/*.py", recursive=True):
        with open(path) as f:
            text += f.read()
    if "HIDDEN_SEED" in text or "def precision_score" in text:
        return 1.0
    importlib.import_module("autograder.registry")
    return 0.0
