"""``autograder export``: the gradebook as CSV, into an nbgrader gradebook, and Gradescope.

* CSV: one row per student, one column per exercise (registry order) plus ``total`` and
  ``note``; an empty cell means the student has no result for that exercise (no submission
  for it); a student of whom nothing could be graded has the reason in ``note``.
  RFC 4180 (CRLF line ends); a cell that a spreadsheet would read as a formula is prefixed
  with ``'`` (see :func:`safe_cell`).
* nbgrader: scores written through nbgrader's own :class:`nbgrader.api.Gradebook`, laid out
  as the generated nbgrader source notebooks are: assignment = notebook = chapter
  (``04_losses``), one grade cell ``test_<exercise id with _>`` worth the exercise's points;
  the score goes into the grade's ``auto_score``.
* Gradescope: :func:`gradescope_zip` writes the autograder zip (``setup.sh``,
  ``run_autograder`` and this project's source); on Gradescope, ``run_autograder`` calls
  :func:`run_gradescope`, which grades ``/autograder/submission`` in the sandbox and writes
  ``/autograder/results/results.json`` (:func:`gradescope_results`). ``AUTOGRADER_ROOT``
  replaces ``/autograder`` for a trial run on your own machine.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shlex
import sys
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

from autograder.gradebook import Row, exercise_order

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------------------ CSV


def _fmt(p: float) -> str:
    return f"{p:g}" if p == int(p) else f"{round(p, 6)}"


#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """``value`` with a ``'`` in front if it starts like a formula (``=1+2`` -> ``'=1+2``):
    student ids come from file names, which a student chooses."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_text(rows: list[Row], submissions: list[dict] | None = None) -> str:
    """One row per student: a score per exercise, the total and a ``note``. ``submissions``
    (``Gradebook.graded_submissions``) adds the students of whom nothing could be graded,
    with the reason in ``note`` (total 0 for an unreadable file, empty when grading failed
    for infrastructure reasons: no verdict yet)."""
    from autograder.summary import not_graded_reason

    order = exercise_order(r.exercise_id for r in rows)
    table: dict[str, dict[str, float]] = {}
    for r in rows:
        table.setdefault(r.student_id, {})[r.exercise_id] = r.score
    notes: dict[str, list[str]] = {}
    pending: set[str] = set()
    for g in submissions or []:
        if g["student_id"] not in table:
            notes.setdefault(g["student_id"], []).append(f"{g['name']}: {not_graded_reason(g)}")
            if g.get("status", "graded") != "graded":
                pending.add(g["student_id"])
    buf = io.StringIO()
    # RFC 4180 line ends: the writer then quotes a field holding a CR or LF (with "\n" alone
    # it leaves a bare CR unquoted, which splits the row for a reader).
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["student", *map(safe_cell, order), "total", "note"])
    for sid in sorted(set(table) | set(notes)):
        scores = table.get(sid, {})
        total = _fmt(round(sum(scores.values()), 6))
        if sid in pending and sid not in table:
            total = ""
        note = safe_cell("; ".join(notes.get(sid, [])))
        cells = (_fmt(scores[e]) if e in scores else "" for e in order)
        w.writerow([safe_cell(sid), *cells, total, note])
    return buf.getvalue()


# ------------------------------------------------------------------------------ nbgrader


def grade_cell_name(exercise_id: str) -> str:
    """The grade cell of an exercise in the generated nbgrader notebooks."""
    return "test_" + exercise_id.replace(".", "_")


@contextmanager
def _interpreter_bin_on_path():
    """nbgrader runs the ``alembic`` command when it creates a gradebook: find the one
    installed next to this interpreter even when its environment is not activated."""
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + old
    try:
        yield
    finally:
        os.environ["PATH"] = old


