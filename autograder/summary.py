"""``autograder report``: the gradebook summarised per student and per exercise, as a
terminal table, JSON, or HTML (an instructor index plus one feedback page per student, safe
to send to that student). Everything a student controls (ids from file names, submission
names, exception messages in feedback) is HTML-escaped.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import Counter
from pathlib import Path

from autograder.gradebook import Row, exercise_order

_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?")


def _fmt(p: float) -> str:
    return f"{p:g}" if p == int(p) else f"{p:.2f}"


def failure_reason(row: Row) -> str | None:
    """A short category for why ``row`` lost points (numbers and details removed), or None."""
    if row.score >= row.max_score:
        return None
    if row.status == "missing":
        return "missing function"
    text = row.reason
    if row.status == "graded":
        first = next((c for c in row.cases if not c.get("ok")), None)
        text = first.get("reason", "") if first else text
    text = text or "wrong output"
    while re.search(r"\([^()]*\)", text):  # nested: "(..., first at index (0, 1))"
        text = re.sub(r"\([^()]*\)", "", text)
    text = re.sub(r"^output(\[[^\]]*\])*:\s*", "", text)
    text = _NUMBER.sub("N", text)
    return re.sub(r"\s+", " ", text).strip(" :;")[:80] or "wrong output"


def not_graded_reason(grading: dict) -> str:
    """Why a submission has no scores: its error, and for an infrastructure failure that the
    next run grades it (``grading`` is a row of ``Gradebook.graded_submissions``)."""
    why = grading["error"] or "no exercise function of any chapter found"
    if grading.get("status", "graded") != "graded":
        return f"not graded yet: {why} (not the student's fault; the next run grades it)"
    return why


def summarize(rows: list[Row], submissions: list[dict] | None = None) -> dict:
    """``{"exercises": [...ids], "students": {id: ...}, "per_exercise": {id: ...}}``.

    Every student with a submission is listed: one of whose submissions nothing could be
    graded from (not a notebook, no exercise function, grading failed) has
    ``"not_graded": [{"submission", "reason"}]`` and a total of 0 out of 0."""
    order = exercise_order(r.exercise_id for r in rows)
    students: dict[str, dict] = {}
    for r in rows:
        s = students.setdefault(
            r.student_id, {"total": 0.0, "max": 0.0, "exercises": {}, "submissions": []}
        )
        s["total"] = round(s["total"] + r.score, 6)
        s["max"] = round(s["max"] + r.max_score, 6)
        s["exercises"][r.exercise_id] = {
            "score": r.score,
            "max": r.max_score,
            "status": r.status,
            "reason": r.reason,
            "chapter": r.chapter,
            "submission": r.submission,
            "cases": r.cases,
        }
        if r.submission not in s["submissions"]:
            s["submissions"].append(r.submission)
    for g in submissions or []:
        s = students.get(g["student_id"])
        if s is None:  # nothing could be graded: the student is listed, with the reason
            s = students[g["student_id"]] = {
                "total": 0.0,
                "max": 0.0,
                "exercises": {},
                "submissions": [],
                "not_graded": [],
            }
        if g["name"] not in s["submissions"]:
            s["submissions"].append(g["name"])
        if "not_graded" in s:
            s["not_graded"].append({"submission": g["name"], "reason": not_graded_reason(g)})
        elif g["error"] or g["notes"] or g.get("status", "graded") != "graded":
            s.setdefault("notes", []).extend(
                ([f"{g['name']}: {not_graded_reason(g)}"] if g["error"] else [])
                + [f"{g['name']}: {n}" for n in g["notes"]]
            )
    rank = {ex: i for i, ex in enumerate(order)}
    for s in students.values():  # each student's exercises in notebook order
        s["exercises"] = dict(sorted(s["exercises"].items(), key=lambda kv: rank[kv[0]]))
    per_exercise = {}
    for ex in order:
        mine = [r for r in rows if r.exercise_id == ex]
        scores = [r.score for r in mine]
        reasons = Counter(filter(None, (failure_reason(r) for r in mine)))
        per_exercise[ex] = {
            "n": len(mine),
            "max_score": max(r.max_score for r in mine),
            "mean": round(sum(scores) / len(scores), 6),
            "min": min(scores),
            "max": max(scores),
            "full_marks": sum(r.score >= r.max_score for r in mine),
            "failures": reasons.most_common(),
        }
    return {
        "exercises": order,
        "students": dict(sorted(students.items())),
        "per_exercise": per_exercise,
    }


def text(summary: dict, *, grader_version: str) -> str:
    students, per_ex = summary["students"], summary["per_exercise"]
    if not students:
        return f"no results for grader version {grader_version} in the gradebook"
    width = max(12, *(len(s) for s in students))
    unread = sum("not_graded" in s for s in students.values())
    head = f"Grader version {grader_version}: {len(students)} students"
    if unread:
        head += f" ({unread} with nothing graded: reasons below)"
    lines = [head, "", "Per student:"]
    for sid, s in students.items():
        pct = 100 * s["total"] / s["max"] if s["max"] else 0.0
        lost = [
            f"{ex.split('.', 1)[-1]} {_fmt(e['score'])}/{_fmt(e['max'])}"
            for ex, e in s["exercises"].items()
            if e["score"] < e["max"]
        ]
        if len(lost) > 4:
            lost = [*lost[:3], f"+{len(lost) - 3} more"]
        if "not_graded" in s:
            why = "; ".join(f"{n['submission']}: {n['reason']}" for n in s["not_graded"])
            lines.append(f"  {sid:{width}s} {'-':>7}   {'':<5} {'':>7}  NOT GRADED: {why}")
            continue
        lines.append(
            f"  {sid:{width}s} {_fmt(s['total']):>7} / {_fmt(s['max']):<5} {pct:5.1f} %"
            + (f"  lost: {', '.join(lost)}" if lost else "")
        )
    lines += ["", "Per exercise:", f"  {'exercise':38s} {'n':>4} {'mean':>6} {'min':>5} {'max':>5}"]
    for ex, e in per_ex.items():
        lines.append(
            f"  {ex:38s} {e['n']:>4} {e['mean']:>6.2f} {_fmt(e['min']):>5} {_fmt(e['max']):>5}"
            f" / {_fmt(e['max_score'])}"
        )
        for reason, count in e["failures"][:3]:
            lines.append(f"      {count:>3} x {reason}")
    return "\n".join(line[:300].rstrip() for line in lines)


# ------------------------------------------------------------------------------ HTML

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
.ok { color: #176e2a; } .bad { color: #a51d1d; } .partial { color: #8a5a00; }
code { font-size: 90%; }
"""


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def student_file(student_id: str) -> str:
    """A safe, unique file name for a student's page (ids come from file names)."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", student_id).strip("_")[:48] or "student"
    return f"{slug}-{hashlib.sha256(student_id.encode()).hexdigest()[:8]}.html"


def groups_passed(cases: list[dict]) -> tuple[int, int]:
    """(case groups passed, case groups) of one graded exercise: the scoring unit."""
    groups: dict[tuple, bool] = {}
    for c in cases:
        key = (c.get("group"), bool(c.get("hidden")))
        groups[key] = groups.get(key, True) and bool(c.get("ok"))
    return sum(groups.values()), len(groups)


SCORING = (
    "Each exercise's points are split equally between its case groups (public ones, which "
    "<code>check()</code> runs in the notebook, and hidden ones, run only at grading); a "
    "group earns its share when every case in it passes. Hidden cases are named with what "
    "went wrong, never their data."
)


def _mark(score: float, max_score: float) -> str:
    return "ok" if score >= max_score else ("partial" if score > 0 else "bad")


def student_page(student_id: str, s: dict, grader_version: str) -> str:
    rows = []
    for ex, e in s["exercises"].items():
        cases = "".join(
            f'<li class="{"ok" if c.get("ok") else "bad"}">{"✓" if c.get("ok") else "✗"} '
            f"{_e(c.get('name', ''))}"
            + (" (hidden)" if c.get("hidden") else "")
            + (f": {_e(c.get('reason', ''))}" if not c.get("ok") and c.get("reason") else "")
            + "</li>"
            for c in e["cases"]
        )
        passed, n_groups = groups_passed(e["cases"])
        split = f"<br><small>{passed} of {n_groups} groups</small>" if n_groups else ""
        rows.append(
            f'<tr class="{_mark(e["score"], e["max"])}"><td><code>{_e(ex)}</code></td>'
            f"<td>{_e(_fmt(e['score']))} / {_e(_fmt(e['max']))}{split}</td>"
            f"<td>{_e(e['status'])}</td><td>{_e(e['reason'])}<ul>{cases}</ul></td></tr>"
        )
    notes = "".join(
        f"<li>{_e(n)}</li>"
        for n in [
            *(f"{x['submission']}: not graded: {x['reason']}" for x in s.get("not_graded", [])),
            *s.get("notes", []),
        ]
    )
    body = (
        f"<h1>Feedback for {_e(student_id)}</h1>\n"
        f"<p>Total: <strong>{_e(_fmt(s['total']))} / {_e(_fmt(s['max']))}</strong> "
        f"(grader version {_e(grader_version)}). Submissions: "
        + ", ".join(f"<code>{_e(n)}</code>" for n in s["submissions"])
        + "</p>\n"
        + (f"<h2>Notes</h2><ul>{notes}</ul>\n" if notes else "")
        + "<table><tr><th>Exercise</th><th>Points</th><th>Status</th><th>Feedback</th></tr>\n"
        + "\n".join(rows)
        + f"</table>\n<p>{SCORING}</p>"
    )
    return _page(f"Feedback: {student_id}", body)


def write_html(summary: dict, out: Path, *, grader_version: str) -> list[Path]:
    """``out`` (instructor index) and ``<out stem>/<student>.html``; returns the paths."""
    out = Path(out)
    folder = out.with_suffix("")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    student_rows = []
    for sid, s in summary["students"].items():
        page = folder / student_file(sid)
        page.write_text(student_page(sid, s, grader_version), encoding="utf-8")
        written.append(page)
        pct = 100 * s["total"] / s["max"] if s["max"] else 0.0
        link = f'<a href="{_e(folder.name)}/{_e(page.name)}">{_e(sid)}</a>'
        if "not_graded" in s:
            why = "; ".join(f"{n['submission']}: {n['reason']}" for n in s["not_graded"])
            student_rows.append(
                f'<tr class="bad"><td>{link}</td><td colspan="2">not graded: {_e(why)}</td></tr>'
            )
            continue
        student_rows.append(
            f"<tr><td>{link}</td>"
            f"<td>{_e(_fmt(s['total']))} / {_e(_fmt(s['max']))}</td><td>{pct:.1f} %</td></tr>"
        )
    ex_rows = []
    for ex, e in summary["per_exercise"].items():
        fails = "".join(f"<li>{count} × {_e(reason)}</li>" for reason, count in e["failures"])
        ex_rows.append(
            f"<tr><td><code>{_e(ex)}</code></td><td>{e['n']}</td><td>{e['mean']:.2f}</td>"
            f"<td>{_e(_fmt(e['min']))}</td><td>{_e(_fmt(e['max']))}</td>"
            f"<td>{_e(_fmt(e['max_score']))}</td><td><ul>{fails}</ul></td></tr>"
        )
    body = (
        f"<h1>Grading report (grader version {_e(grader_version)})</h1>\n<h2>Students</h2>\n"
        "<table><tr><th>Student</th><th>Points</th><th>%</th></tr>\n"
        + "\n".join(student_rows)
        + "</table>\n<h2>Exercises</h2>\n<table><tr><th>Exercise</th><th>n</th><th>Mean</th>"
        "<th>Min</th><th>Max</th><th>Out of</th><th>Why points were lost</th></tr>\n"
        + "\n".join(ex_rows)
        + "</table>"
    )
    out.write_text(_page("Grading report", body), encoding="utf-8")
    return [out, *written]
