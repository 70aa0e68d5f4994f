"""The class report as an instructor meets it, through the CLI: a class of ten over two
chapters (``tests/autograder/classroom.py``) graded into a gradebook, then ``report``,
``report --json`` and ``report --html`` (looked at in headless Chromium), and a submission
with a syntax error named by its notebook cell and line everywhere (``grade``, ``grade
--verbose`` from the stored details without grading again, the reports, the HTML pages).

Expected scores come from the corpus files' own ``# EXPECT`` lines, not from the code under
test."""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from autograder import cli, registry
from autograder.gradebook import Row
from tests.autograder.classroom import CORPUS, HOSTILE, PLAN, SCRIPT, write_class

ROOT = Path(__file__).resolve().parents[2]
KL = "losses.kl_div"


def run_cli(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue()


def _expect(chapter: str, bug: str) -> dict:
    text = (CORPUS / chapter / f"{bug}.py").read_text()
    return json.loads(re.search(r"# EXPECT: (\{.*\})", text).group(1))


def expected_scores() -> dict[str, dict[str, float]]:
    """Each student's score per exercise, from the plan and the corpus's EXPECT lines."""
    out = {}
    for student, chapter, bugs in PLAN:
        exs = registry.exercises_for_chapter(chapter)
        if bugs is None:  # the stub
            out[student] = {e.id: 0.0 for e in exs}
            continue
        scores = {e.id: float(e.points) for e in exs}
        for bug in bugs:
            scores.update(_expect(chapter, bug))
        if student == "hal":
            scores[KL] = 0.0
        out[student] = scores
    return out


EXPECTED = expected_scores()


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    facts = write_class(root / "subs")
    url = f"sqlite:///{root / 'gradebook.db'}"
    code, out = run_cli("grade", root / "subs", "--db", url, "--json", "--workers", "2")
    assert code == 0
    return root, url, facts, json.loads(out)


def _where(facts) -> str:
    return f"in cell {facts['broken_cell']} (In [7]), line {facts['broken_line']}"


# ------------------------------------------------------------------ grading and numbers


def test_the_class_scores_what_the_corpus_says(classroom):
    *_, graded = classroom
    got = {
        s["student"]: {e["id"]: e["points"] for e in s["exercises"]} for s in graded["submissions"]
    }
    assert got.keys() == EXPECTED.keys()
    for student, scores in EXPECTED.items():
        assert got[student] == pytest.approx(scores, abs=1e-5), student


def test_report_json_per_chapter_and_hardest_exercises(classroom):
    _, url, _, _ = classroom
    code, out = run_cli("report", "--db", url, "--json")
    data = json.loads(out)
    assert code == 0
    students = data["students"]
    for student, chapter, _ in PLAN:
        assert students[student]["chapters"] == [chapter]
        assert students[student]["total"] == pytest.approx(sum(EXPECTED[student].values()))
    for chapter in ("03_activations", "04_losses"):
        c = data["chapters"][chapter]
        points = sum(e.points for e in registry.exercises_for_chapter(chapter))
        assert (c["students"], c["max"]) == (5, points)
        mine = [s for s, ch, _ in PLAN if ch == chapter]
        pct = [100 * sum(EXPECTED[s].values()) / points for s in mine]
        want = [0] * 11
        for p in pct:
            want[10 if p == 100 else int(p // 10)] += 1
        assert c["histogram"] == want, chapter
    # kl_div: fay and ivy wrong, hal's does not parse, gus right, the hostile stub untouched
    kl = data["per_exercise"][KL]
    assert (kl["n"], kl["attempted"], kl["full_marks"], kl["syntax_errors"]) == (5, 4, 1, 1)
    assert kl["distribution"] == [[0.0, 4], [1.0, 1]]
    assert data["hardest"][0] == KL  # 1 of 4 attempts right: lower than any other
    # the sign error (ERRATA) is diagnosed by name; the syntax error is the other reason
    assert kl["mistakes"] == [["kl-sign", 2, 0.4]]
    assert dict(kl["failures"]) == {"syntax error (the cell is skipped)": 1}
    # every exercise some attempt got wrong is among the hardest, and only those
    lost = {ex for s in EXPECTED.values() for ex, p in s.items() if p < registry.get(ex).points}
    stubs = {s for s, _, bugs in PLAN if bugs is None}
    wrong = {
        ex
        for s, scores in EXPECTED.items()
        if s not in stubs
        for ex, p in scores.items()
        if p < registry.get(ex).points
    }
    wrong.add("losses.l1_loss")  # the hostile stub's one attempt: it raises
    assert set(data["hardest"]) == wrong and wrong < lost
    # the stub students lost everything, as "not implemented yet", not as mistakes
    assert {x["why"] for x in students["ben"]["lost"]} == {"not implemented yet"}
    assert data["diagnosis"] is True
    sign = next(d for d in data["mistakes"] if d["mistake"] == "kl-sign")
    assert (sign["exercise"], sign["students"], sign["share"]) == (KL, 2, 0.4)
    assert sign["sentence"] and sign["link"].startswith("chapters/04_losses/")
    assert "#err-kl-sign" in sign["link"]


def test_report_text_says_chapter_and_what_each_student_lost(classroom):
    _, url, facts, _ = classroom
    code, out = run_cli("report", "--db", url)
    assert code == 0
    lines = {ln.split()[0]: ln for ln in out.splitlines() if ln.startswith("  ") and ln.split()}
    assert "03_activations" in lines["ada"] and "lost" not in lines["ada"]
    assert "lost: not implemented yet: 40 exercises" in lines["ben"]
    assert "04_losses" in lines["fay"] and "lost: kl_div 0/1 (kl-sign)" in lines["fay"]
    assert f"kl_div 0/1 (syntax error {_where(facts)})" in lines["hal"]
    assert (
        "lost: binary_cross_entropy 0/1 (bce-positive-term-only), kl_div 0/1 (kl-sign)"
        in (lines["ivy"])
    )
    hardest = out.split("Hardest exercises")[1]
    assert hardest.splitlines()[2].split()[0] == KL


# ------------------------------------------------------------------ syntax errors


def test_grade_names_the_cell_and_line_of_a_syntax_error(classroom):
    *_, facts, graded = classroom
    hal = next(s for s in graded["submissions"] if s["student"] == "hal")
    kl = next(e for e in hal["exercises"] if e["id"] == KL)
    assert kl["status"] == "syntax_error"  # counted as such, not as a missing function
    assert kl["reason"].startswith(f"syntax error {_where(facts)}: expected ':'")
    assert "in `def kl_div(input, target, *, reduction=" in kl["reason"]
    assert kl["reason"].endswith("the cell is skipped, so kl_div is not defined")
    assert any(n.startswith(f"syntax error {_where(facts)}") for n in hal["notes"])


def test_grade_verbose_shows_stored_details_without_grading_again(classroom):
    root, url, facts, _ = classroom
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        before = conn.execute(sa.text("SELECT id, graded_at FROM results ORDER BY id")).all()
    subs = root / "subs"
    code, out = run_cli("grade", subs / "hal.ipynb", subs / "dee.ipynb", "--db", url, "--verbose")
    with engine.connect() as conn:
        after = conn.execute(sa.text("SELECT id, graded_at FROM results ORDER BY id")).all()
    engine.dispose()
    assert code == 0 and before == after  # nothing graded again, nothing written
    assert "Sandbox:" not in out  # no sandbox started
    assert out.count("(stored: graded earlier)") == 2
    assert f"✗ {KL}" in out and f"syntax error {_where(facts)}" in out
    # dee's log_softmax without the max subtraction: each failing group once, with its cases
    dee = out.split("dee.ipynb")[1]
    assert "✗ extreme (hidden): 2 of 2 cases fail: NaN or inf where the answer is finite" in dee
    assert "✓ activations.sigmoid" in dee  # --verbose lists full marks too
    assert "2 submission(s) already in the gradebook" in out and "shown as stored" in out


def test_check_names_the_cell_too(classroom, capsys):
    root, _, facts, _ = classroom
    code = cli.main(["check", str(root / "subs" / "hal.ipynb"), "--exercise", "losses.l1_loss"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"note: syntax error {_where(facts)}: expected ':'" in out
    assert "it defines kl_div" in out


# ------------------------------------------------------------------ item analysis


def _row(student, score, cases, mistake_on_case=None):
    cases = [dict(c) for c in cases]
    if mistake_on_case:
        for c in cases:
            if not c["ok"]:
                c["mistake"] = mistake_on_case
    return Row(student, "s.ipynb", "0" * 64, "04_losses", KL, score, 1.0, "graded", "", cases, "v")


def test_item_analysis_counts_diagnosed_mistakes_apart_from_other_reasons(tmp_path):
    """The diagnosis is read from a failing case's ``mistake`` id when present: counted per
    mistake (share of the students), left out of the undiagnosed reasons; without any
    ``mistake`` key the reports have no mistake column at all."""
    from autograder import summary

    bad = [
        {"name": "basic-1", "group": "basic", "hidden": False, "ok": False, "reason": "x"},
        {"name": "more-1", "group": "more", "hidden": True, "ok": False, "reason": "y"},
    ]
    good = [dict(c, ok=True) for c in bad]
    rows = [
        _row("a", 0.0, bad, "kl_swapped_arguments"),
        _row("b", 0.0, bad, "kl_swapped_arguments"),
        _row("c", 0.0, bad, "kl_wrong_sign"),
        _row("d", 0.0, bad),  # wrong, undiagnosed
        _row("e", 1.0, good),
    ]
    data = summary.summarize(rows)
    kl = data["per_exercise"][KL]
    assert kl["mistakes"] == [["kl_swapped_arguments", 2, 0.4], ["kl_wrong_sign", 1, 0.2]]
    assert kl["failures"] == [("wrong value in every case group", 1)]  # d only
    assert data["diagnosis"] is True
    assert data["mistakes"][0] == {
        "exercise": KL,
        "mistake": "kl_swapped_arguments",
        "students": 2,
        "share": 0.4,
        "sentence": "",  # an id this grader does not declare: no text, no link
        "link": "",
    }
    assert [x["mistake"] for x in data["students"]["a"]["lost"]] == ["kl_swapped_arguments"]
    paths = summary.write_html(data, tmp_path / "r.html", grader_version="v")
    index = paths[0].read_text()
    assert "Diagnosed mistakes" in index and "kl_swapped_arguments</strong>: 2 (40 %)" in index
    page = next(p for p in paths if p.name.startswith("a-")).read_text()
    assert "Known mistake <strong>kl_swapped_arguments</strong>:" in page
    # the gradebook without any diagnosis: no column, no section
    plain = summary.summarize([_row("d", 0.0, bad), _row("e", 1.0, good)])
    assert plain["diagnosis"] is False
    summary.write_html(plain, tmp_path / "p.html", grader_version="v")
    assert "Diagnosed" not in (tmp_path / "p.html").read_text()


# ------------------------------------------------------------------ the HTML in Chromium


@pytest.fixture(scope="module")
def html_report(classroom):
    root, url, _, _ = classroom
    code, _ = run_cli("report", "--db", url, "--html", root / "report.html")
    assert code == 0
    return root


@pytest.fixture(scope="module")
def browser():
    pytest.importorskip("playwright.sync_api")
    sys.path.insert(0, str(ROOT / "scripts"))
    import book_browser

    if not book_browser.CHROMIUM.exists():
        pytest.fail("the system Chromium (/usr/bin/chromium) is missing: run `make system`")
    with book_browser.chromium() as chromium:
        yield book_browser, chromium


PAGE_FACTS_JS = """() => ({
  scripts: document.querySelectorAll("script").length,
  images: [...document.images].map((i) => ({src: i.src.slice(0, 30), w: i.naturalWidth,
                                            done: i.complete})),
  text: document.body.innerText,
  links: [...document.querySelectorAll("a")].map((a) => a.getAttribute("href")),
  overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
})"""


@pytest.mark.slow
def test_the_html_report_in_chromium(html_report, browser, classroom):
    """Every page renders offline: no console or page error, no request to another host,
    every plot decoded, no script and no image but the plots, the hostile id and the HTML
    exception message shown as text; screenshots for a person to look at."""
    book_browser, chromium = browser
    *_, facts, _ = classroom
    shots = book_browser.SCREENSHOTS
    shots.mkdir(parents=True, exist_ok=True)
    pages = ["report.html"] + [
        f"report/{p.name}" for p in sorted((html_report / "report").glob("*.html"))
    ]
    assert len(pages) == 11
    seen = {}
    with book_browser.serve(html_report) as site:
        for path in pages:
            page, problems, remote = book_browser.open_page(chromium, site, path)
            got = page.evaluate(PAGE_FACTS_JS)
            assert problems == [] and remote == [], (path, problems, remote)
            # an injected <img src=x onerror=...> would be an image that is not a data: plot
            assert got["scripts"] == 0, path
            assert all(i["done"] and i["w"] > 0 for i in got["images"]), (path, got["images"])
            assert all(i["src"].startswith("data:image/svg+xml") for i in got["images"]), path
            assert not got["overflow"], path
            seen[path] = got
            name = "index" if path == "report.html" else path.split("/")[1].split("-")[0][:12]
            if name in ("index", "hal", "dee", "zoe_img_src_", "ben", "fay"):
                page.screenshot(path=str(shots / f"class-report-{name}.png"), full_page=True)
            page.close()
        # on a phone the wide tables scroll inside themselves, not the page
        page, problems, remote = book_browser.open_page(
            chromium, site, "report.html", book_browser.PHONE
        )
        assert problems == [] and remote == [] and not page.evaluate(PAGE_FACTS_JS)["overflow"]
        page.screenshot(path=str(shots / "class-report-index-phone.png"))
        page.close()
    index = seen["report.html"]
    # the class histogram and the hardest-exercise chart, plus one small chart per hard one
    assert len(index["images"]) >= 2 + 1
    assert HOSTILE in index["text"]  # the id as text, not as an element
    assert "Hardest exercises" in index["text"] and "Total scores" in index["text"]
    assert all(href.startswith("report/") for href in index["links"])
    zoe = next(v for k, v in seen.items() if k.startswith("report/zoe"))
    assert SCRIPT in zoe["text"] and HOSTILE in zoe["text"]
    hal = next(v for k, v in seen.items() if k.startswith("report/hal"))
    assert f"syntax error {_where(facts)}: expected ':'" in hal["text"]
    fay = next(v for k, v in seen.items() if k.startswith("report/fay"))
    from autograder import diagnosis

    sign = diagnosis.describe("kl-sign")
    assert f"Known mistake kl-sign: {sign.sentence}" in fay["text"]
    assert sign.link in fay["text"]  # the Common-mistakes entry (no --site: its path)
    ben = next(v for k, v in seen.items() if k.startswith("report/ben"))
    assert ben["text"].count("not implemented yet") == 1  # once, not once per case


def test_a_reason_names_the_failing_groups_unambiguously():
    from autograder import summary

    cases = [
        {"name": "a-1", "group": "eval", "hidden": False, "ok": False, "reason": "x"},
        {"name": "b-1", "group": "eval, zeros", "hidden": True, "ok": False, "reason": "x"},
        {"name": "c-1", "group": "basic", "hidden": False, "ok": True, "reason": ""},
    ]
    row = _row("a", 0.0, cases)
    assert summary.failure_reason(row) == "wrong value in groups eval; eval, zeros"
    plain = [dict(c, group=g) for c, g in zip(cases, ["eval", "zeros", "basic"], strict=True)]
    assert summary.failure_reason(_row("a", 0.0, plain)) == "wrong value in groups eval, zeros"
