"""Look at the built book the way a reader does: headless Chromium, MathJax finished.

Shared by ``tests/book/test_browser.py`` (which fails on render defects) and ``make
book-shots`` (``python scripts/book_browser.py``: screenshots of every chapter at desktop
and phone width plus a table of what the audit measured on each page).

``audit(page)`` measures, inside the page's main article:

* ``raw_table_rows``: paragraphs holding a Markdown table row such as ``|---|---|`` (a table
  that was rendered as text);
* ``display_equations`` / ``cut_equations``: display equations, and those wider than the
  text column (less the room of their equation number), i.e. cut off, scrolled or
  overlapping their number;
* ``overflowing_code``: code boxes (listings and cell outputs) whose text is wider than the
  box, i.e. lines hidden behind a horizontal scroll bar;
* ``wide_tables`` / ``clipped_cells``: tables wider than the text column or than the box
  that holds them (the theme puts a table in a container that scrolls, so its right part is
  hidden at the column's edge), and table cells whose content is wider than the cell;
* ``raw_tex``: TeX left as text (``\\frac``, ``\\_``, ``$$``) outside code, and MathJax errors;
* ``figures`` / ``captions``: images in the article and figure captions.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: Generous: the machine that runs the tests may be busy (2 cores shared by many jobs).
TIMEOUT_MS = 120_000

AUDIT_JS = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const article = document.querySelector("article.bd-article") || document.querySelector("main")
    || document.body;
  const describe = (el) => (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 90);

  const rawTableRows = [...article.querySelectorAll("p, li")]
    // smart quotes turn the "---" of a raw row into an em dash
    .filter((p) => /\|\s*:?(-{3,}|[\u2014\u2013]+):?\s*\|/.test(p.textContent))
    .map(describe);

  const equations = [...article.querySelectorAll('mjx-container[display="true"]')];
  const cut = [];
  for (const eq of equations) {
    const block = eq.closest("div.math") || eq.parentElement;
    const math = eq.querySelector("mjx-math");
    if (!math) continue;
    const column = block.getBoundingClientRect();
    const style = getComputedStyle(block);
    const left = column.left + parseFloat(style.paddingLeft);
    const right = column.right - parseFloat(style.paddingRight);
    const box = math.getBoundingClientRect();
    const eqno = block.querySelector(".eqno");
    const numberRoom = eqno ? eqno.getBoundingClientRect().width : 0;
    const tooWide = box.width > right - left - numberRoom + 1;
    const outside = box.left < left - 1 || box.right > right + 1;
    const scrolls = eq.scrollWidth > eq.clientWidth + 1 || block.scrollWidth > block.clientWidth + 1;
    if (tooWide || outside || scrolls) {
      cut.push({id: block.id || "", width: Math.round(box.width),
                column: Math.round(right - left), number: Math.round(numberRoom),
                tex: (block.getAttribute("data-tex") || describe(block)).slice(0, 90)});
    }
  }

  const boxes = new Set(article.querySelectorAll("pre"));
  const overflowing = [...boxes]
    .filter((pre) => pre.scrollWidth > pre.clientWidth + 1)
    .map((pre) => {
      const longest = pre.textContent.split("\n").reduce((a, b) => (b.length > a.length ? b : a), "");
      return `${pre.scrollWidth}px in ${pre.clientWidth}px: ${longest.trim().slice(0, 70)}`;
    });

  // Tables: the text column is the article's content box; a table (or the scroll container
  // the theme wraps it in) wider than that, or a cell whose content spills over its edge,
  // hides part of the table.
  const articleBox = article.getBoundingClientRect();
  const articleStyle = getComputedStyle(article);
  const columnLeft = articleBox.left + parseFloat(articleStyle.paddingLeft);
  const columnRight = articleBox.right - parseFloat(articleStyle.paddingRight);
  const wideTables = [];
  const clippedCells = [];
  for (const table of article.querySelectorAll("table")) {
    const box = table.getBoundingClientRect();
    if (box.width === 0) continue;  // hidden (e.g. a collapsed cell)
    const holder = table.parentElement;
    const scrolls = holder && holder !== article && getComputedStyle(holder).overflowX !== "visible"
      && holder.scrollWidth > holder.clientWidth + 1;
    const outside = box.left < columnLeft - 1 || box.right > columnRight + 1;
    if (scrolls || outside) {
      wideTables.push(`${Math.round(Math.max(box.width, holder ? holder.scrollWidth : 0))}px`
        + ` in ${Math.round(columnRight - columnLeft)}px: ${describe(table).slice(0, 70)}`);
    }
    for (const cell of table.querySelectorAll("td, th")) {
      const cellBox = cell.getBoundingClientRect();
      let spill = cell.scrollWidth > cell.clientWidth + 1;
      for (const child of cell.querySelectorAll("*")) {
        const r = child.getBoundingClientRect();
        if (r.width > 0 && (r.right > cellBox.right + 1 || r.left < cellBox.left - 1)) spill = true;
      }
      if (spill) {
        clippedCells.push(`${Math.round(cell.scrollWidth)}px in ${Math.round(cell.clientWidth)}px: `
          + describe(cell).slice(0, 70));
      }
    }
  }

  const rawTex = [];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const skip = "pre, code, script, style, mjx-container, .highlight, .MathJax, textarea";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    const match = node.textContent.match(/\\[A-Za-z]{2,}|\\[_{}()\[\]]|\$\$/);
    if (match) rawTex.push(`${match[0]} in "${node.textContent.trim().slice(0, 80)}"`);
  }
  // \text{smooth\_l1}: MathJax's text mode shows the backslash literally
  for (const text of article.querySelectorAll("mjx-assistive-mml mtext")) {
    if (/\\[A-Za-z_{}]/.test(text.textContent)) rawTex.push(`TeX in \\text{}: ${text.textContent}`);
  }
  for (const err of article.querySelectorAll("mjx-merror")) {
    rawTex.push(`MathJax error: ${err.getAttribute("data-mjx-error") || describe(err)}`);
  }
  for (const block of article.querySelectorAll("div.math, span.math")) {
    if (!block.querySelector("mjx-container")) rawTex.push(`not typeset: ${describe(block)}`);
  }

  const images = [...article.querySelectorAll("img")].filter((img) => /\.(png|svg|jpe?g)$/.test(img.src));
  return {
    display_equations: equations.length,
    cut_equations: cut,
    raw_table_rows: rawTableRows,
    html_tables: article.querySelectorAll("table").length,
    wide_tables: wideTables,
    clipped_cells: clippedCells,
    code_boxes: boxes.size,
    overflowing_code: overflowing,
    raw_tex: rawTex,
    figures: images.length,
    captions: article.querySelectorAll("figure figcaption").length,
    page_overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
  };
}
"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on a free local port; yields the base URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium():
    """The system's headless Chromium, driven by playwright."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing: run `make system`")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, site: str, path: str, viewport: dict = DESKTOP):
    """Load ``site/path``; returns (page, problems, remote requests) once MathJax is done.

    ``problems`` collects console errors, page errors, failed requests and HTTP errors,
    ``remote`` every request to a host other than the local server."""
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    remote: list[str] = []

    def on_console(message):
        # a failed load is reported, with its URL, by the "response" handler
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console.error: {message.text}")

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"HTTP {response.status}: {response.url}")

    def on_request(request):
        if not request.url.startswith((site, "data:", "blob:", "about:")):
            remote.append(request.url)

    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("console", on_console)
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.on("response", on_response)
    page.on("request", on_request)
    page.goto(f"{site}/{path}", wait_until="load")
    page.evaluate(
        "async () => { if (window.MathJax?.startup?.promise) await MathJax.startup.promise; }"
    )
    try:  # late requests (MathJax fonts) are still recorded; a busy machine may never idle
        page.wait_for_load_state("networkidle", timeout=15_000)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError; the page is usable
        pass
    return page, problems, remote


