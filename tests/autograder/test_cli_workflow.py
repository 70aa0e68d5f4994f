"""The instructor workflow end to end, in the sandbox: ``grade`` into the gradebook (resumable,
``--regrade``, zip input, progress bar, a killed run resumed), ``report`` (text, JSON, HTML
with everything student-provided escaped) and ``export csv``.

Submissions are for chapter 00_backprop, scored on ``backprop.gradient_check`` (case groups
"correct backward" and "buggy backward", public and hidden): alice = the generated solution
notebook (full marks on every exercise of the chapter), bob = the stub notebook (0),
carol = raises an exception whose message is HTML (0), dave = always reports a tiny error, so
only the "correct backward" groups pass (half), erin = a syntax error in the def (0, missing).
The others define only ``gradient_check``: any other exercise of the chapter scores 0.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from autograder import cli, notebooks, registry

CHAPTER = "00_backprop"
EX = "backprop.gradient_check"
HOSTILE = "carol<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert('xss')</script>"
CHAPTER_IDS = [e.id for e in registry.exercises_for_chapter(CHAPTER)]
FULL = float(sum(e.points for e in registry.exercises_for_chapter(CHAPTER)))
_EX = registry.get(EX)
HALF = _EX.points * sum(g == "correct backward" for g, _ in _EX.groups) / len(_EX.groups)
#: points on EX; totals are the same except alice's (FULL)
EXPECTED = {"alice": float(_EX.points), "bob": 0.0, HOSTILE: 0.0, "dave": HALF, "erin": 0.0}
TOTALS = dict(EXPECTED, alice=FULL)
N_EX = len(CHAPTER_IDS)
SIGNATURE = "(f, f_backward, inputs, *, wrt=None, kwargs=None, h=1e-06, seed=0)"


def _solution() -> str:
    return notebooks.dumps(notebooks.solution_notebook(CHAPTER))


def write_submissions(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "alice.ipynb").write_text(_solution())
    (folder / "bob.ipynb").write_text(notebooks.dumps(notebooks.student_notebook(CHAPTER)))
    (folder / f"{HOSTILE}.py").write_text(
        f"def gradient_check{SIGNATURE}:\n    raise ValueError({SCRIPT!r})\n"
    )
    (folder / "dave.py").write_text(
        f"def gradient_check{SIGNATURE}:\n"
        "    n = len(inputs) if wrt is None else len(wrt)\n"
        "    return [0.0] * n\n"
    )
    (folder / "erin.py").write_text(f"def gradient_check{SIGNATURE}\n    return 1\n")


def run_cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue()


def copy_gradebook(url: str, dest: Path) -> str:
    """A consistent copy of a SQLite gradebook (the backup API: WAL included)."""
    import sqlite3

    with sqlite3.connect(url.removeprefix("sqlite:///")) as src, sqlite3.connect(dest) as dst:
        src.backup(dst)
    return f"sqlite:///{dest}"


def html_tags(text: str) -> list[tuple[str, list]]:
    """Every start tag of an HTML page, as the browser's tokenizer sees it."""
    from html.parser import HTMLParser

    tags = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, attrs))

    Tags().feed(text)
    return tags


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        out = {
            t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("submissions", "gradings", "results")
        }
    engine.dispose()
    return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("workflow")
    write_submissions(root / "subs")
    url = f"sqlite:///{root / 'gradebook.db'}"
    code, out = run_cli("grade", root / "subs", "--db", url, "--json", "--workers", "2")
    assert code == 0
    return root, url, json.loads(out)


def test_grade_stores_every_submission_with_its_student_id(graded):
    _, url, data = graded
    assert {s["student"]: s["points"] for s in data["submissions"]} == TOTALS
    on_ex = {
        s["student"]: next(e["points"] for e in s["exercises"] if e["id"] == EX)
        for s in data["submissions"]
    }
    assert on_ex == EXPECTED
    assert data["skipped"] == []
    assert counts(url) == {"submissions": 5, "gradings": 5, "results": 5 * N_EX}


def test_failure_reasons_are_specific(graded):
    by_student = {
        s["student"]: next(e for e in s["exercises"] if e["id"] == EX)
        for s in graded[2]["submissions"]
    }
    assert "not implemented" in by_student["bob"]["reason"]
    assert SCRIPT in by_student[HOSTILE]["reason"]  # raw in JSON; escaped in HTML (below)
    assert by_student["erin"]["status"] == "syntax_error"  # not "missing"
    assert by_student["erin"]["reason"].startswith("syntax error at line 1: expected ':'")


def test_second_run_skips_graded_submissions_and_adds_nothing(graded):
    root, url, _ = graded
    before = counts(url)
    code, out = run_cli("grade", root / "subs", "--db", url, "--json")
    data = json.loads(out)
    assert code == 0
    assert sorted(s["student"] for s in data["skipped"]) == sorted(EXPECTED)
    assert counts(url) == before


