"""Public cases with the reference's outputs stored, for ``check()`` without ``solutions/``.

A release bundle (:mod:`autograder.release`) ships, per chapter registry module, a JSON file
and an ``.npz`` (loaded with ``allow_pickle=False``) holding each exercise's metadata, its
public cases and the reference's output on each of them. :func:`load_exercises` turns them
back into :class:`autograder.registry.Exercise` objects whose ``reference`` (and ``forward``)
is a :class:`StoredReference`: it answers the stored cases and refuses anything else, so
``check()`` runs unchanged. Shrinking works on the stored smaller variants of each case (its
axes cut to one element, the shrinker's first candidates) and stops where they end. Hidden
cases are represented by their group names only (for the points split), never by data.

Kept small (a bundle is a download, see :func:`_compact_case`): big random inputs of
initializers and distribution-compared exercises are stored compressibly, and a
distribution-compared output is stored sorted in float16 (only its empirical distribution is
compared).
"""

from __future__ import annotations

import hashlib
import inspect
import json
from pathlib import Path

import numpy as np

from autograder import codec, diagnosis

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
    from autograder.registry import _plain_default  # NaN as float("nan"), as the stubs show

    out = []
    for p in inspect.signature(fn).parameters.values():
        item = {"name": p.name, "kind": p.kind.name}
        if p.default is not inspect.Parameter.empty:
            item["default"] = repr(_plain_default(p.default))
        out.append(item)
    return out


def _summary(fn) -> str:
    doc = inspect.getdoc(fn) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


#: How many smaller variants of one public case get the reference's output stored, so that
#: ``check()`` in a bundle shrinks a failing case as in the repository (see :func:`_shrunk`).
MAX_SHRUNK_PER_CASE = 16


def _compact_case(ex, case):
    """A public case whose big random inputs are stored in a few bytes, the reference's
    output recomputed on it (so the bundle stays consistent):

    * an initializer's array to fill holds a repeating pattern instead of random values
      (every initializer overwrites it; a student's that does not still shows);
    * a distribution-compared exercise's float inputs are rounded to odd multiples of 1/64
      (same spread and signs, never exactly zero; only the output's distribution is judged).
    """
    from autograder.registry import Case

    def big(a) -> bool:
        return isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.size >= 64

    args, kwargs = list(case.args), dict(case.kwargs)
    if ex.kind == "initializer" and args and big(args[0]):
        a = args[0]
        args[0] = (((np.arange(a.size) % 7) - 3) / 3).astype(a.dtype).reshape(a.shape)
    elif ex.compare == "distribution":

        def rounded(a):
            return ((np.floor(a * 32) + 0.5) / 32).astype(a.dtype) if big(a) else a

        args = [rounded(a) for a in args]
        kwargs = {k: rounded(v) for k, v in kwargs.items()}
    return Case(case.group, tuple(args), kwargs, case.hidden, case.name, case.steps)


def _compact_expected(ex, expected):
    """``(value, note)``: a distribution-compared output is judged only by its empirical
    distribution (KS test, mean, std, range), so it is stored sorted: in float16 when its
    values are continuous (a few kB instead of MBs of random float64; ``note`` records the
    dtype it is read back as), exactly when they are few (a dropout mask)."""
    if (
        ex.compare == "distribution"
        and isinstance(expected, np.ndarray)
        and expected.dtype.kind == "f"
        and expected.size >= 64
        and np.ptp(expected) > 0
        and np.isfinite(expected).all()
        and np.abs(expected).max() < 6e4
    ):
        ordered = np.sort(expected, axis=None)
        if np.unique(ordered).size < ordered.size // 4:  # few values (a mask): store exactly
            return ordered.reshape(expected.shape), None
        return ordered.astype(np.float16).reshape(expected.shape), str(expected.dtype)
    return expected, None


