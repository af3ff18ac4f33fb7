"""Exercises: implement an algorithm yourself, and let minidl check it and say what is wrong.

    python -m minidl.exercises list                     # name, topic, difficulty, lesson
    python -m minidl.exercises start adam_step          # writes adam_step.py, a stub to fill in
    python -m minidl.exercises check adam_step adam_step.py
    python -m minidl.exercises check all my_solutions/  # every exercise found there

or from Python / pytest:

    from minidl.exercises import check
    report = check("adam_step", my_adam_step)
    assert report.passed, report       # the report prints as a diagnosis

Each exercise checks the learner's function against minidl's own implementation on cases drawn by
hypothesis (shapes with size-1 dims, strides and paddings, float32 and float64), and reports the
first property that fails on the smallest failing case, with a hint when the output matches a known
mistake (see each exercise's `mistakes`).

Files: exercise.py (the Exercise record, the registry, the stub text), _check.py (the checker),
report.py (Failure, Report), files.py (stubs on disk, loading a solution by path), __main__.py (the
command line), _common.py (case strategies, running minidl's engine on arrays), and one module per
topic with its exercises: activations, losses, linear, numerics (unbroadcast, numerical_grad),
autograd (a custom Function), normalization, regularization (L2, dropout, clipping), optimizers,
schedules, conv, pooling, recurrent.
"""

try:
    import hypothesis  # noqa: F401  (the checker draws its cases with it)
except ImportError:  # pragma: no cover - hypothesis is in the `test` and `exercises` extras
    raise ImportError(
        "minidl.exercises needs hypothesis to draw its test cases: pip install 'minidl[exercises]' "
        "(or pip install hypothesis)"
    ) from None

from minidl.exercises._check import check
from minidl.exercises.exercise import Exercise, all_exercises, get
from minidl.exercises.report import Failure, Report

__all__ = ["Exercise", "Failure", "Report", "all_exercises", "check", "get"]