def _unmarked(submissions: list[dict]) -> list[dict]:
    return [{k: v for k, v in s.items() if k != "stored"} for s in submissions]


def test_a_rerun_reports_stored_submissions_as_the_first_run_did(graded):
    """``grade --json`` is a function of the submissions: a re-run reports every one from
    the gradebook (marked ``stored``, not graded again) exactly as the first run did."""
    root, url, first = graded
    assert [s["stored"] for s in first["submissions"]] == [False] * 5
    code, out = run_cli("grade", root / "subs", "--db", url, "--json")
    again = json.loads(out)
    assert code == 0
    assert [s["stored"] for s in again["submissions"]] == [True] * 5
    assert _unmarked(again["submissions"]) == _unmarked(first["submissions"])
    assert again["sandbox"] == {}  # nothing was graded: no sandbox started


def test_a_partial_rerun_mixes_stored_and_fresh_in_input_order(graded, tmp_path):
    root, url, first = graded
    url = copy_gradebook(url, tmp_path / "copy.db")  # bob's new submission stays out of it
    folder = tmp_path / "subs"
    folder.mkdir()
    for name in ("alice.ipynb", "bob.ipynb", "dave.py"):
        (folder / name).write_bytes((root / "subs" / name).read_bytes())
    (folder / "bob.ipynb").write_text(_solution().replace("Chapter", "Chapter (bob's)"))
    code, out = run_cli("grade", folder, "--db", url, "--json")
    data = json.loads(out)
    assert code == 0
    got = [(s["student"], s["stored"], s["points"]) for s in data["submissions"]]
    assert got == [("alice", True, FULL), ("bob", False, FULL), ("dave", True, HALF)]
    dave = next(s for s in first["submissions"] if s["student"] == "dave")
    assert _unmarked(data["submissions"])[2] == _unmarked([dave])[0]
    assert [s["student"] for s in data["skipped"]] == ["alice", "dave"]


def test_regrade_grades_again_without_duplicating(graded):
    root, url, _ = graded
    before = counts(url)
    code, out = run_cli(
        "grade", root / "subs", "--db", url, "--json", "--regrade", "--workers", "2"
    )
    data = json.loads(out)
    assert {s["student"]: s["points"] for s in data["submissions"]} == TOTALS
    assert counts(url) == before


def test_a_zip_with_a_wrapper_folder_maps_to_the_same_students(graded, tmp_path):
    root, url, _ = graded
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("alice.ipynb", "dave.py"):
            zf.write(root / "subs" / name, f"batch/{name}")
    code, out = run_cli("grade", archive, "--db", url, "--json")
    data = json.loads(out)
    assert sorted(s["student"] for s in data["skipped"]) == ["alice", "dave"]
    assert [(s["student"], s["stored"]) for s in data["submissions"]] == [
        ("alice", True),
        ("dave", True),
    ]
    assert {s["submission"] for s in data["submissions"]} == {
        "batch/alice.ipynb",
        "batch/dave.py",
    }


