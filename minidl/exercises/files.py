"""Learners' files: write a stub, load a solution by path (importlib, never pickle), check a file or
every solution found in a folder."""

from __future__ import annotations

import importlib.util
import itertools
import os
import sys

from minidl.exercises._check import check, learner_traceback
from minidl.exercises.exercise import Exercise, all_exercises, get
from minidl.exercises.report import STATUS_FAILED, Failure, Report

_counter = itertools.count()


def write_stub(name: str, directory: str = ".", force: bool = False) -> str:
    """Write NAME.py (the exercise's stub) into `directory`; refuse to overwrite unless `force`.
    Returns the path written."""
    ex = get(name)
    path = os.path.join(directory, f"{ex.name}.py")
    if os.path.exists(path) and not force:
        raise FileExistsError(
            f"start: {path} exists already; pass --force to overwrite it (your work in it is lost)"
        )
    os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(ex.stub())
    return path


def load_solution(path: str, attribute: str):
    """Import the Python file at `path` as a fresh module and return its `attribute`."""
    module_name = f"_minidl_solution_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path!r}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling-free introspection expect it
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(module_name, None)
    if not hasattr(module, attribute):
        raise AttributeError(f"{path} defines no `{attribute}`")
    return getattr(module, attribute)


def check_file(exercise: str | Exercise, path: str) -> Report:
    """Load the solution in `path` and check it; an import error is a failure with its traceback."""
    ex = exercise if isinstance(exercise, Exercise) else get(exercise)
    if not os.path.isfile(path):
        return Report(ex.name, STATUS_FAILED, 0, Failure("file", f"no such file: {path}"))
    try:
        fn = load_solution(path, ex.attribute)
    except AttributeError as e:
        return Report(ex.name, STATUS_FAILED, 0, Failure("return type", str(e)))
    except Exception as e:  # a syntax error, an import error, an exception at import time
        failure = Failure(
            "exception",
            f"importing {path} raised {type(e).__name__}: {e}",
            traceback=learner_traceback(e),
        )
        return Report(ex.name, STATUS_FAILED, 0, failure)
    return check(ex, fn)


def check_dir(directory: str) -> list[Report]:
    """Check every NAME.py in `directory` whose NAME is an exercise, in course order."""
    return [
        check_file(ex, os.path.join(directory, f"{ex.name}.py"))
        for ex in all_exercises()
        if os.path.isfile(os.path.join(directory, f"{ex.name}.py"))
    ]
