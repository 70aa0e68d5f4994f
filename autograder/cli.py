"""``autograder`` command line: exercises, check, grade, report, export, release,
build-notebooks.

Student: ``autograder check exercises.ipynb [--exercise losses.cross_entropy]``.

Instructor workflow::

    autograder grade submissions.zip --workers 4        # -> gradebook.db (resumable)
    autograder grade submissions/ --dask tcp://scheduler:8786
    autograder report --html report.html                # + report/<student>.html pages
    autograder export csv scores.csv
    autograder export nbgrader /course/gradebook.db
    autograder export gradescope autograder.zip --chapter 04_losses
    autograder release student_bundle.zip
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

#: Same as autograder.gradebook.DEFAULT_URL (not imported: SQLAlchemy loads slowly).
DEFAULT_DB = "sqlite:///gradebook.db"
#: A student bundle (``autograder release``) ships only what ``exercises`` and ``check``
#: need (no grading, sandbox, gradebook or notebook building): only those are offered.
STUDENT_BUNDLE = not (Path(__file__).resolve().parent / "grade.py").exists()
STUDENT_DESCRIPTION = """``autograder`` command of the student bundle.

    autograder check chapters/03_activations/exercises.ipynb   # every exercise in it
    autograder check mine.py --exercise sigmoid                 # one exercise
    autograder exercises --chapter 03_activations               # what is graded

