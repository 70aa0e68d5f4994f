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

With ``:region: NAME`` only the lines from a ``# book: begin NAME`` comment inside the object
to ``# book: end NAME`` (or to the object's end) are shown, e.g. the body of a function whose
signature is longer than its idea; the caption then names the parameters. Marker comments are
never shown.

Every line shown is a line of the file, in order; the caption says what was left out. Only
whole statements are dropped, so what is shown still reads as Python.

``python scripts/book_code.py`` lists every listing the chapters include, with its shown line
count and width (``tests/book/test_book_code.py`` holds them to teaching size).
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.directives.code import container_wrapper
from sphinx.util.docutils import SphinxDirective

HIDE, SHOW = "# book: hide", "# book: show"
BEGIN, END = "# book: begin", "# book: end"
MARKER = "# book:"


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


def teaching_source(
    path: Path, pyobject: str, region: str | None = None
) -> tuple[str, list[str]]:
    """The object's source without docstrings, argument checks and hidden lines (only its
    ``region``, if given), and the names of what was left out (for the caption)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    node = _find(ast.parse(text), pyobject)
    start = min([node.lineno] + [d.lineno for d in node.decorator_list])
    end = node.end_lineno
    omitted = []
    if region is not None:
        start, end = _region(lines, start, end, pyobject, region)
        omitted.append("signature")
    shown = set(range(start, end + 1))
    drop = _dropped(node) & shown
    docstrings = _docstring_spans(node)
    if drop & docstrings or (region is not None and docstrings - shown):
        omitted.append("docstring")
    if drop - docstrings:
        omitted.append("argument checks")
    kept, hidden = [], False
    for number in range(start, end + 1):
        line = lines[number - 1]
        if line.strip() == HIDE:
            hidden = True
            if "bookkeeping" not in omitted:
                omitted.append("bookkeeping")
            continue
        if line.strip() == SHOW:
            hidden = False
            continue
        if hidden or number in drop or line.strip().startswith(MARKER):
            continue
        if not line.strip() and kept and kept[-1].rstrip().endswith(":"):
            continue  # the blank line after a dropped docstring
        if not line.strip() and not kept:
            continue  # a blank line opening a region
        kept.append(line)
    indent = min((len(x) - len(x.lstrip()) for x in kept if x.strip()), default=0)
    return "\n".join(x[indent:] for x in kept).rstrip() + "\n", omitted


def _region(lines: list[str], start: int, end: int, pyobject: str, name: str) -> tuple[int, int]:
    """First and last line numbers strictly inside ``# book: begin NAME`` ... ``# book: end
    NAME`` (or the object's last line) within lines ``start..end``."""
    begin = [n for n in range(start, end + 1) if lines[n - 1].strip() == f"{BEGIN} {name}"]
    if len(begin) != 1:
        raise ValueError(
            f"pyobject {pyobject!r}: expected one '{BEGIN} {name}' comment, found {len(begin)}"
        )
    stop = next(
        (n for n in range(begin[0], len(lines) + 1) if lines[n - 1].strip() == f"{END} {name}"),
        None,
    )
    return begin[0] + 1, end if stop is None or stop > end + 1 else stop - 1


def call_signature(path: Path, pyobject: str) -> str:
    """``name(a, b, *, c)``: the parameter names of a function (``self`` left out), for the
    caption of a region that leaves the signature out."""
    node = _find(ast.parse(path.read_text(encoding="utf-8")), pyobject)
    if isinstance(node, ast.ClassDef):
        return node.name
    args = node.args
    names = [a.arg for a in args.posonlyargs + args.args if a.arg not in ("self", "cls")]
    if args.vararg:
        names.append(f"*{args.vararg.arg}")
    elif args.kwonlyargs:
        names.append("*")
    names += [a.arg for a in args.kwonlyargs]
    if args.kwarg:
        names.append(f"**{args.kwarg.arg}")
    return f"{node.name}({', '.join(names)})"


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
    option_spec = {
        "pyobject": directives.unchanged_required,
        "region": directives.unchanged,
        "caption": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        relative, path = self.env.relfn2path(self.arguments[0])
        self.env.note_dependency(relative)
        pyobject, region = self.options["pyobject"], self.options.get("region")
        try:
            code, omitted = teaching_source(Path(path), pyobject, region)
            named = call_signature(Path(path), pyobject) if region else pyobject
        except (OSError, SyntaxError, ValueError) as error:
            return [self.state.document.reporter.warning(str(error), line=self.lineno)]
        block = nodes.literal_block(code, code, language="python")
        block["classes"].append("teaching-code")
        self.set_source_info(block)
        shown = "/".join(Path(self.arguments[0]).parts[-2:])
        caption = self.options.get("caption") or f"`{named}` in `{shown}`" + (
            f" ({_and(omitted)} omitted)" if omitted else ""
        )
        return [container_wrapper(self, block, caption)]


def _and(words: list[str]) -> str:
    return " and ".join(words) if len(words) < 3 else f"{', '.join(words[:-1])} and {words[-1]}"


# ------------------------------------------------------------------ the book's listings

#: A code include in a chapter page: ```{teaching-code} PATH`` or ```{literalinclude} PATH``
#: followed by its ``:option: value`` lines.
DIRECTIVE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})\{(?P<kind>teaching-code|literalinclude)\}[ \t]+(?P<path>\S+)[ \t]*\n"
    r"(?P<options>(?:[ \t]*:[\w-]+:.*\n)*)",
    re.MULTILINE,
)
OPTION = re.compile(r"^[ \t]*:([\w-]+):[ \t]*(.*?)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Listing:
    page: Path  # the chapter page that includes it
    line: int  # 1-based line of the directive on the page
    kind: str  # "teaching-code" or "literalinclude"
    source: Path  # the included file
    options: dict[str, str]
    code: str | None  # what the page shows (teaching-code only; None for literalinclude)

    @property
    def shown_lines(self) -> int:
        return len(self.code.splitlines()) if self.code is not None else 0

    @property
    def width(self) -> int:
        return max((len(x) for x in (self.code or "").splitlines()), default=0)

    def __str__(self) -> str:
        what = self.options.get("pyobject", "?")
        if "region" in self.options:
            what += f" [{self.options['region']}]"
        return f"{self.page}:{self.line} {self.source.name}:{what}"


def book_listings(root: Path) -> list[Listing]:
    """Every code include of ``chapters/**/*.md`` under ``root``, rendered as the book renders
    a ``teaching-code`` directive (a ``literalinclude`` is listed, not rendered)."""
    found = []
    for page in sorted((root / "chapters").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for match in DIRECTIVE.finditer(text):
            options = dict(OPTION.findall(match["options"]))
            source = (page.parent / match["path"]).resolve()
            code = None
            if match["kind"] == "teaching-code":
                code, _ = teaching_source(source, options["pyobject"], options.get("region"))
            found.append(
                Listing(
                    page=page.relative_to(root),
                    line=text.count("\n", 0, match.start()) + 1,
                    kind=match["kind"],
                    source=source,
                    options=options,
                    code=code,
                )
            )
    return found


def main() -> int:
    root = Path(__file__).resolve().parents[1]
    listings = book_listings(root)
    print(f"{'lines':>5} {'width':>5}  listing")
    for listing in sorted(listings, key=lambda x: (-x.shown_lines, str(x))):
        shown = listing.shown_lines if listing.code is not None else "?"
        print(f"{shown:>5} {listing.width:>5}  {listing} ({listing.kind})")
    return 0


def setup(app):
    app.add_directive("teaching-code", TeachingCode)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    sys.exit(main())
