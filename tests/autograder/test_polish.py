"""Small autograder improvements, one test each that fails on the old behaviour:

- naive overflow-prone formulas are caught by a PUBLIC extreme case (``check()`` tells the
  student), not only by the hidden extreme group (which keeps other data);
- a ``.py`` submission with one syntax error loses only what the broken chunk defines, as a
  notebook loses only its broken cell.
"""

from __future__ import annotations

import ast
import json
import warnings

import numpy as np
import pytest

from autograder import extract, registry
from autograder.feedback import check_exercise
from autograder.grade import grade_submissions
from autograder.notebooks import ROOT
from solutions import losses as ref_losses

# ------------------------------------------------------------------ naive formulas


def _softmax(x, dim):
    e = np.exp(x)  # no max subtracted: overflows for x > ~709
    return e / e.sum(axis=dim, keepdims=True)


def _log_softmax(x, dim):
    return x - np.log(np.exp(x).sum(axis=dim, keepdims=True))


def _sigmoid(x):
    e = np.exp(x)
    return e / (1 + e)  # inf / inf = NaN for x > ~709


def _reduce(losses, reduction):
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()


def sigmoid(input):
    return _sigmoid(input)


def sigmoid_backward(grad_output, input):
    s = _sigmoid(input)
    return grad_output * s * (1 - s)


def softplus(input, beta=1.0, threshold=20.0):
    return np.log(1 + np.exp(beta * input)) / beta


def softplus_backward(grad_output, input, beta=1.0, threshold=20.0):
    return grad_output * _sigmoid(beta * input)


def _cast(x, dtype):
    return x if dtype is None else np.asarray(x).astype(dtype)  # torch casts first


def softmax(input, dim, dtype=None, *, temperature=1.0):
    return _softmax(_cast(input, dtype) / temperature, dim)


def softmax_backward(grad_output, input, dim, dtype=None, *, temperature=1.0):
    s = _softmax(_cast(input, dtype) / temperature, dim)
    grad = s * (grad_output - (grad_output * s).sum(axis=dim, keepdims=True)) / temperature
    return grad.astype(np.asarray(input).dtype)  # the gradient has the input's dtype


def log_softmax(input, dim, dtype=None, *, temperature=1.0):
    return _log_softmax(_cast(input, dtype) / temperature, dim)


def log_softmax_backward(grad_output, input, dim, dtype=None, *, temperature=1.0):
    s = _softmax(_cast(input, dtype) / temperature, dim)
    grad = (grad_output - s * grad_output.sum(axis=dim, keepdims=True)) / temperature
    return grad.astype(np.asarray(input).dtype)  # the gradient has the input's dtype


def cross_entropy(input, target, weight=None, **kw):
    # The reference on naive log-probabilities (log_softmax is idempotent): right where
    # exp does not overflow, NaN where it does.
    return ref_losses.cross_entropy(_log_softmax(input, 1), target, weight, **kw)


def cross_entropy_backward(grad_output, input, target, weight=None, **kw):
    logp = _log_softmax(input, 1)  # same gradient: softmax(log_softmax(x)) = softmax(x)
    return ref_losses.cross_entropy_backward(grad_output, logp, target, weight, **kw)


def binary_cross_entropy_with_logits(
    input, targets, weight=None, *, reduction="mean", pos_weight=None
):
    p = 1 / (1 + np.exp(-input))
    pw = 1.0 if pos_weight is None else pos_weight
    losses = -(pw * targets * np.log(p) + (1 - targets) * np.log(1 - p))
    return _reduce(losses if weight is None else weight * losses, reduction)


def log_cosh_loss(input, target, *, reduction="mean"):
    return _reduce(np.log(np.cosh(input - target)), reduction)


