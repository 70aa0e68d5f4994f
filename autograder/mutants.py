"""Mutation score of the graded cases: how much wrong code do they catch?

A *mutant* is the reference of an exercise with one small fault planted by an AST rewrite:
an arithmetic operator swapped (``+``/``-``, ``*``/``/``, ``**``), a comparison moved
(``<``/``<=``, ``==``/``!=``), a numeric constant changed, a term of a sum or product dropped,
two arguments of a call swapped, a keyword argument dropped (``axis=``, ``keepdims=``,
``out=``...), ``and``/``or`` exchanged, a negation removed, a numpy function replaced by its
sibling (``max``/``min``, ``sum``/``mean``, ``exp``/``expm1``...), or a state-updating
statement deleted (``m *= beta``). The faults are planted in the reference function (or class)
and in every function or class of the same module that it uses, transitively: a student's
implementation carries those parts too. Input validation (``raise`` and what guards it,
``_check*`` helpers, messages) is left alone: the graded cases are valid inputs.

Each mutant is graded in-process with the exercise's own public and hidden cases through the
engine's drivers and comparison (:func:`autograder.engine.run_case`,
:func:`autograder.compare.compare`): it is *killed* when it loses points (a case fails or
raises). A survivor is *equivalent* only when a random search of ``search`` inputs finds no
difference from the reference: the search draws the exercise's own case generators from fresh
seeds and varies them (every parameter of the signature set to other values of its type, the
strings the reference compares with, rescaled/rounded/zeroed arrays); a mutant whose code is
never reached by any of those inputs is equivalent on them too (line coverage of the
reference over the same inputs). Otherwise it *survived*, and the first input that told it
apart is kept: it is the case the exercise is missing. Time limits are on CPU time (a loaded
machine does not change a verdict): a mutant that takes longer on the graded cases than the
grader allows one exercise (:data:`autograder.sandbox.DEFAULT_LIMITS`) is killed, as it loses
the points when graded; a random search that runs out of time counts as a survivor.

``score = killed / (mutants - equivalent)``. ``autograder mutants [EXERCISE...]`` and
``make mutants`` print the table; ``autograder/mutant_floors.json`` records each exercise's
score, its floor and the survivors, and ``tests/autograder/test_mutants.py`` fails when a
sample of the recorded kills no longer dies.
"""

from __future__ import annotations

import ast
import copy
import functools
import importlib
import inspect
import json
import sys
import time
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder import engine
from autograder.compare import compare
from autograder.registry import Case, Exercise, Fn, Gen, Rng
from autograder.sandbox import DEFAULT_LIMITS

FLOORS_PATH = Path(__file__).with_name("mutant_floors.json")
#: Random inputs tried before a surviving mutant is declared equivalent.
DEFAULT_SEARCH = 1000
#: CPU seconds a mutant's random search may take at least, and at most this many times the
#: reference's time on the same inputs (a slow exercise, e.g. a training pipeline, gets more).
SEARCH_TIMEOUT = 60.0
SEARCH_SLOWDOWN = 5.0
#: CPU seconds a mutant may take on one exercise's graded cases: the grader's own limit per
#: exercise (a mutant slower than that loses the exercise's points when graded, too).
MUTANT_TIMEOUT = float(DEFAULT_LIMITS["timeout"])

