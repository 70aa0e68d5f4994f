"""Lessons from nbgrader's and otter-grader's issue trackers, one test each."""

from __future__ import annotations

import copy
import io
import json
import re
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


#: A number as Python, JSON or numpy print it (``0.12345679``, ``-1.2345679e+03``, ``1e-05``).
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
#: Values with fewer significant digits (0.0, 1.0, 0.5, 10.0, 1e4) are too common to tell a
#: leak from a coincidence; a leaked random draw has many more (numpy prints 8).
DISTINCTIVE_DIGITS = 6
#: numpy prints 8 significant digits: a printed value is within 5e-8 of the true one.
LEAK_RTOL = 1e-7
#: The first values of each hidden array that are looked for, and how many of them (or all,
#: for a shorter array) must appear for the array to count as leaked.
LEAK_PROBES, LEAK_HITS = 16, 2


def _significant_digits(value: float) -> int:
    mantissa = np.format_float_scientific(value, unique=True).split("e")[0]
    return len(mantissa.lstrip("-").replace(".", "").rstrip("0")) or 1


def _distinctive(values) -> np.ndarray:
    """The values (in their own dtype's shortest repr) with >= DISTINCTIVE_DIGITS digits."""
    keep = [
        float(v) for v in values if np.isfinite(v) and _significant_digits(v) >= DISTINCTIVE_DIGITS
    ]
    return np.array(keep, dtype=np.float64)


def _text_numbers(text: str) -> np.ndarray:
    """The distinctive numbers written in ``text``, sorted (format-independent matching)."""
    values = []
    for token in NUMBER.findall(text):
        try:
            values.append(float(token))
        except ValueError:
            continue
    return np.sort(_distinctive(np.array(values, dtype=np.float64)))


def _float_arrays(value):
    """Every float array in a case argument (lists of parameters, dicts of options, ...)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and value.size:
            yield value
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _float_arrays(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _float_arrays(v)


def _leaked(array: np.ndarray, numbers: np.ndarray) -> bool:
    """Whether ``array``'s first distinctive values are written among ``numbers`` (sorted):
    LEAK_HITS of them, or all if fewer. An array without distinctive values cannot leak."""
    probes = _distinctive(array.ravel()[: 4 * LEAK_PROBES])[:LEAK_PROBES]
    if not probes.size or not numbers.size:
        return False
    at = np.clip(np.searchsorted(numbers, probes), 1, numbers.size - 1)
    nearest = np.minimum(abs(numbers[at] - probes), abs(numbers[at - 1] - probes))
    hits = int((nearest <= LEAK_RTOL * abs(probes)).sum())
    return hits >= min(LEAK_HITS, probes.size)


def _leaks(exercises, text_of) -> list[tuple[str, str]]:
    numbers: dict[str, np.ndarray] = {}
    found = []
    for ex in exercises:
        if ex.chapter not in numbers:
            numbers[ex.chapter] = _text_numbers(text_of(ex.chapter))
        for case in ex.cases(hidden=True):
            arrays = _float_arrays([list(case.args), dict(case.kwargs)])
            if any(_leaked(a, numbers[ex.chapter]) for a in arrays):
                found.append((ex.id, case.name))
    return found


def _student_notebook_text(chapter: str) -> str:
    return (ROOT / "chapters" / chapter / "exercises.ipynb").read_text()


def test_hidden_case_data_never_appears_in_student_notebooks():
    """Every float array of every hidden case (positional, keyword, nested in lists), matched
    by value, whatever the format it would be printed in."""
    assert _leaks(registry.all_exercises(), _student_notebook_text) == []


def test_the_hidden_data_leak_matcher_is_not_blind():
    """Positive control: a hidden array planted in a notebook, as Python, JSON or numpy would
    print it (8 digits, scientific notation for large values), is found; round values that
    any notebook contains (0.0, 1.0, 0.5, 10.0) are not taken for a leak."""
    ex = registry.get("losses.cross_entropy")
    hidden = [c for c in ex.cases(hidden=True) if c.group == "extreme"]
    planted_case = hidden[0]
    x = planted_case.args[0]
    assert x.max() > 1e3  # numpy prints this array in scientific notation
    base = _student_notebook_text(ex.chapter)
    for leak in (
        repr(x.tolist()),
        json.dumps(x[:1].tolist()),
        np.array2string(x[:1]),
        " ".join(f"{v:.8g}" for v in x.ravel()[:3]),
    ):
        found = _leaks([ex], lambda _chapter, leak=leak: base + leak)
        assert (ex.id, planted_case.name) in found, leak
    float32 = next(c for c in hidden if c.args[0].dtype == np.float32)
    found = _leaks([ex], lambda _chapter: base + str(float32.args[0][:1]))
    assert (ex.id, float32.name) in found
    for one_value in (np.array([0.123456789]), np.array([-4321.98765])):
        assert _leaked(one_value, _text_numbers(f"x = {one_value[0]!r}"))
    round_values = np.array([0.0, 1.0, 0.5, 10.0, -2.0, 1e4])
    assert not _leaked(round_values, _text_numbers("0.0 1.0 0.5 10.0 -2.0 10000.0 1e4"))
    assert _leaks([ex], _student_notebook_text) == []


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
