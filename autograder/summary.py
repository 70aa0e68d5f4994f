"""``autograder report``: the gradebook summarised per student, per exercise and for the
class, as a terminal table, JSON, or HTML (an instructor index with plots, plus one feedback
page per student, safe to send to that student). Everything a student controls (ids from
file names, submission names, exception messages in feedback) is HTML-escaped; plots are
inline images (``data:`` URIs), so the report is one self-contained folder that works
offline.

Item analysis, per exercise: the score distribution, how many students attempted it (an
untouched stub or a function never defined is not an attempt), the mean over attempts (the
difficulty: the hardest exercises are those with the lowest), the share of students per
diagnosed mistake (the optional ``mistake`` id a result row or a failing case carries), and
the most common undiagnosed failure reasons. For the class: the total-score histogram per
chapter.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import re
from collections import Counter
from pathlib import Path

from autograder.compare import hidden_summary
from autograder.gradebook import Row, exercise_order

_WHERE = re.compile(r"syntax error (in cell \d+(?: \(In \[\d+\]\))?(?:, line \d+)?|at line \d+)")
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?")
_RAISED = re.compile(r"^(?:raised )?([A-Za-z_]\w*(?:Error|Exception|Warning|Exit|Interrupt))\b")
#: Total-score histogram bins, in percent: [0, 10), ..., [90, 100), and 100 exactly.
BINS = [*range(0, 100, 10), 100]


def _fmt(p: float) -> str:
    return f"{p:g}" if p == int(p) else f"{p:.2f}"


def short(exercise_id: str) -> str:
    return exercise_id.split(".", 1)[-1]


def _strip_numbers(text: str) -> str:
    while re.search(r"\([^()]*\)", text):  # nested: "(..., first at index (0, 1))"
        text = re.sub(r"\([^()]*\)", "", text)
    text = re.sub(r"^output(\[[^\]]*\])*:\s*", "", text)
    text = _NUMBER.sub("N", text)
    return re.sub(r"\s+", " ", text).strip(" :;")[:80] or "wrong output"


def case_kind(reason: str) -> str:
    """What went wrong in one failing case, in the grader's own words (no student text, no
    numbers): ``not implemented yet``, ``raises ValueError``, ``timed out``, ``wrong values``,
    ``NaN or inf where the answer is finite``, ``output[1]: wrong shape``..."""
    reason = reason or ""
    if reason.startswith("not implemented yet"):
        return "not implemented yet"
    if reason.startswith(("timed out", "CPU time limit", "killed")):
        return "timed out or killed"
    if reason.startswith("out of memory"):
        return "out of memory"
    raised = _RAISED.match(reason)
    if raised:
        return f"raises {raised.group(1)}"
    if reason.startswith("raised an exception"):
        return "raises an exception"
    if reason in ("missing", "no output"):
        return "no output"
    return hidden_summary(reason)


def is_syntax_error(row: Row) -> bool:
    """The function is in code that does not parse (status ``syntax_error``; gradebooks
    written before that status say ``missing`` with a syntax-error reason)."""
    return row.status == "syntax_error" or (
        row.status == "missing" and "syntax error" in (row.reason or "")
    )


def attempted(row: Row) -> bool:
    """False for a function never defined (not even in a cell with a syntax error) and for
    an untouched stub (every case "not implemented yet")."""
    if row.status in ("missing", "syntax_error"):
        return is_syntax_error(row)
    if row.status == "graded" and row.cases:
        return not all(
            not c.get("ok") and case_kind(c.get("reason", "")) == "not implemented yet"
            for c in row.cases
        )
    return True


def mistake_of(row: Row) -> str | None:
    """The diagnosed mistake of a row that lost points: the row's ``mistake`` column when
    the gradebook has one, else the first failing case's ``mistake`` (None: undiagnosed)."""
    if row.score >= row.max_score:
        return None
    found = getattr(row, "mistake", None)
    if found:
        return str(found)
    for c in row.cases:
        if not c.get("ok") and c.get("mistake"):
            return str(c["mistake"])
    return None


def _has_diagnosis(row: Row) -> bool:
    """Whether a row carries a diagnosis (its ``mistake`` id, or a failing case's): with
    none in the whole gradebook the reports show no mistake column."""
    return bool(getattr(row, "mistake", None)) or any(c.get("mistake") for c in row.cases)


def failing_groups(cases: list[dict]) -> tuple[list[str], int]:
    """(names of the case groups with a failing case, in case order; number of groups)."""
    groups: dict[str, bool] = {}
    for c in cases:
        g = str(c.get("group") or "cases")
        groups[g] = groups.get(g, True) and bool(c.get("ok"))
    return [g for g, ok in groups.items() if not ok], len(groups)


