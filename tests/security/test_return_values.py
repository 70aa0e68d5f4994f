"""Comparison and feedback never raise: whatever a student's function returns -- None,
scalars of every numpy dtype, 0-d, zero-size, strided and broadcast arrays, subclasses,
objects whose ``__eq__``/``__array__``/``__float__``/``__len__``/``__bool__`` lie or raise,
nested containers of the wrong length or kind, generators, strings, exceptions -- ``compare``
gives a verdict with one sentence, ``check()`` prints a report, and ``grade`` (through the
sandbox) scores it without an "ungradable output" from the grader itself.
"""

from __future__ import annotations

import functools
import io
import json
from contextlib import redirect_stdout

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder import extract, registry
from autograder.compare import CATEGORIES, Verdict, compare, hidden_summary
from autograder.engine import expected_output
from autograder.feedback import check_exercise
from autograder.grade import grade_submissions
from tests.security.attacks import solution_notebook


class Liar:
    """Every protocol the grader might touch answers wrongly or raises."""

    def __init__(self, mode: str):
        self.mode = mode

    def __eq__(self, other):
        if self.mode == "raise":
            raise RuntimeError("eq")
        return True

    __hash__ = object.__hash__

    def __array__(self, dtype=None, copy=None):
        if self.mode == "raise":
            raise RuntimeError("array")
        return np.array(["not", "numbers"]) if self.mode == "strings" else np.ones(3)

    def __float__(self):
        raise RuntimeError("float")

    def __len__(self):
        if self.mode == "raise":
            raise RuntimeError("len")
        return -1 if self.mode == "negative" else 10**30

    def __bool__(self):
        raise RuntimeError("bool")

    def __iter__(self):
        raise RuntimeError("iter")

    def __repr__(self):  # hypothesis prints what it drew; see test_an_unprintable_value
        return f"Liar({self.mode!r})"


class Unprintable(Liar):
    def __repr__(self):
        raise RuntimeError("repr")

    __str__ = __repr__


class Sub(np.ndarray):
    def __eq__(self, other):
        return True

    def __array_finalize__(self, obj):
        raise_later = getattr(obj, "boom", False)
        if raise_later:
            raise RuntimeError("finalize")


DTYPES = [
    np.float16, np.float32, np.float64, np.longdouble, np.complex64, np.complex128, np.bool_,
    np.int8, np.uint64, "datetime64[s]", "timedelta64[ms]", object, "U5", "S3",
    [("a", "<f8"), ("b", "<i4")],
]  # fmt: skip


def _arrays():
    dtype = st.sampled_from(DTYPES)
    shape = st.sampled_from([(), (0,), (3,), (2, 3), (0, 4), (1, 1, 1)])

    def make(dt, sh):
        try:
            return np.zeros(sh, dtype=dt)
        except (TypeError, ValueError):
            return np.zeros(sh)

    plain = st.builds(make, dtype, shape)
    views = st.sampled_from(
        [
            np.arange(12.0).reshape(3, 4)[::-1, ::-2],
            np.broadcast_to(np.float64(1.0), (10**6, 10**6)),
            np.arange(6.0).view(Sub),
            np.ma.masked_array([1.0, 2.0], mask=[True, False]),
            np.rec.fromrecords([(1, 2.0)], names="x,y"),
            np.full(3, np.nan),
            np.array([np.inf, -np.inf, np.nan]),
            np.float64(np.nan),
            np.empty((0,), dtype=np.float32),
        ]
    )
    return st.one_of(plain, views)


def _weird(expected):
    """Values a student function could return, including ones shaped like the answer."""
    atoms = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**100), max_value=2**100),
        st.floats(allow_nan=True, allow_infinity=True),
        st.complex_numbers(),
        st.text(max_size=5),
        st.binary(max_size=5),
        st.sampled_from([Liar("raise"), Liar("lie"), Liar("strings"), Liar("negative")]),
        st.just(ValueError("an exception as a value")),
        st.just(i for i in range(3)),
        st.just(object()),
        st.just(np.float64),
        _arrays(),
    )
    nested = st.recursive(
        atoms,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.lists(inner, max_size=4).map(tuple),
            st.dictionaries(st.text(max_size=3), inner, max_size=3),
        ),
        max_leaves=8,
    )
    if isinstance(expected, tuple):  # the right length, wrong things inside
        shaped = st.tuples(*[nested for _ in expected])
        return st.one_of(nested, shaped)
    if isinstance(expected, dict):
        return st.one_of(nested, st.fixed_dictionaries({k: nested for k in expected}))
    return nested


