# ruff: noqa: E501
# ATTACK: read the reference solutions: import solutions, the repo's solutions/*.py, the instructor notebooks
# DEFENCE: the repo is never mounted; only numpy/scipy and four sandbox-safe grader modules are on sys.path
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "FileNotFoundError.*reference not found"}
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
    for name in ("solutions", "solutions.metrics", "autograder.registry", "autograder.exercises"):
        try:
            module = importlib.import_module(name)
            return module.precision_score(y_true, y_pred)
        except ImportError:
            pass
    patterns = [
        "/work/*/solutions/*.py",
        "/work/*/instructor/solutions/*",
        "/*/solutions/*.py",
        "/*/*/solutions/*.py",
    ]
    for pattern in patterns:
        for path in glob.glob(pattern):
            with open(path) as f:
                return float(len(f.read()))
    raise FileNotFoundError("reference not found")