def failure_reason(row: Row) -> str | None:
    """Why ``row`` lost points, as a category that students' failures can be counted by:
    what went wrong (the first failing case's kind) and where (which case groups fail),
    e.g. ``wrong value in every case group`` or ``NaN or inf where the answer is finite in
    group extreme``; ``syntax error`` and ``not defined`` for a missing function; None when
    nothing was lost."""
    if row.score >= row.max_score:
        return None
    if is_syntax_error(row):
        return "syntax error (the cell is skipped)"
    if row.status == "missing":
        return "not defined"
    if row.status != "graded" or not row.cases:
        return _strip_numbers(row.reason or "wrong output")
    bad = [c for c in row.cases if not c.get("ok")]
    if not bad:
        return _strip_numbers(row.reason or "wrong output")
    kinds = list(dict.fromkeys(case_kind(c.get("reason", "")) for c in bad))
    if kinds == ["not implemented yet"]:
        return "not implemented yet"
    failing, n_groups = failing_groups(row.cases)
    sep = "; " if any("," in g for g in failing) else ", "  # a group named "eval, zeros"
    if len(failing) == n_groups and n_groups > 1:
        where = "in every case group"
    elif len(failing) > 3:
        where = f"in {len(failing)} of {n_groups} case groups ({sep.join(failing[:2])}{sep}...)"
    else:
        where = f"in group{'s' * (len(failing) > 1)} {sep.join(failing)}"
    return f"{kinds[0]} {where}"[:120]


def not_graded_reason(grading: dict) -> str:
    """Why a submission has no scores: its error, and for an infrastructure failure that the
    next run grades it (``grading`` is a row of ``Gradebook.graded_submissions``)."""
    why = grading["error"] or "no exercise function of any chapter found"
    if grading.get("status", "graded") != "graded":
        return f"not graded yet: {why} (not the student's fault; the next run grades it)"
    return why


# ------------------------------------------------------------------------------ numbers


def _exercise_stats(mine: list[Row]) -> dict:
    scores = [r.score for r in mine]
    tries = [r.score for r in mine if attempted(r)]
    mistakes = Counter(m for m in map(mistake_of, mine) if m)
    reasons = Counter(
        failure_reason(r) for r in mine if attempted(r) and not mistake_of(r) and failure_reason(r)
    )
    n = len(mine)
    return {
        "chapter": mine[0].chapter,
        "n": n,
        "max_score": max(r.max_score for r in mine),
        "mean": round(sum(scores) / n, 6),
        "min": min(scores),
        "max": max(scores),
        "full_marks": sum(r.score >= r.max_score for r in mine),
        "attempted": len(tries),
        "mean_attempted": round(sum(tries) / len(tries), 6) if tries else None,
        "distribution": [[s, k] for s, k in sorted(Counter(round(x, 6) for x in scores).items())],
        "syntax_errors": sum(map(is_syntax_error, mine)),
        "mistakes": [[m, k, round(k / n, 4)] for m, k in mistakes.most_common()],
        "failures": reasons.most_common(),
    }


