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
import functools
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

TEST_FILES = (
    "test_classification.py",
    "test_ranking.py",
    "test_regression.py",
    "test_common.py",
)
# sklearn's invariance tests (symmetry, sample order, sample_weight, list vs array, labels as
# strings...), parametrized by metric name: ported per parametrized case (see _common_needs).
COMMON_FILE = "test_common.py"
# Upstream files outside sklearn/metrics/tests (relative to it) and the functions of ours
# they test: only their tests that reach one of those are run (the rest test estimators).
FOCUSED_FILES = {"../../tests/test_calibration.py": {"calibration_curve"}}
# Functions of ours that scikit-learn keeps outside sklearn.metrics, by module; and private
# helpers with scikit-learn's signature and return value that its tests call directly.
OTHER_MODULES = {
    "sklearn.calibration": ("calibration_curve",),
    "sklearn.metrics._classification": ("_check_targets",),
    "sklearn.metrics._ranking": ("_dcg_sample_scores",),
}
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
            names |= {
                n
                for n, v in vars(module).items()
                if n.startswith("_")
                and callable(v)
                # sklearn.metrics' own helpers, not utilities it imports (_num_samples)
                and getattr(v, "__module__", "").startswith("sklearn.metrics")
            }
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


def needed_metrics(path: Path, follow_constants: bool = True) -> dict[str, set[str]]:
    """For each ``test_*`` function of ``path``: the sklearn metrics it reaches (through the
    module's constants too, unless ``follow_constants`` is false)."""
    tree = ast.parse(path.read_text())
    uses = _uses(tree)
    constants = _module_constants(tree) if follow_constants else {}
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


def _metric_functions(value, namespace: dict) -> list | None:
    """The functions a parametrized value of test_common stands for: a metric name (a key
    of its ``ALL_METRICS``), a function, a ``partial`` of one or a lambda calling some.
    None when the value is no metric."""
    if isinstance(value, str):
        value = namespace.get("ALL_METRICS", {}).get(value)
        if value is None:
            return None
    if isinstance(value, functools.partial):
        return _metric_functions(value.func, namespace)
    if not callable(value):
        return None
    if getattr(value, "__name__", "") == "<lambda>" or (
        getattr(value, "__module__", None) == namespace.get("__name__")  # a helper of the file
    ):
        names = metric_names()
        return [namespace[n] for n in value.__code__.co_names if n in names and n in namespace]
    return [value]


def _common_needs(item, direct: dict[str, set[str]]) -> list[str] | None:
    """What a test_common case needs that we lack ([] = ported); None: not per metric."""
    name = item.originalname
    if "array_api" in name:
        return ["array API namespaces (torch/cupy/array-api-strict inputs): ours take numpy"]
    namespace = vars(item.module)
    params = getattr(getattr(item, "callspec", None), "params", {})
    functions = []
    for key, value in params.items():
        if key in ("name", "metric_name", "metric"):
            found = _metric_functions(value, namespace)
            if found is not None:
                functions += found
    if not functions:
        return None
    missing = {getattr(f, "__name__", repr(f)) for f in functions if f.__module__ != ours.__name__}
    missing |= direct.get(name, set()) - ported_names()
    return sorted(missing)


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
    direct: dict[Path, dict[str, set[str]]] = {}
    for item in items:
        path = Path(item.fspath)
        if path not in cache and path.name != COMMON_FILE:
            cache[path] = unported_tests(path)
            needs[path] = needed_metrics(path)
        name = item.originalname if hasattr(item, "originalname") else item.name
        focus = _focus(path)
        if path.name == COMMON_FILE:
            if path not in direct:
                direct[path] = needed_metrics(path, follow_constants=False)
            missing = _common_needs(item, direct[path])
            if missing is None:
                missing = ["loops over every metric scikit-learn has"]
            if missing:
                drop.append(item)
                _unported[f"{path.name}::{item.name}"] = missing
            else:
                keep.append(item)
        elif focus is not None and not needs[path].get(name, set()) & focus:
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
    common = {k: v for k, v in result["ported"].items() if COMMON_FILE in k}
    return {
        "common_cases": len(common),
        "common_passing": sum(o == "passed" for o in common.values()),
        "common_unported": sum(COMMON_FILE in k for k in result["unported"]),
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
    print(
        f"of which {COMMON_FILE}: {counts['common_cases']} metric x invariance cases ported, "
        f"{counts['common_passing']} pass; {counts['common_unported']} cases not ported"
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
