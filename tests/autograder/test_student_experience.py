"""What a student sees from ``check()`` (and an instructor from reports): each test pins one
acceptance finding, written as the mistake a student makes and the feedback it must get."""

from __future__ import annotations

import io
import re
import warnings
from contextlib import redirect_stdout

import numpy as np
import pytest
from scipy.special import erf

from autograder import check, feedback, registry
from autograder.compare import compare
from autograder.feedback import check_report


def _printed(fn, *args, **kwargs) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        fn(*args, **kwargs)
    return out.getvalue()


# ------------------------------------------------------------------ untouched stubs


def test_a_stub_gets_one_line_not_a_shrunk_input_with_the_expected_answer():
    def sigmoid(input):
        raise NotImplementedError

    [report] = check_report(sigmoid, caller={})
    text = report.text()
    assert report.not_implemented and report.first_failure is None
    assert text.count("not implemented yet") == 1
    assert "expected" not in text and "First failure" not in text
    assert len(text.splitlines()) <= 4
    assert "0 of 3 public groups pass" in text  # basic, float32, extreme


def test_an_implemented_function_calling_a_stub_names_the_stub():
    def sigmoid(input):
        raise NotImplementedError

    def sigmoid_backward(grad_output, input):
        s = sigmoid(input)
        return grad_output * s * (1 - s)

    [report] = check_report(sigmoid_backward, caller={"sigmoid": sigmoid})
    assert "calls sigmoid, which raises NotImplementedError" in report.text()
    assert "Implement sigmoid too" not in report.text() or report.not_implemented


def test_points_are_singular_for_one_point():
    def sigmoid(input):
        raise NotImplementedError

    [report] = check_report(sigmoid, caller={})
    assert "1 point)" in report.text() and "1 points" not in report.text()


# ------------------------------------------------------------------ forward vs backward


def _gelu_right(input, approximate="none"):
    return (0.5 * input * (1 + erf(input / np.sqrt(2)))).astype(input.dtype)


def _gelu_backward_right(grad_output, input, approximate="none"):
    cdf = 0.5 * (1 + erf(input / np.sqrt(2)))
    pdf = np.exp(-0.5 * input**2) / np.sqrt(2 * np.pi)
    return (grad_output * (cdf + input * pdf)).astype(input.dtype)


def test_a_right_backward_is_not_blamed_for_a_wrong_forward():
    def gelu(input, approximate="none"):  # ERRATA: erf(z) instead of erf(z / sqrt 2)
        return 0.5 * input * (1 + erf(input))

    [report] = check_report(
        "activations.gelu_backward", _gelu_backward_right, caller={"gelu": gelu}
    )
    note = report.gradient_note
    assert "bug is in the backward" not in note
    assert "backward matches the reference" in note and "gelu itself is wrong" in note


def test_a_wrong_backward_with_a_right_forward_is_still_blamed():
    def gelu_backward(grad_output, input, approximate="none"):
        return -_gelu_backward_right(grad_output, input)

    [report] = check_report(gelu_backward, caller={"gelu": _gelu_right})
    assert "bug is in the backward" in report.gradient_note


def test_no_request_to_define_a_worked_example_forward():
    def tanh_backward(grad_output, input):
        return grad_output * (1 - np.tanh(input) ** 2)

    [report] = check_report(tanh_backward, caller={})
    assert report.passed
    assert "Define tanh" not in report.text()


def test_a_stub_forward_asks_to_implement_it():
    def sigmoid(input):
        raise NotImplementedError

    def sigmoid_backward(grad_output, input):
        s = 1 / (1 + np.exp(-input))
        return grad_output * s * (1 - s)

    [report] = check_report(sigmoid_backward, caller={"sigmoid": sigmoid})
    assert report.passed and "Implement sigmoid too" in report.gradient_note


# ------------------------------------------------------------------ hidden groups, summary


def test_the_footer_names_the_hidden_groups_without_data():
    [report] = check_report("activations.sigmoid", _gelu_right, caller={})
    footer = "\n".join(report.footer())
    # sigmoid's extreme group is public too (|x| up to 1e3), with new data when hidden
    assert "(shapes + new cases for 1 of the public groups; 5 cases) run only" in footer
    ex = registry.get("losses.cross_entropy")
    assert len({g for g, h in ex.groups if h}) > 8  # a plain list would be cut off
    hidden = feedback.CheckReport(ex).footer()[1]
    groups = {g for g, h in ex.groups if h}
    repeated = groups & {g for g, h in ex.groups if not h}
    new_cases = f"new cases for {len(repeated)} of the public groups;"
    assert f"{len(groups)} hidden groups ({new_cases}" in hidden