def histogram(percents: list[float]) -> list[int]:
    """Students per bin of :data:`BINS`: [0, 10), ..., [90, 100), and exactly 100 %."""
    counts = [0] * len(BINS)
    for p in percents:
        counts[len(BINS) - 1 if p >= 100 - 1e-9 else min(int(p // 10), len(BINS) - 2)] += 1
    return counts


def _chapter_stats(rows: list[Row]) -> dict:
    """Per chapter: each student's total on it, its points, and the total-score histogram."""
    totals: dict[str, dict[str, list[float]]] = {}
    for r in rows:
        t = totals.setdefault(r.chapter, {}).setdefault(r.student_id, [0.0, 0.0])
        t[0] += r.score
        t[1] += r.max_score
    out = {}
    for ch in sorted(totals):
        mine = {sid: (round(a, 6), round(b, 6)) for sid, (a, b) in sorted(totals[ch].items())}
        pct = [100 * a / b if b else 0.0 for a, b in mine.values()]
        out[ch] = {
            "students": len(mine),
            "max": max(b for _, b in mine.values()),
            "mean": round(sum(a for a, _ in mine.values()) / len(mine), 6),
            "mean_percent": round(sum(pct) / len(pct), 2),
            "totals": {sid: a for sid, (a, _) in mine.items()},
            "histogram": histogram(pct),
        }
    return out


def syntax_location(reason: str) -> str | None:
    """``in cell 12 (In [7]), line 3`` from a syntax-error reason (None if it has none)."""
    found = _WHERE.search(reason or "")
    return found.group(1) if found else None


def _lost(s: dict) -> list[dict]:
    return [
        {
            "exercise": ex,
            "score": e["score"],
            "max": e["max"],
            "why": e["why"],
            "mistake": e["mistake"],
            "syntax_error": syntax_location(e["reason"]) if e["why"].startswith("syntax") else None,
        }
        for ex, e in s["exercises"].items()
        if e["score"] < e["max"]
    ]


def summarize(rows: list[Row], submissions: list[dict] | None = None) -> dict:
    """Everything the reports show, as plain data (``report --json`` prints it)::

        {"exercises": [ids in registry order], "students": {id: ...},
         "per_exercise": {id: ...}, "chapters": {chapter: ...},
         "hardest": [ids, hardest first], "mistakes": [...], "bins": BINS,
         "histogram": [students per bin, all chapters, in % of each student's points]}

    Every student with a submission is listed: one of whose submissions nothing could be
    graded from (not a notebook, no exercise function, grading failed) has
    ``"not_graded": [{"submission", "reason"}]`` and a total of 0 out of 0."""
    order = exercise_order(r.exercise_id for r in rows)
    students: dict[str, dict] = {}
    for r in rows:
        s = students.setdefault(
            r.student_id,
            {"total": 0.0, "max": 0.0, "chapters": [], "exercises": {}, "submissions": []},
        )
        s["total"] = round(s["total"] + r.score, 6)
        s["max"] = round(s["max"] + r.max_score, 6)
        s["exercises"][r.exercise_id] = {
            "score": r.score,
            "max": r.max_score,
            "status": r.status,
            "reason": r.reason,
            "why": failure_reason(r),
            "mistake": mistake_of(r),
            "chapter": r.chapter,
            "submission": r.submission,
            "cases": r.cases,
        }
        if r.chapter not in s["chapters"]:
            s["chapters"].append(r.chapter)
        if r.submission not in s["submissions"]:
            s["submissions"].append(r.submission)
    for g in submissions or []:
        s = students.get(g["student_id"])
        if s is None:  # nothing could be graded: the student is listed, with the reason
            s = students[g["student_id"]] = {
                "total": 0.0,
                "max": 0.0,
                "chapters": [],
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
        s["lost"] = _lost(s)
    per_exercise = {ex: _exercise_stats([r for r in rows if r.exercise_id == ex]) for ex in order}
    hardest = sorted(
        (
            ex
            for ex, e in per_exercise.items()
            if e["mean_attempted"] is not None and e["mean_attempted"] < e["max_score"]
        ),
        key=lambda ex: (
            per_exercise[ex]["mean_attempted"] / per_exercise[ex]["max_score"],
            rank[ex],
        ),
    )
    mistakes = sorted(
        (
            {
                "exercise": ex,
                "mistake": m,
                "students": k,
                "share": share,
                "sentence": known_mistake(m)["sentence"],
                "link": known_mistake(m)["link"],
            }
            for ex, e in per_exercise.items()
            for m, k, share in e["mistakes"]
        ),
        key=lambda d: (-d["students"], rank[d["exercise"]], d["mistake"]),
    )
    chapters = _chapter_stats(rows)
    graded = [s for s in students.values() if "not_graded" not in s and s["max"]]
    return {
        "exercises": order,
        "students": dict(sorted(students.items())),
        "per_exercise": per_exercise,
        "chapters": chapters,
        "hardest": hardest,
        "mistakes": mistakes,
        "diagnosis": any(map(_has_diagnosis, rows)),
        "bins": BINS,
        "histogram": histogram([100 * s["total"] / s["max"] for s in graded]),
    }


# ------------------------------------------------------------------------------ text


def _syntax_words(lost: dict) -> str:
    if not (lost["why"] or "").startswith("syntax"):
        return ""
    return f" (syntax error {lost['syntax_error']})" if lost["syntax_error"] else " (syntax error)"


def lost_words(s: dict, limit: int = 4) -> str:
    """What a student lost, in a few words: ``gelu 0.50/1 (gelu_tanh), kl_div 0/1; not
    implemented yet: 40 exercises``."""
    untouched = [x for x in s["lost"] if x["why"] in ("not implemented yet", "not defined")]
    rest = [x for x in s["lost"] if x not in untouched]
    words = [
        f"{short(x['exercise'])} {_fmt(x['score'])}/{_fmt(x['max'])}"
        + (f" ({x['mistake']})" if x["mistake"] else "")
        + _syntax_words(x)
        for x in rest
    ]
    if len(words) > limit:
        words = [*words[: limit - 1], f"+{len(words) - limit + 1} more"]
    by_why = Counter(x["why"] for x in untouched)
    words += [f"{why}: {k} exercise{'s' * (k != 1)}" for why, k in sorted(by_why.items())]
    return ", ".join(words)


def _text_histograms(summary: dict) -> list[str]:
    head = f"  {'total score, % of the points':34s}" + "".join(f"{b:>4}" for b in BINS)
    lines = [head]
    for ch, c in summary["chapters"].items():
        label = f"{ch} ({c['students']} students, {_fmt(c['max'])} pts)"
        lines.append(f"  {label:34s}" + "".join(f"{k or '.':>4}" for k in c["histogram"]))
    return lines


def _text_exercise(ex: str, e: dict) -> list[str]:
    dist = " ".join(f"{_fmt(s)}:{k}" for s, k in e["distribution"])
    mean = e["mean_attempted"]
    lines = [
        f"  {ex:38s} {e['chapter']:16s} {e['attempted']:>3}/{e['n']:<3} "
        f"{mean / e['max_score'] * 100:5.1f} %  scores {dist}"
        if mean is not None
        else f"  {ex:38s} {e['chapter']:16s}   0/{e['n']:<3}  not attempted"
    ]
    for m, k, share in e["mistakes"]:
        lines.append(f"      {k:>3} x diagnosed: {m} ({100 * share:.0f} % of the students)")
    for reason, count in e["failures"][:3]:
        lines.append(f"      {count:>3} x {reason}")
    return lines


def text(summary: dict, *, grader_version: str) -> str:
    students, per_ex = summary["students"], summary["per_exercise"]
    if not students:
        return f"no results for grader version {grader_version} in the gradebook"
    width = max(12, *(len(s) for s in students))
    unread = sum("not_graded" in s for s in students.values())
    chapters = summary["chapters"]
    head = f"Grader version {grader_version}: {len(students)} students"
    if chapters:
        head += f", {len(chapters)} chapter{'s' * (len(chapters) != 1)}"
    if unread:
        head += f" ({unread} with nothing graded: reasons below)"
    lines = [head, "", *(_text_histograms(summary) if chapters else []), "", "Per student:"]
    for sid, s in students.items():
        pct = 100 * s["total"] / s["max"] if s["max"] else 0.0
        if "not_graded" in s:
            why = "; ".join(f"{n['submission']}: {n['reason']}" for n in s["not_graded"])
            lines.append(f"  {sid:{width}s} {'':16s} {'-':>7}   {'':<5} {'':>7}  NOT GRADED: {why}")
            continue
        lost = lost_words(s)
        lines.append(
            f"  {sid:{width}s} {', '.join(s['chapters']):16s} {_fmt(s['total']):>7} / "
            f"{_fmt(s['max']):<5} {pct:5.1f} %" + (f"  lost: {lost}" if lost else "")
        )
    hardest = summary["hardest"]
    lines += [
        "",
        "Hardest exercises (mean over the students who attempted them; an untouched stub is "
        "not an attempt):",
        f"  {'exercise':38s} {'chapter':16s} {'tried':7s} {'mean':>7}",
    ]
    if not hardest:
        lines.append("  (none: every attempt had full marks)")
    for ex in hardest:
        lines += _text_exercise(ex, per_ex[ex])
    easy = [ex for ex, e in per_ex.items() if ex not in hardest and e["attempted"]]
    untried = [ex for ex, e in per_ex.items() if not e["attempted"]]
    if easy:
        lines.append(f"  full marks on every attempt: {len(easy)} exercises")
    for ex in untried:
        lines += _text_exercise(ex, per_ex[ex])
    return "\n".join(line[:300].rstrip() for line in lines)


# ------------------------------------------------------------------------------ plots

#: Okabe-Ito: distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]


def _svg_uri(fig) -> str:
    """``fig`` as an SVG ``data:`` URI (text kept as text, no date: the same input gives the
    same bytes)."""
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "autograder"}):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(width: float, height: float, ncols: int = 1):
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, no global state

    fig = Figure(figsize=(width, height))
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
    return fig, axes


def histogram_plot(summary: dict) -> str:
    """The class's total-score histograms, one panel per chapter (small multiples, one
    y scale)."""
    chapters = summary["chapters"]
    fig, axes = _figure(4.0 * len(chapters) + 0.4, 2.6, len(chapters))
    top = max(max(c["histogram"]) for c in chapters.values())
    labels = [str(b) for b in BINS]
    for k, (ax, (ch, c)) in enumerate(zip(axes, chapters.items(), strict=True)):
        ax.bar(range(len(BINS)), c["histogram"], color=PALETTE[k % len(PALETTE)], width=0.85)
        ax.set_xticks(range(len(BINS)), labels, fontsize=7)
        ax.set_ylim(0, top + 0.5)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_title(f"{ch}: {c['students']} students, {_fmt(c['max'])} points", fontsize=9)
        ax.set_xlabel("total score (% of the points; 100 = full marks)", fontsize=8)
    axes[0].set_ylabel("students", fontsize=8)
    return _svg_uri(fig)


def hardest_plot(summary: dict, top: int = 15) -> str:
    """Mean score over attempts of the hardest exercises (horizontal bars, hardest on top),
    coloured by chapter."""
    per_ex = summary["per_exercise"]
    shown = summary["hardest"][:top]
    colour = {ch: PALETTE[k % len(PALETTE)] for k, ch in enumerate(summary["chapters"])}
    fig, (ax,) = _figure(6.4, 0.3 * len(shown) + 0.9)
    y = list(range(len(shown)))[::-1]
    means = [100 * per_ex[ex]["mean_attempted"] / per_ex[ex]["max_score"] for ex in shown]
    ax.barh(y, means, color=[colour.get(per_ex[ex]["chapter"], "#999999") for ex in shown])
    ax.set_yticks(y, [f"{short(ex)} ({per_ex[ex]['chapter']})" for ex in shown], fontsize=8)
    for yi, m, ex in zip(y, means, shown, strict=True):
        e = per_ex[ex]
        ax.text(m + 1, yi, f"{m:.0f} %  ({e['attempted']} tried)", va="center", fontsize=7)
    ax.set_xlim(0, 118)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("mean score of the students who attempted it (% of its points)", fontsize=8)
    return _svg_uri(fig)


def distribution_plot(e: dict) -> str:
    """One exercise's score distribution: students per score, in a small chart."""
    fig, (ax,) = _figure(1.9, 1.0)
    scores = [s for s, _ in e["distribution"]]
    counts = [k for _, k in e["distribution"]]
    colours = [
        PALETTE[2] if s >= e["max_score"] else (PALETTE[5] if s == 0 else PALETTE[1])
        for s in scores
    ]
    ax.bar(range(len(scores)), counts, color=colours, width=0.7)
    ax.set_xticks(range(len(scores)), [_fmt(s) for s in scores], fontsize=7)
    ax.set_ylim(0, e["n"])
    ax.set_yticks([0, e["n"]])
    ax.tick_params(axis="y", labelsize=7)
    return _svg_uri(fig)


# ------------------------------------------------------------------------------ HTML

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em;
       color: #1a1a1a; }
table { border-collapse: collapse; margin: 1em 0; display: block; max-width: 100%;
        overflow-x: auto; }  /* a narrow screen scrolls the table, not the page */
td, th { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; white-space: nowrap; }
.ok { color: #176e2a; } .bad { color: #a51d1d; } .partial { color: #8a5a00; }
code { font-size: 90%; }
ul { margin: .2em 0; padding-left: 1.2em; }
img.plot { max-width: 100%; height: auto; }
details { margin: .5em 0; }
.muted { color: #555; }
.mistake { color: #1a1a1a; background: #fff4d6; padding: .2em .4em; margin: .2em 0; }
"""


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _img(uri: str, alt: str, cls: str = "plot") -> str:
    return f'<img class="{cls}" src="{uri}" alt="{_e(alt)}">'


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


def case_lines(cases: list[dict]) -> list[str]:
    """One line per case group (public and hidden apart): ``✓ basic: 3 cases pass`` or
    ``✗ extreme (hidden): 2 of 3 cases fail: extreme-1: NaN ...``, a reason shared by
    every failing case of the group said once (not eleven times)."""
    groups: dict[tuple, list[dict]] = {}
    for c in cases:
        groups.setdefault((str(c.get("group") or "cases"), bool(c.get("hidden"))), []).append(c)
    out, passing = [], []
    for hidden in (False, True):  # every public (hidden) case fails alike: one line for all
        mine = [c for c in cases if bool(c.get("hidden")) == hidden]
        reasons = {c.get("reason", "") for c in mine if not c.get("ok")}
        kinds = {g for g, h in groups if h == hidden}
        if (
            len(mine) > 1
            and len(kinds) > 1
            and len(reasons) == 1
            and not any(c.get("ok") for c in mine)
        ):
            what = "hidden" if hidden else "public"
            out.append(
                f'<li class="bad">✗ all {len(mine)} {what} cases ({len(kinds)} groups) fail: '
                f"{_e(reasons.pop())}</li>"
            )
            groups = {k: v for k, v in groups.items() if k[1] != hidden}
    for (group, hidden), mine in groups.items():
        label = _e(group) + (" (hidden)" if hidden else "")
        bad = [c for c in mine if not c.get("ok")]
        n = len(mine)
        if not bad:
            passing.append(label)
            continue
        reasons = list(dict.fromkeys(c.get("reason", "") for c in bad))
        head = f"{len(bad)} of {n} cases fail" if n > 1 else "fails"
        if len(reasons) == 1:
            detail = (
                f": {_e(reasons[0])}"
                if len(bad) > 1 or not bad[0].get("name")
                else f": <code>{_e(bad[0]['name'])}</code>: {_e(reasons[0])}"
            )
        else:
            detail = (
                "<ul>"
                + "".join(
                    f"<li><code>{_e(c.get('name', ''))}</code>: {_e(c.get('reason', ''))}</li>"
                    for c in bad
                )
                + "</ul>"
            )
        out.append(f'<li class="bad">✗ {label}: {head}{detail}</li>')
    if passing:
        k = len(passing)
        sep = "; " if any("," in g for g in passing) else ", "
        out.append(f'<li class="ok">✓ {k} group{"s" * (k != 1)} pass: {sep.join(passing)}</li>')
    return out


def _extra_note(e: dict) -> str:
    """What a graded exercise's reason adds to its failing cases (a wrong-signature note):
    the reason opens with the first failing case, which the case lines already show."""
    bad = next((c for c in e["cases"] if not c.get("ok")), None)
    reason = e["reason"] or ""
    if bad is None:
        return reason
    first = f"{bad.get('name', '')}: {bad.get('reason', '')}"
    return reason[len(first) :].lstrip("; ") if reason.startswith(first) else reason


def known_mistake(mistake_id: str | None) -> dict | None:
    """``{"id", "sentence", "link"}`` of a diagnosed mistake (:mod:`autograder.diagnosis`);
    the sentence and link are empty when this grader no longer declares that id."""
    if not mistake_id:
        return None
    from autograder import diagnosis

    known = diagnosis.describe(mistake_id)
    return known.to_json() if known else {"id": mistake_id, "sentence": "", "link": ""}


def _link(link: str, site: str | None) -> str:
    """The Common-mistakes entry: a link when the site's address is known, else its path."""
    if not link:
        return ""
    if site:
        href = f"{site.rstrip('/')}/{link}"
        return f'<a href="{_e(href)}">Common mistakes</a>'
    return f"Common mistakes: <code>{_e(link)}</code> on the course site"


def _mistake_html(mistake: str | None, site: str | None = None) -> str:
    known = known_mistake(mistake)
    if known is None:
        return ""
    sentence = f" {_e(known['sentence'])}" if known["sentence"] else ""
    link = f" (see {_link(known['link'], site)})" if known["link"] else ""
    name = f"<strong>{_e(known['id'])}</strong>"
    return f'<div class="mistake">Known mistake {name}:{sentence}{link}</div>'


def student_page(student_id: str, s: dict, grader_version: str, site: str | None = None) -> str:
    rows, full, untouched = [], [], {}
    for ex, e in s["exercises"].items():
        if e["score"] >= e["max"]:
            full.append(ex)
            continue
        if e["why"] in ("not implemented yet", "not defined"):
            untouched.setdefault(e["why"], []).append(ex)
            continue
        passed, n_groups = groups_passed(e["cases"])
        split = f"<br><small>{passed} of {n_groups} groups</small>" if n_groups else ""
        cases = "".join(case_lines(e["cases"])) if e["status"] == "graded" else ""
        rows.append(
            f'<tr class="{_mark(e["score"], e["max"])}"><td><code>{_e(ex)}</code></td>'
            f"<td>{_e(_fmt(e['score']))} / {_e(_fmt(e['max']))}{split}</td>"
            f"<td>{_e(_extra_note(e) if cases else e['reason'])}{_mistake_html(e['mistake'], site)}"
            + (f"<ul>{cases}</ul>" if cases else "")
            + "</td></tr>"
        )
    notes = "".join(
        f"<li>{_e(n)}</li>"
        for n in [
            *(f"{x['submission']}: not graded: {x['reason']}" for x in s.get("not_graded", [])),
            *s.get("notes", []),
        ]
    )
    summary_lines = []
    for why, exs in untouched.items():
        what = (
            "not implemented yet (the stub raises NotImplementedError)"
            if why.startswith("not implemented")
            else "not defined in the submission"
        )
        pts = sum(s["exercises"][x]["max"] for x in exs)
        summary_lines.append(
            f'<li class="bad">✗ {len(exs)} exercise{"s" * (len(exs) != 1)} {what}, '
            f"0 of {_e(_fmt(pts))} points: "
            + ", ".join(f"<code>{_e(short(x))}</code>" for x in exs)
            + "</li>"
        )
    if full:
        pts = sum(s["exercises"][x]["max"] for x in full)
        summary_lines.append(
            f'<li class="ok">✓ {len(full)} exercise{"s" * (len(full) != 1)} with full marks '
            f"({_e(_fmt(pts))} points): "
            + ", ".join(f"<code>{_e(short(x))}</code>" for x in full)
            + "</li>"
        )
    table = (
        "<h2>Exercises that lost points</h2>\n"
        "<table><tr><th>Exercise</th><th>Points</th><th>Feedback</th></tr>\n"
        + "\n".join(rows)
        + "</table>\n"
        if rows
        else ""
    )
    body = (
        f"<h1>Feedback for {_e(student_id)}</h1>\n"
        f"<p>Total: <strong>{_e(_fmt(s['total']))} / {_e(_fmt(s['max']))}</strong> "
        + (f"({_e(', '.join(s['chapters']))}, " if s.get("chapters") else "(")
        + f"grader version {_e(grader_version)}). Submissions: "
        + ", ".join(f"<code>{_e(n)}</code>" for n in s["submissions"])
        + "</p>\n"
        + (f"<h2>Notes</h2><ul>{notes}</ul>\n" if notes else "")
        + (f"<ul>{''.join(summary_lines)}</ul>\n" if summary_lines else "")
        + table
        + f'<p class="muted">{SCORING}</p>'
    )
    return _page(f"Feedback: {student_id}", body)


def _student_row(sid: str, s: dict, link: str) -> str:
    if "not_graded" in s:
        why = "; ".join(f"{n['submission']}: {n['reason']}" for n in s["not_graded"])
        return (
            f'<tr class="bad"><td>{link}</td><td></td>'
            f'<td colspan="3">not graded: {_e(why)}</td></tr>'
        )
    pct = 100 * s["total"] / s["max"] if s["max"] else 0.0
    lost = lost_words(s, limit=6)
    return (
        f"<tr><td>{link}</td><td>{_e(', '.join(s['chapters']))}</td>"
        f'<td class="num">{_e(_fmt(s["total"]))} / {_e(_fmt(s["max"]))}</td>'
        f'<td class="num">{pct:.1f} %</td>'
        f"<td>{_e(lost) or '<span class=ok>nothing</span>'}</td></tr>"
    )


def _percent(e: dict) -> float:
    """An exercise's mean over attempts, in % of its points."""
    return 100 * e["mean_attempted"] / e["max_score"]


def _exercise_row(ex: str, e: dict, diagnosis: bool) -> str:
    dist = ", ".join(f"{k} × {_fmt(s)}" for s, k in e["distribution"])
    mistakes = "".join(
        f"<li><strong>{_e(m)}</strong>: {k} ({100 * share:.0f} %)</li>"
        for m, k, share in e["mistakes"]
    )
    fails = "".join(f"<li>{count} × {_e(reason)}</li>" for reason, count in e["failures"][:5])
    mean = e["mean_attempted"]
    pct = "" if mean is None else f"{100 * mean / e['max_score']:.0f} %"
    return (
        f"<tr><td><code>{_e(ex)}</code></td><td>{_e(e['chapter'])}</td>"
        f'<td class="num">{e["attempted"]} of {e["n"]}</td><td class="num">{pct}</td>'
        f"<td>{_img(distribution_plot(e), f'score distribution of {ex}: {dist}', 'spark')}"
        f"<br><small>{_e(dist)} (out of {_e(_fmt(e['max_score']))})</small></td>"
        + (f"<td>{'<ul>' + mistakes + '</ul>' if mistakes else 'none'}</td>" if diagnosis else "")
        + f"<td>{'<ul>' + fails + '</ul>' if fails else ''}</td></tr>"
    )


def _mistakes_section(summary: dict, site: str | None) -> str:
    if not summary["mistakes"]:
        return ""
    rows = "".join(
        f"<tr><td><code>{_e(d['exercise'])}</code></td><td><strong>{_e(d['mistake'])}</strong>"
        f'</td><td class="num">{d["students"]} of {summary["per_exercise"][d["exercise"]]["n"]}'
        f" ({100 * d['share']:.0f} %)</td><td>{_e(d.get('sentence', ''))}"
        + (f"<br>{_link(d['link'], site)}" if d.get("link") else "")
        + "</td></tr>"
        for d in summary["mistakes"]
    )
    return (
        "<h2>Diagnosed mistakes</h2>\n<p>Students whose failing cases match a known mistake "
        "of the exercise (share of the students graded on it).</p>\n"
        "<table><tr><th>Exercise</th><th>Mistake</th><th>Students</th><th>What it is</th></tr>"
        f"{rows}</table>\n"
    )


def _exercise_head(diagnosis: bool) -> str:
    return (
        "<table><tr><th>Exercise</th><th>Chapter</th><th>Attempted</th><th>Mean of attempts</th>"
        "<th>Score distribution</th>"
        + ("<th>Diagnosed mistakes (share of students)</th>" if diagnosis else "")
        + f"<th>{'Other reasons' if diagnosis else 'Reasons'} points were lost</th></tr>\n"
    )


def index_page(
    summary: dict, grader_version: str, links: dict[str, str], site: str | None = None
) -> str:
    """The instructor's page: class histogram, students (chapter, points, what each lost),
    the hardest exercises (plot + item analysis), diagnosed mistakes, the rest."""
    students, per_ex = summary["students"], summary["per_exercise"]
    order = sorted(students, key=lambda sid: (students[sid]["chapters"][:1], sid))
    student_rows = "\n".join(_student_row(sid, students[sid], links[sid]) for sid in order)
    chapters = summary["chapters"]
    intro = ", ".join(
        f"{_e(ch)}: {c['students']} students, mean {c['mean_percent']:.1f} %"
        for ch, c in chapters.items()
    )
    parts = [
        f"<h1>Grading report (grader version {_e(grader_version)})</h1>",
        f"<p>{len(students)} students. {intro}.</p>",
    ]
    if chapters:
        alt = "; ".join(
            f"{ch}: "
            + ", ".join(f"{b}%: {k}" for b, k in zip(BINS, c["histogram"], strict=True) if k)
            for ch, c in chapters.items()
        )
        parts += ["<h2>Total scores</h2>", _img(histogram_plot(summary), f"histogram: {alt}")]
    parts += [
        "<h2>Students</h2>",
        "<table><tr><th>Student</th><th>Chapter</th><th>Points</th><th>%</th>"
        "<th>What was lost</th></tr>",
        student_rows,
        "</table>",
    ]
    hardest = summary["hardest"]
    parts.append("<h2>Hardest exercises</h2>")
    if hardest:
        parts += [
            "<p>Ordered by the mean score of the students who attempted them (an untouched "
            "stub or a function never defined is not an attempt).</p>",
            _img(
                hardest_plot(summary),
                "mean score of the hardest exercises: "
                + ", ".join(f"{short(ex)} {_percent(per_ex[ex]):.0f}%" for ex in hardest[:15]),
            ),
            _exercise_head(summary["diagnosis"])
            + "\n".join(_exercise_row(ex, per_ex[ex], summary["diagnosis"]) for ex in hardest)
            + "</table>",
        ]
    else:
        parts.append("<p>None: every attempt had full marks.</p>")
    parts.append(_mistakes_section(summary, site))
    untried = [ex for ex, e in per_ex.items() if not e["attempted"]]
    if untried:
        parts += [
            "<h2>Exercises nobody attempted</h2>",
            "<p>" + ", ".join(f"<code>{_e(ex)}</code>" for ex in untried) + "</p>",
        ]
    easy = [ex for ex, e in per_ex.items() if ex not in hardest and e["attempted"]]
    if easy:
        by_ch: dict[str, list[str]] = {}
        for ex in easy:
            by_ch.setdefault(per_ex[ex]["chapter"], []).append(ex)
        items = "".join(
            f"<li>{_e(ch)} ({len(xs)}): "
            + ", ".join(f"<code>{_e(short(x))}</code>" for x in xs)
            + "</li>"
            for ch, xs in by_ch.items()
        )
        parts.append(
            f"<details><summary>Full marks on every attempt: {len(easy)} exercises</summary>"
            f"<ul>{items}</ul></details>"
        )
    return _page("Grading report", "\n".join(p for p in parts if p))


def write_html(
    summary: dict, out: Path, *, grader_version: str, site: str | None = None
) -> list[Path]:
    """``out`` (instructor index) and ``<out stem>/<student>.html``; returns the paths.
    ``site``: the course site's address, to link each known mistake to its Common-mistakes
    entry (without it the entry's path is shown)."""
    out = Path(out)
    folder = out.with_suffix("")
    folder.mkdir(parents=True, exist_ok=True)
    written, links = [], {}
    for sid, s in summary["students"].items():
        page = folder / student_file(sid)
        page.write_text(student_page(sid, s, grader_version, site), encoding="utf-8")
        written.append(page)
        links[sid] = f'<a href="{_e(folder.name)}/{_e(page.name)}">{_e(sid)}</a>'
    out.write_text(index_page(summary, grader_version, links, site), encoding="utf-8")
    return [out, *written]