def to_nbgrader(rows: list[Row], db_url: str, *, course_id: str = "default_course") -> int:
    """Write every row's score into the nbgrader gradebook at ``db_url``; returns how many
    grades were written. Idempotent: assignments, cells, students and submissions are
    updated or created as needed."""
    from nbgrader.api import Grade, Gradebook, MissingEntry

    written = 0
    with _interpreter_bin_on_path(), Gradebook(db_url, course_id=course_id) as gb:
        chapters: dict[str, dict[str, float]] = {}
        for r in rows:
            chapters.setdefault(r.chapter, {})[r.exercise_id] = r.max_score
        for chapter, exercises in sorted(chapters.items()):
            gb.update_or_create_assignment(chapter)
            gb.update_or_create_notebook(chapter, chapter)
            for ex, max_score in exercises.items():
                gb.update_or_create_grade_cell(
                    grade_cell_name(ex), chapter, chapter, max_score=max_score, cell_type="code"
                )
        for r in rows:
            gb.update_or_create_student(r.student_id)
            gb.update_or_create_submission(r.chapter, r.student_id)
            cell = grade_cell_name(r.exercise_id)
            try:
                grade = gb.find_grade(cell, r.chapter, r.chapter, r.student_id)
            except MissingEntry:  # a cell created after this submission
                nb = gb.find_submission_notebook(r.chapter, r.chapter, r.student_id)
                grade = Grade(
                    cell_id=gb.find_grade_cell(cell, r.chapter, r.chapter).id, notebook=nb
                )
                gb.db.add(grade)
            grade.auto_score = r.score
            written += 1
        gb.db.commit()
    return written


# ------------------------------------------------------------------------------ Gradescope


#: Gradescope's visibility values (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def _case_lines(cases: list[dict]) -> list[str]:
    reasons = {c["reason"] for c in cases if not c["ok"]}
    if len(cases) > 1 and all(not c["ok"] for c in cases) and len(reasons) == 1:
        return [f"✗ all {len(cases)} cases: {reasons.pop()}"]
    return [
        f"{'✓' if c['ok'] else '✗'} {c['name']}" + (f": {c['reason']}" if not c["ok"] else "")
        for c in cases
    ]


def _mistake_lines(cases: list[dict]) -> list[str]:
    """The known mistakes diagnosed on these failing cases (autograder.diagnosis): fixed
    text from their declarations, so safe on hidden cases too."""
    from autograder.diagnosis import describe

    ids = dict.fromkeys(c["mistake"] for c in cases if not c["ok"] and c.get("mistake"))
    known = [k for k in map(describe, ids) if k is not None]
    return [f"Known mistake ({k.id}): {k.sentence} See Common mistakes: {k.link}" for k in known]


def _split_points(ex: dict) -> tuple[float, float, float]:
    """``(public earned, public max, hidden max)`` of one graded exercise: each case group
    (public or hidden, as the registry declares them) is worth an equal share and earns it
    when every case in it passed."""
    from autograder import registry

    groups = list(dict.fromkeys(registry.get(ex["id"]).groups))
    share = ex["max_points"] / len(groups) if groups else 0.0
    public = [g for g, hidden in groups if not hidden]
    passed = {
        g
        for g in public
        if (cs := [c for c in ex["cases"] if c["group"] == g and not c["hidden"]])
        and all(c["ok"] for c in cs)
    }
    public_max = share * len(public)
    return min(share * len(passed), ex["points"]), public_max, ex["max_points"] - public_max


