"""``teaching-code`` (scripts/book_code.py): the package's code at teaching size, on a file
written for each case (what is dropped, what is kept, and that every shown line is the file's)."""

from __future__ import annotations

import sys
import textwrap

import pytest

from tests.book.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from book_code import teaching_source  # noqa: E402

SOURCE = '''
import warnings


def scale(x, factor, *, axis=0):
    """y = factor * x, along axis."""
    if factor < 0:
        raise ValueError("factor must be >= 0")
    n = x.shape[axis]
    if n == 0:
        warnings.warn("empty input")
    width = x.shape[-1]
    if x.ndim != 2 or width < 1:
        raise ValueError(f"x must be 2-D with columns; got {x.shape}")
    both = x.size
    if both < 0:
        raise ValueError("impossible")
    y = x * factor / both * both
    # book: hide
    y = y.copy()
    # book: show
    return y
'''


@pytest.fixture
def module(tmp_path):
    path = tmp_path / "mod.py"
    path.write_text(textwrap.dedent(SOURCE))
    return path


def test_checks_docstring_hidden_lines_and_what_only_checks_read_are_dropped(module):
    code, omitted = teaching_source(module, "scale")
    assert code.splitlines() == [
        "def scale(x, factor, *, axis=0):",
        "    both = x.size",  # read by a check AND by kept code: kept
        "    y = x * factor / both * both",
        "    return y",
    ]
    assert omitted == ["docstring", "argument checks", "bookkeeping"]


def test_every_shown_line_is_a_line_of_the_file_in_order(module):
    code, _ = teaching_source(module, "scale")
    lines = module.read_text().splitlines()
    position = 0
    for shown in code.splitlines():
        position = lines.index(shown, position) + 1  # ValueError if not a line of the file


def test_an_assignment_read_by_kept_code_stays(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(
        "def f(x):\n    n = len(x)\n    if n > 3:\n        raise ValueError\n    return n\n"
    )
    code, _ = teaching_source(path, "f")
    assert "n = len(x)" in code and "return n" in code and "raise" not in code


def test_the_package_function_shown_in_the_prologue_has_no_dead_assignment():
    code, _ = teaching_source(ROOT / "solutions" / "backprop.py", "mlp_forward")
    assert "n_in" not in code  # only the dropped shape check read it
    assert "z = a @ weight.T + bias" in code
