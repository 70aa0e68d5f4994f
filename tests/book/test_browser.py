"""Every page as a reader sees it: headless Chromium (the system's Debian build, driven by
playwright), 1280 px wide, MathJax finished, served offline.

A chapter page fails on: a Markdown table left as text (a paragraph holding a ``|---|`` row),
a table wider than the text column (or than the scroll container the theme puts it in, which
hides its right part) or a table cell whose content spills over the cell's edge, a display
equation wider than the text column (cut off, scrolled or over its number), more than
``MAX_OVERFLOWING_CODE`` code boxes whose lines hide behind a horizontal scroll bar, TeX left
unrendered (or a MathJax error), a page wider than the window, a console or page error, a
failed or 4xx/5xx request, and any request to another host. The audit itself is
``scripts/book_browser.py`` (also behind ``make book-shots``); the first test below shows it
on a page made to have each defect, so that it cannot pass by seeing nothing.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
from PIL import Image

from tests.book.conftest import ROOT, SCREENSHOTS, chapter_page_documents

sys.path.insert(0, str(ROOT / "scripts"))
import book_browser  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]

#: A couple of listings may keep a long line (a signature); more is a page to fix.
MAX_OVERFLOWING_CODE = 2


@pytest.fixture(scope="module")
def site(book):
    assert book.returncode == 0, book.output[-3000:]
    with book_browser.serve(book.html) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    pytest.importorskip("playwright.sync_api")
    if not book_browser.CHROMIUM.exists():
        pytest.fail("the system Chromium (/usr/bin/chromium) is missing: run `make system`")
    with book_browser.chromium() as chromium:
        yield chromium


DEFECTS_PAGE = r"""<!doctype html>
<html><head><meta charset="utf-8"><script src="mathjax/tex-chtml.js"></script></head>
<body><main><article class="bd-article" style="width: 600px; font-size: 16px">
<p>| exercise | points |
|---|---|</p>
<div class="math" id="equation-wide"><span class="eqno" style="float: right">(1)</span>
\[ a_1 + a_2 + a_3 + a_4 + a_5 + a_6 + a_7 + a_8 + a_9 + a_{10} + a_{11} + a_{12} + a_{13}
   + a_{14} + a_{15} + a_{16} + a_{17} + a_{18} + a_{19} + a_{20} + a_{21} + a_{22} \]</div>
