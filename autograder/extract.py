"""Take a submission apart without running it: notebook JSON (no nbformat) or .py source ->
the top-level definitions, imports and assignments of every code cell, by name.

Robust to reordered, deleted or added cells, cleared or huge outputs, markdown edits, magics
and shell lines, and helpers defined in other cells. A cell with a syntax error is skipped and
reported (the functions it defines are then missing, with that reason).
"""

from __future__ import annotations

import ast
import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

KEEP = (
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Assign,
    ast.AnnAssign,
)
#: Imports that would not exist (or are pointless) inside the sandbox.
SKIP_MODULES = ("autograder", "solutions", "IPython", "matplotlib")


@dataclass
class Submission:
    name: str
    statements: list[dict] = field(default_factory=list)  # {"cell", "line", "code"}
    defined: set[str] = field(default_factory=set)
    syntax_errors: list[dict] = field(default_factory=list)  # {"cell", "line", "msg", "names"}
    error: str = ""  # the whole file could not be read
    sha256: str = ""  # of the file's bytes: the gradebook's submission key


def _strip_magics(source: str) -> str | None:
    """Blank out IPython magics and shell escapes (None for a cell magic: skip the cell)."""
    if source.lstrip().startswith("%%"):
        return None
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) or (stripped.endswith("?") and " " not in stripped):
            lines.append("")
        else:
            lines.append(line)
    return "\n".join(lines)


def _cells(data: bytes, suffix: str) -> list[str]:
    if suffix == ".py":
        return [data.decode("utf-8", errors="replace")]
    nb = json.loads(data)
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise ValueError("not a Jupyter notebook (no cells)")
    out = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        out.append("".join(src) if isinstance(src, list) else str(src))
    return out


def _skipped_import(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] in SKIP_MODULES
    if isinstance(node, ast.Import):
        return all(a.name.split(".")[0] in SKIP_MODULES for a in node.names)
    return False


def _names(node: ast.AST) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def parse(name: str, data: bytes, suffix: str) -> Submission:
    sub = Submission(name, sha256=hashlib.sha256(data).hexdigest())
    try:
        cells = _cells(data, suffix)
    except (ValueError, UnicodeDecodeError) as exc:
        sub.error = f"cannot read the submission: {exc}"[:300]
        return sub
    for index, raw in enumerate(cells, start=1):
        source = _strip_magics(raw)
        if source is None or not source.strip():
            continue
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            line = getattr(exc, "lineno", 0) or 0
            names = {w.split("(")[0].strip() for w in source.split("def ")[1:]}
            msg = getattr(exc, "msg", str(exc))
            sub.syntax_errors.append({"cell": index, "line": line, "msg": msg, "names": names})
            continue
        for node in tree.body:
            if not isinstance(node, KEEP) or _skipped_import(node):
                continue
            if isinstance(node, ast.AnnAssign) and node.value is None:
                continue
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            code = "\n".join(source.splitlines()[start - 1 : node.end_lineno])
            sub.statements.append({"cell": index, "line": start, "code": code})
            sub.defined |= _names(node)
    return sub


def load(path: str | Path) -> list[Submission]:
    """One submission per .ipynb/.py file; a folder or a zip may hold many (sorted by name)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(
            p
            for p in path.rglob("*")
            if p.suffix in (".ipynb", ".py") and ".ipynb_checkpoints" not in p.parts
        )
        return [parse(str(p.relative_to(path)), p.read_bytes(), p.suffix) for p in files]
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            members = sorted(
                m
                for m in zf.namelist()
                if m.endswith((".ipynb", ".py"))
                and "__MACOSX" not in m
                and ".ipynb_checkpoints" not in m
            )
            return [parse(m, zf.read(m), Path(m).suffix) for m in members]
    if path.suffix in (".ipynb", ".py"):
        return [parse(path.name, path.read_bytes(), path.suffix)]
    raise ValueError(f"cannot grade {path}: expected a .ipynb, .py, a folder or a .zip")


def from_bytes(name: str, data: bytes) -> Submission:
    suffix = Path(name).suffix
    return parse(name, data, suffix if suffix in (".py", ".ipynb") else ".py")
