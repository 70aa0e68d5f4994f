"""Helpers the book's chapter notebooks import in a hidden setup cell.

``use_book_style()`` makes matplotlib figures publication-like: white background (readable
on the light and the dark theme alike), near-black text at readable sizes, the Okabe-Ito
colour-blind-safe palette, thin grids. ``exercise_table(module)``
renders the chapter's graded exercises, with points, from the autograder registry at build
time, so the website and the grader can never disagree about what is graded.
"""

from __future__ import annotations

import importlib
import inspect
import re
from html import escape

import matplotlib as mpl
from IPython.display import HTML

#: Okabe & Ito's colour-blind-safe palette (blue, vermillion, bluish green, reddish purple,
#: orange, sky blue, yellow, black): distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
#: Line styles that go with the palette, so curves stay apart in greyscale too.
LINESTYLES = ["-", "--", "-.", ":"]
#: Reference lines, contours, annotations.
GREY = "#6b6b6b"
TEXT = "#1a1a1a"


def use_book_style() -> None:
    """White figures with dark text and colour-blind-safe colours (Okabe-Ito).

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
            "figure.facecolor": "white",
            "axes.facecolor": "white",
            "savefig.facecolor": "white",
            "savefig.transparent": False,
            "figure.dpi": 110,
            "figure.figsize": (7.0, 3.4),
            "text.color": TEXT,
            "axes.labelcolor": TEXT,
            "axes.edgecolor": "#444444",
            "axes.titlecolor": TEXT,
            "axes.titlesize": 11,
            "axes.labelsize": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "xtick.color": TEXT,
            "ytick.color": TEXT,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "grid.color": "#b0b0b0",
            "grid.alpha": 0.4,
            "grid.linewidth": 0.6,
            "axes.grid": True,
            "legend.frameon": True,
            "legend.framealpha": 0.92,
            "legend.edgecolor": "#cccccc",
            "legend.fontsize": 9.5,
            "legend.labelcolor": TEXT,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "lines.linewidth": 2.0,
            "font.size": 11,
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
                "'facecolor': 'white'}",
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
        signature = str(exercise.signature)
    else:
        try:
            signature = f"{exercise.function}{inspect.signature(exercise.reference)}"
        except (TypeError, ValueError, AttributeError):
            return str(exercise.function)
    # a type as default value reads as its name: dtype=numpy.float64, not <class '...'>
    return re.sub(r"<class '([\w.]+)'>", r"\1", signature)


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


def exercise_table(module: str, chapter: str) -> HTML:
    """The chapter's graded exercises and their points, as a two-column HTML table.

    Each row names the exercise and, under it, the signature to implement (wrapping inside
    its cell), so the table is as wide as the text column at any window width: the three
    columns of a Markdown table (id, signature, points) were wider than the column at 1280
    px, and the theme's scroll container hid the signatures' tail and the points.
    """
    rows = exercise_rows(module, chapter)
    if not rows:
        return HTML("<p><em>No graded exercises are registered for this chapter yet.</em></p>")
    body = []
    for ident, signature, points in rows:
        body.append(
            "<tr><td>"
            f'<code class="exercise-id">{escape(ident)}</code>'
            f'<code class="exercise-signature">{escape(signature)}</code>'
            f'</td><td class="exercise-points">{escape(points)}</td></tr>'
        )
    total = sum(float(p) for _, _, p in rows if p.replace(".", "", 1).isdigit())
    if total:
        body.append(
            '<tr class="exercise-total"><td><strong>total</strong></td>'
            f'<td class="exercise-points"><strong>{total:g}</strong></td></tr>'
        )
    return HTML(
        '<table class="table exercise-table">'
        "<thead><tr><th>exercise: the function to implement</th>"
        '<th class="exercise-points">points</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