<div class="math" id="equation-fits"><span class="eqno" style="float: right">(2)</span>
\[ y = \gamma \hat x + \beta + \text{smooth\_l1} \]</div>
<pre style="overflow: auto">short line
LONG_LINE
</pre>
<pre style="overflow: auto">fits</pre>
<p>a literal smooth\_l1 and \frac{a}{b} that MathJax never saw</p>
<div style="overflow-x: auto"><table><tr><td>wide-table</td>
<td style="white-space: nowrap">LONG_LINE</td></tr></table></div>
<table style="table-layout: fixed; width: 300px"><tr><td style="width: 100px">
<code style="white-space: nowrap">clipped_cell_holds_a_long_identifier_that_cannot_wrap</code></td>
<td>2</td></tr></table>
<table><tr><td>fitting table</td><td>3</td></tr></table>
</article></main></body></html>
""".replace("LONG_LINE", "total = " + " + ".join(f"x{i}" for i in range(60)))


def test_the_audit_sees_each_defect(book, browser, tmp_path):
    """A page with one raw table, one too-wide equation, one overflowing listing, raw TeX, one
    table wider than the column and one table with a clipped cell (and a fitting equation,
    listing and table) is measured as exactly that."""
    assert book.returncode == 0, book.output[-3000:]
    (tmp_path / "mathjax").symlink_to(book.html / "_static" / "mathjax")
    (tmp_path / "defects.html").write_text(DEFECTS_PAGE)
    with book_browser.serve(tmp_path) as url:
        page, problems, remote = book_browser.open_page(browser, url, "defects.html")
        page.wait_for_selector("mjx-container", state="attached", timeout=30_000)
        result = book_browser.audit(page)
        page.close()
    assert problems == [] and remote == []
    assert result["display_equations"] == 2
    assert [eq["id"] for eq in result["cut_equations"]] == ["equation-wide"]
    assert len(result["raw_table_rows"]) == 1
    assert result["code_boxes"] == 2 and len(result["overflowing_code"]) == 1
    assert any("smooth" in tex for tex in result["raw_tex"])
    assert any("\\frac" in tex for tex in result["raw_tex"])
    assert any(tex.startswith("TeX in") for tex in result["raw_tex"])  # \text{smooth\_l1}
    assert result["html_tables"] == 3
    assert len(result["wide_tables"]) == 1 and "wide-table" in result["wide_tables"][0]
    assert len(result["clipped_cells"]) == 1 and "clipped_cell" in result["clipped_cells"][0]


def source_of(doc: str) -> str:
    path = ROOT / f"{doc}.md"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def has_math(doc: str) -> bool:
    return "$" in source_of(doc) or "{math}" in source_of(doc) or doc == "intro"


def check_page(site, browser, doc: str) -> tuple[dict, list[str]]:
    page, problems, remote = book_browser.open_page(browser, site, f"{doc}.html")
    if has_math(doc):
        page.wait_for_selector("mjx-container", state="attached", timeout=30_000)
    result = book_browser.audit(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{book_browser.shot_name(doc) if '/' in doc else doc}.png"
    page.screenshot(path=str(shot))
    page.close()
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    defects = problems + [f"request to another host: {url}" for url in remote]
    if pixels.std() <= 10:
        defects.append(f"{shot} looks blank (pixel std {pixels.std():.1f})")
    if (pixels < 128).mean() <= 0.005:
        defects.append(f"{shot} has almost no dark pixels (no text?)")
    return result, defects


def test_home_page_renders_offline_with_math_and_no_errors(site, browser):
    result, defects = check_page(site, browser, "intro")
    assert defects == [], "\n".join(defects)
    assert result["raw_tex"] == [], result["raw_tex"]


@pytest.mark.parametrize("doc", chapter_page_documents())
def test_chapter_renders_cleanly(site, browser, doc):
    result, defects = check_page(site, browser, doc)
    defects += [f"raw Markdown table row: {row}" for row in result["raw_table_rows"]]
    defects += [
        f"display equation {eq['id']} is {eq['width']} px wide in a {eq['column']} px column"
        f" (equation number {eq['number']} px): {eq['tex']}"
        for eq in result["cut_equations"]
    ]
    defects += [f"table wider than the text column: {line}" for line in result["wide_tables"]]
    defects += [f"table cell clipped: {line}" for line in result["clipped_cells"]]
    if len(result["overflowing_code"]) > MAX_OVERFLOWING_CODE:
        defects += [f"code box overflows: {line}" for line in result["overflowing_code"]]
    defects += [f"unrendered TeX: {tex}" for tex in result["raw_tex"]]
    if result["page_overflow"]:
        defects.append("the page is wider than the 1280 px window")
    source = source_of(doc)
    if result["display_equations"] == 0 and ("$$" in source or "{math}" in source):
        defects.append("no display equation was typeset")
    if result["html_tables"] == 0 and "exercise_table(" in source:
        defects.append("no table (the graded-exercise table is missing or left as text)")
    if os.environ.get("BOOK_AUDIT_VERBOSE"):
        print(doc, result)
    assert defects == [], f"{doc}:\n" + "\n".join(defects)


def exercise_table_pages() -> list[str]:
    return [doc for doc in chapter_page_documents() if "exercise_table(" in source_of(doc)]


EXERCISE_TABLE_JS = """() => {
  const article = document.querySelector("article.bd-article");
  const style = getComputedStyle(article);
  const right = article.getBoundingClientRect().right - parseFloat(style.paddingRight);
  return [...document.querySelectorAll("table.exercise-table")].map((table) => ({
    overhang: table.getBoundingClientRect().right - right,
    clipped: [...table.querySelectorAll("td, th")]
      .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
      .map((cell) => cell.textContent.trim().slice(0, 60)),
  }));
}"""


@pytest.mark.parametrize("doc", exercise_table_pages())
def test_exercise_table_fits_a_phone(site, browser, doc):
    """The graded-exercise table, which every chapter has, still fits the column at 390 px
    with no cell clipped: the name and the signature wrap, the points stay visible."""
    page, problems, remote = book_browser.open_page(
        browser, site, f"{doc}.html", book_browser.PHONE
    )
    tables = page.evaluate(EXERCISE_TABLE_JS)
    page.close()
    assert problems == [] and remote == []
    assert len(tables) == 1, f"{doc}: {len(tables)} tables of class exercise-table"
    assert tables[0]["overhang"] <= 1, f"{doc}: {tables[0]['overhang']:.0f} px past the column"
    assert tables[0]["clipped"] == [], f"{doc}: clipped cells {tables[0]['clipped']}"
