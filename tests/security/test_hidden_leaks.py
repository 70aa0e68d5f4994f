"""Hidden means hidden: a submission that encodes every input it sees into each string it
controls (exception class names, function/frame names, messages, dict keys, dtype field
names, its signature, later exercises' public feedback, module-level notes after scanning
its own memory) gets no hidden input back, through the plain CLI: ``grade --json``,
``report --json``, the HTML feedback pages and the gradebook. A control shows that the
same channels do carry the *public* inputs, so the matcher is not blind.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder import registry
from autograder.notebooks import ROOT

SEED = "hardening-secret-seed-9f2e"

#: Every channel at once. ``_enc`` writes a float as an identifier: 0.25 -> 0p25, -1e-05 ->
#: m1em05, so that class and function names can carry it.
ATTACK = r'''
import inspect
import os
import sys

import numpy as np


def _enc(v):
    return repr(float(v)).replace("-", "m").replace(".", "p").replace("+", "P")


def _values(x):
    return [v for v in np.asarray(x, dtype=np.float64).ravel()[:3]]


SEEN = []
CALLS = []


def _named(name):
    def inner():
        raise type("V" + name, (ValueError,), {})("L" + name)
    inner.__code__ = inner.__code__.replace(co_name="F" + name)
    return inner


def _scan():
    """The job's inputs found in this process's memory (the frames that forked it)."""
    found = []
    frame = sys._getframe()
    while frame is not None:
        for obj in list(frame.f_locals.values()):
            for a in obj if isinstance(obj, list) else [obj]:
                if isinstance(a, np.ndarray) and a.dtype.kind == "f" and 0 < a.size < 10_000:
                    found += [_enc(v) for v in a.ravel()[:3]]
        frame = frame.f_back
    if os.path.exists("/tmp/leak"):
        found.append(open("/tmp/leak").read())
    if found:
        raise RuntimeError("M" + "_".join(found[:400]))


# module level (only definitions, imports and assignments are kept: an assignment runs it)
_SCANNED = _scan()


def sigmoid(x):
    tags = [_enc(v) for v in _values(x)]
    SEEN.extend(tags)
    with open("/tmp/leak", "a") as f:
        f.write("_".join(tags) + "_")
    params = [inspect.Parameter("S" + t, inspect.Parameter.POSITIONAL_OR_KEYWORD) for t in tags]
    sigmoid.__signature__ = inspect.Signature(params)
    CALLS.append(1)
    n = len(CALLS)
    if n % 3 == 0:
        return {("K" + t): 1.0 for t in tags}
    if n % 3 == 1:
        return np.zeros(3, dtype=[("D" + t, "<f8") for t in tags])
    _named("_".join(tags))()


def relu6(*args, **kwargs):
    # a later exercise's public feedback: everything sigmoid saw, here or in /tmp
    seen = open("/tmp/leak").read() if os.path.exists("/tmp/leak") else ""
    raise ValueError("R" + "_".join(SEEN) + "_" + seen)
'''


def _enc(v: float) -> str:
    return repr(float(v)).replace("-", "m").replace(".", "p").replace("+", "P")


def _distinctive(values) -> set[str]:
    """Encodings of input values that could not appear by chance (10+ characters)."""
    out = set()
    for v in values:
        text = _enc(v)
        if len(text.replace("0", "").replace("p", "")) >= 8:
            out.add(text)
    return out


def _inputs(hidden: bool) -> set[str]:
    ex = registry.get("activations.sigmoid")
    found: set[str] = set()
    for case in ex.cases(hidden_seed=SEED):
        if case.hidden == hidden:
            found |= _distinctive(np.asarray(case.args[0], dtype=np.float64).ravel()[:3])
    return found


def _cli(*args: str, cwd: Path) -> str:
    env = dict(os.environ, AUTOGRADER_HIDDEN_SEED=SEED, PYTHONPATH=str(ROOT))
    r = subprocess.run(
        [sys.executable, "-m", "autograder", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return r.stdout + r.stderr


@pytest.mark.slow
def test_hidden_inputs_never_reach_any_output(tmp_path):
    hidden, public = _inputs(hidden=True), _inputs(hidden=False)
    assert hidden and public, "the matcher needs distinctive values on both sides"
    nb = json.loads((ROOT / "instructor" / "solutions" / "03_activations.ipynb").read_text())
    nb["cells"].append(
        {"cell_type": "code", "metadata": {}, "outputs": [], "source": ATTACK, "id": "attack"}
    )
    (tmp_path / "attacker.ipynb").write_text(json.dumps(nb))
    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    outputs = {
        "grade": _cli("grade", "attacker.ipynb", "--json", "--verbose", "--db", db, cwd=tmp_path),
        "report": _cli("report", "--json", "--db", db, cwd=tmp_path),
    }
    _cli("report", "--html", str(tmp_path / "html" / "index.html"), "--db", db, cwd=tmp_path)
    pages = sorted((tmp_path / "html").rglob("*.html"))
    assert pages, "no HTML report written"
    outputs.update({p.name: p.read_text() for p in pages})
    with sqlite3.connect(tmp_path / "gradebook.db") as con:
        rows = [
            repr(row)
            for (table,) in con.execute("select name from sqlite_master where type='table'")
            for row in con.execute(f'select * from "{table}"')  # noqa: S608 - own test db
        ]
    outputs["gradebook"] = "\n".join(rows)
    everything = "\n".join(outputs.values())
    assert '"points"' in outputs["grade"], outputs["grade"][-2000:]
    # control: the channels work -- public inputs do come back (class names, messages)
    shown = {v for v in public if v in everything}
    assert shown, "the attack's channels carried nothing: the test would be blind"
    leaked = {name: sorted(v for v in hidden if v in text) for name, text in outputs.items()}
    leaked = {k: v for k, v in leaked.items() if v}
    assert not leaked, f"hidden inputs leaked: {leaked}"
    # and the feedback on hidden cases is one of the grader's own categories
    data = json.loads(outputs["grade"][outputs["grade"].index("{") :])
    cases = [c for s in data["submissions"] for e in s["exercises"] for c in e["cases"]]
    reasons = {c["reason"] for c in cases if c["hidden"] and not c["ok"]}
    assert reasons, "no hidden case failed: the attack did not run"
    for reason in reasons:
        assert not re.search(r"[VFLSKDRM](m?\d+p\d)", reason), reason


# ----------------------------------------------- the reduction itself, over any input


def _categories() -> set[str]:
    from autograder.compare import CATEGORIES
    from autograder.grade import KNOWN_ERRORS

    fixed = {
        "not implemented yet (raises NotImplementedError)",
        "out of memory (MemoryError)",
        "RecursionError: infinite recursion?",
        "returned something ungradable",
        "raised an exception (name and message hidden on hidden cases)",
    }
    fixed |= {f"raised {n} (message hidden on hidden cases)" for n in KNOWN_ERRORS}
    return fixed | {c for _, c in CATEGORIES} | {"wrong value"}


ERROR_TEXT = st.one_of(
    st.text(),
    st.builds(
        "{}{} at line {} in {}: {}".format,
        st.sampled_from(["", "V", "Value", "ValueError", "RecursionError", "out of memory"]),
        st.from_regex(r"[A-Za-z0-9_]{0,30}", fullmatch=True),
        st.integers(0, 10**6),
        st.from_regex(r"[A-Za-z0-9_<>]{1,30}", fullmatch=True),
        st.text(),
    ),
)


@settings(max_examples=200, deadline=None)
@given(error=ERROR_TEXT)
def test_a_hidden_error_is_one_of_the_graders_categories(error):
    """Whatever error text a child sends for a hidden case (class, module, frame names,
    line numbers, messages of its choosing), the student is shown one of a fixed set."""
    from autograder.grade import _hidden_error

    assert _hidden_error(error) in _categories()


@settings(max_examples=200, deadline=None)
@given(
    reason=st.one_of(
        st.text(),
        st.builds("output: expected keys ['a'], got {}".format, st.lists(st.text())),
        st.builds("output: expected numbers, got dtype [('{}', '<f8')]".format, st.text()),
        st.builds("output[{}]: wrong shape: {}".format, st.integers(0, 9), st.text()),
    )
)
def test_a_hidden_verdict_is_one_of_the_graders_categories(reason):
    from autograder.compare import hidden_summary

    summary = hidden_summary(reason)
    where, _, category = summary.rpartition(": ")
    assert category in _categories(), summary
    assert re.fullmatch(r"(output(\[(\d+|'\w+')\])*)?", where), summary