_SWAP_BINOP = {
    ast.Add: [ast.Sub],
    ast.Sub: [ast.Add],
    ast.Mult: [ast.Div],
    ast.Div: [ast.Mult, ast.FloorDiv],
    ast.FloorDiv: [ast.Div],
    ast.Pow: [ast.Mult],
    ast.Mod: [ast.FloorDiv],
}
_SWAP_CMP = {
    ast.Lt: [ast.LtE, ast.Gt],
    ast.LtE: [ast.Lt, ast.GtE],
    ast.Gt: [ast.GtE, ast.Lt],
    ast.GtE: [ast.Gt, ast.LtE],
    ast.Eq: [ast.NotEq],
    ast.NotEq: [ast.Eq],
    ast.Is: [ast.IsNot],
    ast.IsNot: [ast.Is],
    ast.In: [ast.NotIn],
    ast.NotIn: [ast.In],
}
_SWAP_AUG = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
#: numpy functions and their plausible wrong siblings.
_SIBLINGS = {
    "max": "min",
    "min": "max",
    "maximum": "minimum",
    "minimum": "maximum",
    "amax": "amin",
    "amin": "amax",
    "argmax": "argmin",
    "argmin": "argmax",
    "sum": "mean",
    "mean": "sum",
    "nansum": "nanmean",
    "nanmean": "nansum",
    "exp": "expm1",
    "expm1": "exp",
    "log": "log1p",
    "log1p": "log",
    "cumsum": "cumprod",
    "cumprod": "cumsum",
    "var": "std",
    "std": "var",
    "floor": "ceil",
    "ceil": "floor",
    "sqrt": "abs",
    "tanh": "sin",
    "abs": "negative",
    "any": "all",
    "all": "any",
    "sign": "abs",
    "logaddexp": "maximum",
}
_SKIPPED_CALLS = ("isinstance", "warn", "_check", "check_", "TypeError", "ValueError")


# ------------------------------------------------------------------------ finding sites


@dataclass(frozen=True)
class Mutant:
    """One planted fault: ``key`` is stable across unrelated edits (no line numbers)."""

    key: str
    function: str  # top-level def (or class) of the module it is planted in
    line: int
    end_line: int
    description: str  # line N: before -> after
    path: tuple = field(repr=False)  # where in the def's AST
    replace: Callable = field(repr=False, compare=False)


def _unparse(node) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - unparse handles all nodes we build
        text = type(node).__name__
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _is_guard(stmt) -> bool:
    """``if <cond>: raise/warn ...``: input validation, not the computation."""
    if not isinstance(stmt, ast.If) or stmt.orelse:
        return False
    return all(
        isinstance(s, ast.Raise)
        or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and _skipped_call(s.value))
        for s in stmt.body
    )


def _call_name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _skipped_call(call: ast.Call) -> bool:
    name = _call_name(call)
    return any(name == s or name.startswith(s) for s in _SKIPPED_CALLS)


def _children(node) -> Iterator[tuple[str, int | None, ast.AST]]:
    for name, value in ast.iter_fields(node):
        if isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, ast.AST):
                    yield name, i, v
        elif isinstance(value, ast.AST):
            yield name, None, value


def _node_at(root, path):
    node = root
    for name, i in path:
        value = getattr(node, name)
        node = value[i] if i is not None else value
    return node


def _set_at(root, path, new):
    parent = _node_at(root, path[:-1])
    name, i = path[-1]
    if i is None:
        setattr(parent, name, new)
    else:
        getattr(parent, name)[i] = new


def _num(value) -> ast.AST:
    node = ast.Constant(abs(value))
    return ast.UnaryOp(ast.USub(), node) if value < 0 else node


def _constant_variants(value) -> list:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1] + ([0] if value not in (0, 1) else [value - 1] if value else [])
    if isinstance(value, float):
        if value == 0.0:
            return [1.0]
        return [value * 2.0, 0.0] + ([value + 1.0] if value in (1.0, 0.5) else [])
    return []