def _shrunk(ex, case, run_case) -> list[tuple[str, object]]:
    """``(key, reference output)`` for the case's smaller variants that cut axes to one
    element (every combination, up to :data:`MAX_SHRUNK_PER_CASE`): the first candidates the
    shrinker (:mod:`autograder.shrink`) tries, so a failure that persists on them shrinks in a
    bundle as it does with the references."""
    from autograder.shrink import _candidates

    if ex.compare in ("distribution", "orthogonal", "pipeline"):
        return []  # a milestone's failures are located part by part, not shrunk
    out: list[tuple[str, object]] = []
    seen = {case_key(case.args, case.kwargs, case.steps)}
    frontier = [case]
    while frontier and len(out) < MAX_SHRUNK_PER_CASE:
        nxt = []
        for c in frontier:
            for cand in _candidates(c):
                sizes = [a.shape for a in cand.args if isinstance(a, np.ndarray)]
                before = [a.shape for a in c.args if isinstance(a, np.ndarray)]
                cut_to_one = all(
                    n == m or n == 1
                    for s, t in zip(sizes, before, strict=True)
                    for n, m in zip(s, t, strict=True)
                )
                key = case_key(cand.args, cand.kwargs, cand.steps)
                if not cut_to_one or key in seen:
                    continue
                seen.add(key)
                try:
                    value = run_case(ex, ex.reference, cand)
                except Exception:  # noqa: BLE001 - not a valid input: the shrinker skips it
                    continue
                out.append((key, value))
                nxt.append(cand)
                if len(out) >= MAX_SHRUNK_PER_CASE:
                    break
        frontier = nxt
    return out


def _mistakes(ex, public, arrays) -> list[dict]:
    """Each known mistake of ``ex`` (autograder.mistakes): its fixed text and its outputs on
    the stored public cases, so that ``check()`` diagnoses without the wrong code."""
    from autograder import mistakes
    from autograder.engine import run_case

    out = []
    for m in mistakes.for_exercise(ex.id):
        outputs = []
        for c in public:
            try:
                with np.errstate(all="ignore"):
                    value, as_dtype = _compact_expected(ex, run_case(ex, m.wrong, c))
            except Exception:  # noqa: BLE001 - the wrong code refuses this input
                continue
            outputs.append(
                {
                    "key": case_key(c.args, c.kwargs, c.steps),
                    "output": codec.encode(value, arrays),
                    "dtype": as_dtype,
                }
            )
        out.append({"id": m.id, "sentence": m.sentence, "link": m.link, "outputs": outputs})
    return out


def dump_exercises(exercises) -> tuple[str, dict[str, np.ndarray]]:
    """(JSON text, arrays for ``numpy.savez``) storing the public side of ``exercises``."""
    from autograder.engine import run_case

    arrays: list = []
    items = []
    for ex in exercises:
        public = ex.cases(hidden=False)
        public = [_compact_case(ex, c) for c in public]
        cases = []
        forward = []
        for c in public:
            expected, as_dtype = _compact_expected(ex, run_case(ex, ex.reference, c))
            cases.append(
                {
                    "group": c.group,
                    "steps": c.steps,
                    "args": codec.encode(list(c.args), arrays),
                    "kwargs": codec.encode(dict(c.kwargs), arrays),
                    "expected": codec.encode(expected, arrays),
                    "expected_dtype": as_dtype,
                    "shrunk": [
                        {"key": k, "expected": codec.encode(v, arrays)}
                        for k, v in _shrunk(ex, c, run_case)
                    ],
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
                "mistakes": _mistakes(ex, public, arrays),
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
            expected = codec.decode(c["expected"], arrays)
            if c.get("expected_dtype"):
                expected = expected.astype(c["expected_dtype"])
            outputs[case_key(args, kwargs, c["steps"])] = expected
            for small in c.get("shrunk", ()):
                outputs[small["key"]] = codec.decode(small["expected"], arrays)
        for m in item.get("mistakes", ()):
            stored_outputs = {}
            for o in m["outputs"]:
                value = codec.decode(o["output"], arrays)
                stored_outputs[o["key"]] = value.astype(o["dtype"]) if o["dtype"] else value
            known = diagnosis.Known(m["id"], item["id"], m["sentence"], m["link"])
            diagnosis.register_stored(item["id"], known, stored_outputs)
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
