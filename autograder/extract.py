"""Take a submission apart without running it: notebook JSON (no nbformat) or .py source ->
the top-level definitions, imports and assignments of every code cell, by name.

Robust to reordered, deleted or added cells, cleared or huge outputs, markdown edits, magics
and shell lines, and helpers defined in other cells. A cell with a syntax error is skipped and
reported (the functions it defines are then missing, with that reason). A ``.py`` file that
does not parse is cut into top-level chunks (a new chunk at each column-0 statement: ``def``,
``class``, ``import``, a decorator, an assignment, ...): every chunk that parses is kept and
each broken one is skipped and reported with its lines, as a broken cell would be.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

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
#: A submission file larger than this is not read (outputs may be big, but not gigabytes).
MAX_SUBMISSION_BYTES = 256 * 2**20
#: All members of a zip together may not decompress to more than this (zip bombs).
MAX_ZIP_BYTES = 1024 * 2**20


@dataclass
class Submission:
    name: str
    statements: list[dict] = field(default_factory=list)  # {"cell", "line", "code"}
    defined: set[str] = field(default_factory=set)
    #: {"cell", "line", "msg", "names"}; a notebook's also "in" (its In [n] or None) and
    #: "text" (the line that does not parse): see :func:`location`
    syntax_errors: list[dict] = field(default_factory=list)
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


class NotANotebook(ValueError):
    """A file named .ipynb that is not a notebook (its message is the reason shown)."""


def _cells(data: bytes, suffix: str) -> list[tuple[int, str, int | None]]:
    """(position, source, execution count) of each code cell; the position counts every
    cell from the top, markdown included, the first being 1 (as the student counts them)."""
    if suffix == ".py":
        return [(1, data.decode("utf-8", errors="replace"), None)]
    if not data.strip():
        raise NotANotebook("not a notebook: the file is empty")
    try:
        nb = json.loads(data)
    except json.JSONDecodeError as exc:
        raise NotANotebook(
            f"not a notebook: not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None
    except UnicodeDecodeError:
        raise NotANotebook("not a notebook: not UTF-8 text") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise NotANotebook("not a notebook: no cells")
    if not cells:
        raise NotANotebook("not a notebook: no cells (the notebook is empty)")
    out = []
    for position, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        count = cell.get("execution_count")
        count = count if isinstance(count, int) and not isinstance(count, bool) else None
        out.append((position, "".join(src) if isinstance(src, list) else str(src), count))
    return out


def location(err: dict) -> str:
    """Where a syntax error is, in the student's words: ``in cell 12 (In [7]), line 3`` in a
    notebook (cells counted from the top, markdown included), ``at line 3`` in a .py file."""
    line = f"line {err['line']}" if err.get("line") else ""  # 0: the parser gave up
    if "in" not in err:  # a .py file
        return f"at {line}" if line else "in the file"
    prompt = f" (In [{err['in']}])" if err.get("in") is not None else ""
    return f"in cell {err['cell']}{prompt}" + (f", {line}" if line else "")


def _bad_line(exc: BaseException) -> str:
    text = (getattr(exc, "text", None) or "").strip()
    return text if len(text) <= 48 else text[:45] + "..."


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


#: Words that continue the statement above them at column 0 (never start a chunk).
CONTINUATIONS = ("else", "elif", "except", "finally")
#: Words in a syntax error's message that more lines could fix (an unclosed bracket or
#: string): only then is a broken chunk retried with the chunks after it.
UNFINISHED = ("never closed", "unterminated", "EOF", "unexpected end", "expected an indented")
#: A broken chunk is retried with at most this many following chunks.
MAX_MERGE = 10
#: A .py file with more top-level chunks than this is not cut (a hostile file of a million
#: one-line statements would take minutes): a syntax error then skips the whole file.
MAX_CHUNKS = 2000
#: Nor is a .py larger than this (retrying chunks re-parses text: bounded work per file).
MAX_CHUNKED_BYTES = 2**20


def _chunk_starts(lines: list[str]) -> list[int]:
    """0-based indices of the lines that start a top-level statement: code at column 0 that
    is not a comment, a closing bracket, ``else:``/``except ...:`` and the like, the ``def``
    or ``class`` under a decorator, or the line after a backslash continuation."""
    starts = [0]
    after_decorator = continued = False
    for i, line in enumerate(lines):
        code = line.rstrip()
        if not code:
            continue
        if line[0] not in " \t#)]}":
            word = code.split(None, 1)[0].rstrip(":(")
            if i and not continued and not after_decorator and word not in CONTINUATIONS:
                starts.append(i)
            after_decorator = code.startswith("@")
        if not code.lstrip().startswith("#"):
            continued = code.endswith("\\")
    return starts


def _py_chunks(source: str) -> list[tuple[int, int, ast.Module | SyntaxError]]:
    """A .py source that does not parse, cut into top-level chunks: ``(first, last, tree or
    error)`` with 1-based line numbers of the whole file. A chunk whose error more lines
    could fix (an unclosed bracket or string) is retried together with the chunks after it."""
    lines = source.splitlines()
    if len(source) > MAX_CHUNKED_BYTES:
        return []
    starts = _chunk_starts(lines)
    if len(starts) > MAX_CHUNKS:
        return []
    bounds = [*starts, len(lines)]
    out: list[tuple[int, int, ast.Module | SyntaxError]] = []
    i = 0
    while i < len(starts):
        first, error, kept = bounds[i], None, False
        for j in range(i + 1, min(i + 1 + MAX_MERGE, len(starts)) + 1):
            try:  # the chunk alone: line numbers shifted to the whole file's below
                tree = ast.parse("\n".join(lines[first : bounds[j]]))
            except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
                msg = str(getattr(exc, "msg", exc))
                if error is None:
                    error = exc if isinstance(exc, SyntaxError) else SyntaxError(msg)
                    error.lineno = first + (getattr(exc, "lineno", 0) or 1)
                if any(w in msg for w in UNFINISHED):
                    continue
                break
            out.append((first + 1, bounds[j], ast.increment_lineno(tree, first)))
            i, kept = j, True
            break
        if not kept:
            out.append((first + 1, bounds[i + 1], error))
            i += 1
    return out


def _broken_names(source: str) -> set[str]:
    """The names a piece of code that does not parse seems to define (``def name(``)."""
    return {w.split("(")[0].strip() for w in source.split("def ")[1:]}


def _keep(sub: Submission, index: int, source: str, tree: ast.Module) -> None:
    """Record the top-level definitions, imports and assignments of a parsed cell."""
    lines = source.splitlines()
    for node in tree.body:
        if not isinstance(node, KEEP) or _skipped_import(node):
            continue
        if isinstance(node, ast.AnnAssign) and node.value is None:
            continue
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        code = "\n".join(lines[start - 1 : node.end_lineno])
        sub.statements.append({"cell": index, "line": start, "code": code})
        sub.defined |= _names(node)


def _parse_py(sub: Submission, source: str) -> None:
    """A .py file: parsed whole, or, if that fails, chunk by chunk (see :func:`_py_chunks`)."""
    try:
        _keep(sub, 1, source, ast.parse(source))
        return
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        whole = exc
    lines = source.splitlines()
    chunks = _py_chunks(source)
    if not chunks:  # too large or too many chunks to try: the whole file is skipped
        line = getattr(whole, "lineno", 0) or 0
        msg = getattr(whole, "msg", str(whole))
        sub.syntax_errors.append(
            {"cell": 1, "line": line, "msg": msg, "names": _broken_names(source)}
        )
        return
    for first, last, result in chunks:
        if isinstance(result, ast.Module):
            _keep(sub, 1, source, result)
            continue
        while last > first and not lines[last - 1].strip():
            last -= 1  # report the chunk without the blank lines after it
        text = "\n".join(lines[first - 1 : last])
        line = getattr(result, "lineno", 0) or first
        msg = getattr(result, "msg", str(result))
        names = _broken_names(text)
        sub.syntax_errors.append(
            {
                "cell": 1,
                "line": line,
                "msg": f"{msg} (lines {first}-{last} skipped)",
                "names": names,
                "lines": [first, last],
            }
        )


def parse(name: str, data: bytes, suffix: str) -> Submission:
    sub = Submission(name, sha256=hashlib.sha256(data).hexdigest())
    try:
        cells = _cells(data, suffix)
    except (ValueError, TypeError, AttributeError, RecursionError, MemoryError) as exc:
        # malformed JSON, a "source" of numbers, nesting too deep for the JSON parser, ...
        why = str(exc) if isinstance(exc, NotANotebook) else f"{type(exc).__name__}: {exc}"
        sub.error = f"cannot read the submission: {why}"[:300]
        return sub
    if suffix == ".py":
        source = _strip_magics(cells[0][1]) or ""
        if source.strip():
            _parse_py(sub, source)
        return sub
    for index, raw, count in cells:
        source = _strip_magics(raw)
        if source is None or not source.strip():
            continue
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            line = getattr(exc, "lineno", 0) or 0
            msg = getattr(exc, "msg", str(exc))
            names = _broken_names(source)
            sub.syntax_errors.append(
                {
                    "cell": index,
                    "in": count,
                    "line": line,
                    "msg": msg,
                    "text": _bad_line(exc),
                    "names": names,
                }
            )
            continue
        _keep(sub, index, source, tree)
    return sub


def _refused(name: str, why: str) -> Submission:
    return Submission(name, error=f"not graded: {why}")


def _folder(root: Path) -> list[Submission]:
    """Every .ipynb/.py below ``root``; symbolic links are reported, never followed (an
    unpacked student zip may hold a link to /etc/shadow or to the reference solutions)."""
    subs = []
    for dirpath, dirnames, filenames in os.walk(root):  # does not descend into linked dirs
        dirnames[:] = [d for d in dirnames if d != ".ipynb_checkpoints"]
        for name in filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.suffix not in (".ipynb", ".py"):
                continue
            if path.is_symlink():
                subs.append(_refused(rel, "a symbolic link (not followed)"))
            elif path.stat().st_size > MAX_SUBMISSION_BYTES:
                subs.append(_refused(rel, f"larger than {MAX_SUBMISSION_BYTES >> 20} MB"))
            else:
                subs.append(parse(rel, path.read_bytes(), path.suffix))
    return sorted(subs, key=lambda s: s.name)


def _safe_member_name(name: str) -> str | None:
    """The member's path if it stays inside the archive, else None."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts or name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
        return None
    return "/".join(parts)


def _zip(path: Path) -> list[Submission]:
    """Members are read into memory (never extracted), each capped in size, all together
    capped (zip bombs); unsafe names (``../``, absolute) and symbolic links are refused."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ValueError(f"cannot read {path}: not a readable zip ({exc})") from None
    subs, total = [], 0
    with zf:
        infos = sorted(
            (i for i in zf.infolist() if i.filename.endswith((".ipynb", ".py"))),
            key=lambda i: i.filename,
        )
        for info in infos:
            name = info.filename
            if "__MACOSX" in name or ".ipynb_checkpoints" in name:
                continue
            safe = _safe_member_name(name)
            printable = "".join(c if c.isprintable() else "?" for c in name)[:200]
            if safe is None:
                subs.append(_refused(f"unsafe-path/{printable}", "a path outside the archive"))
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                subs.append(_refused(safe, "a symbolic link (not followed)"))
                continue
            if info.file_size > MAX_SUBMISSION_BYTES or total > MAX_ZIP_BYTES:
                subs.append(_refused(safe, "too large once decompressed"))
                continue
            try:
                with zf.open(info) as member:
                    data = member.read(MAX_SUBMISSION_BYTES + 1)
            except (
                zipfile.BadZipFile,
                zlib.error,
                OSError,
                EOFError,
                ValueError,
                RuntimeError,
                NotImplementedError,  # a compression method zipfile does not know
            ) as exc:
                subs.append(_refused(safe, f"corrupt zip member ({type(exc).__name__})"))
                continue
            total += len(data)
            if len(data) > MAX_SUBMISSION_BYTES:
                subs.append(_refused(safe, "too large once decompressed"))
                continue
            subs.append(parse(safe, data, Path(safe).suffix))
    return subs


def load(path: str | Path) -> list[Submission]:
    """One submission per .ipynb/.py file; a folder or a zip may hold many (sorted by name).

    Raises ``ValueError`` (one line naming the path) for a path that does not exist, cannot
    be read, or is neither a submission, a folder nor a readable zip."""
    path = Path(path)
    if not path.exists():
        raise ValueError(f"cannot grade {path}: no such file or folder")
    if not os.access(path, os.R_OK):
        raise ValueError(f"cannot grade {path}: permission denied")
    if path.is_dir():
        return _folder(path)
    if path.suffix == ".zip":
        return _zip(path)
    if path.suffix in (".ipynb", ".py"):
        if path.stat().st_size > MAX_SUBMISSION_BYTES:
            return [_refused(path.name, f"larger than {MAX_SUBMISSION_BYTES >> 20} MB")]
        return [parse(path.name, path.read_bytes(), path.suffix)]
    raise ValueError(f"cannot grade {path}: expected a .ipynb, .py, a folder or a .zip")


def from_bytes(name: str, data: bytes) -> Submission:
    suffix = Path(name).suffix
    return parse(name, data, suffix if suffix in (".py", ".ipynb") else ".py")
