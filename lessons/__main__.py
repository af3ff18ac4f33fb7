"""Run the course: `python -m lessons list | run N [N ...] | run all [--fast] [--out DIR]`.

With no arguments it prints this help and the list of lessons. Each lesson runs as its own process
(`python lessons/NN_slug.py`), exactly as a reader would run it, with MINIDL_FAST and MINIDL_LESSONS_OUT
set from the flags. A full run writes to `<out>/NN_slug/`, a fast run to `<out>/fast/NN_slug/`, so a
fast run never overwrites a full run's results; `list` shows the last measured time of each. Afterwards the runner reads each lesson's
results.json and prints a summary: lessons passed, self-checks failed, textbook claims that disagree with
what was computed. The exit status is 1 if any lesson crashed, wrote no results.json, or failed a
self-check; textbook disagreements are findings about the text, not failures.

`--lessons-dir DIR` (or MINIDL_LESSONS_DIR) runs the lessons of another folder; the tests use it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from ._course import lesson_dir

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent


def find_lessons(folder: Path) -> list[Path]:
    """The lesson scripts of a folder: files named NN_slug.py, in number order."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.py") if p.is_file())


def read_header(path: Path) -> dict[str, str]:
    """Number, title, textbook sections and stated time from a lesson's markdown header."""
    text = path.read_text(encoding="utf-8")
    info = {
        "number": path.name[:2],
        "slug": path.stem,
        "title": path.stem,
        "sections": "",
        "time": "",
    }
    # A field runs from its label to the next blank comment line ("#"): join its continuation lines.
    patterns = {
        "title": r"^# # Lesson \d+ · (.+)$",
        "sections": r"^# \*\*Textbook sections:\*\* (.+(?:\n# \S.*)*)",
        "time": r"^# \*\*Time:\*\* (.+(?:\n# \S.*)*)",
    }
    for key, pattern in patterns.items():
        m = re.search(pattern, text, flags=re.MULTILINE)
        if m:
            info[key] = " ".join(line.removeprefix("# ").strip() for line in m.group(1).split("\n"))
    info["time"] = info["time"].rstrip(".")
    return info


def select(lessons: list[Path], wanted: list[str]) -> list[Path]:
    """Lessons chosen by number ('1', '01') or slug; 'all' chooses every lesson."""
    if not wanted or wanted == ["all"]:
        return lessons
    chosen = []
    for w in wanted:
        hits = [p for p in lessons if p.stem == w or (w.isdigit() and int(p.name[:2]) == int(w))]
        if not hits:
            names = ", ".join(p.stem for p in lessons)
            raise SystemExit(f"python -m lessons run: no lesson {w!r}; available: {names}")
        chosen += hits
    return chosen


def last_run(out: Path, slug: str, fast: bool) -> str:
    """'12.3 s on <machine>' from the lesson's last results.json in that mode, or '' if none."""
    res = lesson_dir(out, slug, fast) / "results.json"
    try:
        r = json.loads(res.read_text(encoding="utf-8"))
        return f"{r['seconds']} s" + (f" on {r['machine']}" if r.get("machine") else "")
    except (OSError, ValueError, KeyError):
        return ""


def cmd_list(lessons: list[Path], out: Path) -> int:
    """Print number, title, sections, the header's time and the last measured times (full, fast)."""
    for p in lessons:
        h = read_header(p)
        print(f"{h['number']}  {h['title']}")
        print(f"    sections: {h['sections']}")
        print(f"    time: {h['time']}")
        for mode, fast in (("full", False), ("fast", True)):
            last = last_run(out, p.stem, fast)
            print(f"    last {mode} run: {last or 'none yet'}")
    return 0


