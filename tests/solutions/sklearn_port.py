"""Run scikit-learn's own metric tests with our functions in place of its own.

A pytest plugin (``-p tests.solutions.sklearn_port``) for a run of the installed
scikit-learn's test files (``sklearn/metrics/tests/test_*.py``). Before the test modules are
imported it replaces every function of ``sklearn.metrics`` that ``solutions.metrics`` also
has (and ``UndefinedMetricWarning``) with ours, so ``from sklearn.metrics import f1_score`` in
the upstream tests binds our function: a mechanical port, no test is edited.

A test is *ported* when every ``sklearn.metrics`` function it names (in its body, its
decorators, and the module-level helpers it calls, transitively) is one of ours; the others
are deselected and listed with the functions they need. ``SKLEARN_PORT_REPORT=path`` writes
``{"ported": {nodeid: outcome}, "unported": {test name: [missing functions]}}`` as JSON.

``python -m tests.solutions.sklearn_port`` runs the port and prints the counts.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import sklearn
import sklearn.exceptions
import sklearn.metrics

from solutions import metrics as ours

TEST_FILES = ("test_classification.py", "test_ranking.py", "test_regression.py")
# Upstream files outside sklearn/metrics/tests (relative to it) and the functions of ours
# they test: only their tests that reach one of those are run (the rest test estimators).
FOCUSED_FILES = {"../../tests/test_calibration.py": {"calibration_curve"}}
# Functions of ours that scikit-learn keeps outside sklearn.metrics, by module.
OTHER_MODULES = {"sklearn.calibration": ("calibration_curve",)}
# Private helpers of sklearn.metrics that some upstream tests import (never ours to port).
PRIVATE_MODULES = ("_classification", "_ranking", "_regression", "_base")


def _is_ours(name: str) -> bool:
    return callable(getattr(ours, name, None)) and getattr(ours, name).__module__ == ours.__name__


def ported_names() -> set[str]:
    """The public sklearn.metrics functions (and OTHER_MODULES') that solutions.metrics
    implements."""
    others = {name for names in OTHER_MODULES.values() for name in names}
    return {name for name in (*sklearn.metrics.__all__, *others) if _is_ours(name)}


def metric_names() -> set[str]:
    """Every name a test can use to reach an sklearn metric (public and private helpers)."""
    names = set(sklearn.metrics.__all__) | {n for ns in OTHER_MODULES.values() for n in ns}
    for mod in PRIVATE_MODULES:
        module = sys.modules.get(f"sklearn.metrics.{mod}")
        if module is not None:
            names |= {n for n in vars(module) if n.startswith("_") and callable(vars(module)[n])}
    return names


def _uses(tree: ast.Module) -> dict[str, set[str]]:
    """For each module-level function: the names it mentions (decorators included)."""
    uses = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            uses[node.name] = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
                n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
            }
    module_level = set()
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Import | ast.ImportFrom):
            module_level |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    uses["<module>"] = module_level
    return uses


def _module_constants(tree: ast.Module) -> dict[str, set[str]]:
    """Module-level assignments (``METRICS = {...}``) and the names in their values."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = names
    return out


def needed_metrics(path: Path) -> dict[str, set[str]]:
    """For each ``test_*`` function of ``path``: the sklearn metrics it reaches."""
    tree = ast.parse(path.read_text())
    uses, constants = _uses(tree), _module_constants(tree)
    metrics = metric_names()

    def reach(name, seen):
        if name in seen:
            return set()
        seen.add(name)
        found = set()
        for used in uses.get(name, set()) | constants.get(name, set()):
            if used in metrics:
                found.add(used)
            if used in uses or used in constants:
                found |= reach(used, seen)
        return found

    return {name: reach(name, set()) for name in uses if name.startswith("test_")}


def unported_tests(path: Path) -> dict[str, list[str]]:
    have = ported_names()
    return {
        test: sorted(needed - have)
        for test, needed in needed_metrics(path).items()
        if needed - have or not needed
    }


def _focus(path: Path) -> set[str] | None:
    for name, functions in FOCUSED_FILES.items():
        if (sklearn_tests_dir() / name).resolve() == path.resolve():
            return functions
    return None


# ------------------------------------------------------------------------ the pytest plugin
_outcomes: dict[str, str] = {}
_unported: dict[str, list[str]] = {}


def pytest_configure(config):
    import importlib

    for module, names in OTHER_MODULES.items():
        for name in names:
            if _is_ours(name):
                setattr(importlib.import_module(module), name, getattr(ours, name))
    for name in ported_names() & set(sklearn.metrics.__all__):
        setattr(sklearn.metrics, name, getattr(ours, name))
        # some upstream tests import from the private modules (``from
        # sklearn.metrics._classification import d2_brier_score``): replace it there too
        for mod in PRIVATE_MODULES:
            module = sys.modules.get(f"sklearn.metrics.{mod}")
            if module is not None and hasattr(module, name):
                setattr(module, name, getattr(ours, name))
    sklearn.exceptions.UndefinedMetricWarning = ours.UndefinedMetricWarning


def pytest_collection_modifyitems(session, config, items):
    keep, drop, off_focus = [], [], []
    cache: dict[Path, dict[str, list[str]]] = {}
    needs: dict[Path, dict[str, set[str]]] = {}
    for item in items:
        path = Path(item.fspath)
        if path not in cache:
            cache[path] = unported_tests(path)
            needs[path] = needed_metrics(path)
        name = item.originalname if hasattr(item, "originalname") else item.name
        focus = _focus(path)
        if focus is not None and not needs[path].get(name, set()) & focus:
            off_focus.append(item)  # an estimator test of a focused file: not ours to run
        elif name in cache[path]:
            drop.append(item)
            _unported[f"{path.name}::{name}"] = cache[path][name]
        else:
            keep.append(item)
    items[:] = keep
    config.hook.pytest_deselected(items=drop + off_focus)


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _outcomes[report.nodeid] = report.outcome


def pytest_sessionfinish(session):
    path = os.environ.get("SKLEARN_PORT_REPORT")
    if path:
        Path(path).write_text(json.dumps({"ported": _outcomes, "unported": _unported}, indent=1))


# ------------------------------------------------------------------------ running the port
def sklearn_tests_dir() -> Path:
    return Path(inspect.getfile(sklearn.metrics)).parent / "tests"


def run_port(report: Path, files=TEST_FILES, extra=()) -> dict:
    """Run the upstream files through the plugin in a fresh interpreter; the JSON report."""
    tests = sklearn_tests_dir()
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "SKLEARN_PORT_REPORT": str(report),
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "tests.solutions.sklearn_port",
        "-p",
        "no:cacheprovider",
        "-q",
        "-o",
        "addopts=",
        "--rootdir",
        str(tests.parent.parent),  # the sklearn package: node ids name metrics/tests/...
        *extra,
        *(str((tests / f).resolve()) for f in (*files, *FOCUSED_FILES)),
    ]
    with tempfile.TemporaryDirectory() as cwd:  # not sklearn's folder: its tests/ would shadow ours
        done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if not report.exists():
        raise RuntimeError(f"the port did not run:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(report.read_text())


def summarize(result: dict) -> dict:
    """Counts per test function (parametrizations of one test count once: it passes if all do)."""
    by_test: dict[str, set[str]] = {}
    for nodeid, outcome in result["ported"].items():
        by_test.setdefault(nodeid.split("[")[0], set()).add(outcome)
    passing = [t for t, o in by_test.items() if o <= {"passed", "skipped"}]
    return {
        "ported": len(by_test),
        "passing": len(passing),
        "failing": sorted(set(by_test) - set(passing)),
        "unported": len(result["unported"]),
        "nodes": len(result["ported"]),
        "nodes_passing": sum(o == "passed" for o in result["ported"].values()),
    }


def main() -> int:
    report = Path(os.environ.get("SKLEARN_PORT_REPORT", "sklearn_port_report.json"))
    result = run_port(report)
    counts = summarize(result)
    missing: dict[str, int] = {}
    for needs in result["unported"].values():
        for name in needs:
            missing[name] = missing.get(name, 0) + 1
    print(
        f"scikit-learn {sklearn.__version__}: {counts['ported']} tests ported "
        f"({counts['nodes']} parametrized cases), {counts['passing']} pass; "
        f"{counts['unported']} not ported"
    )
    for test in counts["failing"]:
        print("  failing:", test)
    print(
        "missing functions (tests needing them):",
        ", ".join(f"{k} {v}" for k, v in sorted(missing.items(), key=lambda kv: -kv[1])),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
