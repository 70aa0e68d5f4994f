"""The website starts a student the right way: the student bundle is a download of the built
site, the landing page and every chapter's exercises page link to it and show its two commands
(the ones the bundle's own README gives), and nothing a reader needs tells them to clone the
repository or run the test suite (that is the instructor page's business).

Whether those two commands work in a fresh virtual environment is
``tests/autograder/test_bundle_venv.py`` (the same ``autograder.release`` writes both zips).
"""

from __future__ import annotations

import re
import zipfile
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from autograder import registry
from autograder.release import commands
from tests.book.conftest import ROOT, toc_documents
from tests.book.test_build import PageParser, page_path

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]

ZIP_NAME = "course-exercises.zip"


def source(doc: str) -> str:
    return (ROOT / f"{doc}.md").read_text(encoding="utf-8")


def setup_pages() -> dict[str, str]:
    """Each page that must offer the bundle -> the chapter whose notebook its commands open."""
    chapters = sorted(set(registry.CHAPTERS.values()))
    pages = {"intro": chapters[0]}
    for chapter in chapters:
        docs = [d for d in toc_documents() if d.startswith(f"chapters/{chapter}/")]
        with_table = [d for d in docs if "exercise_table(" in source(d)]
        assert with_table, f"chapters/{chapter}: no page holds the graded-exercise table"
        pages[with_table[0]] = chapter
    return pages


def bundle_links(book, doc: str) -> list[Path]:
    path = page_path(book, doc)
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return [
        (path.parent / unquote(urlsplit(url).path)).resolve()
        for url in parser.links
        if urlsplit(url).path.endswith(ZIP_NAME)
    ]


def page_text(book, doc: str) -> str:
    html = page_path(book, doc).read_text(encoding="utf-8")
    return unescape(re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize("doc", sorted(setup_pages()))
def test_page_links_the_bundle_and_gives_its_two_commands(book, doc):
    assert book.returncode == 0, book.output[-3000:]
    links = bundle_links(book, doc)
    assert links, f"{doc}: no link to {ZIP_NAME}"
    for target in links:
        assert target.is_file(), f"{doc}: the link to {target} does not resolve"
        assert book.html in target.parents, f"{doc}: {target} is outside the site"
    text = page_text(book, doc)
    for line in commands(setup_pages()[doc]).splitlines():
        command = line.partition("  #")[0].strip()  # the README's command, without its comment
        assert command in text, f"{doc}: the command {command!r} is not on the page"


def test_the_site_serves_the_student_bundle(book):
    zips = sorted(book.html.glob(f"_downloads/*/{ZIP_NAME}"))
    assert len(zips) == 1, f"want one {ZIP_NAME} under _downloads/, found {zips}"
    with zipfile.ZipFile(zips[0]) as zf:
        names = set(zf.namelist())
        readme = zf.read("course-exercises/README.md").decode()
    chapters = sorted({e.chapter for e in registry.all_exercises()})
    for chapter in chapters:
        assert f"course-exercises/chapters/{chapter}/exercises.ipynb" in names, chapter
        assert chapter in readme
    assert "course-exercises/pyproject.toml" in names
    assert commands(chapters[0]).splitlines()[0] in readme
    leaked = [n for n in names if n.startswith("course-exercises/solutions/")]
    leaked += [n for n in names if n.endswith(("/grade.py", "/sandbox.py", "/worker.py"))]
    assert leaked == [], f"the student bundle holds grading code: {leaked}"
    assert zips[0].stat().st_size < 3 * 2**20, "the bundle should stay under 3 MB"


def test_no_reader_page_says_clone_or_make_test(book):
    told = []
    for doc in toc_documents():
        if doc == "instructor":
            continue
        text = page_text(book, doc)
        for phrase in ("make test", "git clone", "clone of the course repository"):
            if phrase in text:
                told.append(f"{doc}: {phrase!r}")
    assert told == [], "pages a student reads send them to the repository:\n" + "\n".join(told)


def test_the_instructor_page_is_built_and_linked_from_the_landing_page(book):
    assert "instructor" in toc_documents()
    assert page_path(book, "instructor").exists()
    links = PageParser()
    links.feed(page_path(book, "intro").read_text(encoding="utf-8"))
    assert any(urlsplit(u).path.endswith("instructor.html") for u in links.links)
