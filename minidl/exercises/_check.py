"""The checker: run a learner's function and the reference on hypothesis-drawn cases, compare, and
turn the smallest failing case into a diagnosis.

How one exercise is checked:
1. the fixed cases (e.g. softmax at ±1e4), then `max_examples` cases drawn by hypothesis
   (derandomized: the same cases every run), each run through `check_case`:
     call the learner on copies of the inputs (an exception is a failure with its traceback;
     NotImplementedError means "not implemented yet"), check that the inputs were not changed,
     then compare every output with the reference's: type, shape, dtype, values;
2. on a failure hypothesis shrinks the case (smaller shapes, simpler numbers, fewer options) while it
   still fails, and the failure of the smallest case is the one reported;
3. on that case every known mistake of the exercise is run; a mistake whose output equals the
   learner's gives its hint (a mistake whose output has the learner's wrong shape, a weaker hint);
4. when all cases pass, the exercise's extra checks (statistics, gradcheck through the engine).
"""

from __future__ import annotations

import os
import traceback
import warnings

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, example, given, settings
from hypothesis.errors import Flaky

from minidl.exercises.exercise import Exercise, get
from minidl.exercises.report import STATUS_FAILED, STATUS_PASSED, STATUS_TODO, Failure, Report

_HERE = os.path.dirname(os.path.abspath(__file__))
_ORDER = {"exception": 0, "return type": 1, "shape": 2, "dtype": 3}

DTYPE_HINT = (
    "an output must keep the inputs' dtype: np.zeros(shape), np.ones(shape) and np.eye(n) are "
    "float64 — use np.zeros_like(x) or dtype=x.dtype (and beware Python-float arrays such as "
    "np.array([1.0]), and np.random draws)"
)
MUTATION_HINT = (
    "don't write into the arguments: `a -= b`, `a[...] = ...` and np.func(..., out=a) change the "
    "caller's array; compute a new array (a = a - b) or work on a copy (a = a.copy())"
)


class _Failed(Exception):
    """Raised inside the hypothesis test so that hypothesis shrinks the case."""

    def __init__(self, failure: Failure):
        super().__init__(failure.summary)
        self.failure = failure


class _Raised:
    """What an implementation raised, compared by type and message (for the hints)."""

    def __init__(self, exc: BaseException):
        self.kind, self.message = type(exc), str(exc)

    def __eq__(self, other) -> bool:
        same = isinstance(other, _Raised) and self.kind is other.kind
        return same and self.message == other.message


class _NotImplemented(Exception):
    """The learner's function raised NotImplementedError: the stub is still a stub."""


# ---------------------------------------------------------------------------------------- copies
def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def copy_case(case: dict) -> dict:
    """A case whose arrays are fresh copies (so no call can change the original)."""
    return {k: _copy(v) for k, v in case.items()}


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.shape == b.shape
            and a.dtype == b.dtype
            and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        )
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    return True


def _change(name: str, before, after) -> str:
    """Where an input array was changed by the call, for a report."""
    if not (isinstance(before, np.ndarray) and isinstance(after, np.ndarray)):
        return f"  `{name}` was replaced or changed in place"
    if before.shape != after.shape or before.dtype != after.dtype:
        return f"  `{name}` was {before.dtype} {before.shape}, is now {after.dtype} {after.shape}"
    diff = np.abs(after.astype(np.float64) - before.astype(np.float64))
    diff = np.where(np.isnan(diff), np.inf, diff)
    i = tuple(int(j) for j in np.unravel_index(int(np.argmax(diff)), diff.shape))
    where = f" at index {i}" if i else ""
    return (
        f"  `{name}`{where} was {float(before[i]):.17g} before the call and "
        f"{float(after[i]):.17g} after it ({int(np.count_nonzero(diff))} of {diff.size} "
        f"elements changed)"
    )


def _as_outputs(ex: Exercise, out) -> tuple:
    """An implementation's result as a tuple with one entry per declared output."""
    return (out,) if len(ex.outputs) == 1 else out


