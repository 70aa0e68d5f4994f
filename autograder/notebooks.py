"""Generate the notebooks from the registry and the reference package (never edit by hand):

* ``chapters/NN_topic/exercises.ipynb``: the student version (stubs + ``check()`` cells);
* ``instructor/solutions/NN_topic.ipynb``: the reference code (``inspect.getsource``) plus the
  helpers it needs, self-contained (it grades at 100 % in the sandbox, without ``solutions``);
* ``instructor/nbgrader/source/NN_topic/NN_topic.ipynb``: nbgrader source notebook with
  ``### BEGIN/END SOLUTION`` regions and autograder test cells worth the exercise's points.

Notebooks are JSON written deterministically (sorted keys, stable cell ids, no outputs, no
timestamps), so ``build-notebooks --check`` can tell when a committed file is stale.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import textwrap
import types
from pathlib import Path

import numpy as np

from autograder import registry
from autograder.registry import Exercise

ROOT = Path(__file__).resolve().parent.parent
SCORING_RULE = (
    "**Scoring.** Each exercise's points are split equally between its case groups "
    "(public ones, which `check()` runs, and hidden ones, which run only at grading). A group "
    "earns its share when every case in it passes, so partial credit is per group. Passing "
    "every public check is not a final grade."
)


def _lines(text: str) -> list[str]:
    out = text.splitlines(keepends=True)
    if out:
        out[-1] = out[-1].rstrip("\n")
    return out


def _cell(kind: str, source: str, cell_id: str, metadata: dict | None = None) -> dict:
    cell = {
        "cell_type": kind,
        "id": re.sub(r"[^A-Za-z0-9_-]", "-", cell_id)[:64],
        "metadata": metadata or {},
        "source": _lines(source),
    }
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def _notebook(cells: list[dict]) -> dict:
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def dumps(nb: dict) -> str:
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ pieces of an exercise


def stub_source(ex: Exercise) -> str:
    sig = registry._plain_signature(ex.reference)
    if inspect.isclass(ex.reference):
        init = sig[1:-1]
        init = f"(self, {init})" if init else "(self)"
        step = {
            "optimizer": "step(self, grads)",
            "averager": "update_parameters(self, params, buffers=None)",
        }.get(ex.kind, "step(self)")
        return (
            f"class {ex.function}:\n    def __init__{init}:\n"
            f"        raise NotImplementedError\n\n    def {step}:\n"
            f"        raise NotImplementedError\n"
        )
    if "<" in sig or "array(" in sig:  # a default without a literal repr: as in the source
        fn = ast.parse(textwrap.dedent(inspect.getsource(ex.reference))).body[0]
        for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]:
            a.annotation = None
        for a in (fn.args.vararg, fn.args.kwarg):
            if a is not None:
                a.annotation = None
        sig = f"({ast.unparse(fn.args)})"
        return _default_constants(ex) + f"def {ex.function}{sig}:\n    raise NotImplementedError\n"
    return f"def {ex.function}{sig}:\n    raise NotImplementedError\n"


def _free_names(obj) -> set[str]:
    """Every name the source reads (defaults and annotations included) and never binds: a
    local ``losses = []`` is not the package's ``losses`` module."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    names = [n for n in ast.walk(tree) if isinstance(n, ast.Name)]
    bound = {n.id for n in names if not isinstance(n.ctx, ast.Load)}
    bound |= {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    return {n.id for n in names if isinstance(n.ctx, ast.Load)} - bound


def _ufunc_module(value) -> str | None:
    """Where a ufunc without ``__module__`` comes from (``scipy.special.expit``, ...)."""
    import importlib

    name = getattr(value, "__name__", "")
    for candidate in ("numpy", "scipy.special"):
        if getattr(importlib.import_module(candidate), name, None) is value:
            return candidate
    return None


def _public_module(value, module: str | None) -> str | None:
    """``scipy.special`` for a function defined in ``scipy.special._logsumexp``: the
    shortest parent package that exports the same object (private paths move)."""
    import importlib

    if not module or not (module.startswith("_") or "._" in module):
        return module
    if module.startswith("_") and "." not in module:  # _bisect -> bisect
        try:
            if getattr(importlib.import_module(module[1:]), value.__name__, None) is value:
                return module[1:]
        except (ImportError, AttributeError):
            pass
        return module
    parts = module.split(".")
    for i in range(1, len(parts)):
        try:
            parent = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        if getattr(parent, getattr(value, "__name__", ""), None) is value:
            return parent.__name__
    return module


def _helper_parts(
    exercises: list[Exercise], elsewhere: frozenset[str] = frozenset()
) -> tuple[list[str], dict[str, str], dict]:
    """What the references use besides themselves and the names defined ``elsewhere`` in the
    notebook: import lines, constant definitions (``name = value``) and helper definitions
    (``def``/``class`` source) with their dependencies: ``(imports, {name: source}, {name:
    set of names it mentions})``."""
    imports: dict[str, str] = {}
    defs: dict[str, str] = {}
    deps: dict[str, set[str]] = {}
    own = {e.function for e in exercises} | elsewhere
    todo = [e.reference for e in exercises]
    seen: set[int] = set()
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        module = inspect.getmodule(obj)
        glb = vars(module)
        names = _free_names(obj)
        if obj.__name__ in defs:
            deps[obj.__name__] = names
        for name in sorted(names):
            if name not in glb or name in own or name in defs or name in imports:
                continue
            value = glb[name]
            if isinstance(value, types.ModuleType):
                mod = value.__name__
                imports[name] = f"import {mod}" if mod == name else f"import {mod} as {name}"
            elif getattr(value, "__module__", "").startswith("solutions") and (
                inspect.isfunction(value) or inspect.isclass(value)
            ):
                defs[name] = inspect.getsource(value)
                todo.append(value)
            elif inspect.isfunction(value) or inspect.isclass(value) or callable(value):
                mod = _public_module(value, getattr(value, "__module__", None)) or _ufunc_module(
                    value
                )
                if mod and not mod.startswith("solutions"):
                    imports[name] = f"from {mod} import {getattr(value, '__name__', name)}" + (
                        f" as {name}" if getattr(value, "__name__", name) != name else ""
                    )
            elif isinstance(value, int | float | str | tuple | bool | frozenset) or value is None:
                defs[name] = f"{name} = {value!r}\n"
            elif isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
                defs[name] = f"{name} = np.array({value.tolist()!r}, dtype=np.{value.dtype})\n"
    lines = ["import numpy as np"] + sorted(set(imports.values()) - {"import numpy as np"})
    return lines, defs, deps


def _is_constant(name: str, src: str) -> bool:
    return src.startswith(name + " =")


def helper_source(exercises: list[Exercise]) -> str:
    """Imports, constants and helper functions the references use, in dependency order."""
    imports, defs, deps = _helper_parts(exercises)
    consts = sorted(n for n, src in defs.items() if _is_constant(n, src))
    ordered = consts + _dependency_order({n for n in defs if n not in consts}, deps)
    return "\n".join(imports) + "\n\n" + "\n\n".join(defs[n].rstrip() for n in ordered) + "\n"


def _dependency_order(names: set[str], deps: dict) -> list[str]:
    """``names`` sorted, each after the ones it mentions (a class after its bases: the
    cell then runs top to bottom, and a later cell redefining a class is not undone by a
    re-run of a statement that failed on a missing base)."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for d in sorted(deps.get(name, set()) & names):
            visit(d)
        order.append(name)

    for name in sorted(names):
        visit(name)
    return order


def setup_source(exercises: list[Exercise]) -> str:
    """The nbgrader notebook's read-only setup cell: the imports and constants the
    references use (type aliases such as ``Array`` included), never a helper function."""
    imports, defs, _ = _helper_parts(exercises)
    consts = [src.rstrip() for name, src in sorted(defs.items()) if _is_constant(name, src)]
    return (
        "\n".join(imports)
        + ("\n\n" + "\n".join(consts) if consts else "")
        + "\n\nfrom autograder import check\n"
    )


def _closure(exercise: Exercise) -> list[str]:
    """The helper definitions (functions, classes) one reference needs, each after the
    ones it mentions (a class after its bases; cycles among functions are harmless). A
    milestone's parts are not among them: they have their own cells (:func:`parts`)."""
    elsewhere = frozenset(p.function for p in parts(exercise))
    _, defs, deps = _helper_parts([exercise], elsewhere)
    helpers = {n for n, src in defs.items() if not _is_constant(n, src)}
    return [textwrap.dedent(defs[n]).rstrip() for n in _dependency_order(helpers, deps)]


def _default_constants(ex: Exercise) -> str:
    """Module constants used as default values in the signature, defined in the function's
    own cell: defaults are evaluated when the ``def`` runs, so the cell works wherever it is
    moved (the setup cell defines them too)."""
    if inspect.isclass(ex.reference):
        return ""
    fn = ast.parse(textwrap.dedent(inspect.getsource(ex.reference))).body[0]
    defaults = [*fn.args.defaults, *[d for d in fn.args.kw_defaults if d is not None]]
    names = sorted({n.id for d in defaults for n in ast.walk(d) if isinstance(n, ast.Name)})
    glb = vars(inspect.getmodule(ex.reference))
    lines = [
        f"{name} = np.array({glb[name].tolist()!r}, dtype=np.{glb[name].dtype})\n"
        if isinstance(glb[name], np.ndarray)
        else f"{name} = {glb[name]!r}\n"
        for name in names
        if name in glb and isinstance(glb[name], np.ndarray | int | float | str | tuple)
    ]
    if any("np.array(" in line for line in lines):
        lines.insert(0, "import numpy as np\n\n")
    return "".join(lines) + ("\n\n" if lines else "")


def _region(lines: list[str], indent: str) -> str:
    body = "\n".join(indent + line if line.strip() else "" for line in lines)
    return f"{indent}### BEGIN SOLUTION\n{body}\n{indent}### END SOLUTION"


def parts(ex: Exercise) -> list[types.SimpleNamespace]:
    """A milestone's parts (:mod:`autograder.pipeline`; none for another exercise), each
    with the ``reference``, ``function`` and ``kind`` that the stub and solution cells read."""
    import importlib

    from autograder import pipeline

    if ex.kind != "pipeline":
        return []
    kinds = [(pipeline.FUNCTIONS, "function"), (pipeline.OPTIMIZERS, "optimizer")]
    kinds.append((pipeline.SCHEDULERS, "scheduler"))
    return [
        types.SimpleNamespace(
            reference=getattr(importlib.import_module(module), name), function=name, kind=kind
        )
        for table, kind in kinds
        for name, module in table.items()
    ]


def part_stubs(ex: Exercise) -> list[tuple[str, str]]:
    """(name, stub source) of each of a milestone's parts, with the reference's signature,
    for the student to fill with their own earlier definitions."""
    return [(part.function, stub_source(part)) for part in parts(ex)]


def _parts_markdown(ex: Exercise) -> str:
    import importlib

    from autograder import pipeline

    rows = ["| Part | Chapter | Exercise |", "|---|---|---|"]
    tables = {**pipeline.FUNCTIONS, **pipeline.OPTIMIZERS, **pipeline.SCHEDULERS}
    for name, module in tables.items():
        found = registry.find_by_function(name)
        topic = module.rsplit(".", 1)[-1]
        where = found[0].chapter if found else registry.CHAPTERS[topic]
        shown = name in getattr(importlib.import_module(module), "__worked_examples__", ())
        graded = f"`{found[0].id}`" if found else "worked example" if shown else "new here"
        rows.append(f"| `{name}` | {where} | {graded} |")
    return (
        "## Your parts\n\n"
        f"`{ex.function}` below must be assembled from *your own* parts, called by these "
        "names (the grader records each call during the first steps and recomputes it with "
        "the reference). Paste your definitions from the earlier chapters into the cells "
        "below (they are not graded again here: only through the pipeline).\n\n" + "\n".join(rows)
    )


def _forwarded_call(ex: Exercise) -> str:
    """``name(a, b, c=c, **kw)``: a call passing the stub's own arguments on unchanged."""
    parts = []
    for p in inspect.signature(ex.reference).parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            parts.append(f"*{p.name}")
        elif p.kind is p.VAR_KEYWORD:
            parts.append(f"**{p.name}")
        elif p.kind is p.KEYWORD_ONLY:
            parts.append(f"{p.name}={p.name}")
        else:
            parts.append(p.name)
    return f"{ex.function}({', '.join(parts)})"


def solution_cell_source(ex: Exercise, *, recorded: bool = False) -> str:
    """The nbgrader solution cell: the student's stub (``stub_source``) with each
    ``raise NotImplementedError`` turned into a ``### BEGIN/END SOLUTION`` region.

    A region is self-contained: the helper functions and classes the reference uses are
    defined inside it, so nbgrader's release (``raise NotImplementedError()`` in place of
    each region) leaves a notebook that runs top to bottom, and a submission that fills the
    regions with the reference defines everything it calls (``autograder grade`` included).
    A class exercise's ``__init__`` builds the reference object and becomes it; a
    ``recorded`` one (a milestone's part, which the grader subclasses to record its steps:
    :mod:`autograder.pipeline`) keeps its own class in front of the reference's, and its
    method calls the reference's.
    """
    stub = stub_source(ex)
    helpers = "\n\n".join(_closure(ex))
    helper_lines = helpers.splitlines() + [""] if helpers else []
    src = textwrap.dedent(inspect.getsource(ex.reference))
    if not inspect.isclass(ex.reference):
        fn = ast.parse(src).body[0]
        body = fn.body[1:] if ast.get_docstring(fn) is not None and len(fn.body) > 1 else fn.body
        first = min([body[0].lineno, *(d.lineno for d in getattr(body[0], "decorator_list", []))])
        lines = textwrap.dedent("\n".join(src.splitlines()[first - 1 :])).splitlines()
        region = _region(helper_lines + lines, "    ")
        return stub.replace("    raise NotImplementedError\n", region + "\n", 1)
    first = []
    if ex.kind == "scheduler" and "class Optimizer" in helpers:
        arg = next(iter(inspect.signature(ex.reference).parameters))
        first = [
            f"if not isinstance({arg}, Optimizer):  # the grader's stand-in optimizer",
            "    typed = Optimizer.__new__(Optimizer)",
            f"    typed.__dict__ = {arg}.__dict__  # the same param_groups",
            f"    {arg} = typed",
        ]
    init = (
        helper_lines
        + src.splitlines()
        + [""]
        + first
        + [
            f"reference = {_forwarded_call(ex)}",
            "self.__dict__.update(vars(reference))",
        ]
    )
    head, middle, tail = stub.split("        raise NotImplementedError\n")
    if recorded:
        init.append("# the reference's methods behind this class's (and the grader's subclass's)")
        init.append("self.__class__ = type(type(self).__name__, (type(self), type(reference)), {})")
        name, args = re.match(r"\s*def (\w+)\(self,? ?(.*)\):", middle.splitlines()[-1]).groups()
        call = ", ".join(a.split("=")[0] for a in args.split(", ") if a)
        method = [f"return super().{name}({call})"]
    else:
        init.append("self.__class__ = type(reference)  # from here on, the reference's methods")
        method = ["raise AssertionError('unreachable: __init__ made this object the reference')"]
    return (
        head + _region(init, "        ") + "\n" + middle + _region(method, "        ") + "\n" + tail
    )


def _points_table(exercises: list[Exercise]) -> str:
    rows = ["| Function | Points | Public / hidden cases |", "|---|---|---|"]
    for e in exercises:
        pub, hid = e.counts
        rows.append(f"| `{e.function}` | {e.points:g} | {pub} / {hid} |")
    total = sum(e.points for e in exercises)
    rows.append(f"| **Total** | **{total:g}** | |")
    return "\n".join(rows)


def _points(n: float) -> str:
    return f"{n:g} point{'s' * (n != 1)}"


def _intro(chapter: str, exercises: list[Exercise], audience: str) -> str:
    title = chapter.split("_", 1)[1].replace("_", " ").title()
    return (
        f"# Chapter {chapter[:2]}: {title} — exercises{audience}\n\n"
        "Implement each function below with numpy only (same name, signature and defaults as "
        "the stub). Run its `check(...)` cell for instant feedback on the public cases: one "
        "line per case group, and for the first failure the smallest failing input, expected "
        "vs got and the error. `check()` in the last cell checks every function you have "
        "defined and ends with a summary; `autograder check exercises.ipynb` does the same "
        "from a terminal.\n\n"
        f"{SCORING_RULE}\n\n{_points_table(exercises)}\n"
    )


# ------------------------------------------------------------ docstrings as notebook markdown

_ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|obj|exc):`~?([^`]+)`")
_INLINE_MATH = re.compile(r":math:`([^`]+)`")
_SECTIONS = ("Args:", "Arguments:", "Returns:", "Raises:", "Example:", "Examples:", "Note:")


def _inline(text: str) -> str:
    """reST inline markup as Jupyter markdown: math roles, ``literals``, cross references."""
    text = _INLINE_MATH.sub(lambda m: f"${m.group(1)}$", text)
    text = _ROLE.sub(lambda m: f"`{m.group(1)}`", text)
    return re.sub(r"``([^`]+)``", r"`\1`", text)


def docstring_markdown(fn) -> str:
    """The reference's docstring (the exercise's specification) as notebook markdown: reST
    math as ``$...$``/``$$...$$``, argument lists as bullets (the doctest example is left
    out: the notebook's ``check()`` cells show inputs and outputs instead)."""
    lines = (inspect.getdoc(fn) or "").splitlines()
    out: list[str] = []
    paragraph: list[str] = []  # converted together: inline markup may span lines

    def flush() -> None:
        if paragraph:
            out.append(_inline("\n".join(paragraph)))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(".. math::"):
            flush()
            block = [line[len(".. math::") :].strip()]
            i += 1
            while i < len(lines) and lines[i].startswith(" "):
                block.append(lines[i].strip())
                i += 1
            math = _ROLE.sub(lambda m: m.group(1), " ".join(b for b in block if b))
            out += ["", "$$", math, "$$", ""]
            continue
        if line.strip() in _SECTIONS:
            flush()
            section, body = line.strip(), []
            i += 1
            while i < len(lines) and (lines[i].startswith(" ") or not lines[i].strip()):
                body.append(lines[i][4:] if lines[i].startswith("    ") else lines[i].strip())
                i += 1
            while body and not body[-1].strip():
                body.pop()
            if not section.startswith("Example"):  # the check() cells show examples
                out += ["", f"**{section}**", "", *_bullets(body)]
            continue
        if line.strip():
            paragraph.append(line)
        else:
            flush()
            out.append("")
        i += 1
    flush()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def _bullets(body: list[str]) -> list[str]:
    """``name: text`` items (continuation lines indented) as markdown bullets; a section
    that is not such a list (``Returns:`` prose) as a paragraph."""
    first = next((line for line in body if line.strip()), "")
    if not re.match(r"[\w*, ]+:", first):
        return [_inline(" ".join(line.strip() for line in body if line.strip())), ""]
    items: list[str] = []
    for line in body:
        if not line.strip():
            continue
        if line.startswith(" ") and items:
            items[-1] += " " + _inline(line.strip())
            continue
        name, sep, rest = line.partition(":")
        if sep and re.fullmatch(r"[\w*, ]+", name.strip()):
            items.append(f"- `{name.strip()}`: {_inline(rest.strip())}")
        else:
            items.append(f"- {_inline(line.strip())}")
    return items + [""]


def _exercise_markdown(ex: Exercise) -> str:
    public = list(dict.fromkeys(g for g, h in ex.groups if not h))
    hidden = [g for g, h in ex.groups if h]
    new = list(dict.fromkeys(g for g in hidden if g not in public))
    text = (
        f"## `{ex.function}` ({_points(ex.points)})\n\n"
        f"Signature: `{ex.signature}`\n\n{docstring_markdown(ex.reference)}\n\n"
    )
    if ex.description:
        text += _inline(ex.description) + "\n\n"
    if ex.rules:
        text += "**Graded rules:** " + " ".join(ex.rules) + "\n\n"
    if ex.kind == "backward":
        forward = ex.forward_function
        text += f"Return the gradient w.r.t. each differentiable array input of `{forward}`. "
        if registry.find_by_function(forward):
            text += f"`check()` also compares it with central differences of *your* `{forward}`."
        else:
            text += (
                f"`{forward}` is a worked example in the chapter: copy it into a cell above "
                "and `check()` also compares your gradient with central differences of it. "
                f"Its specification:\n\n> **`{forward}`**: "
                + docstring_markdown(ex.forward).replace("\n", "\n> ")
            )
        text += "\n\n"
    share = ex.points / len(ex.groups)
    text += (
        f"**Scoring:** {len(ex.groups)} case groups, {share:.3g} points each. Public "
        f"(run by `check()`): {', '.join(public)}. Hidden (only at grading): {len(hidden)}"
        + (f", including {', '.join(new)}" if new else "")
        + (", with new cases for the public groups" if len(set(hidden) & set(public)) else "")
        + "."
    )
    return text


# ------------------------------------------------------------------ the three notebooks


def student_notebook(chapter: str) -> dict:
    exs = registry.exercises_for_chapter(chapter)
    cells = [
        _cell("markdown", _intro(chapter, exs, ""), f"{chapter}-intro"),
        _cell("code", "import numpy as np\n\nfrom autograder import check", f"{chapter}-setup"),
    ]
    for e in exs:
        if e.kind == "pipeline":
            cells.append(_cell("markdown", _parts_markdown(e), f"{e.id}-parts"))
            cells += [_cell("code", src, f"{e.id}-{name}") for name, src in part_stubs(e)]
        cells += [
            _cell("markdown", _exercise_markdown(e), f"{e.id}-md"),
            _cell("code", stub_source(e), f"{e.id}-code"),
            _cell("code", f"check({e.function})", f"{e.id}-check"),
        ]
    cells.append(_cell("code", "check()  # every exercise defined above", f"{chapter}-all"))
    return _notebook(cells)


def solution_notebook(chapter: str) -> dict:
    exs = registry.exercises_for_chapter(chapter)
    cells = [
        _cell(
            "markdown", _intro(chapter, exs, " (solutions: instructors only)"), f"{chapter}-intro"
        ),
        _cell("code", helper_source(exs) + "\nfrom autograder import check", f"{chapter}-setup"),
    ]
    for e in exs:
        cells += [
            _cell("markdown", _exercise_markdown(e), f"{e.id}-md"),
            _cell(
                "code",
                _default_constants(e) + textwrap.dedent(inspect.getsource(e.reference)),
                f"{e.id}-code",
            ),
            _cell("code", f"check({e.function})", f"{e.id}-check"),
        ]
    return _notebook(cells)


def _nbgrader(grade_id: str, *, solution=False, grade=False, points=None, locked=False):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def nbgrader_notebook(chapter: str) -> dict:
    exs = registry.exercises_for_chapter(chapter)
    cells = [
        _cell(
            "markdown",
            _intro(chapter, exs, ""),
            f"{chapter}-intro",
            _nbgrader("intro", locked=True),
        ),
        _cell("code", setup_source(exs), f"{chapter}-setup", _nbgrader("setup", locked=True)),
    ]
    for e in exs:
        slug = e.id.replace(".", "_")
        if e.kind == "pipeline":  # the parts, as in the student notebook: not graded here
            md = _nbgrader(f"{slug}_parts_md", locked=True)
            cells.append(_cell("markdown", _parts_markdown(e), f"{e.id}-parts", md))
            cells += [
                _cell(
                    "code",
                    solution_cell_source(part, recorded=True),
                    f"{e.id}-{part.function}",
                    _nbgrader(f"{slug}_{part.function}_solution", solution=True),
                )
                for part in parts(e)
            ]
        cells += [
            _cell(
                "markdown",
                _exercise_markdown(e),
                f"{e.id}-md",
                _nbgrader(f"{slug}_md", locked=True),
            ),
            _cell(
                "code",
                solution_cell_source(e),
                f"{e.id}-code",
                _nbgrader(f"{slug}_solution", solution=True),
            ),
            _cell("code", f"check({e.function})", f"{e.id}-check"),
        ]
    cells += [
        _cell("code", "check()  # every exercise defined above", f"{chapter}-all"),
        _cell(
            "markdown",
            "## Grading (read-only cells)\n\nEach cell below runs one exercise's public and "
            "hidden cases and its value is the points earned (nbgrader's partial credit).",
            f"{chapter}-grading",
            _nbgrader("grading_md", locked=True),
        ),
    ]
    # Tests last: an exercise may call another one defined in a later cell.
    for e in exs:
        slug = e.id.replace(".", "_")
        cells.append(
            _cell(
                "code",
                "from autograder.nbgrader import grade_exercise\n\n"
                "# Runs the public and hidden cases; the value is the points earned.\n"
                f"grade_exercise({e.id!r}, globals())",
                f"{e.id}-test",
                _nbgrader(f"test_{slug}", grade=True, points=e.points, locked=True),
            )
        )
    return _notebook(cells)


def targets() -> dict[Path, str]:
    out = {}
    for chapter in registry.chapters():
        out[ROOT / "chapters" / chapter / "exercises.ipynb"] = dumps(student_notebook(chapter))
        out[ROOT / "instructor" / "solutions" / f"{chapter}.ipynb"] = dumps(
            solution_notebook(chapter)
        )
        out[ROOT / "instructor" / "nbgrader" / "source" / chapter / f"{chapter}.ipynb"] = dumps(
            nbgrader_notebook(chapter)
        )
    return out


def build(*, check: bool = False) -> list[Path]:
    """Write every generated notebook (or, with ``check``, list the stale ones)."""
    stale = []
    for path, text in targets().items():
        current = path.read_text() if path.exists() else None
        if current != text:
            stale.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    return stale