def test_report_json_per_student_and_per_exercise(graded):
    _, url, _ = graded
    code, out = run_cli("report", "--db", url, "--json")
    data = json.loads(out)
    assert code == 0
    assert {s: v["total"] for s, v in data["students"].items()} == TOTALS
    assert data["exercises"] == CHAPTER_IDS and sorted(data["per_exercise"]) == sorted(CHAPTER_IDS)
    stats = data["per_exercise"][EX]
    assert stats["n"] == 5 and stats["max_score"] == _EX.points
    assert stats["mean"] == pytest.approx(sum(EXPECTED.values()) / 5)
    assert (stats["min"], stats["max"], stats["full_marks"]) == (0.0, _EX.points, 1)
    # bob's untouched stub is not an attempt; the reasons are those of the attempts
    assert (stats["attempted"], stats["mean_attempted"]) == (4, (_EX.points + HALF) / 4)
    assert stats["distribution"] == [[0.0, 3], [HALF, 1], [_EX.points, 1]]
    reasons = dict(stats["failures"])
    dave = [r for r in reasons if r.startswith("output[0]: wrong value in group")]
    assert len(dave) == 1 and "buggy backward" in dave[0]  # the groups dave fails, named
    assert "correct backward" not in dave[0]  # (and not the ones he passes)
    assert reasons == {
        "raises ValueError in every case group": 1,  # carol: the group names, not her text
        "syntax error (the cell is skipped)": 1,  # erin: not "missing function"
        dave[0]: 1,  # dave: the first value of a list is wrong
    }
    assert data["hardest"][0] == EX  # the only exercise anyone attempted and got wrong
    # bins of 10 % and one for full marks: alice 100 %, dave HALF of FULL points, the rest 0
    want = [3] + [0] * 9 + [1]
    want[int(100 * HALF / FULL) // 10] += 1
    assert data["chapters"][CHAPTER]["histogram"] == want
    assert data["chapters"][CHAPTER]["totals"] == TOTALS


def test_report_text_names_students_and_reasons(graded):
    _, url, _ = graded
    code, out = run_cli("report", "--db", url)
    assert code == 0
    assert "5 students" in out and "alice" in out and "dave" in out
    assert "not implemented yet" in out and "syntax error" in out
    alice, bob = (
        next(ln for ln in out.splitlines() if ln.startswith(f"  {s} ")) for s in ("alice", "bob")
    )
    assert CHAPTER in alice and "lost" not in alice
    assert f"lost: not implemented yet: {N_EX} exercises" in bob


def test_report_html_escapes_everything_student_provided(graded, tmp_path):
    _, url, _ = graded
    out = tmp_path / "report.html"
    run_cli("report", "--db", url, "--html", out)
    pages = sorted((tmp_path / "report").glob("*.html"))
    assert len(pages) == 5
    texts = {p.name: p.read_text() for p in [out, *pages]}
    for name, text in texts.items():
        tags = html_tags(text)
        assert "script" not in [t for t, _ in tags], name
        assert not [a for _, attrs in tags for a, _ in attrs if a.startswith("on")], name
        for tag, attrs in tags:  # the plots only: inline SVG data, nothing a student wrote
            if tag == "img":
                assert sorted(dict(attrs)) == ["alt", "class", "src"], attrs
                assert dict(attrs)["src"].startswith("data:image/svg+xml;base64,"), attrs
    assert "carol&lt;img src=x onerror=alert(1)&gt;" in texts["report.html"]
    carol = next(t for n, t in texts.items() if n.startswith("carol"))
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in carol
    alice = next(t for n, t in texts.items() if n.startswith("alice"))
    assert "Feedback for alice" in alice and "dave" not in alice
    assert f"{FULL:g} / {FULL:g}" in alice


def test_export_csv_one_row_per_student(graded, tmp_path):
    _, url, _ = graded
    code, out = run_cli("export", "csv", "--db", url)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[0] == ["student", *CHAPTER_IDS, "total", "note"]
    col = rows[0].index(EX)
    assert {r[0]: (float(r[col]), float(r[-2])) for r in rows[1:]} == {
        s: (p, TOTALS[s]) for s, p in EXPECTED.items()
    }
    run_cli("export", "csv", tmp_path / "scores.csv", "--db", url)
    assert (tmp_path / "scores.csv").read_bytes() == out.encode()


def test_report_on_an_empty_gradebook_says_so(tmp_path):
    code, out = run_cli("report", "--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert code == 1 and "no results" in out


@pytest.mark.slow
def test_a_killed_run_resumes_without_loss_or_duplicates(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    n = 8
    for i in range(n):  # distinct files (hashes), all correct
        (folder / f"s{i}.ipynb").write_text(_solution().replace("Chapter", f"Chapter (copy {i})"))
    url = f"sqlite:///{tmp_path / 'gb.db'}"
    cmd = [sys.executable, "-m", "autograder.cli", "grade", str(folder), "--db", url]
    cmd.append("--no-progress")
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        stored = 0
        while time.monotonic() < deadline and proc.poll() is None:
            if (tmp_path / "gb.db").exists():
                with contextlib.suppress(sa.exc.OperationalError):
                    stored = counts(url)["gradings"]
                if stored:
                    break
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    after_kill = counts(url)
    assert 1 <= after_kill["gradings"] < n, "the run was not interrupted mid-way"
    # every stored submission is complete: results only together with their grading row
    assert after_kill["results"] == after_kill["gradings"] * N_EX

    resumed = subprocess.run(
        [*cmd[:-1], "--progress", "--json"], capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    data = json.loads(resumed.stdout)
    assert len(data["skipped"]) == after_kill["gradings"]
    fresh = [s for s in data["submissions"] if not s["stored"]]
    assert len(fresh) == n - after_kill["gradings"] and len(data["submissions"]) == n
    assert all(s["points"] == FULL for s in data["submissions"])
    assert f"{n - after_kill['gradings']}/{n - after_kill['gradings']}" in resumed.stderr
    assert counts(url) == {"submissions": n, "gradings": n, "results": n * N_EX}


def test_a_submission_of_another_chapter_is_told_which_chapter_it_looks_like(tmp_path):
    """``grade --chapter`` on another chapter's notebook: no exercise of the named chapter is
    defined, and a note says which chapter the file's functions belong to."""
    from autograder import notebooks

    path = tmp_path / "02_norm.ipynb"
    path.write_text(notebooks.dumps(notebooks.solution_notebook("02_norm")))
    code, out = run_cli("grade", path, "--chapter", "04_losses", "--no-db", "--json")
    [result] = json.loads(out)["submissions"]
    assert code == 0 and result["points"] == 0 and result["chapter"] == "04_losses"
    assert any("did you submit the 02_norm notebook?" in n for n in result["notes"])
    code, text = run_cli("grade", path, "--chapter", "04_losses", "--no-db")
    assert "note: This assignment is chapter 04_losses" in text