(``python -m autograder ...`` does the same without installing the bundle.)
"""


def _cmd_exercises(args) -> int:
    from autograder.registry import all_exercises, exercises_for_chapter

    exs = exercises_for_chapter(args.chapter) if args.chapter else all_exercises()
    if args.json:
        json.dump([e.to_json() for e in exs], sys.stdout, indent=2, sort_keys=True)
        print()
        return 0
    for e in exs:
        pub, hid = e.counts
        print(
            f"{e.id:40s} {e.chapter:18s} {e.points:>2d} pts  {pub:>2d} public {hid:>2d} hidden"
            f"  {e.signature}"
        )
    print(f"{len(exs)} exercises, {sum(e.points for e in exs)} points")
    return 0


def _cmd_check(args) -> int:
    """The public checks on the student's own file, in this process (their code, their
    machine: nothing is sandboxed), printed as ``check()`` prints them in the notebook."""
    from autograder import extract, feedback

    path = Path(args.path)
    if path.suffix not in (".ipynb", ".py") or not path.is_file():
        raise SystemExit(f"autograder check: expected a .ipynb or .py file, got {args.path}")
    sub = extract.parse(path.name, path.read_bytes(), path.suffix)
    if sub.error:
        raise SystemExit(f"autograder check: {sub.error}")
    for err in sub.syntax_errors:
        names = ", ".join(sorted(err["names"])) or "nothing"
        if path.suffix == ".py":
            msg, skipped = err["msg"], "the whole file is skipped"
            if "lines" in err:  # the chunk of top-level statements that does not parse
                first, last = err["lines"]
                msg = msg.removesuffix(f" (lines {first}-{last} skipped)")
                skipped = f"lines {first}-{last} are skipped: they define {names}"
            print(f"note: syntax error in {path.name} at line {err['line']}: {msg} ({skipped})")
            continue
        code = f" in `{err['text']}`" if err.get("text") else ""
        print(
            f"note: syntax error {extract.location(err)}: {err['msg']}{code} "
            f"(the cell is skipped: it defines {names})"
        )
    namespace: dict = {"__name__": "__main__"}
    for st in sub.statements:
        label = f"<cell {st['cell']}>" if path.suffix == ".ipynb" else path.name
        try:
            exec(compile("\n" * (st["line"] - 1) + st["code"], label, "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 - the student's code may raise anything
            from autograder.drivers import student_error

            where = f"{label}: " if path.suffix == ".ipynb" else ""
            print(f"note: {where}{student_error(exc)} (this statement is skipped)")
    try:
        if args.exercise:
            reports = [
                r
                for target in args.exercise
                for r in feedback.check_report(target, caller=namespace)
            ]
        else:
            reports = feedback.check_report(caller=namespace)
    except (LookupError, TypeError) as exc:
        why = exc.args[0] if exc.args else str(exc)
        if not args.exercise:  # the only way check() of a whole file fails
            why = f"{path.name} defines no function that an exercise asks for"
        print(f"autograder check: {why}")
        return 2
    if len(reports) == 1 and args.exercise:
        print(reports[0].text())
    else:
        print(feedback.overview(reports))
    return 0 if all(r.passed for r in reports) else 1


def _load_students(args) -> list[tuple[str, object]]:
    """(student id, submission) for every file under ``args.paths`` (see
    :func:`autograder.gradebook.student_ids` for the rule); duplicates graded once."""
    from autograder import extract
    from autograder.gradebook import student_ids

    pairs = []
    for path in args.paths:
        try:
            subs = extract.load(path)
        except ValueError as exc:  # a missing path, an unreadable zip: one line, no traceback
            raise SystemExit(f"autograder grade: {exc}") from None
        if not subs:  # a wrong folder would otherwise grade nothing, silently
            raise SystemExit(
                f"autograder grade: cannot grade {path}: no submission (.ipynb or .py) in it"
            )
        if args.student:
            if len(args.paths) != 1 or len(subs) != 1:
                raise SystemExit("--student needs exactly one submission file")
            ids = [args.student]
        else:
            ids = student_ids([s.name for s in subs], args.student_pattern)
        pairs += zip(ids, subs, strict=True)
    seen, out = set(), []
    for sid, sub in pairs:
        if (sid, sub.sha256) not in seen:
            seen.add((sid, sub.sha256))
            out.append((sid, sub))
    return out


def _sandbox_summary(no_sandbox: bool) -> dict:
    from autograder.sandbox import bwrap_available

    ok, why = bwrap_available() if not no_sandbox else (False, "disabled by --no-sandbox")
    return {"namespaces": "active: bubblewrap" if ok else f"UNAVAILABLE ({why})"}


#: Zero-point reasons that a compact table counts instead of listing (line endings).
_COUNTED = {
    "not implemented yet": "not implemented yet (raises NotImplementedError)",
    "missing": "found in the submission",
}


def _compact_table(text: str) -> str:
    """The grading table with, per submission, full-mark exercises and untouched stubs or
    missing functions counted on one line each instead of listed (a class of 200 x 38
    exercises stays readable); --verbose lists everything."""
    blocks = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        full = [ln for ln in lines if ln.startswith("  ✓ ")]
        counted = {
            what: [ln for ln in lines if ln.startswith("  ✗ ") and ln.endswith(end)]
            for what, end in _COUNTED.items()
        }
        counted = {what: found for what, found in counted.items() if len(found) >= 3}
        drop = set(full).union(*counted.values())
        if not drop:
            blocks.append(block)
            continue
        head = lines[:1]
        if full:
            n = len(full)
            head.append(f"  ✓ {n} exercise{'s' * (n != 1)} with full marks")
        for what, found in counted.items():
            names = [ln.split()[1].split(".", 1)[-1] for ln in found]
            shown = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")
            label = "not defined in the submission" if what == "missing" else what
            head.append(f"  ✗ {len(found)} exercises {label} (0 points): {shown}")
        rest = [ln for ln in lines[1:] if ln not in drop]
        blocks.append("\n".join(head + rest))
    compacted = "\n\n".join(blocks)
    if compacted != text:
        compacted += "\n(exercises with full marks or none are counted: --verbose lists each)"
    return compacted


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is (exit status 143 instead of 130)."""


class _Stop:
    """Signal handler for SIGINT and SIGTERM that also remembers the signal. Python raises
    the KeyboardInterrupt wherever the main thread is, and there a library may swallow it (an
    exception in a ``__del__`` or a callback is only printed), so the run also stops at the
    next verdict it stores (:meth:`check`)."""

    def __init__(self):
        self.signum: int | None = None

    def __call__(self, signum, frame):
        self.signum = signum
        self.check()

    def check(self) -> None:
        import signal

        if self.signum is not None:
            raise Terminated() if self.signum == signal.SIGTERM else KeyboardInterrupt()