def test_check_of_a_whole_notebook_ends_with_a_summary_and_shortens_stubs():
    def sigmoid(input):
        return 1 / (1 + np.exp(-input))

    def relu6(input):
        raise NotImplementedError

    def hardtanh(input, min_val=-1.0, max_val=1.0):
        return np.clip(input, min_val, max_val)[..., None]  # wrong shape

    caller = {"sigmoid": sigmoid, "relu6": relu6, "hardtanh": hardtanh}
    text = _printed(feedback.check, caller=caller)
    last = text.strip().splitlines()[-1]
    assert last.startswith("Summary: 1 of 3 exercises pass every public check")
    assert "failing: hardtanh" in last and "1 not implemented yet" in last
    relu6_lines = [ln for ln in text.splitlines() if "relu6" in ln]
    assert len(relu6_lines) == 1 and "not implemented yet" in relu6_lines[0]
    assert "wrong shape: expected (7,), got (7, 1)" in text


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("activations.gelux",), "did you mean activations.gelu"),
        ((lambda x: x,), "no exercise asks for a function named '<lambda>'"),
        ((42,), "got int"),
    ],
)
def test_a_mistyped_check_prints_a_sentence_not_a_traceback(args, says):
    def my_gelu(x):
        return x

    text = _printed(check, *args)
    assert says in text and text.startswith("check(): ")


def test_a_misnamed_function_gets_a_suggestion():
    def gelu_(input, approximate="none"):
        return input

    text = _printed(check, gelu_)
    assert "did you mean gelu" in text and "check('chapter.name', your_fn)" in text


def test_a_name_as_a_string_finds_the_exercise():
    text = _printed(feedback.check, "gelu", caller={})
    assert "no function named 'gelu' is defined" in text


# ------------------------------------------------------------------ comparison messages


def _ex():
    return registry.get("activations.sigmoid")


def test_nan_index_is_printed_as_plain_integers():
    v = compare(_ex(), np.ones((2, 2)), np.full((2, 2), np.nan))
    assert "first at index (0, 0)" in v.reason and "np.int64" not in v.reason


def test_a_number_reports_both_numbers_but_hidden_cases_only_a_summary():
    v = compare(_ex(), np.array(1.5), np.float64(0.75))
    assert "expected 1.5, got 0.75" in v.reason
    assert v.summary == "wrong value" and "1.5" not in v.summary


def test_a_zero_expected_value_gives_no_warning_and_no_infinite_relative_error():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = compare(_ex(), np.array([0.0, 2.0]), np.array([1.0, 2.0]))
    assert not v.ok and "inf" not in v.reason
    assert v.details["max_rel_error"] is None  # only the exact 0 differs


def test_a_list_gets_a_hint_to_return_an_array():
    v = compare(_ex(), np.array([1.0, 2.0]), [1.0, 2.0])
    assert "got list" in v.reason and "np.asarray" in v.reason


def test_the_shrunk_failure_shows_numbers_not_numpy_scalar_reprs():
    def kl_div(input, target, *, reduction="mean", log_target=False):
        out = -target * (np.log(target) - input)  # ERRATA: wrong sign
        return {"none": out, "sum": out.sum(), "batchmean": out.sum() / len(input)}.get(
            reduction, out.mean()
        )

    [report] = check_report(kl_div, caller={})
    lines = "\n".join(report.first_failure["lines"])
    assert "np.float64(" not in lines and "array(" not in lines.split("expected")[1]
    assert "got      = -" in lines


def test_an_infinite_loop_is_reported_on_its_case_and_the_rest_not_run(monkeypatch):
    assert feedback.CHECK_TIMEOUT <= 10  # not longer than grading's default timeout
    monkeypatch.setattr(feedback, "CHECK_TIMEOUT", 1)

    def relu6(input):
        while True:
            pass

    [report] = check_report(relu6, caller={})
    text = report.text()
    assert "case basic-1 took longer than 1 s" in text
    assert "not run (an earlier case timed out)" in text
    assert "0 of 2 public groups pass" in text


def test_a_check_that_only_waits_meets_the_wall_clock_backstop(monkeypatch):
    """The limit is CPU time (a busy machine does not trip it); code that sleeps uses no CPU
    and is stopped by the wall-clock backstop instead."""
    import time

    monkeypatch.setattr(feedback, "CHECK_TIMEOUT", 1)
    monkeypatch.setattr(feedback, "WALL_BACKSTOP", 2)

    def relu6(input):
        time.sleep(60)

    started = time.monotonic()
    [report] = check_report(relu6, caller={})
    assert "case basic-1 waited longer than 2 s" in report.text()
    assert time.monotonic() - started < 50  # stopped by the backstop, not by the sleep ending


