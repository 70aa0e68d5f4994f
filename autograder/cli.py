"""``autograder`` command line: exercises, check, grade, build-notebooks."""

from __future__ import annotations

import argparse
import json
import sys


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


def _cmd_grade(args) -> int:
    from autograder import extract
    from autograder.grade import grade_submissions
    from autograder.report import table

    subs = [s for path in args.paths for s in extract.load(path)]
    bar = None
    if not args.json and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(subs), unit="submission", file=sys.stderr)
    results, layers = grade_submissions(
        subs,
        chapter=args.chapter,
        workers=args.workers,
        sandbox=not args.no_sandbox,
        timeout=args.timeout,
        progress=bar.update if bar else None,
    )
    if bar:
        bar.close()
    if args.json:
        json.dump(
            {"sandbox": layers, "submissions": [r.to_json() for r in results]},
            sys.stdout,
            indent=2,
            sort_keys=True,
        )
        print()
    else:
        print(table(results, layers, verbose=args.verbose))
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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="autograder", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("exercises", help="list the registered exercises")
    ex.add_argument("--chapter", help="only this chapter (03_activations or activations)")
    ex.add_argument("--json", action="store_true", help="machine-readable output")
    ex.set_defaults(run=_cmd_exercises)

    gr = sub.add_parser("grade", help="grade submissions (.ipynb, .py, folder or .zip)")
    gr.add_argument("paths", nargs="+")
    gr.add_argument("--chapter", help="grade against this chapter (default: inferred)")
    gr.add_argument("--workers", type=int, default=1, help="parallel sandboxed workers")
    gr.add_argument("--timeout", type=float, help="seconds per exercise (default 10)")
    gr.add_argument("--json", action="store_true", help="per-exercise and per-case JSON")
    gr.add_argument("--verbose", action="store_true", help="one line per failing case")
    gr.add_argument("--no-sandbox", action="store_true", help="no namespaces (debug only)")
    gr.set_defaults(run=_cmd_grade)

    nb = sub.add_parser(
        "build-notebooks",
        help="generate the exercise, solution and nbgrader notebooks from the registry",
    )
    nb.add_argument("--check", action="store_true", help="exit 1 if a generated file is stale")
    nb.set_defaults(run=_cmd_build_notebooks)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
