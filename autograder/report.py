"""Terminal report of a grading run: message and partial points side by side.

Works on ``SubmissionResult`` objects or on their JSON form (``to_json()``, or a verdict
rebuilt from the gradebook by ``Gradebook.stored_results``), so ``grade --verbose`` shows
the stored details of a submission it does not grade again."""

from __future__ import annotations


def _fmt_points(p: float) -> str:
    return f"{p:g}" if p == int(p) else f"{p:.2f}"


def failing_groups(cases: list[dict]) -> list[tuple[str, bool, list[dict], int]]:
    """(group, hidden, failing cases, cases in the group) of each case group with a failing
    case, in case order: the scoring unit, public and hidden apart."""
    groups: dict[tuple[str, bool], list[dict]] = {}
    for c in cases:
        groups.setdefault((str(c.get("group") or "cases"), bool(c.get("hidden"))), []).append(c)
    out = []
    for (group, hidden), mine in groups.items():
        bad = [c for c in mine if not c.get("ok")]
        if bad:
            out.append((group, hidden, bad, len(mine)))
    return out


def case_lines(cases: list[dict]) -> list[str]:
    """One line per failing case group: ``extreme (hidden): 2 of 3 cases fail: NaN ...``,
    a reason shared by every failing case of the group said once; cases that fail for
    different reasons each get their own line."""
    failing = failing_groups(cases)
    reasons = {c.get("reason", "") for _, _, bad, _ in failing for c in bad}
    if len(reasons) == 1 and sum(len(bad) for _, _, bad, _ in failing) == len(cases) > 1:
        return [f"all {len(cases)} cases ({len(failing)} groups) fail: {reasons.pop()}"]
    lines = []
    for group, hidden, bad, n in failing:
        label = group + (" (hidden)" if hidden else "")
        reasons = list(dict.fromkeys(c.get("reason", "") for c in bad))
        if len(reasons) == 1:
            head = f"{len(bad)} of {n} cases fail" if n > 1 else f"{bad[0].get('name', '')}"
            lines.append(f"{label}: {head}: {reasons[0]}")
            continue
        lines += [f"{label}: {c.get('name', '')}: {c.get('reason', '')}" for c in bad]
    return lines


def _as_json(r) -> dict:
    return r if isinstance(r, dict) else r.to_json()


def table(results, layers: dict, *, verbose: bool = False) -> str:
    results = [_as_json(r) for r in results]
    lines = ["Sandbox: " + "; ".join(f"{k} {v}" for k, v in layers.items())] if layers else []
    for r in results:
        if lines:
            lines.append("")
        name, chapter = r["submission"], r.get("chapter") or "?"
        stored = "  (stored: graded earlier)" if r.get("stored") else ""
        if r.get("status", "graded") != "graded":
            lines.append(
                f"{name}  [{chapter}]  NOT GRADED: {r['error']} (no score stored: the "
                "next run grades it again)"
            )
            continue
        lines.append(
            f"{name}  [{chapter}]  {_fmt_points(r['points'])} / {_fmt_points(r['max_points'])}"
            + (f"  ERROR: {r['error']}" if r.get("error") else "")
            + stored
        )
        for e in r["exercises"]:
            pts, top = e["points"], e["max_points"]
            mark = "✓" if pts == top else ("~" if pts > 0 else "✗")
            shown = f"{_fmt_points(pts):>5} / {_fmt_points(top):<3}"
            lines.append(f"  {mark} {e['id']:36s} {shown} {e['reason']}"[:200].rstrip())
            m = e.get("mistake")
            if m:  # a diagnosis (autograder.diagnosis): fixed text
                share = f", {m['groups']} of {m['failing_groups']} failing groups"
                share = share if m.get("failing_groups", 0) > m.get("groups", 0) else ""
                lines.append(f"      ➜ known mistake ({m['id']}{share}): {m['sentence']}")
                lines.append(f"        see Common mistakes: {m['link']}")
            if verbose and e["status"] == "graded":
                lines += [f"        ✗ {line}"[:200] for line in case_lines(e["cases"])]
        for note in r.get("notes", []):
            lines.append(f"  note: {note}"[:200])
    graded = [r for r in results if r.get("status", "graded") == "graded"]
    if graded:
        pct = [100 * r["points"] / r["max_points"] if r["max_points"] else 0.0 for r in graded]
        lines.append("")
        lines.append(f"{len(graded)} submissions, mean score {sum(pct) / len(pct):.1f} %")
    return "\n".join(lines)
