"""The course runs: every lesson in fast mode, its self-checks pass, its results.json is complete.

The lessons are run once, together, through the runner (`python -m lessons run all --fast`), exactly as a
reader would, and once each as a notebook (jupytext -> nbclient, from a folder outside the repository,
so `from _course import Lesson` cannot be found from the working folder), which must show at least one
inline image. The runner itself is checked too: `list`, no arguments, a fast run beside a full one, and
a non-zero exit status when a lesson fails a self-check or crashes (fake lessons in a temporary folder,
via --lessons-dir).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.py"))
REQUIRED = {
    "lesson",
    "title",
    "title_zh",
    "fast",
    "seconds",
    "machine",
    "threads",
    "results",
    "self_checks",
    "textbook_checks",
    "conclusions",
    "figures",
}
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


def fast_dir(out: Path, lesson: Path) -> Path:
    """Where a fast run of `lesson` writes (a full run writes to out/<slug>)."""
    return out / "fast" / lesson.stem


@pytest.fixture(scope="module")
def course_run(tmp_path_factory):
    """Run every lesson in fast mode once; returns (process, output folder)."""
    out = tmp_path_factory.mktemp("lessons_out")
    proc = runner("run", "all", "--fast", "--quiet", "--out", str(out))
    return proc, out


def test_the_lessons_exist_in_order():
    numbers = [p.name[:2] for p in LESSONS]
    assert numbers == [f"{n:02d}" for n in range(1, len(numbers) + 1)], numbers
    assert len(numbers) >= 12, numbers


def test_no_path_outside_the_repository_is_mentioned():
    outside = "/".join(["..", "shared"])  # spelled in pieces: the repository must not contain it
    for path in sorted((REPO / "lessons").glob("*.py")) + [REPO / "lessons" / "README.md"]:
        assert outside not in path.read_text(encoding="utf-8"), path.name


def test_run_all_fast_succeeds(course_run):
    proc, _ = course_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f"Lessons passed: {len(LESSONS)}/{len(LESSONS)}" in proc.stdout
    assert "Self-checks failed: 0" in proc.stdout


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_results_are_complete(course_run, lesson):
    _, out = course_run
    path = fast_dir(out, lesson) / "results.json"
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
    assert record["title_zh"], "no Chinese title"
    assert record["conclusions"], "no conclusions"
    for c in record["conclusions"]:
        assert c["zh"] and c["en"], c
    assert record["figures"], "no figure"
    for name in record["figures"]:
        png = fast_dir(out, lesson) / name
        assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_as_a_notebook_with_inline_figures(lesson, tmp_path, monkeypatch):
    """jupytext turns the script into a notebook; nbclient runs it in a kernel started outside lessons/."""
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    work = tmp_path / "elsewhere"
    work.mkdir()
    monkeypatch.setenv("MINIDL_FAST", "1")
    monkeypatch.setenv("MINIDL_LESSONS_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # minidl and the lessons package importable as when installed; lessons/ itself is not on the path
    paths = [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    nb = jupytext.read(lesson)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    )
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, errors[0]["evalue"] if errors else ""
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, "the notebook shows no figure"
    record = json.loads((fast_dir(tmp_path / "out", lesson) / "results.json").read_text("utf-8"))
    assert all(c["passed"] for c in record["self_checks"]), record["self_checks"]
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "[T1 " in text or not record["textbook_checks"], "textbook checks are not printed inline"


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
    assert proc.stdout.count("last full run: ") == len(LESSONS)
    assert proc.stdout.count("last fast run: ") == len(LESSONS)
    assert "2-core machine" not in proc.stdout


def test_no_arguments_prints_help_and_the_list():
    proc = runner()
    assert proc.returncode == 0, proc.stderr
    assert "usage: python -m lessons" in proc.stdout
    assert "01  " in proc.stdout and proc.stdout.count("sections: ") == len(LESSONS)


def test_a_fast_run_does_not_overwrite_a_full_run(tmp_path):
    write_fake(tmp_path, 1, 'lesson.check("fast or full", True)')
    out = tmp_path / "o"
    full = runner("run", "1", "--lessons-dir", str(tmp_path), "--out", str(out))
    assert full.returncode == 0, full.stdout + full.stderr
    fast = runner("run", "1", "--fast", "--lessons-dir", str(tmp_path), "--out", str(out))
    assert fast.returncode == 0, fast.stdout + fast.stderr
    full_record = json.loads((out / "01_fake" / "results.json").read_text(encoding="utf-8"))
    fast_record = json.loads((out / "fast" / "01_fake" / "results.json").read_text("utf-8"))
    assert full_record["fast"] is False and fast_record["fast"] is True
    listing = runner("list", "--lessons-dir", str(tmp_path), "--out", str(out))
    assert listing.stdout.count(f" s on {full_record['machine']}") == 2, listing.stdout


FAKE = """
# %% [markdown]
# # Lesson {n} · Fake lesson {n}
# **Textbook sections:** none
# **Time:** instant
# %%
from _course import Lesson
lesson = Lesson("{stem}", "Fake lesson {n}", "假课 {n}")
lesson.conclude("中文", "English")
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