def _cmd_grade(args) -> int:
    import signal

    from autograder.grade import grade_submissions
    from autograder.gradebook import INFRASTRUCTURE, GradebookError, mask_url
    from autograder.report import table
    from autograder.version import __version__

    pairs = _load_students(args)
    book = None
    if not args.no_db:
        from autograder.gradebook import Gradebook

        book = Gradebook(args.db)
    if book is not None and args.regrade_errors:  # only what failed for infrastructure reasons
        again = book.graded_keys(__version__, INFRASTRUCTURE)
        done = {(sid, sub.sha256) for sid, sub in pairs} - again
    else:
        done = book.graded_keys(__version__) if book is not None and not args.regrade else set()
    todo = [(sid, sub) for sid, sub in pairs if (sid, sub.sha256) not in done]
    skipped = [(sid, sub) for sid, sub in pairs if (sid, sub.sha256) in done]
    subs = [sub for _, sub in todo]
    # --json and --verbose report what they do not grade again from the stored verdicts
    stored = (
        book.stored_results(__version__)
        if book is not None and (args.json or args.verbose) and skipped
        else {}
    )

    show = args.progress if args.progress is not None else sys.stderr.isatty()
    bar = None
    if show and subs:
        from tqdm import tqdm

        bar = tqdm(total=len(subs), unit="submission", file=sys.stderr, dynamic_ncols=True)
    sandbox_note = _sandbox_summary(args.no_sandbox) if book is not None else {}
    graded = [0]  # real verdicts stored (or, without a gradebook, obtained) in this run

    def store(i, result) -> None:
        if book is not None:
            try:
                book.record(todo[i][0], todo[i][1].sha256, result.to_json(), sandbox_note)
            except Exception as exc:  # the first failed write stops the run
                orig = getattr(exc, "orig", None) or exc
                why = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
                raise GradebookError(
                    f"cannot write to the gradebook {mask_url(args.db)}: {why}"
                ) from exc
        graded[0] += result.status == "graded"
        if result.status == "graded":
            stop.check()

    common = dict(
        chapter=args.chapter,
        sandbox=not args.no_sandbox,
        timeout=args.timeout,
        progress=bar.update if bar else None,
        on_result=store,
    )
    where = "graded and stored" if book is not None else "graded"
    stop = _Stop()
    old_term = signal.signal(signal.SIGTERM, stop)
    old_int = signal.getsignal(signal.SIGINT)
    if old_int is signal.default_int_handler:  # not when SIGINT is ignored (nohup, &)
        signal.signal(signal.SIGINT, stop)
    try:
        if args.dask:
            from autograder.cluster import grade_on_dask

            results, layers = grade_on_dask(args.dask, subs, **common)
        else:
            results, layers = grade_submissions(subs, workers=args.workers, **common)
    except KeyboardInterrupt as exc:  # Ctrl-C (once or twice) or SIGTERM
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if bar:
            bar.close()
        left = len(todo) - graded[0]
        print(
            f"interrupted: {graded[0]} {where}, {left} left; re-run the same command to continue",
            file=sys.stderr,
            flush=True,
        )
        return 143 if isinstance(exc, Terminated) else 130
    except GradebookError as exc:
        if bar:
            bar.close()
        left = len(todo) - graded[0]
        print(
            f"autograder grade: {exc}; stopped: {graded[0]} {where} (intact), {left} left; "
            "fix it and re-run the same command to continue",
            file=sys.stderr,
            flush=True,
        )
        return 1
    finally:
        signal.signal(signal.SIGTERM, old_term)
        if signal.getsignal(signal.SIGINT) is stop:
            signal.signal(signal.SIGINT, old_int)
        if book is not None:
            book.close()
    if bar:
        bar.close()
    if args.json:
        json.dump(
            {
                "sandbox": layers,
                "submissions": _json_submissions(pairs, todo, results, stored),
                "skipped": [{"student": sid, "submission": s.name} for sid, s in skipped],
                "gradebook": mask_url(args.db) if book is not None else None,
            },
            sys.stdout,
            indent=2,
            sort_keys=True,
        )
        print()
    else:
        shown = _json_submissions(pairs, todo, results, stored) if args.verbose else results
        if shown:
            text = table(shown, layers, verbose=args.verbose)
            print(text if args.verbose else _compact_table(text))
        if skipped:
            how = "shown as stored" if args.verbose else "--verbose shows them as stored"
            print(
                f"{len(skipped)} submission(s) already in the gradebook for grader version "
                f"{__version__}, not graded again ({how}; --regrade grades them again)"
            )
        if book is not None:
            print(f"gradebook: {mask_url(args.db)}")
    failed = [r for r in results if r.status != "graded"]
    if failed:
        print(
            f"{len(failed)} submission(s) not graded (infrastructure failure, no score stored):"
            " re-run the same command (or --regrade-errors) to grade them",
            file=sys.stderr,
        )
        return 1
    return 0