def soft_margin_loss(input, target, *, reduction="mean"):
    return _reduce(np.log(1 + np.exp(-target * input)), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, *, reduction="mean"):
    p = 1 / (1 + np.exp(-input))
    losses = -(target * np.log(p) + (1 - target) * np.log(1 - p))
    losses = (losses if weight is None else weight * losses).mean(axis=-1)
    return _reduce(losses, reduction)


def ranknet_loss(input1, input2, target, *, reduction="mean"):
    p = 1 / (1 + np.exp(-(input1 - input2)))
    return _reduce(-(target * np.log(p) + (1 - target) * np.log(1 - p)), reduction)


def softmax_cross_entropy(logits, target):
    z = np.asarray(logits, dtype=np.float64)
    p = _softmax(z, 1)[np.arange(len(z)), target]
    return np.asarray(-np.log(p).mean(), dtype=logits.dtype)


def softmax_cross_entropy_backward(grad_output, logits, target):
    z = np.asarray(logits, dtype=np.float64)
    p = _softmax(z, 1)
    p[np.arange(len(z)), target] -= 1
    return (grad_output * p / len(z)).astype(logits.dtype)


NAIVE = {
    "activations.sigmoid": sigmoid,
    "activations.sigmoid_backward": sigmoid_backward,
    "activations.softplus": softplus,
    "activations.softplus_backward": softplus_backward,
    "activations.softmax_backward": softmax_backward,
    "activations.log_softmax": log_softmax,
    "activations.log_softmax_backward": log_softmax_backward,
    "losses.cross_entropy": cross_entropy,
    "losses.cross_entropy_backward": cross_entropy_backward,
    "losses.binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "losses.log_cosh_loss": log_cosh_loss,
    "losses.soft_margin_loss": soft_margin_loss,
    "losses.multilabel_soft_margin_loss": multilabel_soft_margin_loss,
    "losses.ranknet_loss": ranknet_loss,
    "backprop.softmax_cross_entropy": softmax_cross_entropy,
    "backprop.softmax_cross_entropy_backward": softmax_cross_entropy_backward,
}
FORWARDS = {"softmax": softmax, "log_softmax": log_softmax, "sigmoid": sigmoid}
FORWARDS |= {f.__name__: f for f in NAIVE.values()}


@pytest.mark.parametrize("exercise_id", sorted(NAIVE))
def test_check_catches_a_naive_overflowing_formula(exercise_id):
    """The naive formula passes every other public group; check() fails it on the public
    extreme group with a NaN/inf hint, before grading's hidden extreme group would."""
    ex = registry.get(exercise_id)
    forward = FORWARDS.get(ex.forward_function) if ex.forward_function else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        report = check_exercise(ex, NAIVE[exercise_id], forward=forward)
    failed = {r.group for r in report.results if not r.ok}
    assert failed == {"extreme"}, report.text()
    assert "NaN or inf" in report.text() and "numerically stable" in report.text()


@pytest.mark.parametrize("exercise_id", sorted(NAIVE))
def test_public_and_hidden_extreme_groups_use_different_data(exercise_id):
    ex = registry.get(exercise_id)
    assert ("extreme", False) in ex.groups and ("extreme", True) in ex.groups
    cases = [c for c in ex.cases(hidden_seed="x") if c.group == "extreme"]
    public = [c for c in cases if not c.hidden]
    hidden = [c for c in cases if c.hidden]
    assert len(public) == 1 and hidden

    def arrays(c):
        return [a for a in c.args if isinstance(a, np.ndarray) and a.dtype.kind == "f"]

    # the inputs reach exp's overflow range (|x| > ~709) in float64
    assert max(np.abs(a).max() for a in arrays(public[0]) if a.dtype == np.float64) >= 1e3
    for h in hidden:
        for a in arrays(h):
            for p in arrays(public[0]):
                assert a.shape != p.shape or not np.array_equal(a, p)


def test_references_pass_their_public_extreme_cases():
    for exercise_id in NAIVE:
        ex = registry.get(exercise_id)
        report = check_exercise(ex, ex.reference, forward=ex.forward)
        assert report.passed, report.text()