def _sites(def_node, top: str) -> Iterator[Mutant]:
    """Every mutation of ``def_node`` (a top-level FunctionDef or ClassDef)."""
    counts: dict[tuple, int] = {}

    def emit(path, node, stmt, after_text, make):
        before = _unparse(node)
        ident = (top, before, after_text)
        counts[ident] = counts.get(ident, 0) + 1
        key = f"{top}: {before} -> {after_text} #{counts[ident]}"
        return Mutant(
            key=key,
            function=top,
            line=stmt.lineno,
            end_line=stmt.end_lineno or stmt.lineno,
            description=f"line {node.lineno}: {before} -> {after_text}",
            path=tuple(path),
            replace=make,
        )

    def visit(node, path, stmt) -> Iterator[Mutant]:
        if isinstance(node, ast.stmt):
            stmt = node
            if isinstance(node, ast.Raise | ast.Assert | ast.Import | ast.ImportFrom):
                return
            if _is_guard(node):
                return
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                return  # docstring
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                if _skipped_call(node.value):
                    return
                yield emit(path, node, stmt, "pass", lambda n: ast.Pass())
            if isinstance(node, ast.AugAssign):
                yield emit(path, node, stmt, "pass", lambda n: ast.Pass())
                op = _SWAP_AUG.get(type(node.op))
                if op is not None:

                    def aug(n, op=op):
                        n = copy.deepcopy(n)
                        n.op = op()
                        return n

                    yield emit(path, node, stmt, f"{_unparse(aug(node))}", aug)
        if isinstance(node, ast.JoinedStr):
            return
        if isinstance(node, ast.arguments | ast.arg) or (
            isinstance(node, ast.AnnAssign) and node.value is None
        ):
            return
        if isinstance(node, ast.Call) and _skipped_call(node):
            return
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            pass
        yield from _expression_sites(node, path, stmt, emit)
        for name, i, child in _children(node):
            if name in ("annotation", "returns", "decorator_list"):
                continue
            yield from visit(child, [*path, (name, i)], stmt)

    yield from visit(def_node, [], def_node)


def _expression_sites(node, path, stmt, emit) -> Iterator[Mutant]:
    if isinstance(node, ast.BinOp):
        for op in _SWAP_BINOP.get(type(node.op), []):

            def swap(n, op=op):
                return ast.BinOp(n.left, op(), n.right)

            yield emit(path, node, stmt, _unparse(swap(node)), swap)
        if isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
            yield emit(path, node, stmt, _unparse(node.left), lambda n: n.left)
            if isinstance(node.op, ast.Add | ast.Mult):
                yield emit(path, node, stmt, _unparse(node.right), lambda n: n.right)
            elif isinstance(node.op, ast.Sub):
                yield emit(
                    path,
                    node,
                    stmt,
                    _unparse(ast.UnaryOp(ast.USub(), node.right)),
                    lambda n: ast.UnaryOp(ast.USub(), n.right),
                )
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
        if not (isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)):
            yield emit(path, node, stmt, _unparse(node.operand), lambda n: n.operand)
        else:
            value = node.operand.value
            if isinstance(value, int | float) and not isinstance(value, bool):
                for v in _constant_variants(-value):
                    yield emit(path, node, stmt, _unparse(_num(v)), lambda n, v=v: _num(v))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        for op in _SWAP_CMP.get(type(node.ops[0]), []):

            def cmp(n, op=op):
                return ast.Compare(n.left, [op()], n.comparators)

            yield emit(path, node, stmt, _unparse(cmp(node)), cmp)
    elif isinstance(node, ast.BoolOp):
        other = ast.Or if isinstance(node.op, ast.And) else ast.And

        def boolop(n, other=other):
            return ast.BoolOp(other(), n.values)

        yield emit(path, node, stmt, _unparse(boolop(node)), boolop)
    elif isinstance(node, ast.Constant) and not isinstance(node.value, str | bytes):
        if node.value is None or isinstance(node.value, complex):
            return
        for v in _constant_variants(node.value):
            yield emit(path, node, stmt, _unparse(_num(v)), lambda n, v=v: _num(v))
    elif isinstance(node, ast.Call):
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        if len(positional) == len(node.args):
            for i in range(len(node.args) - 1):
                if ast.dump(node.args[i]) == ast.dump(node.args[i + 1]):
                    continue

                def swapped(n, i=i):
                    args = list(n.args)
                    args[i], args[i + 1] = args[i + 1], args[i]
                    return ast.Call(n.func, args, n.keywords)

                yield emit(path, node, stmt, _unparse(swapped(node)), swapped)
        for k, kw in enumerate(node.keywords):
            if kw.arg is None:
                continue

            def dropped(n, k=k):
                return ast.Call(n.func, n.args, [w for j, w in enumerate(n.keywords) if j != k])

            yield emit(path, node, stmt, _unparse(dropped(node)), dropped)
        f = node.func
        if (
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Name)
            and f.value.id in ("np", "numpy")
            and f.attr in _SIBLINGS
        ):

            def sibling(n):
                return ast.Call(
                    ast.Attribute(n.func.value, _SIBLINGS[n.func.attr], ast.Load()),
                    n.args,
                    n.keywords,
                )

            yield emit(path, node, stmt, _unparse(sibling(node)), sibling)