def _json_submissions(pairs, todo, results, stored: dict) -> list[dict]:
    """``grade --json``'s submissions, in input order: each graded in this run
    (``"stored": false``) or, when it was not graded again, its verdict as the gradebook has
    it (``"stored": true``), so the same command prints the same scores every time. A
    submission with neither (``--regrade-errors`` leaves ungraded ones) is only in
    ``skipped``."""
    fresh = {(sid, sub.sha256): r for (sid, sub), r in zip(todo, results, strict=True)}
    out = []
    for sid, sub in pairs:
        key = (sid, sub.sha256)
        if key in fresh:
            out.append(dict(fresh[key].to_json(), student=sid, stored=False))
        elif key in stored:
            out.append(dict(stored[key], submission=sub.name, student=sid, stored=True))
    return out


def _rows(args):
    from autograder.gradebook import Gradebook, mask_url
    from autograder.version import __version__

    with Gradebook(args.db) as book:
        version = args.grader_version or __version__
        rows = book.rows(version)
        graded = book.graded_submissions(version)
        if not rows and not graded:
            others = [v for v in book.versions() if v != version]
            hint = f" (it has {', '.join(others)}: use --grader-version)" if others else ""
            where = mask_url(args.db)
            print(f"no results for grader version {version} in {where}{hint}", file=sys.stderr)
    if getattr(args, "student_filter", None):
        keep = set(args.student_filter)
        rows = [r for r in rows if r.student_id in keep]
        graded = [g for g in graded if g["student_id"] in keep]
    return rows, graded, version


def _cmd_report(args) -> int:
    from autograder import summary

    rows, graded, version = _rows(args)
    data = summary.summarize(rows, graded)
    if args.html:
        paths = summary.write_html(data, args.html, grader_version=version, site=args.site)
        print(f"wrote {paths[0]} and {len(paths) - 1} student page(s)", file=sys.stderr)
    if args.json:
        json.dump(dict(data, grader_version=version), sys.stdout, indent=2, sort_keys=True)
        print()
    else:
        print(summary.text(data, grader_version=version))
    return 0 if rows or graded else 1


def _cmd_export(args) -> int:
    from autograder import export

    if args.format == "gradescope":
        if not args.out:
            raise SystemExit("export gradescope needs the path of the zip to write")
        try:
            path = export.gradescope_zip(
                args.out,
                chapter=args.chapter,
                timeout=args.timeout,
                hidden_visibility=args.hidden_visibility,
                public_seed=args.public_seed,
            )
        except export.MissingHiddenSeed as exc:
            raise SystemExit(f"export gradescope: {exc}") from None
        if args.public_seed and not os.environ.get("AUTOGRADER_HIDDEN_SEED"):
            print(
                "WARNING: --public-seed: hidden cases use the public default seed "
                "(anyone with the grader's code can recompute them)",
                file=sys.stderr,
            )
        print(f"wrote {path}")
        return 0
    rows, graded, _ = _rows(args)
    if not rows and not graded:
        return 1
    if args.format == "csv":
        text = export.csv_text(rows, graded)
        if args.out in (None, "-"):
            sys.stdout.write(text)
        else:
            Path(args.out).write_text(text, encoding="utf-8", newline="")
            print(f"wrote {args.out}", file=sys.stderr)
        return 0
    if not args.out:
        raise SystemExit("export nbgrader needs the nbgrader gradebook: a path or a URL")
    url = args.out if "://" in args.out else f"sqlite:///{Path(args.out).resolve()}"
    n = export.to_nbgrader(rows, url, course_id=args.course_id)
    from autograder.gradebook import mask_url

    print(f"wrote {n} grades into {mask_url(url)}", file=sys.stderr)
    return 0


def _cmd_release(args) -> int:
    from autograder.release import release

    path, chapters = release(args.out, args.chapter)
    print(f"wrote {path}: {', '.join(chapters)}")
    return 0


def _cmd_gradescope_run(args) -> int:
    from autograder.export import run_gradescope

    out = run_gradescope(
        args.root,
        chapter=args.chapter,
        timeout=args.timeout,
        hidden_visibility=args.hidden_visibility,
    )
    score = out.get("score", sum(t["score"] for t in out["tests"]))
    print(f"score {score:g}", file=sys.stderr)
    return 0


def _cmd_build_notebooks(args) -> int:
    from autograder.notebooks import ROOT, build

    stale = build(check=args.check)
    for path in stale:
        print(("stale: " if args.check else "wrote: ") + str(path.relative_to(ROOT)))
    if args.check and stale:
        print("generated notebooks are stale: run `autograder build-notebooks`")
        return 1
    return 0


