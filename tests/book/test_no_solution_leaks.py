"""No graded exercise's reference code appears anywhere on the website.

For every exercise (from ``autograder.registry``, plus every function or class of
``solutions/``, private helpers included, that is not a worked example), the body lines of its
reference source are reduced to fragments (two consecutive non-trivial lines; a lone line for
one-line bodies) and searched for in the text of every html/ipynb/txt/js/md/json file under
``_build/html`` (pages, ``_sources``, ``_downloads``, the search index), after stripping HTML
tags and collapsing whitespace so that syntax-highlighted code matches too. ``_static/`` is
skipped: it holds only theme and extension assets (31 MB, mostly the vendored MathJax), copied
verbatim, never generated from the book's content.
"""

from __future__ import annotations

import ast
import html
import importlib
import inspect
import json
import pkgutil
import re
import textwrap
from functools import cache
from pathlib import Path

import pytest

import solutions

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]

TEXT_SUFFIXES = {".html", ".ipynb", ".txt", ".js", ".md", ".json", ".py"}
TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")
#: Lines too generic to identify a solution on their own.
TRIVIAL = {
    "else:",
    "try:",
    "finally:",
    "pass",
    "continue",
    "break",
    "return",
    "return self",
    "return None",
    "raise NotImplementedError",  # abstract methods, and the stubs of the student notebooks
    "raise NotImplementedError()",
    ")",
    "]",
    "}",
}
MIN_LINE = 12
MIN_LONE_LINE = 20


def normalize(text: str) -> str:
    return SPACE.sub(" ", text).strip()


def solution_modules() -> list:
    names = [m.name for m in pkgutil.iter_modules(solutions.__path__) if not m.name.startswith("_")]
    return [importlib.import_module(f"solutions.{name}") for name in sorted(names)]


def declared_worked_examples() -> list[tuple[object, str]]:
    return [
        (module, name)
        for module in solution_modules()
        for name in getattr(module, "__worked_examples__", [])
    ]


def worked_examples() -> list:
    return [
        getattr(module, name)
        for module, name in declared_worked_examples()
        if hasattr(module, name)
    ]


def registry_references() -> list:
    try:
        registry = importlib.import_module("autograder.registry")
    except ImportError:
        return []
    found = []
    for exercise in registry.all_exercises():
        for attribute in ("reference", "function"):
            value = getattr(exercise, attribute, None)
            if callable(value):
                found.append(value)
            elif isinstance(value, str):
                module = importlib.import_module(f"solutions.{str(exercise.id).split('.')[0]}")
                if hasattr(module, value):
                    found.append(getattr(module, value))
    return found


def exercise_objects() -> list:
    shown = {id(obj) for obj in worked_examples()}
    objects = {id(obj): obj for obj in registry_references()}
    for module in solution_modules():
        for name, obj in vars(module).items():
            # private helpers too: a public exercise may be a thin wrapper around one
            if name.startswith("__") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj) or inspect.isclass(obj):
                objects[id(obj)] = obj
    return [obj for key, obj in objects.items() if key not in shown]


def bodies(obj) -> list[list[str]]:
    """Stripped source lines of each body (docstring excluded) of a function or class's methods."""
    source = textwrap.dedent(inspect.getsource(obj))
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError:  # not a plain def/class: treat every line as body (stricter)
        return [[line.strip() for line in lines[1:]]]
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring (formula, arguments, example) is not the solution
        if body:
            body_lines = lines[body[0].lineno - 1 : body[-1].end_lineno]
            found.append([line.strip() for line in body_lines])
    return found


def code_of(line: str) -> str:
    """The stripped line without an inline comment, so that a worked example that annotates a
    line shared with an exercise (``rows = f(x)  # why``) still exempts that shared line."""
    stripped = line.strip()
    return stripped if stripped.startswith("#") else stripped.split("  #", 1)[0].rstrip()


def nontrivial(line: str) -> bool:
    return len(line) >= MIN_LINE and line not in TRIVIAL and not line.startswith(('"""', 'r"""'))


