"""Published PyTorch programs (ported under tests/clients/) train on minidl with the imports changed.

Each client's main(fast=True) returns its losses (and, for classifiers, test accuracy and chance).
The test checks that the loss falls, that accuracy beats chance, and that the PyTorch code was not
edited: outside the header docstring, `minidl` appears only in import lines.
"""

import ast
import importlib
import pathlib
import warnings

import numpy as np
import pytest

CLIENTS = pathlib.Path(__file__).parent / "clients"
NAMES = sorted(p.stem for p in CLIENTS.glob("*.py") if not p.stem.startswith("_"))


def test_at_least_six_published_programs_are_ported():
    assert len(NAMES) >= 6, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_only_the_imports_name_minidl(name):
    tree = ast.parse((CLIENTS / f"{name}.py").read_text())
    imports = {n.lineno for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))}
    doc_end = tree.body[0].end_lineno  # the header docstring
    lines = (CLIENTS / f"{name}.py").read_text().splitlines()
    others = [
        (i, line) for i, line in enumerate(lines, 1)
        if "minidl" in line.split("#")[0] and i > doc_end and i not in imports
    ]  # fmt: skip
    assert not others, f"{name}: minidl named outside the imports: {others}"
    torch_imports = [
        line for line in lines if line.strip().startswith(("import torch", "from torch"))
    ]  # fmt: skip
    assert not torch_imports, f"{name} imports torch: {torch_imports}"


@pytest.mark.parametrize("name", NAMES)
def test_the_program_trains(name):
    module = importlib.import_module(f"tests.clients.{name}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # e.g. dropout2d's 2-D input warning
        result = module.main(fast=True)
    losses = np.asarray(result["losses"], dtype=np.float64)
    assert np.isfinite(losses).all(), f"{name}: non-finite loss"
    k = max(1, len(losses) // 10)
    first, last = losses[:k].mean(), losses[-k:].mean()
    assert last < 0.7 * first, f"{name}: loss {first:.4g} -> {last:.4g} did not fall by 30%"
    if "accuracy" in result:
        assert result["accuracy"] > result["chance"] + 0.2, (
            f"{name}: accuracy {result['accuracy']:.3f} vs chance {result['chance']}"
        )
