"""minidl.exercises: every reference passes its own check, every known mistake fails with its
hint, the cases cover the edge cases they promise, and a report says what went wrong."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from minidl.exercises import all_exercises, check, get
from minidl.exercises._check import mistake_hints
from minidl.exercises.files import check_file, load_solution, write_stub

EXERCISES = all_exercises()
MISTAKES = [(ex.name, hint) for ex in EXERCISES for hint in ex.mistakes]

REQUIRED = """sigmoid_backward tanh_backward relu_backward softmax log_softmax softmax_cross_entropy
mse_backward linear_backward unbroadcast numerical_grad conv2d_forward conv2d_backward
max_pool2d_forward max_pool2d_backward batch_norm_backward dropout_forward lstm_cell_forward
sgd_momentum_step adam_step adamw_step step_lr cosine_annealing_lr l2_penalty_grad clip_grad_norm
silu_function""".split()


def test_every_exercise_of_the_issue_is_registered_with_its_signature():
    names = {ex.name for ex in EXERCISES}
    assert set(REQUIRED) <= names
    assert get("adam_step").signature == (
        "def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):"
    )
    assert get("conv2d_backward").signature == (
        "def conv2d_backward(x, w, grad_out, stride=1, padding=0):"
    )
    for ex in EXERCISES:
        assert ex.mistakes, f"{ex.name} has no hint table"
        assert 1 <= ex.lesson <= 20 and ex.source.startswith("minidl/")


@pytest.mark.parametrize("name", [ex.name for ex in EXERCISES])
def test_the_reference_passes(name):
    ex = get(name)
    report = check(ex, ex.reference)
    assert report.passed, str(report)
    assert report.examples >= 20


@pytest.mark.parametrize(
    "name,hint", MISTAKES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(MISTAKES)]
)
def test_each_known_mistake_fails_with_its_hint(name, hint):
    ex = get(name)
    report = check(ex, ex.mistakes[hint])
    assert not report.passed, f"{name}: the mistake passed: {hint}"
    assert any(h.startswith(hint) for h in report.hints), str(report)
    assert f"hint: {hint}" in str(report)
    assert len(report.hints) <= 2, report.hints  # a diagnosis, not a list of every mistake


@pytest.mark.parametrize("name", [ex.name for ex in EXERCISES])
def test_the_stub_is_reported_as_not_implemented(name, tmp_path):
    path = write_stub(name, str(tmp_path))
    report = check_file(name, path)
    assert report.status == "not implemented yet", str(report)
    assert "not implemented yet" in str(report)
    text = open(path, encoding="utf-8").read()
    assert get(name).signature in text and f"Lesson {get(name).lesson}" in text


def test_start_refuses_to_overwrite_without_force(tmp_path):
    path = write_stub("adam_step", str(tmp_path))
    with open(path, "a", encoding="utf-8") as f:
        f.write("# my work\n")
    with pytest.raises(FileExistsError, match="--force"):
        write_stub("adam_step", str(tmp_path))
    assert "# my work" in open(path, encoding="utf-8").read()
    write_stub("adam_step", str(tmp_path), force=True)
    assert "# my work" not in open(path, encoding="utf-8").read()


def _drawn_cases(ex, n=60) -> list:
    seen = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(ex.cases)
    def collect(case):
        seen.append(case)

    collect()
    return seen


ARRAY_EXERCISES = [ex.name for ex in EXERCISES if ex.topic != "schedules"]


@pytest.mark.parametrize("name", ARRAY_EXERCISES)
def test_the_cases_cover_both_dtypes_and_size_one_dims(name):
    cases = _drawn_cases(get(name))
    arrays = [
        a
        for c in cases
        for v in c.values()
        for a in (v if isinstance(v, list) else [v])
        if isinstance(a, np.ndarray) and a.dtype.kind == "f"
    ]
    dtypes = {a.dtype for a in arrays}
    expected = {np.dtype(np.float64)} if name == "numerical_grad" else {np.float32, np.float64}
    assert dtypes == {np.dtype(d) for d in expected}
    assert any(1 in a.shape for a in arrays), "no size-1 dimension drawn"
    assert any(a.size > 1 for a in arrays)


def test_the_cases_cover_broadcasting_strides_paddings_and_ties():
    ub = _drawn_cases(get("unbroadcast"))
    assert any(c["grad"].ndim > len(c["shape"]) for c in ub)  # leading dims added
    assert any(
        any(s == 1 and g != 1 for s, g in zip(c["shape"], c["grad"].shape[-len(c["shape"]) :]))
        for c in ub
        if c["shape"]
    )  # size-1 dims stretched
    conv = _drawn_cases(get("conv2d_backward"))
    assert {c["stride"] for c in conv} >= {1, 2} and {c["padding"] for c in conv} >= {0, 1}
    pool = _drawn_cases(get("max_pool2d_backward"))
    assert any(c["stride"] < c["kernel_size"] for c in pool)  # overlapping windows
    assert any(len(np.unique(c["x"])) < c["x"].size for c in pool)  # ties
    sm = _drawn_cases(get("softmax"))
    assert any(np.abs(c["x"]).max() > 1e3 for c in sm)  # large inputs
    assert get("softmax").fixed_cases and np.abs(get("softmax").fixed_cases[0]["x"]).max() == 1e4


# ------------------------------------------------------------------------- what a report says
def test_a_report_names_the_property_the_case_the_worst_element_and_the_errors():
    def sigmoid_backward(x, grad_out):
        s = 1 / (1 + np.exp(-x))
        return grad_out * s * (1 + s)  # wrong, and in no hint table

    report = check("sigmoid_backward", sigmoid_backward)
    text = str(report)
    assert not report.passed and report.failure.prop == "gradient"
    for piece in ("smallest failing case", "x = ", "grad_out = ", "at index", "expected",
                  "got", "max abs error", "max rel error"):  # fmt: skip
        assert piece in text, text
    assert report.hints == []  # no known mistake matches: no guess


def test_the_smallest_case_is_small():
    report = check(
        "linear_backward",
        get("linear_backward").mistakes[next(iter(get("linear_backward").mistakes))],
    )
    x = report.failure.case["x"]
    assert x.size <= 4


def test_a_learner_exception_is_reported_with_its_traceback():
    def relu_backward(x, grad_out):
        mask = x > 0
        return grad_out * mask[None, :, :]  # breaks for other than 2-d inputs

    report = check("relu_backward", relu_backward)
    assert report.failure.prop == "exception"
    assert "IndexError" in str(report) and "mask[None, :, :]" in str(report)


def test_a_wrong_return_type_is_reported():
    report = check("linear_backward", lambda x, w, b, g: [g @ w, g.T @ x])
    assert report.failure.prop == "return type" and "tuple of 3" in str(report)
    report = check("mse_backward", lambda p, t: (2 * (p - t) / p.size).tolist())
    assert report.failure.prop == "return type" and "numpy array" in str(report)


def test_in_place_mutation_of_an_input_is_reported():
    def sgd_momentum_step(param, grad, buf, lr, momentum, nesterov=False):
        buf *= momentum  # writes into the caller's buffer
        buf += grad
        step = grad + momentum * buf if nesterov else buf
        return param - lr * step, buf

    report = check("sgd_momentum_step", sgd_momentum_step)
    assert report.failure.prop == "in-place mutation" and "`buf`" in str(report)


def test_a_float64_result_for_float32_inputs_is_a_dtype_failure_with_a_hint():
    def l2_penalty_grad(w, lam):
        return np.asarray(2 * lam * w, dtype=np.float64)

    report = check("l2_penalty_grad", l2_penalty_grad)
    assert report.failure.prop == "dtype" and "zeros_like" in str(report)


def test_dropout_without_the_seed_is_a_determinism_failure():
    report = check("dropout_forward", get("dropout_forward").mistakes[
        next(h for h in get("dropout_forward").mistakes if "rng" in h)])  # fmt: skip
    assert report.failure.prop == "determinism"


def test_a_state_update_failure_names_the_output():
    def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad  # g, not g²
        step = lr * (m / (1 - beta1**t)) / (np.sqrt(np.abs(v) / (1 - beta2**t)) + eps)
        return (param - step).astype(param.dtype), m.astype(param.dtype), v.astype(param.dtype)

    report = check("adam_step", adam_step)
    assert report.failure.prop == "state update"


def test_the_checker_is_deterministic():
    wrong = get("conv2d_backward").mistakes[next(iter(get("conv2d_backward").mistakes))]
    assert str(check("conv2d_backward", wrong)) == str(check("conv2d_backward", wrong))


def test_a_custom_function_that_is_not_a_function_subclass_is_refused():
    class SiLU:  # forgot to subclass minidl.Function
        pass

    report = check("silu_function", SiLU)
    assert not report.passed and "subclass of minidl.Function" in str(report)


def test_load_solution_imports_a_file_by_path(tmp_path):
    path = tmp_path / "step_lr.py"
    path.write_text("def step_lr(epoch, base_lr, step_size, gamma):\n"
                    "    return base_lr * gamma ** (epoch // step_size)\n")  # fmt: skip
    fn = load_solution(str(path), "step_lr")
    assert fn(5, 1.0, 2, 0.5) == 0.25
    assert check_file("step_lr", str(path)).passed
    (tmp_path / "broken.py").write_text("def step_lr(:\n")
    report = check_file("step_lr", str(tmp_path / "broken.py"))
    assert report.failure.prop == "exception" and "SyntaxError" in str(report)
    (tmp_path / "other.py").write_text("def something_else():\n    pass\n")
    assert "defines no `step_lr`" in str(check_file("step_lr", str(tmp_path / "other.py")))


def test_numpy_warnings_during_the_learners_call_are_shown():
    def softmax(x, axis=-1):
        e = np.exp(x)  # overflows at 1e4
        return e / e.sum(axis=axis, keepdims=True)

    report = check("softmax", softmax)
    assert "overflow encountered in exp" in str(report)
    assert any(h.startswith("unstable softmax") for h in report.hints)


def test_a_function_whose_results_vary_between_calls_is_a_determinism_failure():
    calls = [0]

    def mse_backward(pred, target):
        calls[0] += 1
        g = 2 * (pred - target) / pred.size
        return g + 1 if calls[0] == 5 else g

    report = check("mse_backward", mse_backward)
    assert report.failure.prop == "determinism"


def test_a_wrong_shape_that_a_known_mistake_also_gives_gets_a_hint():
    def max_pool2d_forward(x, kernel_size, stride):
        n, c, h, w = x.shape
        oh, ow = (h - kernel_size) // stride, (w - kernel_size) // stride  # no + 1
        return np.full((n, c, oh, ow), 7.0, dtype=x.dtype)  # and wrong values too

    report = check("max_pool2d_forward", max_pool2d_forward)
    assert report.failure.prop == "shape"
    assert any(h.startswith("off-by-one output size") for h in report.hints)
    # on a case where the values differ too, the hint says it is the shape that matches
    ex = get("max_pool2d_forward")
    case = {"x": np.arange(16.0).reshape(1, 1, 4, 4), "kernel_size": 2, "stride": 1}
    got = max_pool2d_forward(**case)
    hints = mistake_hints(ex, case, got, (ex.reference(*case.values()),))
    assert any("off-by-one" in h and "shape this mistake gives" in h for h in hints)


def test_a_wrong_signature_is_reported_with_the_expected_one():
    report = check("relu_backward", lambda x: x)
    assert report.failure.prop == "exception"
    assert "the signature must be `def relu_backward(x, grad_out):`" in str(report)


def test_two_bugs_in_one_function_get_both_hints():
    def linear_backward(x, w, b, grad_out):
        n = len(x)  # both gradients averaged over the batch instead of summed
        return grad_out @ w, grad_out.T @ x / n, grad_out.mean(axis=0)

    report = check("linear_backward", linear_backward)
    hints = " | ".join(report.hints)
    assert "grad_b is a sum over the batch, not a mean" in hints, str(report)
    assert "grad_w is a sum over the batch, not a mean" in hints, str(report)


def test_nan_or_inf_where_a_finite_value_is_expected_is_a_failure():
    from minidl.exercises._check import values_close

    def tol(e):
        return (1e-7, 1e-9)

    assert not values_close(np.array([np.nan]), np.array([0.0]), tol)
    assert not values_close(np.array([np.inf]), np.array([1.0]), tol)
    assert not values_close(np.array([1.0]), np.array([np.inf]), tol)
    assert values_close(np.array([np.nan, np.inf]), np.array([np.nan, np.inf]), tol)
    assert not values_close(np.float64(np.nan), np.float32(0.0), tol)
