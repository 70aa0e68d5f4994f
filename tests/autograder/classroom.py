"""A class of ten, two chapters mixed, as an instructor meets it: the submissions behind the
class-report tests (``tests/autograder/test_class_report.py``) and its screenshots.

``python tests/autograder/classroom.py OUT`` writes the ten submissions to ``OUT/subs`` (then
``autograder grade OUT/subs --db sqlite:///OUT/gradebook.db`` and ``autograder report
--db ... --html OUT/report.html`` show the report by hand).

Students (chapter 03_activations: 5, 04_losses: 5):

* ``ada``: the 03 solution notebook (full marks);
* ``ben``: the 03 stub notebook, untouched (0: every exercise "not implemented yet");
* ``cai``: the 03 solution with GELU's erf missing its sqrt(2) (corpus);
* ``dee``: the 03 solution with log_softmax without the max subtraction (corpus);
* ``eve``: the 03 solution with leaky_relu's slope on the positives (corpus) and GELU's bug;
* ``fay``: the 04 solution with KL's sign error (corpus);
* ``gus``: the 04 solution with cross-entropy averaged over the classes (corpus);
* ``hal``: the 04 solution with a syntax error in the cell that defines ``kl_div``;
* ``ivy``: the 04 solution with KL's sign error and BCE's positive term only (corpus);
* ``HOSTILE``: the 04 stub where ``l1_loss`` raises an exception whose message is HTML.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

from autograder import notebooks

CORPUS = Path(__file__).parent / "corpus"
HOSTILE = "zoe<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert('xss')</script>"
CHAPTERS = ("03_activations", "04_losses")
#: (student, chapter, corpus files appended to the solution notebook; None = the stub)
PLAN = [
    ("ada", "03_activations", []),
    ("ben", "03_activations", None),
    ("cai", "03_activations", ["gelu_erf_without_sqrt2"]),
    ("dee", "03_activations", ["softmax_no_max_subtraction"]),
    ("eve", "03_activations", ["leaky_relu_slope_on_positives", "gelu_erf_without_sqrt2"]),
    ("fay", "04_losses", ["kl_sign_error"]),
    ("gus", "04_losses", ["ce_mean_over_classes"]),
    ("hal", "04_losses", []),  # + a syntax error in kl_div's cell
    ("ivy", "04_losses", ["kl_sign_error", "bce_positive_term_only"]),
    (HOSTILE, "04_losses", None),  # + l1_loss raising HTML
]
#: hal's broken line: replaces kl_div's ``def`` line in the solution notebook
BROKEN_DEF = "def kl_div(input, target, *, reduction='mean', log_target=False)"


def _code_cell(source: str, cell_id: str) -> dict:
    return {
        "cell_type": "code",
        "id": cell_id,
        "metadata": {},
        "outputs": [],
        "execution_count": None,
        "source": source,
    }


def _break_kl_div(nb: dict) -> tuple[dict, int, int]:
    """The notebook with kl_div's def line missing its colon (the cell run as In [7]);
    returns it, the (1-based) position of that cell among all the notebook's cells, as the
    student counts them, and the line of the broken def in the cell."""
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb["cells"], start=1):
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and "def kl_div(" in src:
            lines = src.split("\n")
            at = next(k for k, ln in enumerate(lines) if ln.startswith("def kl_div("))
            end = next(k for k in range(at, len(lines)) if lines[k].rstrip().endswith(":"))
            lines[at : end + 1] = [BROKEN_DEF]
            cell["source"] = "\n".join(lines)
            cell["execution_count"] = 7
            return nb, i, at + 1
    raise LookupError("no cell defines kl_div")


def write_class(folder: Path) -> dict:
    """Write the ten submissions into ``folder``; returns facts the tests check against:
    ``{"students": {id: chapter}, "broken_cell": n, "broken_line": k}`` (hal's broken
    cell, as counted in the notebook: markdown cells included, first cell 1)."""
    folder.mkdir(parents=True, exist_ok=True)
    facts: dict = {"students": {}}
    for student, chapter, bugs in PLAN:
        if bugs is None:
            nb = notebooks.student_notebook(chapter)
        else:
            nb = notebooks.solution_notebook(chapter)
            for k, bug in enumerate(bugs):
                nb["cells"].append(
                    _code_cell((CORPUS / chapter / f"{bug}.py").read_text(), f"b{k}")
                )
        if student == "hal":
            nb, facts["broken_cell"], facts["broken_line"] = _break_kl_div(nb)
        if student == HOSTILE:
            nb["cells"].append(
                _code_cell(
                    "def l1_loss(input, target, *, reduction='mean', weight=None):\n"
                    f"    raise ValueError({SCRIPT!r})\n",
                    "hostile",
                )
            )
        (folder / f"{student}.ipynb").write_text(notebooks.dumps(nb), encoding="utf-8")
        facts["students"][student] = chapter
    return facts


if __name__ == "__main__":
    out = Path(sys.argv[1])
    print(json.dumps(write_class(out / "subs"), indent=2))