# ------------------------------------------------------------------ autograder check FILE


def _notebook_with(chapter: str, sources: dict[str, str]) -> dict:
    """The chapter's student notebook with some stubs replaced (by function name)."""
    from autograder import notebooks

    nb = notebooks.student_notebook(chapter)
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        for name, new in sources.items():
            if cell["cell_type"] == "code" and src.startswith(f"def {name}("):
                cell["source"] = new
    return nb


def test_cli_check_runs_the_public_checks_on_a_notebook(tmp_path, capsys):
    import json

    from autograder.cli import main

    nb = _notebook_with(
        "03_activations",
        {
            "sigmoid": "def sigmoid(input):\n    return 1 / (1 + np.exp(-input))\n",
            "relu6": "def relu6(input):\n    return np.clip(input, 0, 7)\n",
            "elu": "def elu(input, alpha=1.0)\n    return input\n",  # syntax error
        },
    )
    path = tmp_path / "exercises.ipynb"
    path.write_text(json.dumps(nb))
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "syntax error in cell" in out and "defines elu" in out
    total = len(registry.exercises_for_chapter("03_activations")) - 1  # elu's cell is skipped
    assert f"Summary: 1 of {total} exercises pass every public check; failing: relu6" in out
    assert "relu6  (activations.relu6, 1 point)\n  ✓ basic" not in out
    assert main(["check", str(path), "--exercise", "sigmoid"]) == 0
    out = capsys.readouterr().out
    assert "3 of 3 public groups pass" in out and "Summary" not in out
    assert main(["check", str(path), "--exercise", "activations.elu"]) == 1
    assert "no function named 'elu' is defined" in capsys.readouterr().out