def _mutant_exercises(names: list[str]):
    from autograder.registry import CHAPTERS, all_exercises, exercises_for_chapter, registry

    if not names:
        return all_exercises()
    out = []
    for name in names:
        if name in registry():
            found = [registry()[name]]
        elif name in CHAPTERS or name in CHAPTERS.values():
            found = exercises_for_chapter(name)
        else:
            found = [e for e in all_exercises() if e.function == name]
        if not found:
            raise SystemExit(
                f"autograder mutants: no exercise or chapter {name!r} (see `autograder exercises`)"
            )
        out += [e for e in found if e not in out]
    return out


def _cmd_mutants(args) -> int:
    """Mutation score per exercise: the table, optionally recorded or checked against floors."""
    from autograder import mutants

    exs = _mutant_exercises(args.exercise)
    floors = mutants.load_floors()
    reports, below = [], []
    for i, ex in enumerate(exs, 1):
        print(f"[{i}/{len(exs)}] {ex.id}", file=sys.stderr, flush=True)
        report = mutants.run(ex, search=args.search)
        reports.append(report)
        floor = floors.get(ex.id, {}).get("floor")
        if floor is not None and report.score < floor - 1e-9:
            below.append(f"{ex.id}: {100 * report.score:.1f}% < floor {100 * floor:.0f}%")
        if args.record:  # as it goes: an interrupted sweep keeps what it measured
            mutants.record([report])
    rows = [r.row() for r in reports]
    by_chapter: dict[str, list] = {}
    for ex, row in zip(exs, rows, strict=True):
        by_chapter.setdefault(ex.chapter, []).append(row)
    if args.json:
        json.dump(
            {
                "exercises": rows,
                "chapters": [mutants.totals(r, c) for c, r in sorted(by_chapter.items())],
                "total": mutants.totals(rows),
                "search": args.search,
            },
            sys.stdout,
            indent=2,
        )
        print()
    else:
        print(mutants.table(rows))
        if len(by_chapter) > 1:
            print()
            print(mutants.table([mutants.totals(r, c) for c, r in sorted(by_chapter.items())]))
        print(mutants.table([mutants.totals(rows)]).splitlines()[-1])
        print(f"(equivalent: no difference on {args.search} random inputs, or never reached)")
    if args.survivors:
        for r in reports:
            for o in r.outcomes:
                if o.status == "survived":
                    print(f"{r.id}: {o.description}\n    told apart {o.detail}")
    for line in below:
        print(f"below floor: {line}", file=sys.stderr)
    return 1 if below else 0


def _db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        default=os.environ.get("AUTOGRADER_DB", DEFAULT_DB),
        help=f"gradebook SQLAlchemy URL (default $AUTOGRADER_DB or {DEFAULT_DB})",
    )


