"""Helpers the book's chapter notebooks import in a hidden setup cell.

``use_book_style()`` makes matplotlib figures readable on the light and the dark theme
(transparent background, mid-grey text and axes, mid-tone colours). ``exercise_table(module)``
renders the chapter's graded exercises, with points, from the autograder registry at build
time, so the website and the grader can never disagree about what is graded.
"""

from __future__ import annotations

import importlib
import inspect

import matplotlib as mpl
from IPython.display import Markdown

#: Mid-tone colours that keep their contrast on a white and on a near-black page.
PALETTE = ["#3b82f6", "#f97316", "#10b981", "#e11d48", "#a855f7", "#eab308", "#06b6d4", "#8b5e3c"]
GREY = "#8a8a8a"


def use_book_style() -> None:
    """Transparent figures with grey text: legible in light and dark mode alike.

    Also limits BLAS to one thread: the book's matrices are small, and on a shared 2-core
    machine a multi-threaded BLAS oversubscribes the CPU and runs ~25x slower.
    """
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:
        pass
    mpl.rcParams.update(
        {
            "figure.facecolor": (0, 0, 0, 0),
            "axes.facecolor": (0, 0, 0, 0),
            "savefig.facecolor": (0, 0, 0, 0),
            "savefig.transparent": True,
            "figure.dpi": 96,
            "figure.figsize": (7.0, 3.4),
            "text.color": GREY,
            "axes.labelcolor": GREY,
            "axes.edgecolor": GREY,
            "axes.titlecolor": GREY,
            "xtick.color": GREY,
            "ytick.color": GREY,
            "grid.color": GREY,
            "grid.alpha": 0.3,
            "axes.grid": True,
            "legend.frameon": False,
            "legend.labelcolor": GREY,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "lines.linewidth": 2.0,
            "font.size": 10,
        }
    )
    try:  # render inline figures with the transparent background, not the kernel default
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            shell.run_line_magic("config", "InlineBackend.figure_formats = ['png']")
            shell.run_line_magic(
                "config",
                "InlineBackend.print_figure_kwargs = {'bbox_inches': 'tight', "
                "'facecolor': (0, 0, 0, 0)}",
            )
    except Exception:  # noqa: BLE001 - outside IPython the rcParams above are enough
        pass


def _registry_exercises(module: str, chapter: str) -> list | None:
    """The registry's exercises for this chapter, or None when the registry is unavailable."""
    try:
        registry = importlib.import_module("autograder.registry")
    except ImportError:
        return None
    exercises = list(registry.all_exercises())
    keys = {module, chapter, chapter.split("_", 1)[0], str(int(chapter.split("_", 1)[0]))}
    mine = [
        ex
        for ex in exercises
        if str(getattr(ex, "chapter", "")) in keys or str(ex.id).split(".", 1)[0] == module
    ]
    return mine


def _signature(exercise) -> str:
    """``name(args)`` of the function a student implements (the signature, never the body)."""
    if getattr(exercise, "signature", None):
        return str(exercise.signature)
    try:
        return f"{exercise.function}{inspect.signature(exercise.reference)}"
    except (TypeError, ValueError, AttributeError):
        return str(exercise.function)


def exercise_rows(module: str, chapter: str) -> list[tuple[str, str, str]]:
    """(id, signature, points) per graded exercise of a chapter.

    Source of truth: ``autograder.registry``. Until it exists, fall back to the public
    functions of ``solutions.<module>`` that are not worked examples (points unknown).
    """
    exercises = _registry_exercises(module, chapter)
    if exercises is not None:
        return [(str(ex.id), _signature(ex), str(ex.points)) for ex in exercises]

    solutions = importlib.import_module(f"solutions.{module}")
    shown = set(getattr(solutions, "__worked_examples__", []))
    rows = []
    for name, obj in vars(solutions).items():
        if (
            name.startswith("_")
            or name in shown
            or getattr(obj, "__module__", "") != solutions.__name__
        ):
            continue
        if inspect.isfunction(obj) or inspect.isclass(obj):
            rows.append((f"{module}.{name}", f"{name}{inspect.signature(obj)}", "—"))
    return rows


def exercise_table(module: str, chapter: str) -> Markdown:
    """A Markdown table of the chapter's graded exercises and their points."""
    rows = exercise_rows(module, chapter)
    if not rows:
        return Markdown("*No graded exercises are registered for this chapter yet.*")
    lines = ["| exercise | implement | points |", "|---|---|---|"]
    for ident, signature, points in rows:
        lines.append(f"| `{ident}` | `{signature.replace('|', '&#124;')}` | {points} |")
    total = sum(float(p) for _, _, p in rows if p.replace(".", "", 1).isdigit())
    if total:
        lines.append(f"| **total** | | **{total:g}** |")
    return Markdown("\n".join(lines))
