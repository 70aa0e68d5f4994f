"""The graded-exercise table that every chapter page shows (``scripts/book_helpers.py``):
one row per registry exercise of the chapter with its points and the signature to implement,
the total, and a layout that cannot be wider than the text column (two columns, the
signature under the name). The browser test measures the rendered width; this one reads the
HTML the helper returns, without a build."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser

import pytest

from autograder import registry
from tests.book.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import book_helpers  # noqa: E402

#: The (module, chapter) pairs the chapter pages pass to exercise_table(), read from the pages.
CALL = re.compile(r'exercise_table\("(\w+)", "(\w+)"\)')


def table_calls() -> list[tuple[str, str]]:
    calls = {
        match.groups()
        for page in sorted((ROOT / "chapters").glob("*/*.md"))
        for match in CALL.finditer(page.read_text(encoding="utf-8"))
    }
    return sorted(calls, key=lambda call: call[1])


class Table(HTMLParser):
    """Rows of cells (text per cell, and the classes of the cell's code elements)."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[dict]] = []
        self.header: list[str] = []
        self.cell: dict | None = None
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "thead":
            self.in_head = True
        elif tag == "tr" and not self.in_head:
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = {"text": "", "code": {}}
        elif tag == "code" and self.cell is not None:
            self.cell["current"] = attrs.get("class", "")
            self.cell["code"][self.cell["current"]] = ""

    def handle_endtag(self, tag):
        if tag == "thead":
            self.in_head = False
        elif tag in ("td", "th") and self.cell is not None:
            if self.in_head:
                self.header.append(self.cell["text"])
            else:
                self.rows[-1].append(self.cell)
            self.cell = None
        elif tag == "code" and self.cell is not None:
            self.cell.pop("current", None)

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data
            if "current" in self.cell:
                self.cell["code"][self.cell["current"]] += data


def parse(module: str, chapter: str) -> Table:
    html = book_helpers.exercise_table(module, chapter).data
    table = Table()
    table.feed(html)
    return table


def test_every_chapter_page_with_exercises_has_a_table_call():
    chapters = {chapter for _, chapter in table_calls()}
    assert chapters == {e.chapter for e in registry.all_exercises()}


@pytest.mark.parametrize("module, chapter", table_calls())
def test_table_lists_the_registry_with_points_and_signatures(module, chapter):
    table = parse(module, chapter)
    expected = registry.exercises_for_chapter(chapter)
    assert len(table.header) == 2, "two columns: the exercise (name, signature under it), points"
    *rows, total = table.rows
    assert [row[0]["code"]["exercise-id"] for row in rows] == [e.id for e in expected]
    for row, exercise in zip(rows, expected, strict=True):
        assert len(row) == 2
        signature = row[0]["code"]["exercise-signature"]
        assert signature.startswith(f"{exercise.function}("), signature
        assert "<class" not in signature  # a type default reads as its name
        assert float(row[1]["text"]) == exercise.points
    assert total[0]["text"] == "total"
    assert float(total[1]["text"]) == pytest.approx(sum(e.points for e in expected))


def test_signatures_are_escaped(monkeypatch):
    """A signature with ``<``, ``&`` or quotes is shown as text, not read as markup."""
    signature = "f(x: list[int] | None = None, op='<' & '>')"
    monkeypatch.setattr(book_helpers, "exercise_rows", lambda m, c: [("m.f", signature, "2")])
    table = parse("m", "00_m")
    assert table.rows[0][0]["code"]["exercise-signature"] == signature
    assert table.rows[-1][1]["text"] == "2"
