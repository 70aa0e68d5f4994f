"""Names are data: submissions whose file names carry SQL, a path, a CSV formula or HTML/JS
go through ``grade`` -> gradebook -> ``report --json``/``--html`` -> ``export csv`` (the
plain CLI) as inert text: every one graded, the gradebook intact, no page or file written
outside the chosen folder, no markup injected into the HTML, no formula in the CSV.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.notebooks import ROOT
from tests.security.attacks import solution_notebook

NAMES = [
    "robert'); DROP TABLE gradings;--",
    "=cmd|' -C calc'!A0",
    "@SUM(1+1)*cmd|' -C calc'!A0",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "..%2F..%2Fpwned_names",
    "+1-1",
]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.slow
def test_hostile_names_stay_inert(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    data = json.dumps(solution_notebook("07_metrics"))
    for name in NAMES:
        (subs / f"{name}.ipynb").write_text(data)
    out = tmp_path / "out"
    out.mkdir()
    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    graded = _cli("grade", "subs", "--chapter", "07_metrics", "--db", db, cwd=tmp_path)
    assert graded.returncode == 0, graded.stderr[-2000:]
    report = _cli("report", "--json", "--db", db, cwd=tmp_path)
    assert report.returncode == 0, report.stderr[-2000:]
    students = json.loads(report.stdout)["students"]
    assert sorted(students) == sorted(NAMES)
    with sqlite3.connect(tmp_path / "gradebook.db") as con:
        tables = {t for (t,) in con.execute("select name from sqlite_master where type='table'")}
    assert "gradings" in tables or any("grad" in t for t in tables), tables

    html = _cli("report", "--html", str(out / "index.html"), "--db", db, cwd=tmp_path)
    assert html.returncode == 0, html.stderr[-2000:]
    pages = list(out.rglob("*.html"))
    assert len(pages) >= len(NAMES) + 1, pages
    for page in pages:
        text = page.read_text()
        assert "<img src=x" not in text and "<svg onload" not in text, page
    index = (out / "index.html").read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in index  # shown, as text (not blind)
    assert not list(tmp_path.glob("pwned*")) and not list(Path("/tmp").glob("pwned_names*"))

    exported = _cli("export", "csv", str(out / "scores.csv"), "--db", db, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr[-2000:]
    with open(out / "scores.csv", newline="") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    formulas = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not formulas, formulas
    assert sorted(set(os.listdir(out))) == sorted({p.name for p in out.iterdir()})
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))