def test_cli_check_on_a_py_file(tmp_path, capsys):
    from autograder.cli import main

    good = tmp_path / "mine.py"
    good.write_text(
        "import numpy as np\nfrom autograder import check\n\n"
        "def relu6(input):\n    return np.clip(input, 0, 6)\n\nX = 1 / 0\ncheck(relu6)\n"
    )
    assert main(["check", str(good)]) == 0
    out = capsys.readouterr().out
    assert "ZeroDivisionError" in out and "Summary: 1 of 1 exercises pass" in out
    assert main(["check", str(good), "--exercise", "nope"]) == 2
    assert "no exercise asks for a function named 'nope'" in capsys.readouterr().out
    bad = tmp_path / "bad.py"
    bad.write_text("def relu6(input)\n    return input\n")  # skipped, as a broken cell is
    assert main(["check", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "syntax error in bad.py at line 1: expected ':' (lines 1-2 are skipped" in out
    assert "bad.py defines no function that an exercise asks for" in out
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    assert main(["check", str(empty)]) == 2
    assert "empty.py defines no function that an exercise asks for" in capsys.readouterr().out


# ------------------------------------------------------------------ the exercise notebooks


def _markdown(chapter: str) -> list[str]:
    from autograder import notebooks

    nb = notebooks.student_notebook(chapter)
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("chapter", ["03_activations", "04_losses", "07_metrics"])
def test_notebook_markdown_is_jupyter_markdown_not_rest(chapter):
    text = "\n".join(_markdown(chapter))
    for rest in (":math:`", ".. math::", ":func:`", ":class:`", "``"):
        assert rest not in text.replace("```", ""), rest
    assert not re.search(r"(?<![.\d])1 points", text)
    for line in text.splitlines():
        if line.startswith("|"):
            assert line.count("|") == 4, line  # a formula's | or a cut title breaks the table


def test_each_exercise_shows_its_specification_and_scoring():
    md = {m.split("\n")[0]: m for m in _markdown("04_losses")}
    ce = md["## `cross_entropy` (1 point)"]
    assert "$$" in ce and r"\mathrm{softmax}" in ce  # the formula, renderable
    assert "- `label_smoothing`:" in ce  # the arguments as a list
    groups = registry.get("losses.cross_entropy").groups
    assert "extra dimensions, extreme. Hidden" in ce and f"{1 / len(groups):.4f} points each" in ce
    mse = md["## `mse_loss_backward` (1 point)"]
    assert "`mse_loss` is a worked example in the chapter" in mse
    assert "*your* `mse_loss`" not in mse


# ------------------------------------------------------------------ instructor reports


def _row(student, exercise, score, cases, reason=""):
    from autograder.gradebook import Row

    return Row(
        student,
        "s.ipynb",
        "0" * 64,
        "03_activations",
        exercise,
        score,
        1.0,
        "graded",
        reason,
        cases,
        "test",
    )


def _case(group, ok, hidden=False, reason=""):
    return {"name": f"{group}-1", "group": group, "hidden": hidden, "ok": ok, "reason": reason}


def test_report_reasons_drop_nested_parentheses_and_follow_notebook_order(tmp_path):
    from autograder import summary

    why = (
        "output: 7 of 7 values differ (max abs error 0.08, max rel error 0.9; first at index (0,))"
    )
    rows = [
        _row(
            "bob",
            "activations.gelu",
            0.5,
            [_case("basic", False, reason=why), _case("extreme", True, True)],
        ),
        _row("bob", "activations.sigmoid", 1.0, [_case("basic", True)]),
    ]
    data = summary.summarize(rows)
    # the kind of failure and the failing group, no numbers
    assert data["per_exercise"]["activations.gelu"]["failures"] == [
        ("wrong values in group basic", 1)
    ]
    assert list(data["students"]["bob"]["exercises"]) == ["activations.sigmoid", "activations.gelu"]
    page = summary.student_page("bob", data["students"]["bob"], "test")
    assert "0.50 / 1<br><small>1 of 2 groups</small>" in page
    assert "split equally between its case groups" in page


def _macro_f1_as_harmonic_mean(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    # ERRATA (metrics): macro F1 as the harmonic mean of macro precision and macro recall
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    classes = [pos_label] if average == "binary" else np.unique(np.r_[y_true, y_pred])
    tp = np.array([np.sum((y_pred == c) & (y_true == c)) for c in classes])
    p = np.mean(tp / np.maximum([np.sum(y_pred == c) for c in classes], 1))
    r = np.mean(tp / np.maximum([np.sum(y_true == c) for c in classes], 1))
    with np.errstate(invalid="ignore"):
        return 2 * p * r / (p + r)


def test_shrinking_keeps_the_students_bug_not_a_degenerate_nan():
    [report] = check_report("metrics.f1_score", _macro_f1_as_harmonic_mean, caller={})
    lines = "\n".join(report.first_failure["lines"])
    assert "NaN" not in lines and "got      = nan" not in lines
    assert "output: expected" in lines  # still the wrong value, on a smaller input
    assert feedback.failure_kind("output: expected 1, got 2 (abs error 1)", 2.0) == "wrong values"
    assert feedback.failure_kind("output: NaN or inf where the answer is finite", 1.0) == (
        "NaN or inf"
    )


def test_expected_and_got_that_print_alike_are_shown_with_more_digits():
    exp, got = feedback.expected_and_got(0.2552951, np.float64(0.2552954))
    assert exp != got and exp.startswith("0.2552951") and got.startswith("0.2552954")
    assert feedback.expected_and_got(0.25, 0.5) == ("0.25", "0.5")
    exp, got = feedback.expected_and_got(np.array([0.2552951]), np.array([0.2552954]))
    assert exp != got


def test_the_grading_table_counts_full_marks_and_untouched_exercises():
    from autograder.cli import _compact_table

    stub = "0 / 1   basic-1: not implemented yet (raises NotImplementedError)"
    text = "\n".join(
        [
            "Sandbox: namespaces active",
            "",
            "dave.ipynb  [03_activations]  1.5 / 6",
            "  ✓ activations.sigmoid                      1 / 1",
            "  ~ activations.gelu                      0.50 / 1   basic-1: output: wrong",
            *[f"  ✗ activations.{n:32s} {stub}" for n in ("elu", "selu", "celu", "relu6")],
            "",
            "1 submissions, mean score 25.0 %",
        ]
    )
    out = _compact_table(text)
    assert "  ✓ 1 exercise with full marks" in out and "activations.sigmoid" not in out
    assert "  ✗ 4 exercises not implemented yet (0 points): elu, selu, celu, relu6" in out
    assert "activations.gelu" in out  # partial credit stays listed, with its reason
    assert out.splitlines()[-1].startswith("(exercises with full marks or none are counted")
    assert _compact_table("Sandbox: x\n\n0 submissions") == "Sandbox: x\n\n0 submissions"


def test_a_backward_of_a_worked_example_shows_the_forwards_specification():
    md = {m.split("\n")[0]: m for m in _markdown("04_losses")}
    mse = md["## `mse_loss_backward` (1 point)"]
    assert r"\frac{\sum_i w_i (x_i - y_i)^2}{\sum_i w_i}" in mse  # what 'weight' means
