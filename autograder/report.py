"""Terminal report of a grading run: message and partial points side by side."""

from __future__ import annotations


def _fmt_points(p: float) -> str:
    return f"{p:g}" if p == int(p) else f"{p:.2f}"


def table(results, layers: dict, *, verbose: bool = False) -> str:
    lines = ["Sandbox: " + "; ".join(f"{k} {v}" for k, v in layers.items())]
    for r in results:
        lines.append("")
        if getattr(r, "status", "graded") != "graded":
            lines.append(
                f"{r.name}  [{r.chapter or '?'}]  NOT GRADED: {r.error} (no score stored: the "
                "next run grades it again)"
            )
            continue
        lines.append(
            f"{r.name}  [{r.chapter or '?'}]  {_fmt_points(r.points)} / "
            f"{r.max_points}" + (f"  ERROR: {r.error}" if r.error else "")
        )
        for e in r.exercises:
            mark = "✓" if e.points == e.max_points else ("~" if e.points > 0 else "✗")
            pts = f"{_fmt_points(e.points):>5} / {e.max_points:<3}"
            lines.append(f"  {mark} {e.id:36s} {pts} {e.reason}"[:200].rstrip())
            if getattr(e, "mistake", None):  # a diagnosis (autograder.diagnosis): fixed text
                m = e.mistake
                share = f", {m['groups']} of {m['failing_groups']} failing groups"
                share = share if m.get("failing_groups", 0) > m.get("groups", 0) else ""
                lines.append(f"      ➜ known mistake ({m['id']}{share}): {m['sentence']}")
                lines.append(f"        see Common mistakes: {m['link']}")
            if verbose:
                for c in e.cases:
                    if not c.ok and e.status == "graded":
                        lines.append(f"        ✗ {c.name}: {c.reason}"[:200])
        for note in r.notes:
            lines.append(f"  note: {note}"[:200])
    results = [r for r in results if getattr(r, "status", "graded") == "graded"]
    if results:
        pct = [100 * r.points / r.max_points if r.max_points else 0.0 for r in results]
        lines.append("")
        lines.append(f"{len(results)} submissions, mean score {sum(pct) / len(pct):.1f} %")
    return "\n".join(lines)