@functools.cache
def _expected(ex_id: str):
    ex = registry.get(ex_id)
    case = ex.cases(hidden=False)[0]
    return ex, expected_output(ex, case)


EXERCISE_IDS = sorted(e.id for e in registry.all_exercises())
#: One exercise per kind of expected output (array, tuple with None, dict, scalar, ...)
#: besides the random draw over all of them.
KIND_SAMPLE = sorted(
    {
        type(_expected(i)[1]).__name__ + _expected(i)[0].compare: i
        for i in EXERCISE_IDS[:: max(1, len(EXERCISE_IDS) // 60)]
    }.values()
)


def _assert_one_sentence(verdict: Verdict) -> None:
    assert isinstance(verdict, Verdict) and isinstance(verdict.ok, bool)
    if not verdict.ok:
        assert isinstance(verdict.reason, str) and verdict.reason.strip(), verdict
        assert "\n" not in verdict.reason
        categories = {c for _, c in CATEGORIES} | {"wrong value"}
        assert verdict.summary.split(": ")[-1] in categories, verdict.summary
        assert hidden_summary(verdict.reason) == verdict.summary


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_compare_gives_a_verdict_for_any_return_value(data):
    ex_id = data.draw(st.sampled_from(EXERCISE_IDS))
    ex, expected = _expected(ex_id)
    got = data.draw(_weird(expected))
    _assert_one_sentence(compare(ex, expected, got))


@pytest.mark.parametrize("ex_id", KIND_SAMPLE)
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_check_reports_any_return_value(ex_id, data):
    """``check()`` in the notebook: a report, never a traceback from the grader."""
    ex, expected = _expected(ex_id)
    got = data.draw(_weird(expected))
    report = check_exercise(ex, lambda *args, **kwargs: got)
    text = report.text()
    assert isinstance(text, str) and ex.function in text
    assert not report.passed or got is not None


def test_a_none_answer_meets_an_array():
    """The norm backward returns None for an absent weight: an array there is a wrong
    value, not "truth value of an array is ambiguous"."""
    v = compare(
        registry.get("norm.batch_norm_backward"), (np.ones(2), None), (np.ones(2), np.ones(2))
    )
    assert not v.ok and "expected None" in v.reason, v.reason


@pytest.mark.parametrize("ex_id", KIND_SAMPLE)
def test_an_unprintable_value(ex_id):
    ex, expected = _expected(ex_id)
    _assert_one_sentence(compare(ex, expected, Unprintable("raise")))
    _assert_one_sentence(compare(ex, None, Unprintable("raise")))
    assert ex.function in check_exercise(ex, lambda *a, **k: Unprintable("raise")).text()


WEIRD_SUBMISSION = """
import numpy as np

_VALUES = [None, np.float16(1), np.longdouble(1), np.complex128(1j), np.bool_(True),
           np.datetime64("2020-01-01"), np.zeros((), dtype=[("a", "<f8")]), np.zeros((0, 3)),
           np.arange(12.0).reshape(3, 4)[::-1, ::-2], "text", [1, [2, [3]]], {"k": (1, 2)},
           (None, None, None, None, None), np.array(["a", "b"]), float("nan"), 2**70]
_CALLS = []


def _weird(*args, **kwargs):
    _CALLS.append(1)
    return _VALUES[len(_CALLS) % len(_VALUES)]
"""


def test_grade_scores_any_encodable_return_value():
    """Through the sandbox: every exercise of a chapter returns a different odd value per
    call; each case gets a verdict, none says the output was ungradable by the grader."""
    nb = solution_notebook("02_norm")
    names = [e.function for e in registry.exercises_for_chapter("02_norm")]
    source = WEIRD_SUBMISSION + "".join(f"\n{n} = _weird\n" for n in names)
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "source": source})
    sub = extract.parse("weird.ipynb", json.dumps(nb).encode(), ".ipynb")
    results, _ = grade_submissions([sub], chapter="02_norm", timeout=5)
    reasons = [c.reason for e in results[0].exercises for c in e.cases]
    assert reasons and results[0].points < results[0].max_points
    assert not [r for r in reasons if "ungradable output (" in r], reasons
    out = io.StringIO()
    with redirect_stdout(out):
        for e in results[0].exercises:
            print(e.to_json())
    assert "Traceback" not in out.getvalue()
