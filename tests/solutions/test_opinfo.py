"""torch's own OpInfo inputs (sample, reference and error inputs of ``op_db``) through our
functions, float64 and float32, forward and backward (see ``opinfo_harness``).

Every input must agree with torch, or be refused for a reason listed in
``opinfo_harness.DELIBERATE``; every error input of torch's must be refused by us too.
"""

from __future__ import annotations

import inspect
import sys

import pytest
import torch

from tests.solutions import opinfo_harness as harness

OPS = harness.ops()
pytestmark = pytest.mark.slow  # ~30 s of CPU over all ops: torch's inputs reach 1024 x 1024


def _report(verdicts):
    return "\n".join(f"{v.op} {v.dtype} {v.kind}: {v.detail}" for v in verdicts)


@pytest.mark.parametrize("dtype", [*harness.DTYPES, None], ids=["float64", "float32", "errors"])
@pytest.mark.parametrize(("op", "fn"), OPS, ids=[harness.op_id(op) for op, _ in OPS])
def test_opinfo_inputs(op, fn, dtype):
    verdicts = harness.run_op(op, fn, dtype)
    disagree = [v for v in verdicts if v.verdict == "disagree"]
    assert not disagree, _report(disagree)
    for v in verdicts:
        assert v.verdict == "agree" or v.kind == "error" or v.reason, v


def test_every_function_with_an_op_db_entry_is_covered():
    """The mapping finds the functions it should (a rename would silently drop coverage)."""
    names = {op.name.split(".")[-1] for op, _ in OPS}
    assert len(OPS) >= 46
    for expected in (
        "relu",
        "softmax",
        "cross_entropy",
        "group_norm",
        "multi_margin_loss",
        "rrelu",
        "dropout",
        "triplet_margin_loss",
        "rms_norm",
    ):
        assert expected in names


@pytest.mark.parametrize(
    "entry", [e for e in harness.DELIBERATE if e.op != "*"], ids=lambda e: e.op
)
def test_deliberate_differences_are_stated_in_the_module_docstring(entry):
    fn = next(fn for op, fn in OPS if op.name.split(".")[-1] == entry.op)
    doc = inspect.getdoc(sys.modules[fn.__module__])
    assert "Deliberate differences" in doc
    assert f"``{entry.op}``" in doc or "element-wise losses" in doc or "everywhere" in doc


def test_a_disagreement_is_caught():
    """The harness can fail: a wrong relu gradient is reported as a disagreement."""
    op, fn = next((op, fn) for op, fn in OPS if op.name == "nn.functional.relu")
    module = sys.modules[fn.__module__]
    original = module.relu_backward
    try:
        module.relu_backward = lambda g, x: original(g, x) * 1.01
        verdicts = harness.run_op(op, fn, torch.float64)
    finally:
        module.relu_backward = original
    assert any(v.verdict == "disagree" and "grad input" in v.detail for v in verdicts)