def _learner_frames(exc: BaseException) -> list:
    """The frames of a traceback outside the checker's own files (the learner's, minidl's)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return [f for f in frames if not os.path.abspath(f.filename).startswith(_HERE)]


def learner_traceback(exc: BaseException) -> str:
    """The traceback of an exception from the learner's code, without the checker's own frames."""
    lines = traceback.format_list(_learner_frames(exc))
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)


# ---------------------------------------------------------------------------------- comparisons
def _type_name(v) -> str:
    if isinstance(v, np.ndarray):
        return f"{v.dtype} array of shape {v.shape}"
    if isinstance(v, (tuple, list)):
        return f"{type(v).__name__} of {len(v)}"
    return type(v).__name__


def _is_scalar(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _errors(expected: np.ndarray, got: np.ndarray, tol: tuple) -> tuple:
    """(bad mask, abs error, rel error, excess over tolerance) in float64; NaN/inf count as bad."""
    rtol, atol = tol
    e, g = expected.astype(np.float64), got.astype(np.float64)
    scale = max(1.0, float(np.max(np.abs(e[np.isfinite(e)]), initial=0.0)))
    with np.errstate(invalid="ignore", over="ignore"):
        same = (e == g) | (np.isnan(e) & np.isnan(g))  # equal, inf == inf, nan == nan
        special = ~same & ~(np.isfinite(e) & np.isfinite(g))  # nan or inf on one side only
        abs_err = np.where(same, 0.0, np.where(special, np.inf, np.abs(g - e)))
        rel_err = np.where(e != 0, abs_err / np.abs(np.where(e != 0, e, 1.0)), 0.0)
        allowed = atol * scale + rtol * np.abs(np.where(np.isfinite(e), e, 0.0))
        excess = np.where(special, np.inf, abs_err - allowed)
    return excess > 0, abs_err, rel_err, excess


def values_close(expected, got, tol_for) -> bool:
    """True when two results have the same structure, shapes and values (NaN equal to NaN)."""
    if isinstance(expected, (tuple, list)):
        return (
            isinstance(got, (tuple, list))
            and len(got) == len(expected)
            and all(values_close(e, g, tol_for) for e, g in zip(expected, got))
        )
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        if not isinstance(got, np.ndarray) or got.shape != expected.shape:
            return False
    elif not (_is_scalar(got) or (isinstance(got, np.ndarray) and got.ndim == 0)):
        return False
    e, g = np.asarray(expected), np.asarray(got)
    if e.dtype.kind not in "fiub" or g.dtype.kind not in "fiub":
        return False
    return not _errors(e, g, tol_for(e))[0].any()


def shapes_of(value):
    """The nested shapes of a result: () for a number, None for what is neither."""
    if isinstance(value, (tuple, list)):
        return tuple(shapes_of(v) for v in value)
    if isinstance(value, np.ndarray) or _is_scalar(value):
        return np.shape(value)
    return None


def _show(label: str, a: np.ndarray) -> list[str]:
    if a.size > 24:
        return []
    lines = [
        line
        for line in np.array2string(a, precision=7, separator=", ").splitlines()
        if line.strip()
    ]
    return [f"    {label} = " + ("\n" + " " * (7 + len(label))).join(lines)]


def _compare_one(name: str, prop: str, e, g, tol_for) -> list[tuple]:
    """Problems of one output: a list of (property, summary, detail lines)."""
    if isinstance(e, list):
        if not isinstance(g, (list, tuple)) or len(g) != len(e):
            return [("return type", f"`{name}` should be a list of {len(e)} arrays; got "
                     f"{_type_name(g)}", [])]  # fmt: skip
        return [p for i, (ei, gi) in enumerate(zip(e, g)) for p in
                _compare_one(f"{name}[{i}]", prop, ei, gi, tol_for)]  # fmt: skip
    if isinstance(e, np.ndarray) and e.ndim > 0:
        if not isinstance(g, np.ndarray):
            return [("return type", f"`{name}` should be a numpy array; got {_type_name(g)}", [])]
        if g.shape != e.shape:
            return [("shape", f"`{name}` has shape {g.shape}; expected {e.shape}", [])]
        if g.dtype != e.dtype:
            return [("dtype", f"`{name}` has dtype {g.dtype}; expected {e.dtype}", [])]
    else:  # a scalar: a Python number, a NumPy scalar or a 0-d array are all fine
        if not (_is_scalar(g) or (isinstance(g, np.ndarray) and g.ndim == 0)):
            return [("return type", f"`{name}` should be a number; got {_type_name(g)}", [])]
    e, g = np.asarray(e), np.asarray(g)
    if g.dtype.kind not in "fiub":
        return [("return type", f"`{name}` should hold numbers; got dtype {g.dtype}", [])]
    bad, abs_err, rel_err, excess = _errors(e, g, tol_for(e))
    if not bad.any():
        return []
    worst = np.unravel_index(int(np.argmax(excess)), excess.shape) if excess.ndim else ()
    where = f" at index {tuple(int(i) for i in worst)}" if worst else ""
    rtol, atol = tol_for(e)
    summary = (
        f"`{name}` is wrong{where}: expected {e[worst] + 0:.8g}, got {g[worst] + 0:.8g}"
        f" ({int(bad.sum())} of {bad.size} elements off)"
    )
    details = [
        f"  {name} ({prop}): max abs error {np.max(abs_err):.3g}, max rel error "
        f"{np.max(rel_err):.3g} where expected ≠ 0 (tolerance for {e.dtype}: rtol={rtol:g}, atol={atol:g}·scale)"
    ]
    details += _show("expected", e) + _show("got     ", g)
    return [(prop, summary, details)]


def compare(ex: Exercise, expected: tuple, got) -> Failure | None:
    """Compare the learner's result with the reference's, output by output."""
    names = [n for n, _ in ex.outputs]
    if len(ex.outputs) == 1:
        got_t = (got,)
    elif not isinstance(got, (tuple, list)) or len(got) != len(names):
        return Failure(
            "return type",
            f"expected a tuple of {len(names)} values ({', '.join(names)}); got {_type_name(got)}",
        )
    else:
        got_t = tuple(got)
    tol_for = _tol_for(ex)
    problems = []
    for (name, prop), e, g in zip(ex.outputs, expected, got_t):
        problems += _compare_one(name, prop, e, g, tol_for)
    if not problems:
        return None
    problems.sort(key=lambda p: _ORDER.get(p[0], 9))
    prop, summary, _ = problems[0]
    details = [line for p in problems for line in ([f"  {p[1]}"] if p is not problems[0] else [])
               + p[2]]  # fmt: skip
    hints = [DTYPE_HINT] if prop == "dtype" else []
    return Failure(prop, summary, details, hints=hints)


def _tol_for(ex: Exercise):
    def tol_for(e: np.ndarray) -> tuple:
        return ex.tol.get(e.dtype, ex.tol[np.dtype(np.float64)])

    return tol_for


# ------------------------------------------------------------------------------------ one case
def run(ex: Exercise, impl, case: dict):
    """Run an implementation (learner, reference or mistake) on a copy of the case."""
    return ex.call(impl, copy_case(case))


def check_case(ex: Exercise, fn, case: dict) -> Failure | None:
    """Check the learner's `fn` on one case: no exception, inputs unchanged, outputs as expected."""
    args = copy_case(case)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = ex.call(fn, args)
    except NotImplementedError:
        raise _NotImplemented() from None
    except Exception as exc:  # the learner's bug, reported with its traceback
        hints = []
        if isinstance(exc, TypeError) and not _learner_frames(exc):  # raised by the call itself
            hints.append(f"the signature must be `{ex.signature}`")
        return Failure(
            "exception",
            f"your function raised {type(exc).__name__}: {exc}",
            case=case,
            hints=hints,
            traceback=learner_traceback(exc),
            outputs=(_Raised(exc), None),
        )
    if ex.check_mutation:
        changed = [k for k in case if not _same(case[k], args[k])]
        if changed:
            return Failure(
                "in-place mutation",
                f"the call changed its input(s) {', '.join(f'`{k}`' for k in changed)}",
                [_change(k, case[k], args[k]) for k in changed],
                case=case,
                hints=[MUTATION_HINT],
            )
    if ex.judge is not None:  # a random result (dropout): judged by its own properties
        failure = ex.judge(fn, case, got)
        if failure is not None:
            failure.case = case
        return failure
    expected = _as_outputs(ex, run(ex, ex.reference, case))
    failure = compare(ex, expected, got)
    if failure is not None:
        failure.case = case
        messages = sorted(
            {str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)}
        )
        if messages:  # e.g. "overflow encountered in exp": often the cause of a nan
            failure.details.append("  NumPy warned during your call: " + "; ".join(messages))
        failure.outputs = (got, expected)  # for the hints, computed once on the smallest case
    return failure


