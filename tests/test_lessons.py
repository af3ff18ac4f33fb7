"""The course runs: every lesson in fast mode, its self-checks pass, its results.json is complete.

The lessons are run once, together, through the runner (`python -m lessons run all --fast`), exactly as a
reader would. The runner itself is checked too: `list`, and a non-zero exit status when a lesson fails a
self-check or crashes (fake lessons in a temporary folder, via --lessons-dir).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.py"))
REQUIRED = {"lesson", "title", "fast", "seconds", "results", "self_checks", "textbook_checks"}
TEXTBOOK_KEYS = {
    "where",
    "claim",
    "gloss",
    "claimed",
    "computed",
    "tolerance",
    "agree",
    "explanation",
}


def runner(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lessons", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def course_run(tmp_path_factory):
    """Run every lesson in fast mode once; returns (process, output folder)."""
    out = tmp_path_factory.mktemp("lessons_out")
    proc = runner("run", "all", "--fast", "--quiet", "--out", str(out))
    return proc, out


def test_the_first_four_lessons_exist():
    numbers = [p.name[:2] for p in LESSONS]
    assert numbers[:4] == ["01", "02", "03", "04"], numbers


def test_run_all_fast_succeeds(course_run):
    proc, _ = course_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f"Lessons passed: {len(LESSONS)}/{len(LESSONS)}" in proc.stdout
    assert "Self-checks failed: 0" in proc.stdout


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_results_are_complete(course_run, lesson):
    _, out = course_run
    path = out / lesson.stem / "results.json"
    assert path.exists(), f"{lesson.stem} wrote no results.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    assert REQUIRED <= set(record), REQUIRED - set(record)
    assert record["lesson"] == lesson.stem and record["fast"] is True
    assert record["results"], "no measured results recorded"
    assert record["self_checks"], "no self-checks"
    failed = [c["name"] for c in record["self_checks"] if not c["passed"]]
    assert not failed, failed
    assert record["textbook_checks"], "no textbook checks"
    for c in record["textbook_checks"]:
        assert TEXTBOOK_KEYS <= set(c), TEXTBOOK_KEYS - set(c)
        assert c["claim"] and c["where"] and isinstance(c["agree"], bool)
        assert c["agree"] or c["explanation"], f"disagreement without explanation: {c['claim']}"
    assert record["figures"], "no figure"
    for name in record["figures"]:
        png = out / lesson.stem / name
        assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_list_shows_every_lesson():
    proc = runner("list")
    assert proc.returncode == 0, proc.stderr
    for lesson in LESSONS:
        header = lesson.read_text(encoding="utf-8")
        title = next(
            line.split("·", 1)[1].strip()
            for line in header.splitlines()
            if line.startswith("# # Lesson ")
        )
        assert f"{lesson.name[:2]}  {title}" in proc.stdout
    assert proc.stdout.count("sections: ") == len(LESSONS)


FAKE = """
# %% [markdown]
# # Lesson {n} · Fake lesson {n}
# **Textbook sections:** none
# **Time:** instant
# %%
from _course import Lesson
lesson = Lesson("{stem}", "Fake lesson {n}")
lesson.result("x", 1.0)
{body}
lesson.finish()
"""


def write_fake(folder: Path, n: int, body: str) -> None:
    stem = f"{n:02d}_fake"
    (folder / f"{stem}.py").write_text(FAKE.format(n=n, stem=stem, body=body), encoding="utf-8")


def test_runner_exit_status_reflects_self_checks(tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    write_fake(good, 1, 'lesson.check("one is one", 1 == 1, value=1)')
    write_fake(bad, 1, 'lesson.check("one is one", 1 == 1, value=1)')
    write_fake(bad, 2, 'lesson.check("two is three", 2 == 3, value=2)')

    ok = runner("run", "all", "--lessons-dir", str(good), "--out", str(tmp_path / "o1"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Lessons passed: 1/1" in ok.stdout

    fail = runner("run", "all", "--lessons-dir", str(bad), "--out", str(tmp_path / "o2"))
    assert fail.returncode != 0
    assert "Lessons passed: 1/2" in fail.stdout
    assert "02_fake: two is three" in fail.stdout
    record = json.loads((tmp_path / "o2" / "02_fake" / "results.json").read_text(encoding="utf-8"))
    assert record["self_checks"] == [
        {"name": "two is three", "passed": False, "numbers": {"value": 2}}
    ]


def test_runner_reports_a_crashed_lesson(tmp_path):
    write_fake(tmp_path, 1, 'raise RuntimeError("boom")')
    proc = runner("run", "1", "--lessons-dir", str(tmp_path), "--out", str(tmp_path / "o"))
    assert proc.returncode != 0
    assert "01_fake: no results.json written" in proc.stdout


def test_runner_counts_textbook_disagreements_without_failing(tmp_path):
    body = (
        'lesson.textbook("000 §0", "一加一等于三", "one plus one is three", 1 + 1, claimed=3, tol=0,'
        ' explanation="1 + 1 = 2")\n'
        'lesson.check("arithmetic works", 1 + 1 == 2)'
    )
    write_fake(tmp_path, 1, body)
    proc = runner("run", "all", "--lessons-dir", str(tmp_path), "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Textbook claims that disagree with what was computed: 1" in proc.stdout
    assert "一加一等于三" in proc.stdout