# ------------------------------------------------------------------------ module closure


@dataclass
class Target:
    """The reference of one exercise, its module and the defs a fault may be planted in."""

    ex: Exercise
    module: object
    defs: dict[str, ast.stmt]  # top-level name -> def node, in source order
    mutants: list[Mutant]

    @property
    def name(self) -> str:
        return self.ex.reference.__name__


@functools.cache
def _module_tree(module_name: str) -> ast.Module:
    module = importlib.import_module(module_name)
    return ast.parse(Path(inspect.getsourcefile(module)).read_text())


def target(ex: Exercise) -> Target:
    module = importlib.import_module(ex.reference.__module__)
    tree = _module_tree(module.__name__)
    top = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    wanted, todo = set(), [ex.reference.__name__]
    while todo:
        name = todo.pop()
        if name in wanted or name not in top:
            continue
        if name.startswith(("_check", "check_")):
            continue
        wanted.add(name)
        for n in ast.walk(top[name]):
            if isinstance(n, ast.Name):
                todo.append(n.id)
    defs = {name: node for name, node in top.items() if name in wanted}
    mutants = [m for name, node in defs.items() for m in _sites(node, name)]
    return Target(ex, module, defs, mutants)


_FLAGS = __import__("__future__").annotations.compiler_flag


def build(t: Target, mutant: Mutant | None):
    """The reference with ``mutant`` planted: every def of the closure re-executed in a copy
    of its module's namespace (so the mutated helper is the one the reference calls)."""
    namespace = dict(vars(t.module))
    for name, node in t.defs.items():
        if mutant is not None and name == mutant.function:
            node = copy.deepcopy(node)
            original = _node_at(node, mutant.path)
            _set_at(node, mutant.path, mutant.replace(copy.deepcopy(original)))
            ast.fix_missing_locations(node)
        code = compile(
            ast.Module([node], []), inspect.getsourcefile(t.module), "exec", _FLAGS, True
        )
        exec(code, namespace)  # noqa: S102 - our own reference source, rewritten
    return namespace[t.name]


# ------------------------------------------------------------------------ running mutants


class _Timeout(BaseException):
    """Raised in a mutant that runs too long (a BaseException: a bare except won't eat it)."""


def _alarm(signum, frame):
    raise _Timeout


#: A limit is on this process's CPU time; wall-clock time only backs it up (code that waits),
#: at this many times the limit: on a loaded machine the verdicts do not change.
WALL_BACKSTOP = 20


def _timed(seconds: float, fn, *args):
    """``fn(*args)``, or :class:`_Timeout` after ``seconds`` of this process's CPU time
    (a wall-clock limit would kill or spare a mutant by the machine's load), or after
    ``WALL_BACKSTOP * seconds`` of wall-clock time (:func:`engine.time_limit`)."""
    if seconds <= 0:
        return fn(*args)
    with engine.time_limit(seconds, WALL_BACKSTOP, _alarm, _alarm):
        return fn(*args)


def _quiet(fn, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args)


