"""Sphinx extension: equation, figure, exercise and theorem numbers restart in every chapter.

Sphinx numbers "enumerable" nodes (figures, tables, code blocks, display equations with
``math_numfig``, sphinx-exercise's exercises, sphinx-proof's propositions) with one counter
for the whole book unless the table of contents is section-numbered, so chapter 1 started at
equation (10). This extension runs after Sphinx's own numbering (``env-get-updated``) and
renumbers every page under ``chapters/NN_topic/`` as ``NN.k``: chapter 5's equations are
(5.1), (5.2), ..., its figures Fig. 5.1, ..., with one counter per kind and chapter, in
reading order (a chapter split into several pages keeps counting across its pages). Pages
outside ``chapters/`` keep Sphinx's numbers.
"""

from __future__ import annotations

import re

CHAPTER_DOC = re.compile(r"^chapters/(\d+)_[^/]+/")


def chapter_of(docname: str) -> int | None:
    """The chapter number of a page (``chapters/05_optimizers/index`` -> 5), else None."""
    match = CHAPTER_DOC.match(docname)
    return int(match.group(1)) if match else None


def reading_order(env) -> list[str]:
    """Documents in table-of-contents order (depth first from the root document)."""
    order: list[str] = []
    seen: set[str] = set()

    def walk(doc: str) -> None:
        if doc in seen:
            return
        seen.add(doc)
        order.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(env.config.root_doc)
    order += sorted(doc for doc in env.toc_fignumbers if doc not in seen)
    return order


def renumber_per_chapter(app, env) -> list[str]:
    counters: dict[tuple[int, str], int] = {}
    changed = []
    for docname in reading_order(env):
        chapter = chapter_of(docname)
        kinds = env.toc_fignumbers.get(docname)
        if chapter is None or not kinds:
            continue
        before = {kind: dict(ids) for kind, ids in kinds.items()}
        for kind, ids in kinds.items():
            count = counters.get((chapter, kind), 0)
            # Sphinx's numbers grow in reading order: sorting by them keeps the page's order.
            for node_id, _ in sorted(ids.items(), key=lambda item: item[1]):
                count += 1
                ids[node_id] = (chapter, count)
            counters[(chapter, kind)] = count
        if kinds != before:
            changed.append(docname)
    return changed


def setup(app):
    # after sphinx.environment.collectors.toctree (priority 500) has assigned its numbers
    app.connect("env-get-updated", renumber_per_chapter, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