def fragments(obj) -> set[str]:
    found = set()
    for raw in bodies(obj):
        for lines in (raw, [code_of(line) for line in raw]):  # as written, and without comments
            found |= line_fragments(lines)
    return found


def line_fragments(lines: list[str]) -> set[str]:
    pairs = {
        normalize(f"{a} {b}")
        for a, b in zip(lines, lines[1:], strict=False)
        if nontrivial(a) and nontrivial(b)
    }
    if pairs:
        return pairs
    lone = [line for line in lines if len(line) >= MIN_LONE_LINE and nontrivial(line)]
    return {normalize(lone[0])} if len(lone) == 1 else set()  # a one-line body is the solution


def file_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        raw = html.unescape(TAG.sub("", raw))
    elif path.suffix == ".ipynb":
        notebook = json.loads(raw)
        parts = []
        for cell in notebook.get("cells", []):
            parts.append("".join(cell.get("source", "")))
            for output in cell.get("outputs", []):
                parts.append("".join(output.get("text", "")))
                for value in output.get("data", {}).values():
                    parts.append("".join(value) if isinstance(value, list) else str(value))
        raw = "\n".join(parts)
    return normalize(raw)


@cache
def site_text(html_dir: Path) -> dict[str, str]:
    return {
        str(path.relative_to(html_dir)): file_text(path)
        for path in sorted(html_dir.rglob("*"))
        if path.is_file()
        and path.suffix in TEXT_SUFFIXES
        and path.relative_to(html_dir).parts[0] != "_static"
    }


def test_the_matcher_finds_worked_examples(book):
    """Worked examples are included on the site: the matcher must find them (else it is blind)."""
    assert book.returncode == 0, book.output[-3000:]
    missing = [f"{m.__name__}.{n}" for m, n in declared_worked_examples() if not hasattr(m, n)]
    assert missing == [], f"__worked_examples__ names that do not exist: {missing}"
    texts = site_text(book.html)
    for obj in worked_examples():
        found = [f for f in fragments(obj) if any(f in text for text in texts.values())]
        assert found, f"{obj.__qualname__} is a worked example but no fragment was found"


def test_no_exercise_solution_appears_on_the_site(book):
    assert book.returncode == 0, book.output[-3000:]
    texts = site_text(book.html)
    allowed = set().union(*(fragments(obj) for obj in worked_examples()))
    corpus = "\0".join(texts.values())  # one search per fragment; find the file only on a hit
    leaks = []
    for obj in exercise_objects():
        for fragment in fragments(obj) - allowed:
            if fragment not in corpus:
                continue
            for name, text in texts.items():
                if fragment in text:
                    leaks.append(f"{obj.__module__}.{obj.__qualname__} in {name}: {fragment!r}")
    assert leaks == [], "reference solution code on the website:\n" + "\n".join(leaks[:40])


def mistake_objects() -> list:
    """Every function and class of the known mistakes (``autograder/mistakes/``): the wrong
    implementations and their helpers, instructor material that never goes on the site."""
    try:
        mistakes = importlib.import_module("autograder.mistakes")
    except ImportError:
        return []
    modules = {inspect.getmodule(m.wrong) for m in mistakes.all_mistakes()}
    return [
        obj
        for module in sorted(modules, key=lambda m: m.__name__)
        for obj in vars(module).values()
        if (inspect.isfunction(obj) or inspect.isclass(obj))
        and getattr(obj, "__module__", None) == module.__name__
    ]


def test_no_known_mistake_code_appears_on_the_site(book):
    assert book.returncode == 0, book.output[-3000:]
    objects = mistake_objects()
    assert len(objects) >= 40
    corpus = "\0".join(site_text(book.html).values())
    shared = set().union(*(fragments(obj) for obj in worked_examples()))  # correct code
    leaks = [
        f"{obj.__module__}.{obj.__qualname__}: {fragment!r}"
        for obj in objects
        for fragment in fragments(obj) - shared
        if fragment in corpus
    ]
    assert leaks == [], "known-mistake code on the website:\n" + "\n".join(leaks[:40])