def _match(ex: Exercise, wrong, case: dict, got_t: tuple, expected: tuple) -> str | None:
    """How a known mistake's result on `case` compares with the learner's, on the outputs where
    the mistake differs from the reference (so that a learner with two bugs still gets both hints):
    "exact" (the learner's outputs are the mistake's there), "shape" (only their wrong shapes
    agree), "differs" (the mistake shows but the learner's outputs are something else), or None
    (the mistake gives the right answer on this case, or is undefined on it)."""
    tol_for = _tol_for(ex)
    try:
        out = _as_outputs(ex, run(ex, wrong, case))
    except Exception:  # a mistake may be undefined on this case (e.g. shapes that don't fit)
        return None
    if not (isinstance(got_t, (tuple, list)) and len(got_t) == len(expected) == len(out)):
        out, got_t, expected = (out,), (got_t,), (expected,)  # compare the results whole
    shown = [k for k in range(len(expected)) if not values_close(expected[k], out[k], tol_for)]
    if not shown:
        return None  # this mistake doesn't show on this case: it can't explain the failure
    if all(values_close(out[k], got_t[k], tol_for) for k in shown):
        return "exact"
    shape = [shapes_of(v) for v in (out, got_t, expected)]
    if shape[0] == shape[1] != shape[2]:
        return "shape"
    return "differs"


