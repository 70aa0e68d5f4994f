"""Lessons from nbgrader's and otter-grader's issue trackers, one test each."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from contextlib import redirect_stdout

import numpy as np
import pytest

from autograder import extract, registry
from autograder.feedback import check_report
from autograder.grade import grade_submissions
from autograder.notebooks import ROOT
from autograder.report import table

CHAPTER = "07_metrics"


def _solution() -> dict:
    return json.loads((ROOT / "instructor" / "solutions" / f"{CHAPTER}.ipynb").read_text())


def _grade(nb: dict, **kw):
    sub = extract.parse("s.ipynb", json.dumps(nb).encode(), ".ipynb")
    results, _ = grade_submissions([sub], chapter=CHAPTER, **kw)
    return results[0]


def _code(source: str) -> dict:
    return {
        "cell_type": "code",
        "metadata": {},
        "outputs": [],
        "execution_count": None,
        "source": source,
    }


def test_generated_notebooks_are_fresh():
    r = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "build-notebooks", "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout


def test_edited_notebook_still_grades():
    nb = _solution()
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    code.reverse()  # reordered
    code.insert(0, _code("%matplotlib inline\n!pip list\nimport os, math\n"))  # magics
    huge = {"output_type": "stream", "name": "stdout", "text": "x" * 2_000_000}
    code[1] = dict(code[1], outputs=[huge])  # huge output
    code.append(_code("def unrelated_helper(x):\n    return x + 1\n"))
    nb["cells"] = code  # markdown deleted
    r = _grade(nb)
    assert r.points == r.max_points


@pytest.mark.slow
def test_a_timeout_costs_only_that_exercise():
    nb = _solution()
    nb["cells"].append(
        _code("def dice_score(y_true, y_pred, **kw):\n    while True:\n        pass\n")
    )
    r = _grade(nb, timeout=1.0)
    by_id = {e.id: e for e in r.exercises}
    assert by_id["metrics.dice_score"].points == 0
    assert "timed out" in by_id["metrics.dice_score"].reason
    assert all(e.points == e.max_points for e in r.exercises if e.id != "metrics.dice_score")


def test_failure_modes_give_clear_reasons():
    nb = _solution()
    nb["cells"] += [
        _code("def f1_score(y_true, y_pred:\n    pass\n"),  # syntax error: cell skipped
        _code("def dice_score(a, b):\n    return 0.5\n"),  # wrong signature
        _code(
            "import numpy as np\ndef top_k_accuracy_score(y_true, y_score, *, k=2, "
            "normalize=True, sample_weight=None, labels=None):\n"
            "    return np.ones(10**11)\n"
        ),  # out of memory
        _code(
            "def recall_score(y_true, y_pred, *, labels=None, pos_label=1, average='binary',"
            " sample_weight=None, zero_division='warn'):\n    return float('nan')\n"
        ),  # NaN
    ]
    defines_precision = ["def precision_score" in "".join(c["source"]) for c in nb["cells"]]
    del nb["cells"][defines_precision.index(True)]  # missing function
    r = _grade(nb)
    reasons = {e.id: e.reason for e in r.exercises}
    assert "NaN" in reasons["metrics.recall_score"]
    assert "out of memory" in reasons["metrics.top_k_accuracy_score"]
    assert "wrong signature" in reasons["metrics.dice_score"]
    assert "no function named precision_score" in reasons["metrics.precision_score"]
    # f1_score: the broken cell is skipped, the earlier correct definition still counts
    assert {e.id: e.points for e in r.exercises}["metrics.f1_score"] == 4
    assert any("syntax error" in n for n in r.notes)


def test_feedback_shows_message_and_partial_points_and_no_hidden_data():
    nb = _solution()
    nb["cells"].append(
        _code(
            "def f1_score(y_true, y_pred, *, labels=None, pos_label=1, average='binary', "
            "sample_weight=None, zero_division='warn'):\n"
            "    raise ValueError(repr(list(y_true)))\n"
        )
    )
    r = _grade(nb)
    f1 = next(e for e in r.exercises if e.id == "metrics.f1_score")
    line = next(ln for ln in table([r], {}).splitlines() if "metrics.f1_score" in ln)
    assert "0 / 4" in line and "ValueError" in line
    text = json.dumps(r.to_json())
    ex = registry.get("metrics.f1_score")
    for case in ex.cases(hidden=True):
        assert repr(list(case.args[0])) not in text  # the exception echoed hidden data
    assert all(not c.reason or ":" not in c.reason for c in f1.cases if c.hidden)


def test_hidden_case_data_never_appears_in_student_notebooks():
    for ex in registry.all_exercises():
        text = (ROOT / "chapters" / ex.chapter / "exercises.ipynb").read_text()
        for case in ex.cases(hidden=True):
            for a in case.args:
                if isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.size:
                    assert repr(float(a.flat[0]))[:10] not in text


def test_check_says_hidden_cases_run_at_grading_and_is_fast():
    from solutions import metrics

    [report] = check_report("metrics.f1_score", metrics.f1_score, caller={})
    assert report.passed and report.seconds < 1.0
    assert "run only at grading" in report.text()
    assert "not a final grade" in report.text()


def test_check_finds_functions_by_name_and_shrinks_failures():
    def soft_threshold(x, threshold):
        return np.sign(x) * np.maximum(np.abs(x) - threshold, 0) * (1 + (np.abs(x) > 1))

    out = io.StringIO()
    with redirect_stdout(out):
        [report] = check_report(soft_threshold, caller={})
    assert not report.passed and report.first_failure["shrunk"]
    assert "x = array([" in "\n".join(report.first_failure["lines"])


def test_backward_check_tells_forward_from_backward_bugs():
    from solutions import regularization as reg

    def l1_penalty(params, lam):
        return lam * float(np.abs(params).sum())

    def l1_penalty_backward(grad_output, params, lam):
        return grad_output * lam * np.abs(np.sign(params))  # bug: lost the sign

    [report] = check_report(l1_penalty_backward, caller={"l1_penalty": l1_penalty})
    assert "bug is in the backward" in report.gradient_note
    [good] = check_report(reg.l1_penalty_backward, caller={"l1_penalty": l1_penalty})
    assert good.passed and "✓" in good.gradient_note


def test_parent_refuses_pickled_arrays():
    from autograder import codec

    buf = io.BytesIO()
    np.save(buf, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        codec.npy_load(buf.getvalue())


def test_stub_copy_is_deterministic():
    nb = _solution()
    assert _grade(copy.deepcopy(nb)).to_json() == _grade(nb).to_json()
