"""Bad input gets one clear line, never a traceback; one corrupt zip member costs only that
submission; exports are safe to open (CSV formula injection) and no password is printed."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from autograder import export, extract
from autograder.gradebook import Gradebook, mask_url
from autograder.version import __version__ as VERSION

from .test_gradebook import result

ROOT = Path(__file__).resolve().parents[2]
GOOD = "def gradient_check(f, f_backward, inputs):\n    return [0.0]\n"


def autograder(*argv, cwd=None) -> subprocess.CompletedProcess:
    """The real command line, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "autograder", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def corrupt_member_zip(path: Path) -> None:
    """A zip of three .py submissions whose middle member's deflate stream is garbage."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("alice.py", GOOD)
        zf.writestr("bob.py", GOOD + "# bob\n" * 200)
        zf.writestr("carol.py", GOOD + "# carol\n")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("bob.py")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start : start + info.compress_size] = b"\xff" * info.compress_size
    path.write_bytes(bytes(data))


# ---------------------------------------------------------------------------- bad paths


def _empty_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("README.txt", "nothing to grade here")
    return path


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda d: d / "no-such-folder", "no-such-folder: no such file or folder"),
        (lambda d: d / "missing.zip", "missing.zip: no such file or folder"),
        (lambda d: d / "missing.ipynb", "missing.ipynb: no such file or folder"),
        (lambda d: (d / "x.zip").write_bytes(b"not a zip") and d / "x.zip", "not a readable zip"),
        (lambda d: (d / "x.txt").write_text("hi") and d / "x.txt", "expected a .ipynb"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "no submission (.ipynb or .py) in it"),
        (lambda d: _empty_zip(d / "empty.zip"), "no submission (.ipynb or .py) in it"),
    ],
    ids=[
        "missing-folder",
        "missing-zip",
        "missing-notebook",
        "corrupt-zip",
        "other-file",
        "empty-folder",
        "empty-zip",
    ],
)
def test_a_bad_path_gives_one_line_naming_it_and_no_traceback(tmp_path, make, expected):
    path = make(tmp_path)
    done = autograder("grade", path, "--db", f"sqlite:///{tmp_path / 'gb.db'}")
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(path) in lines[0] and expected in lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_corrupt_zip_member_costs_only_that_submission(tmp_path):
    corrupt_member_zip(tmp_path / "subs.zip")
    with pytest.raises(zlib.error):  # the member really is corrupt (the reported crash)
        with zipfile.ZipFile(tmp_path / "subs.zip") as zf:
            zf.read("bob.py")
    subs = {s.name: s for s in extract.load(tmp_path / "subs.zip")}
    assert set(subs) == {"alice.py", "bob.py", "carol.py"}
    assert subs["bob.py"].error.startswith("not graded: corrupt zip member")
    assert not subs["alice.py"].error and "gradient_check" in subs["alice.py"].defined
    assert not subs["carol.py"].error and "gradient_check" in subs["carol.py"].defined


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "not a notebook: the file is empty"),
        (b"{not json", "not a notebook: not valid JSON (line 1, column 2)"),
        (b'{"metadata": {}}', "not a notebook: no cells"),
        (b'{"cells": [], "metadata": {}}', "not a notebook: no cells"),
        (b"[1, 2]", "not a notebook: no cells"),
    ],
)
def test_an_unreadable_notebook_has_a_plain_reason(content, reason):
    sub = extract.parse("x.ipynb", content, ".ipynb")
    assert sub.error.startswith("cannot read the submission: " + reason)


# ---------------------------------------------------------------------------- CSV


HOSTILE_IDS = [
    '=HYPERLINK("http://evil.example/x","click me")',
    "=1+2",
    "@SUM(1+1)",
    "+1-1",
    "-2+3",
    "\tx=1",
    "\r=1",
]


def test_csv_neutralises_cells_that_would_start_a_formula(tmp_path):
    with Gradebook(f"sqlite:///{tmp_path / 'gb.db'}") as book:
        for i, sid in enumerate([*HOSTILE_IDS, "alice", "o'brien=x", "cr\rinside"]):
            book.record(sid, f"h{i}", result(f"{i}.ipynb", scores={"a.x": (1.0, 2)}))
        text = export.csv_text(book.rows("0.1.0"))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["student", "a.x", "total", "note"]
    first = {r[0] for r in rows[1:]}
    assert first == {"'" + s for s in HOSTILE_IDS} | {"alice", "o'brien=x", "cr\rinside"}
    for r in rows[1:]:  # what a spreadsheet would see: no cell starts a formula
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in r)
        assert r[1:] == ["1", "1", ""]


# ---------------------------------------------------------------------------- passwords


def test_mask_url_hides_only_the_password():
    assert mask_url("postgresql+psycopg://me:s3cr%40t@db.example:5432/gb") == (
        "postgresql+psycopg://me:***@db.example:5432/gb"
    )
    assert mask_url("postgresql://me@host/gb") == "postgresql://me@host/gb"
    assert mask_url("sqlite:////tmp/x:y@z/gb.db") == "sqlite:////tmp/x:y@z/gb.db"


def test_grading_a_zip_with_a_corrupt_member_grades_the_others(tmp_path):
    corrupt_member_zip(tmp_path / "subs.zip")
    url = f"sqlite:///{tmp_path / 'gb.db'}"
    done = autograder("grade", tmp_path / "subs.zip", "--db", url, "--json", "--no-progress")
    assert done.returncode == 0, done.stderr
    subs = {s["student"]: s for s in json.loads(done.stdout)["submissions"]}
    assert set(subs) == {"alice", "bob", "carol"}
    assert subs["bob"]["error"].startswith("not graded: corrupt zip member")
    for healthy in ("alice", "carol"):
        assert not subs[healthy]["error"] and subs[healthy]["exercises"]
        assert any(e["status"] == "graded" for e in subs[healthy]["exercises"])


# ---------------------------------------------------------------------------- accounted for

UNREADABLE = {
    "gina": (b"{this is not json", "not a notebook: not valid JSON (line 1, column 2)"),
    "hank": (b"", "not a notebook: the file is empty"),
    "ivy": (b'{"cells": [], "metadata": {}, "nbformat": 4}', "not a notebook: no cells"),
}


@pytest.fixture(scope="module")
def unreadable(tmp_path_factory):
    """dave (a .py, graded), three unreadable notebooks, and an infrastructure failure."""
    root = tmp_path_factory.mktemp("unreadable")
    folder = root / "subs"
    folder.mkdir()
    (folder / "dave.py").write_text(GOOD)
    for sid, (data, _) in UNREADABLE.items():
        (folder / f"{sid}.ipynb").write_bytes(data)
    url = f"sqlite:///{root / 'gb.db'}"
    done = autograder("grade", folder, "--db", url, "--no-progress")
    assert done.returncode == 0, done.stderr
    failed = result("jack.py", scores={}, error="interrupted before grading finished")
    with Gradebook(url) as book:
        book.record("jack", "hj", dict(failed, status="infrastructure", grader_version=VERSION))
    return root, url


def test_unreadable_submissions_are_in_the_text_report_with_their_reason(unreadable):
    _, url = unreadable
    done = autograder("report", "--db", url)
    assert done.returncode == 0, done.stderr
    head = done.stdout.splitlines()[0]
    assert "5 students" in head and "(4 with nothing graded" in head, head
    lines = {ln.split()[0]: ln for ln in done.stdout.splitlines() if ln.startswith("  ")}
    for sid, (_, reason) in UNREADABLE.items():
        assert "NOT GRADED" in lines[sid] and reason in lines[sid], lines[sid]
    assert "not graded yet: interrupted before grading finished" in lines["jack"]
    assert "NOT GRADED" not in lines["dave"]


def test_unreadable_submissions_are_in_the_json_report(unreadable):
    _, url = unreadable
    data = json.loads(autograder("report", "--db", url, "--json").stdout)
    assert set(data["students"]) == {"dave", "gina", "hank", "ivy", "jack"}
    for sid, (_, reason) in UNREADABLE.items():
        [entry] = data["students"][sid]["not_graded"]
        assert entry["submission"] == f"{sid}.ipynb" and reason in entry["reason"]
        assert data["students"][sid]["total"] == 0
    assert "not_graded" not in data["students"]["dave"]


def test_unreadable_submissions_are_in_the_html_report(unreadable, tmp_path):
    _, url = unreadable
    done = autograder("report", "--db", url, "--html", tmp_path / "r.html")
    assert done.returncode == 0, done.stderr
    index = (tmp_path / "r.html").read_text()
    pages = {p.name.split("-")[0]: p.read_text() for p in (tmp_path / "r").glob("*.html")}
    assert set(pages) == {"dave", "gina", "hank", "ivy", "jack"}
    for sid, (_, reason) in UNREADABLE.items():
        assert reason in index and reason in pages[sid]
    assert "interrupted before grading finished" in pages["jack"]


def test_unreadable_submissions_are_in_the_csv_with_their_reason(unreadable, tmp_path):
    _, url = unreadable
    done = autograder("export", "csv", tmp_path / "s.csv", "--db", url)
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "s.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by = {r["student"]: r for r in rows}
    assert set(by) == {"dave", "gina", "hank", "ivy", "jack"}
    for sid, (_, reason) in UNREADABLE.items():
        assert by[sid]["total"] == "0" and reason in by[sid]["note"]
    assert by["jack"]["total"] == "" and "not graded yet" in by["jack"]["note"]
    assert by["dave"]["note"] == "" and float(by["dave"]["total"]) >= 0
