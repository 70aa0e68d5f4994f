"""Sphinx extension: ``teaching-code``, the package's own code at teaching size.

    ```{teaching-code} ../../solutions/metrics.py
    :pyobject: confusion_matrix
    ```

shows the function (or class, or ``Class.method``) exactly as ``solutions/`` runs it, read
from the file at build time, minus what does not carry the idea:

* docstrings (the page states the formula in its own words, with a derivation);
* argument checks: an ``if`` (or ``elif``/``else`` chain) whose branches only ``raise`` or
  ``warnings.warn``, and a bare ``raise`` or ``warnings.warn(...)`` statement;
* an assignment whose name only those checks read (``n_in = w.shape[1]`` for a shape check);
* lines between ``# book: hide`` and ``# book: show`` comments (for anything else).

Every line shown is a line of the file, in order; the caption says what was left out. Only
whole statements are dropped, so what is shown still reads as Python.
"""

from __future__ import annotations

import ast
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.directives.code import container_wrapper
from sphinx.util.docutils import SphinxDirective

HIDE, SHOW = "# book: hide", "# book: show"


def _find(tree: ast.Module, dotted: str) -> ast.AST:
    scope: list[ast.stmt] = tree.body
    found: ast.AST | None = None
    for name in dotted.split("."):
        found = next(
            (
                node
                for node in scope
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and node.name == name
            ),
            None,
        )
        if found is None:
            raise ValueError(f"pyobject {dotted!r}: no {name!r} found")
        scope = found.body
    return found


def _is_warn(node: ast.stmt) -> bool:
    if not isinstance(node, ast.Expr) or not isinstance(node.value, ast.Call):
        return False
    func = node.value.func
    return (isinstance(func, ast.Attribute) and func.attr == "warn") or (
        isinstance(func, ast.Name) and func.id == "warn"
    )


def _only_checks(body: list[ast.stmt]) -> bool:
    """A block that only raises or warns (an ``elif`` chain counts when every branch does)."""
    for stmt in body:
        if isinstance(stmt, ast.Raise) or _is_warn(stmt):
            continue
        if isinstance(stmt, ast.If) and _only_checks(stmt.body) and _only_checks(stmt.orelse):
            continue
        return False
    return True


def _dropped(node: ast.AST) -> set[int]:
    """1-based line numbers of docstrings and argument checks inside ``node``."""
    drop: set[int] = set()

    def span(stmt: ast.AST) -> range:
        start = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
        return range(start, stmt.end_lineno + 1)

    def visit_body(body: list[ast.stmt], owner_is_def: bool) -> None:
        for index, stmt in enumerate(body):
            is_docstring = (
                owner_is_def
                and index == 0
                and isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
            )
            if is_docstring or isinstance(stmt, ast.Raise) or _is_warn(stmt):
                drop.update(span(stmt))
            elif isinstance(stmt, ast.If) and _only_checks(stmt.body) and _only_checks(stmt.orelse):
                drop.update(span(stmt))
            else:
                visit(stmt)

    def visit(stmt: ast.AST) -> None:
        is_def = isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        for field in ("body", "orelse", "finalbody"):
            block = getattr(stmt, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                visit_body(block, is_def and field == "body")
        for handler in getattr(stmt, "handlers", []):
            visit_body(handler.body, False)

    visit(node)
    return drop | _feeds_only_checks(node, drop)


def _feeds_only_checks(node: ast.AST, drop: set[int]) -> set[int]:
    """Lines of ``name = ...`` statements whose name is read only by dropped checks (e.g.
    ``n_in = w.shape[1]`` kept for ``if x.shape[1] != n_in: raise``): shown alone they would be
    dead code."""
    loads: dict[str, set[bool]] = {}  # name -> {read on a dropped line?}
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load):
            loads.setdefault(inner.id, set()).add(inner.lineno in drop)
    extra: set[int] = set()
    for inner in ast.walk(node):
        if (
            isinstance(inner, ast.Assign)
            and inner.lineno not in drop
            and len(inner.targets) == 1
            and isinstance(inner.targets[0], ast.Name)
            and loads.get(inner.targets[0].id) == {True}
        ):
            extra.update(range(inner.lineno, inner.end_lineno + 1))
    return extra


def teaching_source(path: Path, pyobject: str) -> tuple[str, list[str]]:
    """The object's source without docstrings, argument checks and hidden lines, and the
    names of what was left out (for the caption)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    node = _find(ast.parse(text), pyobject)
    start = min([node.lineno] + [d.lineno for d in node.decorator_list])
    drop = _dropped(node)
    docstrings = _docstring_spans(node)
    omitted = ["docstring"] if drop & docstrings else []
    if drop - docstrings:
        omitted.append("argument checks")
    kept, hidden = [], False
    for number in range(start, node.end_lineno + 1):
        line = lines[number - 1]
        if line.strip() == HIDE:
            hidden = True
            if "bookkeeping" not in omitted:
                omitted.append("bookkeeping")
            continue
        if line.strip() == SHOW:
            hidden = False
            continue
        if hidden or number in drop:
            continue
        if not line.strip() and kept and kept[-1].rstrip().endswith(":"):
            continue  # the blank line after a dropped docstring
        kept.append(line)
    indent = min((len(x) - len(x.lstrip()) for x in kept if x.strip()), default=0)
    return "\n".join(x[indent:] for x in kept).rstrip() + "\n", omitted


def _docstring_spans(node: ast.AST) -> set[int]:
    found: set[int] = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and inner.body:
            first = inner.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                if isinstance(first.value.value, str):
                    found.update(range(first.lineno, first.end_lineno + 1))
    return found


class TeachingCode(SphinxDirective):
    required_arguments = 1
    has_content = False
    option_spec = {"pyobject": directives.unchanged_required, "caption": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        relative, path = self.env.relfn2path(self.arguments[0])
        self.env.note_dependency(relative)
        pyobject = self.options["pyobject"]
        try:
            code, omitted = teaching_source(Path(path), pyobject)
        except (OSError, SyntaxError, ValueError) as error:
            return [self.state.document.reporter.warning(str(error), line=self.lineno)]
        block = nodes.literal_block(code, code, language="python")
        block["classes"].append("teaching-code")
        self.set_source_info(block)
        shown = "/".join(Path(self.arguments[0]).parts[-2:])
        caption = self.options.get("caption") or f"`{pyobject}` in `{shown}`" + (
            f" ({' and '.join(omitted)} omitted)" if omitted else ""
        )
        return [container_wrapper(self, block, caption)]


def setup(app):
    app.add_directive("teaching-code", TeachingCode)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
