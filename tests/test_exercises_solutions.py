"""A correct solution written independently of minidl (tests/exercise_solutions/, loops and textbook
formulas, other summation orders) passes every exercise: the checker judges the maths, not the
way minidl happens to compute it."""

from __future__ import annotations

import os

import pytest

from minidl.exercises import all_exercises
from minidl.exercises.files import check_file

SOLUTIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exercise_solutions")


def test_there_is_a_solution_for_every_exercise():
    missing = [e.name for e in all_exercises() if not os.path.isfile(f"{SOLUTIONS}/{e.name}.py")]
    assert missing == []


@pytest.mark.parametrize("name", [e.name for e in all_exercises()])
def test_an_independent_solution_passes(name):
    report = check_file(name, os.path.join(SOLUTIONS, f"{name}.py"))
    assert report.passed, str(report)
