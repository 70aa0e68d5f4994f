"""Every entry of references.bib is cited somewhere in the book, and every citation exists."""

from __future__ import annotations

import re

from tests.book.conftest import ROOT, toc_documents

ENTRY = re.compile(r"^@\w+\{([^,\s]+),", re.MULTILINE)
#: {cite}`a,b`, {cite:t}`a`, {cite:p}`a; b` (MyST roles)
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")


def bib_keys() -> set[str]:
    return set(ENTRY.findall((ROOT / "references.bib").read_text(encoding="utf-8")))


def cited_keys() -> set[str]:
    keys: set[str] = set()
    for doc in toc_documents():
        text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
        for group in CITE.findall(text):
            keys |= {key.strip() for key in re.split(r"[,;]", group) if key.strip()}
    return keys


def test_the_patterns_see_a_citation_and_an_entry():
    assert CITE.findall("see {cite}`a2020,b2021` and {cite:t}`c`") == ["a2020,b2021", "c"]
    assert ENTRY.findall("@article{kingma2015,\n  title = {Adam}\n}") == ["kingma2015"]


def test_every_reference_is_cited():
    uncited = sorted(bib_keys() - cited_keys())
    assert uncited == [], f"references.bib entries cited nowhere (cite or remove them): {uncited}"


def test_every_citation_has_an_entry():
    missing = sorted(cited_keys() - bib_keys())
    assert missing == [], f"cited but not in references.bib: {missing}"