def _differs(ex: Exercise, fn, case: Case, expected) -> bool:
    try:
        got = engine.run_case(ex, fn, case)
    except _Timeout:
        raise
    except BaseException as exc:  # noqa: BLE001 - a crashing mutant is told apart
        if isinstance(exc, KeyboardInterrupt):
            raise
        return True
    try:
        return not compare(ex, expected, got, case=case).ok  # a milestone judges by group
    except Exception:  # noqa: BLE001
        return True


def killed_by_cases(ex: Exercise, fn, cases: list[Case], timeout=MUTANT_TIMEOUT) -> str | None:
    """The name of the first graded case ``fn`` fails (or why), None if it passes them all."""

    def run():
        for c in cases:
            if _differs(ex, fn, c, engine.expected_output(ex, c)):
                return c.name
        return None

    try:  # CPU time, as the grader counts it: the machine's load does not change a verdict
        return _timed(timeout, _quiet, run)
    except _Timeout:  # a planted infinite loop, or a mutant slower than grading allows
        return "timeout"


# ------------------------------------------------------------------------ random search


def _defaults(reference) -> dict[str, object]:
    fn = reference.__init__ if inspect.isclass(reference) else reference
    out = {}
    for p in inspect.signature(fn).parameters.values():
        if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is not p.empty:
            out[p.name] = p.default
    return out


def _strings(t: Target) -> list[str]:
    found = set()
    for node in t.defs.values():
        for n in ast.walk(node):
            if isinstance(n, ast.Constant) and isinstance(n.value, str):
                v = n.value
                if 0 < len(v) <= 20 and v.replace("_", "").replace("-", "").isalnum():
                    found.add(v)
    return sorted(found)


def _vary_value(rng: np.random.Generator, value, strings: list[str]):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return int(rng.choice([0, 1, 2, 3, value + 1, max(value * 2, 1), max(value - 1, 0)]))
    if isinstance(value, float):
        return float(
            rng.choice([0.0, value * 0.5, value * 2.0, value + 0.1, rng.uniform(0, 1), 1e-3, -0.5])
        )
    if isinstance(value, str):
        return str(rng.choice(strings)) if strings else value
    if (
        isinstance(value, tuple | list)
        and value
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        varied = [v * float(rng.uniform(0.6, 1.0)) if isinstance(v, float) else v for v in value]
        return type(value)(varied)
    return value


def _vary_array(rng: np.random.Generator, a):
    if isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating) and a.size:
        how = rng.integers(0, 5)
        if how == 0:
            return (a * 10.0 ** rng.uniform(-2, 2)).astype(a.dtype)
        if how == 1:
            return np.round(a, 1).astype(a.dtype)  # ties
        if how == 2:
            b = a.copy()
            b[rng.random(a.shape) < 0.3] = 0
            return b
        if how == 3:
            return -a
        return a
    if isinstance(a, list):
        return [_vary_array(rng, x) for x in a]
    if isinstance(a, tuple):
        return tuple(_vary_array(rng, x) for x in a)
    return a


def _random_cases(t: Target, seed: int) -> Iterator[Case]:
    """Endless stream of inputs: the exercise's generators from fresh seeds, then varied."""
    ex, rng = t.ex, np.random.default_rng(seed)
    defaults, strings = _defaults(ex.reference), _strings(t)
    while True:
        factory = ex.hidden if rng.random() < 0.6 else ex.public
        base = list(factory(Gen(int(rng.integers(2**31)))))
        for c in base:
            yield c
            kwargs = dict(c.kwargs)
            names = [n for n in {*defaults, *kwargs} if n not in ("generator",)]
            for name in rng.permutation(sorted(names))[: rng.integers(1, 3)]:
                current = kwargs.get(name, defaults.get(name))
                kwargs[name] = _vary_value(rng, current, strings)
            args = tuple(_vary_array(rng, a) for a in c.args) if rng.random() < 0.5 else c.args
            yield Case(c.group, args, kwargs, c.hidden, c.name, c.steps)