def run_one(path: Path, env: dict[str, str], quiet: bool) -> tuple[int, float]:
    """Run one lesson script in its own process; returns (exit status, seconds)."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(path)],
        cwd=str(REPO_ROOT),
        env=env,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=None,
    )
    return proc.returncode, time.perf_counter() - t0


def cmd_run(lessons: list[Path], out: Path, fast: bool, quiet: bool) -> int:
    """Run the chosen lessons one after another and print the course summary."""
    env = dict(os.environ)
    env["MINIDL_LESSONS_OUT"] = str(out)
    if fast:
        env["MINIDL_FAST"] = "1"
    # Lessons import their helper (_course) from this folder and minidl from the checkout.
    paths = [str(HERE), str(REPO_ROOT), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)

    summary = []
    for i, path in enumerate(lessons, 1):
        print(f"\n[{i}/{len(lessons)}] {path.stem} ({'fast' if fast else 'full'} mode)", flush=True)
        res = lesson_dir(out, path.stem, fast) / "results.json"
        res.unlink(missing_ok=True)  # a stale file must not pass for this run's results
        status, seconds = run_one(path, env, quiet)
        record = json.loads(res.read_text(encoding="utf-8")) if res.exists() else None
        summary.append((path.stem, status, seconds, record))
        verdict = "ok" if status == 0 and record else f"FAILED (exit status {status})"
        print(f"[{i}/{len(lessons)}] {path.stem}: {verdict} in {seconds:.1f} s", flush=True)

    print("\n=== Course summary ===")
    failures, broken, disagreements, n_ok = [], [], [], 0
    for slug, status, seconds, record in summary:
        if record is None:
            broken.append(f"{slug}: no results.json written (exit status {status})")
            print(f"  {slug}: did not finish (exit status {status}), {seconds:.1f} s")
            continue
        bad = [c["name"] for c in record["self_checks"] if not c["passed"]]
        failures += [f"{slug}: {name}" for name in bad]
        if status != 0 and not bad:
            broken.append(f"{slug}: exit status {status}")
        n_ok += status == 0 and not bad
        for c in record["textbook_checks"]:
            if not c["agree"]:
                computed = c["computed"]
                if isinstance(computed, float):
                    computed = f"{computed:.4g}"
                disagreements.append(
                    f"{slug}: {c['where']}: “{c['claim']}” vs computed {computed} "
                    f"— {c['explanation']}"
                )
        n_checks = len(record["self_checks"])
        n_text = len(record["textbook_checks"])
        n_dis = sum(not c["agree"] for c in record["textbook_checks"])
        print(
            f"  {slug}: {n_checks - len(bad)}/{n_checks} self-checks, "
            f"{n_dis}/{n_text} textbook claims disagree, {seconds:.1f} s"
        )
    print(f"\nLessons passed: {n_ok}/{len(summary)}")
    print(f"Self-checks failed: {len(failures)}")
    for f in failures:
        print(f"  - {f}")
    if broken:
        print(f"Lessons that did not finish: {len(broken)}")
        for b in broken:
            print(f"  - {b}")
    print(f"Textbook claims that disagree with what was computed: {len(disagreements)}")
    for d in disagreements:
        print(f"  - {d}")
    print(f"Output: {lesson_dir(out, '', fast)}")
    return 1 if failures or broken else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lessons", description=__doc__.split("\n")[0])
    parser.add_argument(
        "command", nargs="?", choices=["list", "run"], help="list the lessons, or run some"
    )
    parser.add_argument("which", nargs="*", help="lesson numbers or slugs, or 'all' (for run)")
    parser.add_argument(
        "--fast", action="store_true", help="small epochs and sweeps (MINIDL_FAST=1)"
    )
    parser.add_argument("--out", type=Path, help="output folder (default lessons/_output)")
    parser.add_argument("--lessons-dir", type=Path, help="folder of NN_slug.py lessons")
    parser.add_argument("-q", "--quiet", action="store_true", help="show only progress and summary")
    args = parser.parse_args(argv)

    folder = args.lessons_dir or Path(os.environ.get("MINIDL_LESSONS_DIR") or HERE)
    lessons = find_lessons(folder)
    if not lessons:
        print(f"python -m lessons: no NN_slug.py lessons in {folder}", file=sys.stderr)
        return 2
    out = (args.out or Path(os.environ.get("MINIDL_LESSONS_OUT") or HERE / "_output")).resolve()
    fast = args.fast or os.environ.get("MINIDL_FAST", "").strip().lower() not in ("", "0", "false")
    if args.command is None:  # no arguments: say how to use it, and what there is
        parser.print_help()
        print()
        return cmd_list(lessons, out)
    if args.command == "list":
        return cmd_list(lessons, out)
    if not args.which:
        parser.error("run needs lesson numbers or 'all'")
    return cmd_run(select(lessons, args.which), out, fast, args.quiet)


if __name__ == "__main__":
    raise SystemExit(main())
