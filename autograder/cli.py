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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="autograder", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("exercises", help="list the registered exercises")
    ex.add_argument("--chapter", help="only this chapter (03_activations or activations)")
    ex.add_argument("--json", action="store_true", help="machine-readable output")
    ex.set_defaults(run=_cmd_exercises)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