class Corpus:
    """The random search inputs of one exercise, the reference's outputs on them, and the
    lines of the module the reference executed while computing them."""

    def __init__(self, t: Target, size: int, seed: int = 0):
        self.t, self.size = t, size
        self.items: list[tuple[Case, object]] = []
        self.lines: set[int] = set()
        self.cpu = 0.0  # CPU seconds the reference took on the kept inputs
        filename = inspect.getsourcefile(t.module)
        reference = t.ex.reference
        stream = _random_cases(t, seed)
        attempts = 0

        lines: set[int] = set()  # of the current input (kept only if the reference accepts it)

        def tracer(frame, event, arg):
            if frame.f_code.co_filename != filename:
                return None
            lines.add(frame.f_lineno)

            def local(frame, event, arg):
                if event == "line":
                    lines.add(frame.f_lineno)
                return local

            return local

        while len(self.items) < size and attempts < 20 * size + 100:
            attempts += 1
            c = next(stream)
            lines.clear()
            sys.settrace(tracer)
            try:
                start = time.process_time()
                expected = _timed(MUTANT_TIMEOUT, _quiet, engine.run_case, t.ex, reference, c)
                spent = time.process_time() - start
            except BaseException as exc:  # noqa: BLE001 - invalid variant: not an input
                if isinstance(exc, KeyboardInterrupt):
                    raise
                continue
            finally:
                sys.settrace(None)
            try:  # an input on which the reference itself is random tells nothing apart
                again = _timed(MUTANT_TIMEOUT, _quiet, engine.run_case, t.ex, reference, c)
            except BaseException as exc:  # noqa: BLE001
                if isinstance(exc, KeyboardInterrupt):
                    raise
                continue
            if not _quiet(functools.partial(compare, case=c), t.ex, expected, again).ok:
                continue
            self.items.append((c, expected))
            self.cpu += spent
            self.lines |= lines

    def reached(self, m: Mutant) -> bool:
        return any(line in self.lines for line in range(m.line, m.end_line + 1))

    def counterexample(self, fn, timeout: float | None = None) -> Case | None:
        """The first input on which ``fn`` differs from the reference (None: none found).
        ``timeout``: CPU seconds for the whole search (default: :data:`SEARCH_TIMEOUT`, or
        :data:`SEARCH_SLOWDOWN` times what the reference took on it when that is more)."""
        ex = self.t.ex
        if timeout is None:
            timeout = max(SEARCH_TIMEOUT, SEARCH_SLOWDOWN * self.cpu)

        def run():
            for c, expected in self.items:
                if _differs(ex, fn, c, expected):
                    return c
            return None

        try:
            return _timed(timeout, _quiet, run)
        except _Timeout:
            return Case("timeout", (), {}, name="(timed out on the random search)")


# ------------------------------------------------------------------------ the sweep


@dataclass
class Outcome:
    key: str
    description: str
    status: str  # killed | survived | equivalent
    detail: str = ""  # the killing case, or what told a survivor apart


@dataclass
class Report:
    id: str
    outcomes: list[Outcome]
    search: int

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def score(self) -> float:
        live = len(self.outcomes) - self.count("equivalent")
        return self.count("killed") / live if live else 1.0

    def row(self) -> dict:
        return {
            "exercise": self.id,
            "mutants": len(self.outcomes),
            "killed": self.count("killed"),
            "survived": self.count("survived"),
            "equivalent": self.count("equivalent"),
            "score": round(self.score, 4),
        }


def _describe(c: Case, ex: Exercise) -> str:
    def short(v):
        if isinstance(v, np.ndarray):
            return f"array{v.shape}:{v.dtype}"
        if isinstance(v, list | tuple):
            return f"[{len(v)} items]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k!r}: {short(x)}" for k, x in v.items()) + "}"
        if isinstance(v, Rng | Fn):
            return repr(v)
        return repr(v)

    kw = ", ".join(f"{k}={short(v)}" for k, v in c.kwargs.items())
    return f"from group {c.group!r}: " + ", ".join([*(short(a) for a in c.args), kw]).strip(", ")


