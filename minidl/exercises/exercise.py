"""An exercise: the stub a learner fills in, the reference it is checked against, the cases it is
checked on, and the table of known mistakes that turn a failure into a hint.

Each topic module (activations.py, conv.py, ...) builds its exercises with `Exercise(...)` and
`register(...)`s them; `get(name)` and `all_exercises()` read the registry.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

# Tolerances by dtype: |got − expected| ≤ atol · max(1, max|expected|) + rtol · |expected|
DEFAULT_TOL = {np.dtype(np.float64): (1e-7, 1e-9), np.dtype(np.float32): (1e-4, 2e-5)}


def call_positionally(impl: Callable, case: dict):
    """How an implementation is called by default: the case's values in signature order."""
    return impl(*case.values())


@dataclass
class Exercise:
    """One exercise.

    name: what `check` and the CLI call it (and the function's name in the learner's file, unless
        `attr` says otherwise); topic, difficulty (1-3), lesson (COURSE.md's number) and source
        (the minidl file whose code is the reference) are for `list` and the stub.
    signature: the `def` line (or class header) of the stub; doc: its docstring; stub_body: the
        stub's body (default `raise NotImplementedError`).
    reference: the correct implementation, built on minidl's engine, same signature.
    cases: a hypothesis strategy of cases, each a dict of argument name -> value in signature order.
    outputs: (name, property) per returned value, e.g. (("grad_x", "gradient"), ...). One entry
        means the function returns one value (not a tuple).
    mistakes: hint text -> a deliberately wrong implementation with the same signature.
    call: how an implementation is run on a case (default: positionally); its result is compared.
    fixed_cases: cases always tried first (e.g. softmax at ±1e4), not shrunk.
    extra_checks: functions fn -> Failure | None run after the property test (statistics, gradcheck).
    judge: for results that are random (dropout), a function (fn, case, got) -> Failure | None
        used instead of the comparison with the reference.
    """

    name: str
    topic: str
    difficulty: int
    lesson: int
    source: str
    signature: str
    doc: str
    reference: Callable
    cases: st.SearchStrategy
    outputs: tuple
    mistakes: dict = field(default_factory=dict)
    call: Callable = call_positionally
    fixed_cases: list = field(default_factory=list)
    extra_checks: list = field(default_factory=list)
    tol: dict = field(default_factory=lambda: dict(DEFAULT_TOL))
    max_examples: int = 60
    attr: str | None = None
    stub_body: str = "    raise NotImplementedError\n"
    stub_imports: str = "import numpy as np\n"
    check_mutation: bool = True
    judge: Callable | None = None

    @property
    def attribute(self) -> str:
        """The name the learner's file must define."""
        return self.attr or self.name

    def stub(self) -> str:
        """The text of NAME.py that `start` writes."""
        doc = inspect.cleandoc(self.doc)  # the first line, then the rest dedented
        indented = "\n".join(("    " + line) if line.strip() else "" for line in doc.splitlines())
        return (
            f'"""Exercise `{self.name}` (topic: {self.topic}, lesson {self.lesson}).\n\n'
            f"Fill in the body, then run:\n"
            f"    python -m minidl.exercises check {self.name} {self.name}.py\n"
            f'"""\n\n'
            f"{self.stub_imports}\n\n"
            f"{self.signature}\n"
            f'    """{indented.lstrip()}\n\n'
            f"{_PURE if self.check_mutation and self.judge is None and self.attr is None else ''}"
            f"    Lesson {self.lesson} of the course. minidl's own version (read it after trying):\n"
            f"    {self.source}\n"
            f'    """\n'
            f"{self.stub_body}"
        )


_PURE = (
    "    The check compares your result with minidl's on many drawn cases: return new arrays\n"
    "    of the inputs' dtype (float32 stays float32) and leave the input arrays unchanged.\n\n"
)

_REGISTRY: dict[str, Exercise] = {}


def register(*exercises: Exercise) -> None:
    """Add exercises to the registry (names must be unique)."""
    for ex in exercises:
        if ex.name in _REGISTRY:
            raise ValueError(f"register: an exercise named {ex.name!r} already exists")
        _REGISTRY[ex.name] = ex


def get(name: str) -> Exercise:
    """The exercise called `name`; a KeyError lists the known names."""
    _load_topics()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(
            f"no exercise named {name!r}; known exercises: {', '.join(sorted(_REGISTRY))}"
        ) from None


def all_exercises() -> list[Exercise]:
    """Every exercise, in course order (by lesson, then by registration order)."""
    _load_topics()
    order = {name: i for i, name in enumerate(_REGISTRY)}
    return sorted(_REGISTRY.values(), key=lambda e: (e.lesson, order[e.name]))


TOPICS = (
    "activations",
    "losses",
    "linear",
    "numerics",
    "autograd",
    "normalization",
    "regularization",
    "optimizers",
    "schedules",
    "conv",
    "pooling",
    "recurrent",
)


def _load_topics() -> None:
    # each topic module registers its exercises when it is imported (once: imports are cached)
    for topic in TOPICS:
        importlib.import_module(f"minidl.exercises.{topic}")