# ------------------------------------------------------------------ .py with a syntax error

CHAPTER = "07_metrics"


def _solution_py(chapter: str) -> str:
    nb = json.loads((ROOT / "instructor" / "solutions" / f"{chapter}.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return "\n\n".join(c for c in cells if not c.lstrip().startswith(("%", "check(")))


def _break(source: str, function: str) -> tuple[str, int]:
    """``source`` with a syntax error inside ``function``'s body, just before its last
    statement; returns it and the broken line's number."""
    node = next(n for n in ast.parse(source).body if getattr(n, "name", "") == function)
    last = node.body[-1].lineno  # 1-based: insert before it
    lines = source.splitlines()
    lines.insert(last - 1, "    x = = 1")
    return "\n".join(lines) + "\n", last


def test_a_py_syntax_error_inside_one_function_loses_only_that_exercise():
    source, line = _break(_solution_py(CHAPTER), "f1_score")
    sub = extract.parse("mine.py", source.encode(), ".py")
    [err] = sub.syntax_errors
    assert err["line"] == line and "f1_score" in err["names"]
    first, last = err["lines"]
    assert first < line <= last and f"lines {first}-{last} skipped" in err["msg"]
    assert "f1_score" not in sub.defined and "precision_score" in sub.defined
    [result], _ = grade_submissions([sub], chapter=CHAPTER, workers=1)
    points = {e.id: e.points for e in result.exercises}
    lost = {e.id for e in result.exercises if e.points < e.max_points}
    assert lost == {"metrics.f1_score"}, {e.id: e.reason for e in result.exercises if e.reason}
    assert points["metrics.f1_score"] == 0
    f1 = next(e for e in result.exercises if e.id == "metrics.f1_score")
    assert "syntax error" in f1.reason and f"line {line}" in f1.reason


def test_py_chunks_keep_decorators_continuations_and_unclosed_brackets_apart():
    source = "\n".join(
        [
            "import numpy as np",  # 1
            "",
            "@staticmethod",  # 3
            "def a(x):",
            '    """a docstring',
            'with a line at column 0"""',  # 6: inside the string: merged back
            "    return x",
            "",
            "def b(x):",  # 9
            "    return x +* 2",  # 10: broken
            "",
            "X = (1,",  # 12
            "2,",
            ")",
            "try:",  # 15
            "    Y = 1",
            "except ImportError:",
            "    Y = 2",
            "def c(x):",  # 19
            "    return x",
            "def d(x:",  # 21: never closed
            "    return x",
            "Z = 1 + \\",  # 23
            "2",
            "class E:",  # 25
            "    pass",
        ]
    )
    sub = extract.parse("s.py", source.encode(), ".py")
    assert sub.defined == {"a", "X", "c", "Z", "E"}
    broken = sorted((e["lines"][0], e["lines"][1], *sorted(e["names"])) for e in sub.syntax_errors)
    assert broken == [(9, 10, "b"), (21, 22, "d")]
    starts = {st["line"] for st in sub.statements}
    assert starts == {1, 3, 12, 19, 23, 25}


def test_a_py_that_parses_is_unchanged_and_a_hostile_one_is_not_cut():
    ok = extract.parse("ok.py", b"def f(x):\n    return x\n", ".py")
    assert ok.defined == {"f"} and not ok.syntax_errors
    many = ("x = (\n" * (extract.MAX_CHUNKS + 1)).encode()
    sub = extract.parse("many.py", many, ".py")
    assert len(sub.syntax_errors) == 1 and "lines" not in sub.syntax_errors[0]
    assert not sub.statements
    big = ("def f(x):\n    return x\n" + "#" * extract.MAX_CHUNKED_BYTES + "\nx = (\n").encode()
    sub = extract.parse("big.py", big, ".py")
    assert len(sub.syntax_errors) == 1 and "lines" not in sub.syntax_errors[0]
    assert not sub.defined