def mistake_hints(ex: Exercise, case: dict, got, expected, others: tuple = ()) -> list[str]:
    """Hints of the known mistakes whose output on `case` matches the learner's output.

    When several match on the smallest case (on a tiny case different mistakes can give the same
    numbers), the ones least often contradicted by the other failing cases seen (`others`, pairs
    of case and (learner's result, reference's result)) are kept."""
    if isinstance(got, _Raised):  # the learner's code raised: which mistakes raise the same?
        hints = []
        for hint, wrong in ex.mistakes.items():
            try:
                run(ex, wrong, case)
            except Exception as exc:
                if _Raised(exc) == got:
                    hints.append(f"{hint} (this mistake raises the same error)")
        return hints
    got_t = _as_outputs(ex, got)
    found = {h: _match(ex, w, case, got_t, expected) for h, w in ex.mistakes.items()}
    # on the other failing cases: how each mistake compares there (for ranking, and for a second
    # bug that the smallest case happens not to show)
    elsewhere = {
        h: [_match(ex, w, c, _as_outputs(ex, g), e) for c, (g, e) in others
            if not isinstance(g, _Raised)]
        for h, w in ex.mistakes.items()
    }  # fmt: skip
    exact = [h for h, m in found.items() if m == "exact"]
    if len(exact) > 1:  # keep the mistakes that the other failing cases contradict least often
        against = {h: elsewhere[h].count("differs") for h in exact}
        exact = [h for h in exact if against[h] == min(against.values())]
    also = [
        h
        for h, m in found.items()
        if m is None and "exact" in elsewhere[h] and "differs" not in elsewhere[h]
    ]
    if exact:
        return exact + [f"{h} (seen on a larger failing case)" for h in also]
    shaped = [f"{h} (your output has the shape this mistake gives)" for h, m in found.items()
              if m == "shape"]  # fmt: skip
    return shaped + [f"{h} (seen on a larger failing case)" for h in also]


