"""The exercises' command line, run as a learner runs it: list, start, check, check all."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from minidl.exercises import all_exercises

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args, cwd):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-m", "minidl.exercises", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _reference_file(directory, ex) -> None:
    """A 'solution' file that hands the reference over under the exercise's name."""
    with open(os.path.join(directory, f"{ex.name}.py"), "w", encoding="utf-8") as f:
        f.write(
            f"from minidl.exercises import get\n\n{ex.attribute} = get({ex.name!r}).reference\n"
        )


def test_list_shows_every_exercise_with_topic_difficulty_and_lesson(tmp_path):
    out = run("list", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:4] == ["exercise", "topic", "difficulty", "lesson"]
    for ex in all_exercises():
        row = next(line for line in lines if line.split()[0] == ex.name)
        assert row.split()[1:4] == [ex.topic, "*" * ex.difficulty, str(ex.lesson)]


def test_start_then_check_says_not_implemented_and_exits_1(tmp_path):
    out = run("start", "adam_step", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "adam_step.py").exists()
    again = run("start", "adam_step", cwd=tmp_path)
    assert again.returncode == 1 and "--force" in again.stderr
    out = run("start", "conv2d_backward", "--dir", "mine", cwd=tmp_path)
    assert out.returncode == 0 and (tmp_path / "mine" / "conv2d_backward.py").exists()
    checked = run("check", "adam_step", "adam_step.py", cwd=tmp_path)
    assert checked.returncode == 1
    assert "not implemented yet" in checked.stdout and "Traceback" not in checked.stderr


def test_check_a_solved_file_passes_and_a_wrong_one_gets_a_diagnosis(tmp_path):
    (tmp_path / "mse_backward.py").write_text(
        "def mse_backward(pred, target):\n    return 2 * (pred - target) / pred.size\n"
    )
    out = run("check", "mse_backward", "mse_backward.py", cwd=tmp_path)
    assert out.returncode == 0 and "passed" in out.stdout, out.stdout + out.stderr
    (tmp_path / "wrong.py").write_text(
        "def mse_backward(pred, target):\n    return 2 * (pred - target)\n"
    )
    out = run("check", "mse_backward", "wrong.py", cwd=tmp_path)
    assert out.returncode == 1
    assert "FAILED property: gradient" in out.stdout and "hint: missing 1/n" in out.stdout


def test_check_all_on_the_references_passes_with_a_summary_table(tmp_path):
    for ex in all_exercises():
        _reference_file(tmp_path, ex)
    out = run("check", "all", str(tmp_path), cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    n = len(all_exercises())
    assert f"{n} of {n} passed" in out.stdout
    seconds = float(out.stdout.split(" passed in ")[1].split()[0])
    print(f"check all on the {n} references: {seconds} s")


def test_check_all_reports_each_file_and_exits_1_on_a_failure(tmp_path):
    run("start", "step_lr", cwd=tmp_path)
    (tmp_path / "relu_backward.py").write_text(
        "def relu_backward(x, grad_out):\n    return grad_out * (x >= 0)\n"
    )
    (tmp_path / "notes.py").write_text("x = 1\n")  # not an exercise: ignored
    out = run("check", "all", str(tmp_path), cwd=tmp_path)
    assert out.returncode == 1
    assert "0 of 2 passed" in out.stdout
    assert "not implemented yet" in out.stdout and "relu'(0) = 1" in out.stdout


@pytest.mark.parametrize("args", [("check", "no_such_exercise", "x.py"), ("start", "nope")])
def test_unknown_exercise_names_are_an_error_listing_the_known_ones(tmp_path, args):
    out = run(*args, cwd=tmp_path)
    assert out.returncode == 1 and "adam_step" in out.stderr


def test_start_all_writes_every_stub_and_keeps_existing_files(tmp_path):
    (tmp_path / "step_lr.py").write_text("# my work\n")
    out = run("start", "all", "--dir", str(tmp_path), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    names = {e.name for e in all_exercises()}
    assert {p.stem for p in tmp_path.glob("*.py")} == names
    assert (tmp_path / "step_lr.py").read_text() == "# my work\n"