def audit(page) -> dict:
    return page.evaluate(AUDIT_JS)


def chapter_pages() -> list[str]:
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    docs = [toc["root"]]
    for part in toc.get("parts", []):
        for entry in part.get("chapters", []):
            docs.append(entry["file"])
            docs += [sub["file"] for sub in entry.get("sections", [])]
    return [doc for doc in docs if doc.startswith("chapters/")]


def shot_name(doc: str) -> str:
    parts = doc.split("/")
    return parts[1] if parts[-1] == "index" else f"{parts[1]}-{parts[-1]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=HTML, help="the built site (_build/html)")
    parser.add_argument("--out", type=Path, default=SCREENSHOTS, help="where PNGs are written")
    parser.add_argument("--viewport-only", action="store_true", help="first screen, not full page")
    args = parser.parse_args(argv)
    if not (args.html / "intro.html").exists():
        parser.error(f"--html {args.html}: no built book there (run `make book` first)")
    args.out.mkdir(parents=True, exist_ok=True)
    header = (
        f"{'page':<28}{'eqs':>5}{'cut':>5}{'raw tbl':>8}{'wide tbl':>9}{'code>':>7}{'tex':>5}"
        f"{'figs':>6}{'capt':>6}"
    )
    print(header)
    failures = 0
    with serve(args.html) as site, chromium() as browser:
        for doc in chapter_pages():
            for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                page, problems, remote = open_page(browser, site, f"{doc}.html", viewport)
                result = audit(page)
                shot = args.out / f"{shot_name(doc)}-{label}.png"
                page.screenshot(path=str(shot), full_page=not args.viewport_only)
                page.close()
                if label != "desktop":
                    continue
                print(
                    f"{shot_name(doc):<28}{result['display_equations']:>5}"
                    f"{len(result['cut_equations']):>5}{len(result['raw_table_rows']):>8}"
                    f"{len(result['wide_tables']) + len(result['clipped_cells']):>9}"
                    f"{len(result['overflowing_code']):>7}{len(result['raw_tex']):>5}"
                    f"{result['figures']:>6}{result['captions']:>6}"
                )
                for eq in result["cut_equations"]:
                    print(f"    cut equation {eq['id']}: {eq['width']}px in {eq['column']}px"
                          f" (number {eq['number']}px): {eq['tex']}")
                for line in result["overflowing_code"]:
                    print(f"    code box {line}")
                for line in result["wide_tables"]:
                    print(f"    table wider than the column: {line}")
                for line in result["clipped_cells"]:
                    print(f"    table cell clipped: {line}")
                for line in result["raw_tex"] + result["raw_table_rows"] + problems + remote:
                    print(f"    {line}")
                failures += bool(problems or remote)
    print(f"screenshots in {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
