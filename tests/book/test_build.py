"""The built website: no warnings, every chapter complete, offline, no broken links."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.book.conftest import ROOT, chapter_documents, toc_chapters, toc_documents

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]

EXPECTED_CHAPTERS = [
    "00_backprop",
    "01_init",
    "02_norm",
    "03_activations",
    "04_losses",
    "05_optimizers",
    "06_regularization",
    "07_metrics",
    "08_ensembles",
    "09_capstone",
    "10_shapes",
]


class PageParser(HTMLParser):
    """Collects ids, links, loaded resources, images and math of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.loads: list[tuple[str, str]] = []  # (tag, url) of things the browser fetches
        self.images: list[str] = []
        self.math = 0
        self.errors = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("script", "img", "iframe", "source", "video", "audio") and attrs.get("src"):
            self.loads.append((tag, attrs["src"]))
        if tag == "link" and attrs.get("href"):
            self.loads.append((tag, attrs["href"]))
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        classes = (attrs.get("class") or "").split()
        if "math" in classes:
            self.math += 1
        if "traceback" in classes or "ipythontb" in classes or "stderr" in classes:
            self.errors += 1


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def page_path(book, doc: str) -> Path:
    return book.html / f"{doc}.html"


def html_pages(book) -> list[Path]:
    return [p for p in book.html.rglob("*.html") if "_static" not in p.parts]


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc) or url.startswith("//")


def test_book_builds_without_warnings(book):
    assert book.returncode == 0, book.output[-4000:]
    assert book.warnings == [], "\n".join(book.warnings)


def test_toc_lists_the_nine_chapters():
    assert [doc.split("/")[1] for doc in chapter_documents()] == EXPECTED_CHAPTERS


#: Chapters split into section pages (d2l-style), each page in reading order.
SPLIT_CHAPTERS = {
    "03_activations": [
        "index",
        "sigmoid-tanh",
        "relu-and-gates",
        "softmax",
        "definitions",
        "mistakes",
        "graded-exercises",
    ],
    "04_losses": [
        "index",
        "regression",
        "likelihood",
        "classification",
        "margin",
        "mistakes",
        "graded-exercises",
    ],
    "05_optimizers": [
        "index",
        "gradient-descent",
        "adaptive",
        "trajectories",
        "schedules",
        "mistakes",
        "graded-exercises",
    ],
    "07_metrics": [
        "index",
        "precision-recall",
        "roc-auc",
        "average-precision",
        "definitions",
        "mistakes",
        "graded-exercises",
    ],
}


def test_long_chapters_are_split_into_section_pages():
    pages = {doc.split("/")[1]: docs for doc, docs in toc_chapters().items() if "/" in doc}
    for chapter, names in SPLIT_CHAPTERS.items():
        assert pages[chapter] == [f"chapters/{chapter}/{name}" for name in names]
        for name in names:
            assert (ROOT / "chapters" / chapter / f"{name}.md").is_file(), f"{chapter}/{name}.md"


@pytest.mark.parametrize("doc", chapter_documents())
def test_chapter_has_math_figures_and_exercises(book, doc):
    """Over all the chapter's pages (one, or the index and its sections)."""
    math, figures, ids, links = 0, [], set(), []
    for page_doc in toc_chapters()[doc]:
        path = page_path(book, page_doc)
        assert path.exists(), f"{page_doc} was not built"
        page = parse(path)
        assert page.errors == 0, f"{page_doc}: an executed cell printed an error or to stderr"
        math += page.math
        figures += [src for src in page.images if src.endswith((".png", ".svg", ".jpg"))]
        ids |= page.ids
        links += page.links
    assert math >= 5, f"{doc}: only {math} math elements"
    assert len(figures) >= 2, f"{doc}: {len(figures)} figures, want >= 2 executed plots"
    assert "exercises" in ids, f"{doc}: no 'Exercises' section"
    assert "common-mistakes" in ids, f"{doc}: no 'Common mistakes' section"
    if (ROOT / doc).parent.joinpath("exercises.ipynb").exists():
        downloads = [u for u in links if "_downloads/" in u and u.endswith("exercises.ipynb")]
        assert downloads, f"{doc}: the chapter's exercises.ipynb is not linked for download"