def _sample_cases(ex: Exercise, n: int = 15) -> list[dict]:
    """n cases drawn from the exercise's strategy (derandomized), no shrinking."""
    seen = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              phases=(Phase.generate,), suppress_health_check=list(HealthCheck),
              verbosity=Verbosity.quiet)  # fmt: skip
    @given(ex.cases)
    def collect(case):
        seen.append(case)

    collect()
    return seen


def _learner_results(ex: Exercise, fn, cases: list[dict]):
    """(case, (learner's result, reference's result)) for the cases where the learner's code runs:
    passing cases too — a mistake that shows where the learner is right is contradicted there."""
    for case in cases:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                got = run(ex, fn, case)
        except Exception:
            continue
        yield case, (got, _as_outputs(ex, run(ex, ex.reference, case)))


# ------------------------------------------------------------------------------------ the check
def check(exercise: str | Exercise, fn) -> Report:
    """Check the learner's implementation `fn` of `exercise` (a name or an Exercise).

    Returns a Report: `report.passed`, and `str(report)` — the diagnosis of the first property that
    failed, on the smallest case hypothesis found, with hints from the exercise's known mistakes.
    """
    ex = exercise if isinstance(exercise, Exercise) else get(exercise)
    count = [0]
    failing = []  # (case, (learner's result, reference's)) of some failing cases, for the hints

    def body(case):
        count[0] += 1
        failure = check_case(ex, fn, case)
        if failure is not None:
            if failure.outputs is not None and len(failing) < 10:
                failing.append((case, failure.outputs))
            raise _Failed(failure)

    test = given(ex.cases)(body)
    for case in reversed(ex.fixed_cases):
        test = example(case)(test)
    test = settings(
        max_examples=ex.max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        verbosity=Verbosity.quiet,
        print_blob=False,
    )(test)
    try:
        test()
        for extra in ex.extra_checks:
            failure = extra(fn)
            if failure is not None:
                return Report(ex.name, STATUS_FAILED, count[0], failure)
    except _NotImplemented:
        return Report(ex.name, STATUS_TODO, count[0])
    except (_Failed, Flaky) as error:
        failed = _failed_inside(error)
        if isinstance(error, Flaky) or failed is None:
            # failed once, passed when hypothesis ran the same case again: not deterministic
            failure = Failure(
                "determinism",
                "your function failed a case once and passed it when run again on the same "
                "inputs: its results vary from call to call (global random state? caching?)",
                details=[]
                if failed is None
                else ["the first run:"] + str(failed.failure).splitlines(),
            )
            return Report(ex.name, STATUS_FAILED, count[0], failure)
        failure = failed.failure
        if failure.outputs is not None:
            others = tuple(f for f in failing if f[0] is not failure.case)
            others += tuple(_learner_results(ex, fn, _sample_cases(ex)))
            failure.hints = failure.hints + mistake_hints(
                ex, failure.case, *failure.outputs, others=others
            )
        return Report(ex.name, STATUS_FAILED, count[0], failure)
    return Report(ex.name, STATUS_PASSED, count[0], note=_checked(ex))


def _checked(ex: Exercise) -> str:
    """What a pass means for this exercise, in a few words."""
    props = list(dict.fromkeys(prop for _, prop in ex.outputs))
    props += ["return types", "shapes", "dtypes"]
    if ex.check_mutation:
        props.append("inputs unchanged")
    props += [
        (extra.__doc__ or extra.__name__).split("\n")[0].rstrip(".") for extra in ex.extra_checks
    ]
    if ex.judge is not None:
        props.append("the same result for the same seed")
    return "; ".join(props)


def _failed_inside(error: BaseException) -> _Failed | None:
    """The _Failed that a (possibly Flaky) hypothesis error carries, if any."""
    if isinstance(error, _Failed):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = _failed_inside(inner)
        if found is not None:
            return found
    return None


__all__ = ["Failure", "Report", "check", "check_case", "compare", "copy_case", "run"]
