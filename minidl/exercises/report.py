"""What a check found: a `Failure` (one property that did not hold, on the smallest case found) and
the `Report` around it, which prints as a diagnosis.

    report = check("adam_step", my_adam_step)
    report.passed          # True / False
    print(report)          # which property failed, on which inputs, by how much, and a hint

The properties, in the words a report uses:
    forward value, gradient, state update   the numbers themselves (per output, see each exercise)
    shape, dtype                            an output of the wrong shape, or float64 from float32 input
    return type                             not a tuple of the stated length, not an array, ...
    in-place mutation                       an input array was changed by the call
    determinism                             the same inputs (and seed) gave different outputs
    statistics                              a random result whose distribution is off (dropout)
    exception                               the learner's code raised (its traceback is shown)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

STATUS_PASSED = "passed"
STATUS_FAILED = "failed"
STATUS_TODO = "not implemented yet"


def describe_value(value, small: int = 24) -> str:
    """One value of a case or an output, for a report: small arrays in full, big ones by shape."""
    if isinstance(value, np.ndarray):
        head = f"{value.dtype} array of shape {value.shape}"
        if value.size <= small:
            body = np.array2string(value, precision=6, separator=", ", threshold=small)
            lines = [line for line in body.splitlines() if line.strip()]  # (no blank lines)
            return head + "\n" + "\n".join("      " + line for line in lines)
        return head
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, np.ndarray) for v in value):
        items = [describe_value(v, small=8) for v in value]
        return "[\n" + "".join(f"    {i}: {item}\n" for i, item in enumerate(items)) + "  ]"
    if isinstance(value, np.random.Generator):
        return "numpy Generator (np.random.default_rng(seed))"
    if callable(value):
        return getattr(value, "__doc__", None) or getattr(value, "__name__", repr(value))
    return repr(value)


@dataclass
class Failure:
    """One property that failed.

    prop: the property's name (see the module docstring); summary: one line; details: more lines
    (errors per output, expected vs got); case: the inputs of the smallest failing case, by argument
    name; hints: known mistakes whose output matches the learner's; traceback: of the learner's
    exception, if one was raised."""

    prop: str
    summary: str
    details: list[str] = field(default_factory=list)
    case: dict | None = None
    hints: list[str] = field(default_factory=list)
    traceback: str | None = None
    outputs: tuple | None = field(default=None, repr=False)  # (learner's, reference's) results

    def __str__(self) -> str:
        lines = [f"FAILED property: {self.prop} — {self.summary}"]
        if self.case is not None:
            lines.append("smallest failing case:")
            lines += [f"  {name} = {describe_value(v)}" for name, v in self.case.items()]
        lines += self.details
        if self.traceback:
            lines += ["your code raised:", self.traceback.rstrip()]
        for hint in self.hints:
            lines.append(f"hint: {hint}")
        return "\n".join(lines)


@dataclass
class Report:
    """The result of `check(name, fn)`: `passed`, the status, how many cases were tried, and the
    failure (None when passed). `str(report)` is the diagnosis."""

    name: str
    status: str
    examples: int = 0
    failure: Failure | None = None
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.status == STATUS_PASSED

    @property
    def hints(self) -> list[str]:
        return [] if self.failure is None else self.failure.hints

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        if self.status == STATUS_PASSED:
            checked = f": {self.note}" if self.note else ""
            return f"{self.name}: passed ({self.examples} cases checked{checked})"
        if self.status == STATUS_TODO:
            return (
                f"{self.name}: not implemented yet (the function raises NotImplementedError; "
                f"replace that line with your implementation){self.note}"
            )
        return f"{self.name}: failed after {self.examples} cases\n{self.failure}"