def sample(mutants: list[Mutant], k: int | None, salt: str = "") -> list[Mutant]:
    """A deterministic sample of ``k`` mutants (all when ``k`` is None)."""
    if k is None or len(mutants) <= k:
        return list(mutants)
    ranked = sorted(mutants, key=lambda m: zlib.crc32(f"{salt}{m.key}".encode()))
    return ranked[:k]


def run(
    ex: Exercise,
    *,
    search: int = DEFAULT_SEARCH,
    only: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Grade every mutant of ``ex`` (or those whose key is in ``only``)."""
    t = target(ex)
    mutants = t.mutants if only is None else [m for m in t.mutants if m.key in only]
    cases = ex.cases()
    corpus: Corpus | None = None
    outcomes = []
    for m in mutants:
        try:
            fn = build(t, m)
        except Exception as exc:  # noqa: BLE001 - a mutant that does not even compile
            outcomes.append(Outcome(m.key, m.description, "killed", f"fails to build: {exc}"))
            continue
        name = killed_by_cases(ex, fn, cases)
        if name is not None:
            outcomes.append(Outcome(m.key, m.description, "killed", name))
            continue
        if corpus is None:
            corpus = Corpus(t, search)
        if not corpus.reached(m):
            outcomes.append(Outcome(m.key, m.description, "equivalent", "never reached"))
            continue
        found = corpus.counterexample(fn)
        if found is None:
            outcomes.append(
                Outcome(m.key, m.description, "equivalent", f"same on {len(corpus.items)} inputs")
            )
        else:
            outcomes.append(Outcome(m.key, m.description, "survived", _describe(found, ex)))
        if progress:
            progress(f"{ex.id}: {outcomes[-1].status} {m.description}")
    return Report(ex.id, outcomes, search)


# ------------------------------------------------------------------------ recorded floors


def load_floors(path: Path = FLOORS_PATH) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def record(reports: list[Report], path: Path = FLOORS_PATH) -> None:
    """Write each exercise's score, floor (= the score, rounded down to a percent), and the
    keys of its surviving and equivalent mutants."""
    import fcntl
    import tempfile

    lock_path = Path(tempfile.gettempdir()) / f"autograder-{zlib.crc32(str(path).encode())}.lock"
    with open(lock_path, "w") as lock:  # parallel sweeps write one file
        fcntl.flock(lock, fcntl.LOCK_EX)
        _record(reports, path)


def _record(reports: list[Report], path: Path) -> None:
    data = load_floors(path)
    for r in reports:
        floor = np.floor(r.score * 100) / 100
        data[r.id] = {
            **r.row(),
            "floor": float(floor),
            "search": r.search,
            "survivors": sorted(o.key for o in r.outcomes if o.status == "survived"),
            "equivalent_mutants": sorted(o.key for o in r.outcomes if o.status == "equivalent"),
        }
        del data[r.id]["exercise"]
    path.write_text(json.dumps(dict(sorted(data.items())), indent=1, sort_keys=True) + "\n")


def table(rows: list[dict]) -> str:
    head = (
        f"{'exercise':44s} {'mutants':>7s} {'killed':>6s} {'survived':>8s} "
        f"{'equiv':>5s} {'score':>6s}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['exercise']:44s} {r['mutants']:>7d} {r['killed']:>6d} {r['survived']:>8d} "
            f"{r['equivalent']:>5d} {100 * r['score']:>5.1f}%"
        )
    return "\n".join(lines)


def totals(rows: list[dict], name: str = "total") -> dict:
    n = sum(r["mutants"] for r in rows)
    k = sum(r["killed"] for r in rows)
    s = sum(r["survived"] for r in rows)
    e = sum(r["equivalent"] for r in rows)
    return {
        "exercise": name,
        "mutants": n,
        "killed": k,
        "survived": s,
        "equivalent": e,
        "score": k / (n - e) if n > e else 1.0,
    }