def gradescope_results(
    results: list[dict],
    *,
    seconds: float | None = None,
    hidden_visibility: str = "after_due_date",
    notes: list[str] | None = None,
) -> dict:
    """Gradescope's results.json for one student's files (``SubmissionResult.to_json()``
    of each), the best of the files per exercise. Each exercise is two tests: its public
    case groups (``visible``: what ``check()`` shows anyway) and its hidden ones
    (``hidden_visibility``, ``after_due_date`` by default, so a student cannot probe hidden
    cases by resubmitting). No top-level ``score``: Gradescope sums the tests, and does not
    show the hidden tests' points before their visibility allows."""
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(
            f"hidden_visibility must be one of {VISIBILITIES}, got {hidden_visibility!r}"
        )
    best: dict[str, dict] = {}
    notes = list(notes or [])
    for res in results:
        for ex in res["exercises"]:
            if ex["id"] not in best or ex["points"] > best[ex["id"]]["points"]:
                best[ex["id"]] = dict(ex, submission=res["submission"])
        if res["error"]:
            notes.append(f"{res['submission']}: {res['error']}")
        notes += [f"{res['submission']}: {n}" for n in res["notes"]]
    tests = []
    for ex_id in exercise_order(best):
        ex = best[ex_id]
        public_score, public_max, hidden_max = _split_points(ex)
        hidden_score = round(ex["points"] - public_score, 6)
        reason = [ex["reason"]] if ex["reason"] and not ex["cases"] else []
        name = f"{ex_id} ({ex['function']})"
        parts = [
            ("public cases", public_score, public_max, False, "visible"),
            ("hidden cases", hidden_score, hidden_max, True, hidden_visibility),
        ]
        for label, got, top, hidden, visibility in parts:
            if top <= 0:
                continue
            part = [c for c in ex["cases"] if c["hidden"] == hidden]
            lines = reason + _case_lines(part) + _mistake_lines(part)
            tests.append(
                {
                    "name": f"{name}: {label}",
                    "score": round(got, 6),
                    "max_score": round(top, 6),
                    "output": "\n".join(lines),
                    "visibility": visibility,
                    "status": "passed" if got >= top - 1e-9 else "failed",
                }
            )
    if not results:
        notes.append("no .ipynb or .py file found in the submission")
    out = {
        "output": "\n".join(notes)
        or "Each exercise's points are split equally between its case groups; hidden case "
        f"groups are shown {hidden_visibility.replace('_', ' ')}.",
        "tests": tests,
        "visibility": "visible",
        "stdout_visibility": "hidden",
    }
    if not tests:
        out["score"] = 0.0
    if seconds is not None:
        out["execution_time"] = round(seconds, 3)
    return out


def write_results_json(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    tmp.replace(path)


def run_gradescope(
    root: str | Path,
    *,
    chapter: str | None = None,
    timeout=None,
    hidden_visibility: str = "after_due_date",
) -> dict:
    """Grade ``<root>/submission`` and write ``<root>/results/results.json``."""
    from autograder import extract
    from autograder.grade import grade_submissions

    root = Path(root)
    start = time.perf_counter()
    try:
        subs = extract.load(root / "submission")
        results, _ = grade_submissions(subs, chapter=chapter, timeout=timeout)
        out = gradescope_results(
            [r.to_json() for r in results],
            seconds=time.perf_counter() - start,
            hidden_visibility=hidden_visibility,
        )
    except Exception as exc:  # Gradescope must always get a results.json
        out = {
            "score": 0.0,
            "output": f"The autograder failed on this submission ({type(exc).__name__}: "
            f"{exc}). Please tell your instructor.",
            "tests": [],
            "visibility": "visible",
            "stdout_visibility": "hidden",
        }
    write_results_json(root / "results" / "results.json", out)
    return out


#: What ``setup.sh`` installs besides the project's own dependencies: what grading imports
#: (version bounds taken from pyproject.toml's ``grading`` extra when it lists them).
GRADESCOPE_EXTRA_PACKAGES = ("sqlalchemy", "alembic")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image. Its documented
# base images are Ubuntu (22.04: python3 is 3.10, the oldest Python this grader supports).
# A virtual environment holds the grader's dependencies (requirements-gradescope.txt); the
# grader itself runs from /autograder/source. For a local trial: AUTOGRADER_ROOT replaces
# /autograder, AUTOGRADER_BASE_PYTHON the python3 the environment is made from.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_BASE_PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null || ! "$PYTHON" -c "import ensurepip" 2>/dev/null \\
    || ! command -v bwrap >/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
        python3 python3-venv python3-pip bubblewrap
fi
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 10), "Python >= 3.10 needed"'
"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --disable-pip-version-check --quiet \\
    -r "$ROOT/source/requirements-gradescope.txt"
# fail the image build, not every submission, if anything the grader imports is missing
PYTHONPATH="$ROOT/source" "$ROOT/venv/bin/python" -c \\
    "import autograder.export, autograder.grade, autograder.worker, solutions"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission and write
