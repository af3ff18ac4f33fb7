"""The exercises' command line.

    python -m minidl.exercises list                     name, topic, difficulty, lesson
    python -m minidl.exercises start NAME [--dir D] [--force]   (NAME `all`: every stub)
    python -m minidl.exercises check NAME FILE          a diagnosis of FILE's solution
    python -m minidl.exercises check all DIR            every exercise found in DIR: a summary

`check` exits with status 1 unless every check passed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from minidl.exercises.exercise import all_exercises
from minidl.exercises.files import check_dir, check_file, write_stub


def _list() -> int:
    rows = [(e.name, e.topic, "*" * e.difficulty, str(e.lesson), e.source) for e in all_exercises()]
    header = ("exercise", "topic", "difficulty", "lesson", "reference")
    _table([header] + rows)
    return 0


def _table(rows: list) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for k, row in enumerate(rows):
        cells = [c.ljust(w) for c, w in zip(row, widths)] + [row[-1]]
        print("  ".join(cells).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths) + "  " + "-" * len(row[-1]))


def _start(name: str, directory: str, force: bool) -> int:
    if name == "all":  # every stub, keeping the files that exist (unless --force)
        written = [write_stub(e.name, directory, True) for e in all_exercises()
                   if force or not os.path.exists(os.path.join(directory, f"{e.name}.py"))]  # fmt: skip
        print(f"wrote {len(written)} stubs into {directory}; check them all with: "
              f"python -m minidl.exercises check all {directory}")  # fmt: skip
        return 0
    try:
        path = write_stub(name, directory, force)
    except (FileExistsError, KeyError) as e:
        print(f"error: {e.args[0]}", file=sys.stderr)
        return 1
    print(f"wrote {path}; fill it in, then run: python -m minidl.exercises check {name} {path}")
    return 0


def _check(name: str, path: str) -> int:
    if name == "all":
        start = time.perf_counter()
        reports = check_dir(path)
        if not reports:
            print(f"no exercise files (NAME.py for a NAME in `list`) in {path}", file=sys.stderr)
            return 1
        rows = [("exercise", "status", "cases", "first failure")]
        for r in reports:
            what = "" if r.failure is None else f"{r.failure.prop}: {r.failure.summary}"
            rows.append((r.name, r.status, str(r.examples), what[:90]))
        _table(rows)
        passed = sum(r.passed for r in reports)
        print(f"\n{passed} of {len(reports)} passed in {time.perf_counter() - start:.1f} s")
        for r in reports:
            if not r.passed:
                print("\n" + str(r))
        return 0 if passed == len(reports) else 1
    try:
        report = check_file(name, path)
    except KeyError as e:
        print(f"error: {e.args[0]}", file=sys.stderr)
        return 1
    print(report)
    return 0 if report.passed else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run it; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m minidl.exercises", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the exercises")
    p_start = sub.add_parser("start", help="write NAME.py, a stub to fill in (`all`: every one)")
    p_start.add_argument("name")
    p_start.add_argument("--dir", default=".", help="the folder to write into (default: .)")
    p_start.add_argument("--force", action="store_true", help="overwrite an existing file")
    p_check = sub.add_parser("check", help="check NAME FILE, or: check all DIR")
    p_check.add_argument("name", help="an exercise's name, or `all`")
    p_check.add_argument("path", help="the solution file (or, with `all`, the folder)")
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list()
    if args.command == "start":
        return _start(args.name, args.dir, args.force)
    return _check(args.name, args.path)


if __name__ == "__main__":
    sys.exit(main())
