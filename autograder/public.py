"""Public cases with the reference's outputs stored, for ``check()`` without ``solutions/``.

A release bundle (:mod:`autograder.release`) ships, per chapter registry module, a JSON file
and an ``.npz`` (loaded with ``allow_pickle=False``) holding each exercise's metadata, its
public cases and the reference's output on each of them. :func:`load_exercises` turns them
back into :class:`autograder.registry.Exercise` objects whose ``reference`` (and ``forward``)
is a :class:`StoredReference`: it answers the stored cases and refuses anything else, so
``check()`` runs unchanged (shrinking simply stops at the stored public case). Hidden cases
are represented by their group names only (for the points split), never by data.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from pathlib import Path

import numpy as np

from autograder import codec

FORMAT = 1


def case_key(args, kwargs, steps: int = 0) -> str:
    """A digest of a case's inputs (values, dtypes and shapes of every array)."""
    arrays: list = []
    head = json.dumps(codec.encode([list(args), dict(kwargs), int(steps)], arrays), sort_keys=True)
    h = hashlib.sha256(head.encode())
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"|{a.dtype.str}{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple | list):
        return type(value)(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


class _Default:
    """A parameter default shown by its stored ``repr`` (only displayed, never used)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


class StoredReference:
    """Stands in for a reference callable: same name, signature and summary line; returns
    the stored output for a stored case and raises ``LookupError`` for any other input."""

    def __init__(self, name: str, params: list[dict], doc: str, outputs: dict):
        self.__name__ = self.__qualname__ = name
        self.__doc__ = doc
        self.__signature__ = inspect.Signature(
            [
                inspect.Parameter(
                    p["name"],
                    inspect._ParameterKind[p["kind"]],
                    default=_Default(p["default"]) if "default" in p else inspect.Parameter.empty,
                )
                for p in params
            ]
        )
        self._outputs = outputs

    def _lookup(self, key: str):
        if key not in self._outputs:
            raise LookupError(f"{self.__name__}: only the stored public cases are available")
        return _copy(self._outputs[key])

    def replay(self, case):
        """The reference's output on a stored case (``autograder.engine.run_case``)."""
        return self._lookup(case_key(case.args, case.kwargs, case.steps))

    def __call__(self, *args, **kwargs):
        return self._lookup(case_key(args, kwargs))


# ------------------------------------------------------------------------------ writing


def _params(fn) -> list[dict]:
    out = []
    for p in inspect.signature(fn).parameters.values():
        item = {"name": p.name, "kind": p.kind.name}
        if p.default is not inspect.Parameter.empty:
            item["default"] = repr(p.default)
        out.append(item)
    return out


def _summary(fn) -> str:
    doc = inspect.getdoc(fn) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def dump_exercises(exercises) -> tuple[str, dict[str, np.ndarray]]:
    """(JSON text, arrays for ``numpy.savez``) storing the public side of ``exercises``."""
    from autograder.engine import run_case

    arrays: list = []
    items = []
    for ex in exercises:
        public = ex.cases(hidden=False)
        cases = []
        forward = []
        for c in public:
            cases.append(
                {
                    "group": c.group,
                    "steps": c.steps,
                    "args": codec.encode(list(c.args), arrays),
                    "kwargs": codec.encode(dict(c.kwargs), arrays),
                    "expected": codec.encode(run_case(ex, ex.reference, c), arrays),
                }
            )
            if ex.forward is not None:
                fwd_args = list(c.args[1:])
                forward.append(
                    {
                        "key": case_key(fwd_args, c.kwargs),
                        "output": codec.encode(ex.forward(*fwd_args, **c.kwargs), arrays),
                    }
                )
        items.append(
            {
                "id": ex.id,
                "chapter": ex.chapter,
                "function": ex.function,
                "points": ex.points,
                "kind": ex.kind,
                "compare": ex.compare,
                "rtol": ex.rtol,
                "atol": ex.atol,
                "description": ex.description,
                "properties": list(ex.properties),
                "params": _params(ex.reference),
                "doc": _summary(ex.reference),
                "public": cases,
                "hidden_groups": [g for g, hidden in ex.groups if hidden],
                "hidden_count": ex.counts[1],
                "forward": None
                if ex.forward is None
                else {
                    "name": ex.forward.__name__,
                    "params": _params(ex.forward),
                    "doc": _summary(ex.forward),
                    "outputs": forward,
                },
            }
        )
    text = json.dumps({"format": FORMAT, "exercises": items}, sort_keys=True, indent=1)
    return text, {f"a{i}": np.asarray(a) for i, a in enumerate(arrays)}


def write_exercises(exercises, json_path: Path) -> None:
    """Write ``<name>.json`` and ``<name>.npz`` side by side."""
    text, arrays = dump_exercises(exercises)
    json_path.write_text(text + "\n")
    with open(json_path.with_suffix(".npz"), "wb") as fh:
        np.savez_compressed(fh, **arrays)


# ------------------------------------------------------------------------------ reading


def _markers(value):
    """Turn decoded ``{"__rng__": s}`` / ``{"__fn__": n}`` back into registry markers."""
    from autograder.registry import Fn, Rng

    if isinstance(value, dict):
        if set(value) == {"__rng__"}:
            return Rng(int(value["__rng__"]))
        if set(value) == {"__fn__"}:
            return Fn(str(value["__fn__"]))
        return {k: _markers(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_markers(v) for v in value)
    return value


def load_exercises(module_file: str | Path) -> list:
    """The exercises stored next to ``module_file`` (``<module>.json`` / ``<module>.npz``)."""
    from autograder.registry import Case, Exercise

    base = Path(module_file).with_suffix("")
    data = json.loads(base.with_suffix(".json").read_text())
    with np.load(base.with_suffix(".npz"), allow_pickle=False) as npz:
        arrays = [npz[f"a{i}"] for i in range(len(npz.files))]
    out = []
    for item in data["exercises"]:
        cases, outputs = [], {}
        for c in item["public"]:
            args = tuple(_markers(codec.decode(c["args"], arrays)))
            kwargs = _markers(codec.decode(c["kwargs"], arrays))
            cases.append(Case(c["group"], args, kwargs, steps=c["steps"]))
            outputs[case_key(args, kwargs, c["steps"])] = codec.decode(c["expected"], arrays)
        hidden = [Case(g, (), {}) for g in item["hidden_groups"]]
        hidden += [hidden[-1]] * (item["hidden_count"] - len(hidden))
        fwd = item["forward"]
        forward = None
        if fwd is not None:
            stored = {o["key"]: codec.decode(o["output"], arrays) for o in fwd["outputs"]}
            forward = StoredReference(fwd["name"], fwd["params"], fwd["doc"], stored)
        out.append(
            Exercise(
                id=item["id"],
                chapter=item["chapter"],
                function=item["function"],
                reference=StoredReference(item["function"], item["params"], item["doc"], outputs),
                points=item["points"],
                public=lambda g, cases=cases: list(cases),
                hidden=lambda g, hidden=hidden: list(hidden),
                kind=item["kind"],
                compare=item["compare"],
                rtol=item["rtol"],
                atol=item["atol"],
                forward=forward,
                description=item["description"],
                properties=tuple(item["properties"]),
            )
        )
    return out