def test_every_page_loads_only_local_resources(book):
    remote = []
    for path in html_pages(book):
        for tag, url in parse(path).loads:
            if is_external(url) and not url.startswith("data:"):
                remote.append(f"{path.relative_to(book.html)}: <{tag}> {url}")
    assert remote == [], "pages load from other hosts:\n" + "\n".join(remote)


def test_mathjax_is_vendored(book):
    for doc in toc_documents():
        page = parse(page_path(book, doc))
        if page.math == 0:
            continue  # Sphinx loads MathJax only on pages with math
        loads = [url for tag, url in page.loads if tag == "script"]
        mathjax = [url for url in loads if "mathjax" in url.lower()]
        assert mathjax, f"{doc}: no MathJax script"
        for url in mathjax:
            local = (page_path(book, doc).parent / urlsplit(url).path).resolve()
            assert local.is_file(), f"{doc}: MathJax at {url} is missing"


def test_internal_links_resolve(book):
    ids: dict[Path, set[str]] = {}
    broken = []
    for path in html_pages(book):
        for url in parse(path).links:
            if is_external(url) or url.startswith(("mailto:", "javascript:")):
                continue
            parts = urlsplit(url)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(book.html)}: {url} (no file)")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = parse(target).ids
                if unquote(parts.fragment) not in ids[target]:
                    broken.append(f"{path.relative_to(book.html)}: {url} (no anchor)")
    assert broken == [], "broken internal links:\n" + "\n".join(broken)


def test_bibliography_cites_the_original_papers(book):
    text = page_path(book, "bibliography").read_text(encoding="utf-8")
    for author in ["Glorot", "Ioffe", "Kingma", "Loshchilov", "Izmailov", "Goodfellow"]:
        assert author in text, f"bibliography does not list {author}"


class FigureParser(HTMLParser):
    """The images of a page, whether each sits in a <figure>, and each figure's number."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # open <figure> elements
        self.in_number = False
        self.bare_images: list[str] = []
        self.numbers: list[str] = []
        self.figures = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure":
            self.depth += 1
            self.figures += 1
            self.numbers.append("")
        elif tag == "img" and self.depth == 0:
            self.bare_images.append(attrs.get("src", ""))
        elif tag == "span" and "caption-number" in (attrs.get("class") or "").split():
            self.in_number = self.depth > 0

    def handle_endtag(self, tag):
        if tag == "figure":
            self.depth -= 1
        elif tag == "span":
            self.in_number = False

    def handle_data(self, data):
        if self.in_number:
            self.numbers[-1] += data


def test_every_figure_has_a_caption_numbered_per_chapter(book):
    """Every image on a chapter page is a figure with a caption numbered ``Fig. N.k``, k
    counting 1, 2, ... through the chapter's pages in reading order."""
    problems = []
    for chapter, docs in toc_chapters().items():
        if not chapter.startswith("chapters/"):
            continue
        number = int(chapter.split("/")[1].split("_")[0])
        seen: list[str] = []
        for doc in docs:
            page = FigureParser()
            page.feed(page_path(book, doc).read_text(encoding="utf-8"))
            problems += [f"{doc}: image without a caption: {src}" for src in page.bare_images]
            problems += [f"{doc}: a figure without a number" for n in page.numbers if not n.strip()]
            seen += [n.strip() for n in page.numbers if n.strip()]
        want = [f"Fig. {number}.{k}" for k in range(1, len(seen) + 1)]
        if seen != want:
            problems.append(f"{chapter}: figure numbers {seen}, want {want}")
    assert problems == [], "\n".join(problems)