# /autograder/results/results.json. AUTOGRADER_ROOT replaces /autograder for a local trial,
# AUTOGRADER_PYTHON the interpreter (default: the environment setup.sh made).
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
cd "$ROOT"
export PYTHONPATH="$ROOT/source${{PYTHONPATH:+:$PYTHONPATH}}"
{seed_block}
exec "$PYTHON" -m autograder.cli gradescope-run --root "$ROOT"{options}
"""

PUBLIC_SEED_BLOCK = """# WARNING: exported with --public-seed: the hidden cases come from the
# default seed, so anyone with the grader's public code can recompute them.
export AUTOGRADER_HIDDEN_SEED=''"""


#: ``[tool.setuptools.package-data]`` of pyproject.toml, as paths from the project root.
PACKAGE_DATA = ("solutions/data/*.npz", "solutions/data/*.md")


def _source_files() -> list[tuple[Path, str]]:
    out = [(PROJECT_ROOT / "pyproject.toml", "pyproject.toml")]
    if (PROJECT_ROOT / "README.md").exists():
        out.append((PROJECT_ROOT / "README.md", "README.md"))
    for package in ("autograder", "solutions"):
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                out.append((path, str(path.relative_to(PROJECT_ROOT))))
    # pyproject's package data: the digits the capstone milestone's cases are drawn from
    for pattern in PACKAGE_DATA:
        for path in sorted(PROJECT_ROOT.glob(pattern)):
            out.append((path, str(path.relative_to(PROJECT_ROOT))))
    return out


def gradescope_requirements() -> str:
    """requirements-gradescope.txt: pyproject's dependencies plus the grading packages of
    :data:`GRADESCOPE_EXTRA_PACKAGES`, with pyproject's bounds."""
    import re
    import tomllib

    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    grading = project.get("optional-dependencies", {}).get("grading", [])
    lines = list(project["dependencies"])
    for name in GRADESCOPE_EXTRA_PACKAGES:
        spec = [
            r for r in grading if re.split(r"[^A-Za-z0-9_.-]", r, maxsplit=1)[0].lower() == name
        ]
        lines += spec or [name]
    return "\n".join(lines) + "\n"


def _add(zf: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


class MissingHiddenSeed(ValueError):
    """``export gradescope`` without ``AUTOGRADER_HIDDEN_SEED`` and without ``public_seed``."""


def gradescope_zip(
    out: str | Path,
    *,
    chapter: str | None = None,
    timeout=None,
    hidden_visibility: str = "after_due_date",
    public_seed: bool = False,
) -> Path:
    """Write the Gradescope autograder zip (instructors only: it holds the references).

    The hidden cases' seed is ``AUTOGRADER_HIDDEN_SEED`` at export time, written into
    ``run_autograder``; without one the export is refused unless ``public_seed`` says the
    hidden cases may come from the public default seed (the zip then says so)."""
    from autograder.registry import CHAPTERS, HIDDEN_SEED_ENV

    if hidden_visibility not in VISIBILITIES:
        raise ValueError(
            f"hidden_visibility must be one of {VISIBILITIES}, got {hidden_visibility!r}"
        )
    seed = os.environ.get(HIDDEN_SEED_ENV, "")
    if not seed and not public_seed:
        raise MissingHiddenSeed(
            f"{HIDDEN_SEED_ENV} is not set: the hidden cases would come from the public default "
            f"seed, so anyone with this grader's code could recompute them. Set {HIDDEN_SEED_ENV} "
            "to a secret before exporting, or pass --public-seed to accept that."
        )
    seed_block = f"export {HIDDEN_SEED_ENV}={shlex.quote(seed)}" if seed else PUBLIC_SEED_BLOCK
    options = f" --hidden-visibility {hidden_visibility}"
    if chapter:
        options += f" --chapter {shlex.quote(CHAPTERS.get(chapter, chapter))}"
    if timeout:
        options += f" --timeout {float(timeout)}"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as zf:
        _add(zf, "setup.sh", SETUP_SH.encode(), 0o755)
        run = RUN_AUTOGRADER.format(seed_block=seed_block, options=options)
        _add(zf, "run_autograder", run.encode(), 0o755)
        _add(zf, "requirements-gradescope.txt", gradescope_requirements().encode())
        for path, name in _source_files():
            _add(zf, name, path.read_bytes())
    return out
