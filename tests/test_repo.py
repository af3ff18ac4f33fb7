"""The repository keeps its promises: CI runs README's test command, and the code is lint-clean."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start.*?```(?:bash)?\n(.*?)```", text, re.S)
    assert block, "README.md must have a '## Quick start' section with a code block"
    return [
        ln.strip() for ln in block.group(1).splitlines() if ln.strip() and not ln.startswith("#")
    ]


def test_quick_start_is_two_commands_lessons_then_tests():
    cmds = _readme_commands()
    assert len(cmds) == 2, cmds
    assert "python -m lessons" in cmds[0]
    assert "pytest" in cmds[1]


def test_ci_runs_exactly_readme_test_command():
    test_cmd = _readme_commands()[1]
    ci_lines = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_cmd in ci_lines


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is not installed")
def test_ruff_lint_is_clean():
    cmd = [sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_readme_example_runs():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Ten lines.*?```python\n(.*?)```", text, re.S)
    assert block, "README.md must have a '## Ten lines' section with a python block"
    namespace: dict = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)
    x, w = namespace["x"], namespace["w"]
    assert x.grad.shape == x.shape and w.grad.shape == w.shape


def test_readme_training_example_runs():
    """README's ten-line `fit` example trains, keeps Keras's History keys and learns digits."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Ten lines of training.*?```python\n(.*?)```", text, re.S)
    assert block, "README.md must have a '## Ten lines of training' section with a python block"
    code = block.group(1)
    assert len([ln for ln in code.splitlines() if ln.strip()]) <= 10
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    history = namespace["history"]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history.history)
    assert namespace["accuracy"] > 0.85
