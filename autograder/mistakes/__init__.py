"""Known mistakes: named wrong implementations of exercises, kept with the instructor material.

Each chapter module here (``autograder/mistakes/<topic>.py``) declares, per exercise, the
mistakes students (and the seed notes, see ``ERRATA.md``) make::

    @mistake("losses.kl_div", "kl-swapped-arguments", anchor="mistake-kl-swapped",
             sentence="You computed KL(q||p): ... Fix: ...")
    def kl_div__swapped(input, target, *, reduction="mean", log_target=False):
        ...  # the wrong code, with the reference's signature

* ``id``: short, unique across the course (it is what the gradebook's ``results.mistake``
  column and the case dicts carry);
* ``sentence``: one sentence naming the misconception and its fix, fixed text (it is shown on
  hidden cases too, so it never contains anything a student controls);
* ``anchor``: the chapter's "Common mistakes" entry that shows it (a MyST target
  ``(anchor)=`` on one of ``chapters/<chapter>/*.md``); :attr:`Mistake.link` is its path on
  the built site;
* the wrong implementation: same signature as the reference, driven exactly like it. It may call
  the reference through ``_correct.<name>`` (``from solutions import <topic> as _correct``), so
  that the same source, pasted after a student's correct notebook, is a realistic wrong
  submission (see :func:`as_submission`).

This package is instructor material: it is never copied into a student bundle
(:mod:`autograder.release` bundles a fixed list of modules) and never rendered on the site. A
bundle carries only each mistake's id, sentence, link and its outputs on the public cases
(:mod:`autograder.public`), which is all :mod:`autograder.diagnosis` needs in ``check()``.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from autograder.registry import CHAPTERS


@dataclass(frozen=True)
class Mistake:
    """One declared mistake of one exercise (see the module docstring)."""

    id: str
    exercise: str
    sentence: str
    anchor: str
    wrong: Callable

    @property
    def chapter(self) -> str:
        return CHAPTERS[self.exercise.split(".", 1)[0]]

    @property
    def page(self) -> str:
        """The chapter page (``chapters/<chapter>/<page>.md``) that holds the anchor."""
        return _page_of(self.chapter, self.anchor)

    @property
    def link(self) -> str:
        """The Common-mistakes entry on the built site, relative to the site's root."""
        return f"chapters/{self.chapter}/{self.page}.html#{self.anchor}"


#: The course's chapters (a repository checkout; an install without them links to index).
CHAPTER_DIR = Path(__file__).resolve().parents[2] / "chapters"


@cache
def _page_of(chapter: str, anchor: str) -> str:
    target = f"({anchor})="
    for page in sorted((CHAPTER_DIR / chapter).glob("*.md")):
        if any(line.strip() == target for line in page.read_text(encoding="utf-8").splitlines()):
            return page.stem
    return "index"


_DECLARED: list[Mistake] = []
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def mistake(exercise: str, id: str, *, sentence: str, anchor: str):
    """Declare the decorated function or class as the wrong implementation ``id`` of
    ``exercise`` (returned unchanged)."""
    if not ID.match(id):
        raise ValueError(f"mistake id {id!r}: use lower-case words joined by '-'")
    sentence = " ".join(sentence.split())
    if not sentence.endswith("."):
        raise ValueError(f"mistake {id!r}: the sentence must be one full sentence ending in '.'")

    def register(wrong):
        _DECLARED.append(Mistake(id, exercise, sentence, anchor, wrong))
        return wrong

    return register


@cache
def all_mistakes() -> tuple[Mistake, ...]:
    """Every declared mistake, chapter modules in name order, then declaration order."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{info.name}")
    seen: dict[str, Mistake] = {}
    for m in _DECLARED:
        if m.id in seen and seen[m.id] is not m:
            where = f"{seen[m.id].exercise}, {m.exercise}"
            raise ValueError(f"mistake id {m.id!r} declared twice ({where})")
        seen[m.id] = m
    return tuple(seen.values())


def for_exercise(exercise_id: str) -> list[Mistake]:
    return [m for m in all_mistakes() if m.exercise == exercise_id]


def get(mistake_id: str) -> Mistake | None:
    return next((m for m in all_mistakes() if m.id == mistake_id), None)


def as_submission(m: Mistake, function: str) -> str:
    """Python source that, appended after a notebook defining every function of the chapter
    correctly, replaces ``function`` by this mistake's wrong implementation: the module's
    code without its imports of the reference and of this package (``_correct.<name>`` reads
    the notebook's own, correct, definitions), then ``function = <wrong>``."""
    module = inspect.getmodule(m.wrong)
    source = inspect.getsource(module)
    tree = ast.parse(source)
    lines = source.splitlines()
    used = sorted(set(re.findall(r"_correct\.(\w+)", source)))
    out = [
        "import math",
        "import types",
        "import numpy as np",
        "_correct = types.SimpleNamespace(" + ", ".join(f"{n}={n}" for n in used) + ")",
    ]
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = ast.get_source_segment(source, node) or ""
            if "solutions" in names or "autograder" in names or "__future__" in names:
                continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        out.append("\n".join(lines[node.lineno - 1 : node.end_lineno]))  # decorators dropped
    out.append(f"{function} = {m.wrong.__name__}")
    return "\n\n".join(out) + "\n"
