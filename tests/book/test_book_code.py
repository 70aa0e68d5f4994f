"""``teaching-code`` (scripts/book_code.py): the package's code at teaching size, on a file
written for each case (what is dropped, what is kept, and that every shown line is the file's),
and every listing the chapters include, measured: at most 14 shown lines of at most 88
columns."""

from __future__ import annotations

import sys
import textwrap

import pytest

from tests.book.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from book_code import book_listings, call_signature, teaching_source  # noqa: E402

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
    code, _ = teaching_source(ROOT / "solutions" / "backprop.py", "mlp_forward", region="body")
    assert "n_in" not in code  # only the dropped shape check read it
    assert "z = a @ weight.T + bias" in code


# ------------------------------------------------------------------------------- regions

REGION_SOURCE = '''
def step(param, grad, state, *, lr=0.1, momentum=0.0, maximize=False):
    """One step."""
    if lr < 0:
        raise ValueError("lr must be >= 0")
    # book: begin update
    if maximize:
        grad = -grad
    param -= lr * grad
    # book: end update
    state["step"] = state.get("step", 0) + 1


def tail(x):
    # book: begin rest
    y = x + 1
    return y
'''


@pytest.fixture
def regions(tmp_path):
    path = tmp_path / "regions.py"
    path.write_text(textwrap.dedent(REGION_SOURCE))
    return path


def test_a_region_shows_only_its_lines_dedented_and_says_the_signature_is_left_out(regions):
    code, omitted = teaching_source(regions, "step", region="update")
    assert code.splitlines() == ["if maximize:", "    grad = -grad", "param -= lr * grad"]
    assert omitted == ["signature", "docstring"]
    whole, _ = teaching_source(regions, "step")  # without the option: markers are not shown
    assert "# book" not in whole and 'state["step"]' in whole and "if maximize:" in whole


def test_a_region_without_an_end_marker_runs_to_the_end_of_the_object(regions):
    code, _ = teaching_source(regions, "tail", region="rest")
    assert code.splitlines() == ["y = x + 1", "return y"]


def test_a_missing_region_is_an_error_not_an_empty_listing(regions):
    with pytest.raises(ValueError, match="book: begin nowhere"):
        teaching_source(regions, "step", region="nowhere")
    with pytest.raises(ValueError):  # a region of another object does not count
        teaching_source(regions, "tail", region="update")


def test_the_caption_of_a_region_names_the_parameters(regions):
    assert call_signature(regions, "step") == "step(param, grad, state, *, lr, momentum, maximize)"


# ------------------------------------------------------------- the book's listings, measured

#: A listing longer than this many shown lines is a wall of code, not a teaching listing.
MAX_SHOWN_LINES = 14
#: The code box's width without a horizontal scroll bar (and black's default line length).
MAX_COLUMNS = 88
#: "page.md:pyobject" -> why this listing may be longer (none needed today).
LONG_LISTINGS: dict[str, str] = {}


def too_big(listings) -> list[str]:
    """Listings over the limits (a ``literalinclude`` is not measured, so it is reported)."""
    found = []
    for listing in listings:
        key = f"{listing.page.as_posix()}:{listing.options.get('pyobject')}"
        if listing.kind != "teaching-code":
            found.append(f"{listing}: a literalinclude (use teaching-code, which is measured)")
            continue
        if listing.shown_lines > MAX_SHOWN_LINES and key not in LONG_LISTINGS:
            found.append(f"{listing}: {listing.shown_lines} shown lines > {MAX_SHOWN_LINES}")
        wide = [x for x in listing.code.splitlines() if len(x) > MAX_COLUMNS]
        if wide:
            found.append(f"{listing}: {len(wide)} line(s) wider than {MAX_COLUMNS}: {wide[0]!r}")
    return found


def test_every_listing_in_the_book_is_teaching_size():
    """Computed from the real pages: every include directive of chapters/**/*.md, rendered
    by the directive's own function (run ``python scripts/book_code.py`` for the table)."""
    listings = book_listings(ROOT)
    assert too_big(listings) == []


def test_the_long_listing_exceptions_are_real_and_explained():
    shown = {
        f"{x.page.as_posix()}:{x.options.get('pyobject')}": x.shown_lines
        for x in book_listings(ROOT)
    }
    for key, reason in LONG_LISTINGS.items():
        assert shown.get(key, 0) > MAX_SHOWN_LINES, f"{key}: not a long listing of the book"
        assert len(reason) > 20, f"{key}: give a reason"


def test_the_listing_parser_finds_every_include_of_the_pages():
    """A directive the parser missed would escape the size test: count them independently."""
    pages = sorted((ROOT / "chapters").rglob("*.md"))
    written = sum(
        page.read_text(encoding="utf-8").count(kind)
        for page in pages
        for kind in ("{teaching-code}", "{literalinclude}")
    )
    listings = book_listings(ROOT)
    assert written > 20 and len(listings) == written
    assert all(x.source.is_file() for x in listings)


def test_the_size_test_fails_on_a_long_or_wide_listing(tmp_path):
    """The size test can fail: a page including a 16-line function, a function with a line of
    90 columns, and a literalinclude."""
    body = "".join(f"    x{i} = {i}\n" for i in range(15))
    (tmp_path / "long.py").write_text(
        f"def long():\n{body}\n\ndef wide():\n    return {'1 + ' * 20}1\n"
    )
    page = tmp_path / "chapters" / "99_demo" / "index.md"
    page.parent.mkdir(parents=True)
    page.write_text(
        "# Demo\n\n```{teaching-code} ../../long.py\n:pyobject: long\n```\n\n"
        "```{teaching-code} ../../long.py\n:pyobject: wide\n```\n\n"
        "```{literalinclude} ../../long.py\n:language: python\n:pyobject: long\n```\n"
    )
    listings = book_listings(tmp_path)
    assert [x.shown_lines for x in listings] == [16, 2, 0]
    problems = too_big(listings)
    assert len(problems) == 3
    assert "16 shown lines" in problems[0] and "wider than 88" in problems[1]
    assert "literalinclude" in problems[2]