def _version_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--grader-version", help="results of this grader version (default: current)")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="autograder",
        description=STUDENT_DESCRIPTION if STUDENT_BUNDLE else __doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("exercises", help="list the registered exercises")
    ex.add_argument("--chapter", help="only this chapter (03_activations or activations)")
    ex.add_argument("--json", action="store_true", help="machine-readable output")
    ex.set_defaults(run=_cmd_exercises)

    ck = sub.add_parser(
        "check",
        help="run the public checks on your own notebook or .py (in-process, like check())",
    )
    ck.add_argument("path", help="your exercises.ipynb or a .py file")
    ck.add_argument(
        "--exercise",
        action="append",
        metavar="ID",
        help="only this exercise (an id such as losses.cross_entropy, or the function name); "
        "repeatable",
    )
    ck.set_defaults(run=_cmd_check)
    if STUDENT_BUNDLE:
        return p

    gr = sub.add_parser("grade", help="grade submissions (.ipynb, .py, folder or .zip)")
    gr.add_argument("paths", nargs="+")
    gr.add_argument("--chapter", help="grade against this chapter (default: inferred)")
    gr.add_argument("--workers", type=int, default=1, help="parallel sandboxed workers")
    gr.add_argument(
        "--timeout",
        type=float,
        help="CPU seconds per exercise (default 10; sleeping code meets a wall-clock backstop)",
    )
    gr.add_argument("--json", action="store_true", help="per-exercise and per-case JSON")
    gr.add_argument(
        "--verbose",
        action="store_true",
        help="list full-mark exercises too and one line per failing case group; submissions "
        "already in the gradebook are shown as stored (not graded again)",
    )
    gr.add_argument("--no-sandbox", action="store_true", help="no namespaces (debug only)")
    _db_option(gr)
    gr.add_argument("--no-db", action="store_true", help="do not write a gradebook")
    gr.add_argument(
        "--regrade", action="store_true", help="grade again what the gradebook already has"
    )
    gr.add_argument(
        "--regrade-errors",
        action="store_true",
        help="grade only the submissions whose grading failed for infrastructure reasons "
        "(worker died, interrupted, out of disk); a plain re-run grades them too",
    )
    gr.add_argument("--dask", metavar="ADDRESS", help="grade on a Dask cluster (tcp://host:8786)")
    gr.add_argument("--student", help="student id of a single submission file")
    gr.add_argument(
        "--student-pattern",
        metavar="REGEX",
        help="student id = group 'student' of this regex on each path (default: folder/name)",
    )
    gr.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )
    gr.set_defaults(run=_cmd_grade)

    rp = sub.add_parser("report", help="summary of the gradebook per student and exercise")
    _db_option(rp)
    _version_option(rp)
    rp.add_argument("--json", action="store_true", help="machine-readable summary")
    rp.add_argument("--html", metavar="OUT.html", help="index + one feedback page per student")
    rp.add_argument("--student", dest="student_filter", action="append", help="only this student")
    rp.add_argument(
        "--site",
        default=os.environ.get("AUTOGRADER_SITE"),
        metavar="URL",
        help="--html: the course site's address, to link each diagnosed mistake to its Common "
        "mistakes entry (default $AUTOGRADER_SITE; without it the entry's path is shown)",
    )
    rp.set_defaults(run=_cmd_report)

    xp = sub.add_parser("export", help="scores as CSV, into nbgrader, or a Gradescope zip")
    xp.add_argument("format", choices=["csv", "gradescope", "nbgrader"])
    xp.add_argument(
        "out",
        nargs="?",
        help="csv: file (default stdout); gradescope: the zip; nbgrader: its gradebook.db or URL",
    )
    _db_option(xp)
    _version_option(xp)
    xp.add_argument("--course-id", default="default_course", help="nbgrader course id")
    xp.add_argument("--chapter", help="gradescope: grade every submission against this chapter")
    xp.add_argument("--timeout", type=float, help="gradescope: CPU seconds per exercise")
    xp.add_argument(
        "--hidden-visibility",
        choices=["after_due_date", "hidden", "after_published"],
        default="after_due_date",
        help="gradescope: when students see the hidden case groups' tests (default: %(default)s)",
    )
    xp.add_argument(
        "--public-seed",
        action="store_true",
        help="gradescope: export without AUTOGRADER_HIDDEN_SEED (hidden cases recomputable)",
    )
    xp.set_defaults(run=_cmd_export)

    rl = sub.add_parser("release", help="student bundle: notebooks + public checks, no solutions")
    rl.add_argument("out", help="a folder, or a .zip")
    rl.add_argument("--chapter", action="append", help="only this chapter (repeatable)")
    rl.set_defaults(run=_cmd_release)

    gs = sub.add_parser("gradescope-run", help="(used by run_autograder on Gradescope)")
    gs.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    gs.add_argument("--chapter")
    gs.add_argument("--timeout", type=float)
    gs.add_argument("--hidden-visibility", default="after_due_date")
    gs.set_defaults(run=_cmd_gradescope_run)

    nb = sub.add_parser(
        "build-notebooks",
        help="generate the exercise, solution and nbgrader notebooks from the registry",
    )
    nb.add_argument("--check", action="store_true", help="exit 1 if a generated file is stale")
    nb.set_defaults(run=_cmd_build_notebooks)

    mu = sub.add_parser(
        "mutants",
        help="mutation score of the graded cases: mutants of each reference, killed or not",
    )
    mu.add_argument(
        "exercise", nargs="*", help="exercise ids, function names or chapters (default: all)"
    )
    mu.add_argument(
        "--search",
        type=int,
        default=1000,
        help="random inputs tried before a survivor is called equivalent (default 1000)",
    )
    mu.add_argument("--survivors", action="store_true", help="list surviving mutants")
    mu.add_argument("--json", action="store_true", help="machine-readable output")
    mu.add_argument(
        "--record",
        action="store_true",
        help="write the scores, floors and survivors to autograder/mutant_floors.json",
    )
    mu.set_defaults(run=_cmd_mutants)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except RuntimeError as exc:
        book = sys.modules.get("autograder.gradebook")  # not imported for `check`
        if book is not None and isinstance(exc, book.GradebookError):
            print(f"autograder {args.command}: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
