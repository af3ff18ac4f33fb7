"""The bad-input table: one row per case, driven by the public API, kept as the spec.

Each row is (what, call, outcome, words):
  * outcome an exception type: the call must raise exactly that type (a builtin one), and the message
    must contain every word in `words` (the function's name, the argument, what was received);
  * outcome ACCEPTED: PyTorch accepts this input too, and so does minidl; `words` is then a check
    on the result (a function returning True).
tests/test_ops_errors.py holds the shape-op cases; this table covers tensors, creation, dtypes,
devices, reductions, selection and autograd arguments. `test_table_size` reports the counts.
"""

import numpy as np
import pytest

import minidl as md

ACCEPTED = "accepted as PyTorch does"
X = md.zeros(2, 3)
V = md.ones(3, requires_grad=True)
I64 = md.tensor([[1, 2, 3], [4, 5, 6]])


def _backward_twice():
    y = (V * V).sum()
    y.backward()
    y.backward()


def _grad_of_unused():
    return md.autograd.grad((V * 2).sum(), [V, md.ones(2, requires_grad=True)])


def _backward_of_a_vector():
    (V * 2).backward()


def _assign(attr_owner, value):
    attr_owner.grad = value


CASES = [
    # --- creation and dtypes ---
    ("tensor of strings", lambda: md.tensor(["a", "b"]), TypeError, ["tensor", "numeric", "<U1"]),
    ("tensor of ragged lists", lambda: md.tensor([[1, 2], [3]]), TypeError, ["tensor", "equal lengths"]),
    ("tensor of complex", lambda: md.tensor([1j]), TypeError, ["tensor", "complex"]),
    ("string dtype", lambda: md.tensor([1.0], dtype="float32"), TypeError,
     ["tensor", "dtype", "'float32'", "md.float32"]),
    ("device string as dtype", lambda: md.zeros(2, dtype="cpu"), TypeError, ["zeros", "dtype", "'cpu'"]),
    ("object dtype", lambda: md.zeros(2, dtype=object), TypeError, ["zeros", "dtype", "object"]),
    ("int tensor requires grad", lambda: md.tensor([1, 2], requires_grad=True), TypeError,
     ["floating-point", "int64"]),
    ("randn with an int dtype", lambda: md.randn(2, dtype=md.int64), TypeError, ["randn", "floating-point", "int64"]),
    ("zeros with a float size", lambda: md.zeros(2.5), ValueError, ["zeros", "non-negative ints", "2.5"]),
    ("zeros with a negative size", lambda: md.zeros(-1), ValueError, ["zeros", "size=(-1,)"]),
    ("arange with step 0", lambda: md.arange(0, 3, 0), ValueError, ["arange", "step", "0"]),
    ("linspace with float steps", lambda: md.linspace(0, 1, 2.5), ValueError, ["linspace", "steps", "2.5"]),
    ("randint high <= low", lambda: md.randint(3, 3, (2,)), ValueError, ["randint", "high", "low=3"]),
    ("randperm negative", lambda: md.randperm(-2), ValueError, ["randperm", "n", "-2"]),
    ("from_numpy of a list", lambda: md.from_numpy([1.0]), TypeError, ["from_numpy", "numpy.ndarray", "list"]),
    ("set_default_dtype int", lambda: md.set_default_dtype(md.int64), TypeError,
     ["set_default_dtype", "float32 or float64"]),
    ("manual_seed negative", lambda: md.manual_seed(-1), ValueError, ["manual_seed", "seed", "-1"]),
    ("bad generator", lambda: md.rand(2, generator="x"), TypeError, ["rand", "generator", "'x'"]),
    # inference and promotion that PyTorch accepts
    ("ints infer int64", lambda: md.tensor([1, 2]), ACCEPTED, lambda t: t.dtype == md.int64),
    ("bools infer bool", lambda: md.tensor([True]), ACCEPTED, lambda t: t.dtype == md.bool),
    ("int / int is float32", lambda: md.tensor([1, 2]) / md.tensor([2, 2]), ACCEPTED,
     lambda t: t.dtype == md.float32),
    ("int * 2.5 is float32", lambda: I64 * 2.5, ACCEPTED, lambda t: t.dtype == md.float32),
    ("exp of ints promotes", lambda: md.exp(I64), ACCEPTED, lambda t: t.dtype == md.float32),
    ("full infers int64", lambda: md.full((2,), 3), ACCEPTED, lambda t: t.dtype == md.int64),
    ("Python float dtype", lambda: md.zeros(1, dtype=float), ACCEPTED, lambda t: t.dtype == md.float64),
    # --- devices ---
    ("cuda device string", lambda: md.zeros(2, device="cuda"), RuntimeError, ["zeros", "CPU", "'cuda'"]),
    ("mps device", lambda: md.device("mps"), RuntimeError, ["device", "CPU", "'mps'"]),
    ("to cuda", lambda: X.to("cuda:0"), RuntimeError, ["to", "CPU", "'cuda:0'"]),
    (".cuda()", lambda: X.cuda(), RuntimeError, ["cuda", "CPU"]),
    ("device index 0 as an int", lambda: X.to(0), RuntimeError, ["to", "CUDA", "CPU"]),
    ("device of a number", lambda: md.tensor(1.0, device=3.5), TypeError, ["tensor", "device", "3.5"]),
    ("set_default_device cuda", lambda: md.set_default_device("cuda"), RuntimeError, ["set_default_device", "CPU"]),
    ("cpu device", lambda: X.to("cpu"), ACCEPTED, lambda t: t is X),
    ("cpu device object", lambda: md.ones(2, device=md.device("cpu:0")), ACCEPTED, lambda t: t.shape == (2,)),
    ("to(device, dtype)", lambda: X.to("cpu", md.float64), ACCEPTED, lambda t: t.dtype == md.float64),
    ("to with non_blocking", lambda: X.to(md.device("cpu"), non_blocking=True), ACCEPTED, lambda t: t is X),
    ("to with garbage", lambda: X.to("cpu", "x"), TypeError, ["to", "can't interpret"]),
    # --- reductions and selection ---
    ("sum over a float axis", lambda: X.sum(axis=1.5), TypeError, ["sum", "dim", "1.5"]),
    ("sum over a string axis", lambda: X.sum("a"), TypeError, ["sum", "dim", "'a'"]),
    ("mean of ints", lambda: md.mean(I64), TypeError, ["mean", "floating-point", "int64"]),
    ("std of ints", lambda: I64.std(), TypeError, ["std", "floating-point", "int64"]),
    ("softmax of ints", lambda: md.softmax(I64, 1), TypeError, ["softmax", "floating-point", "int64"]),
    ("max over a tuple dim", lambda: X.max((0, 1)), TypeError, ["max", "dim", "amax"]),
    ("max of an empty dim", lambda: md.max(md.zeros(0, 2), 0), IndexError, ["max", "empty", "(0, 2)"]),
    ("topk k too big", lambda: X.topk(4), ValueError, ["topk", "k", "[0, 3]", "k=4"]),
    ("topk float k", lambda: X.topk(1.5), TypeError, ["topk", "k", "1.5"]),
    ("gather float index", lambda: md.gather(X, 1, md.tensor([[0.0]])), TypeError, ["gather", "index", "float32"]),
    ("gather index out of range", lambda: md.gather(X, 1, md.tensor([[3]])), IndexError, ["gather", "[0, 3)", "3"]),
    ("gather index ndim", lambda: md.gather(X, 1, md.tensor([0])), ValueError, ["gather", "dimensions", "(2, 3)", "(1,)"]),
    ("scatter_add dtype mismatch", lambda: md.scatter_add(X, 0, md.tensor([[0]]), md.ones(1, 1, dtype=md.float64)),
     TypeError, ["scatter_add", "float64", "float32"]),
    ("index_select 2-D index", lambda: md.index_select(X, 0, md.tensor([[0]])), ValueError, ["index_select", "1-D"]),
    ("masked_fill float mask", lambda: X.masked_fill(md.zeros(3), 1.0), TypeError, ["masked_fill", "mask", "bool"]),
    ("masked_fill mask shape", lambda: X.masked_fill(md.zeros(4, dtype=md.bool), 1.0), ValueError,
     ["masked_fill", "(4,)", "(2, 3)"]),
    ("norm p < 1", lambda: X.norm(0.5), ValueError, ["norm", "p", "0.5"]),
    ("norm of ints", lambda: I64.norm(), TypeError, ["norm", "floating-point", "int64"]),
    ("clip without bounds", lambda: X.clip(), ValueError, ["clip", "min", "max"]),
    ("clip with a string bound", lambda: X.clip("a"), TypeError, ["clip", "min", "'a'"]),
    ("clamp min > max", lambda: md.tensor([0.0, 5.0]).clamp(3, 1), ACCEPTED, lambda t: t.tolist() == [1.0, 1.0]),
    ("int to a negative int power", lambda: I64 ** -1, ValueError, ["pow", "negative integer powers"]),
    ("neg of a bool tensor", lambda: -md.tensor([True]), TypeError, ["neg", "bool", "~"]),
    ("add shape mismatch", lambda: X + md.zeros(4), ValueError, ["add", "(2, 3)", "(4,)"]),
    ("mul shape mismatch", lambda: md.mul(md.zeros(2, 3), md.zeros(3, 2)), ValueError, ["mul", "(2, 3)", "(3, 2)"]),
    ("where non-bool condition", lambda: md.where(md.zeros(3), X, X), TypeError, ["where", "condition", "float32"]),
    ("where shape mismatch", lambda: md.where(md.zeros(4, dtype=md.bool), X, X), ValueError,
     ["where", "(4,)", "(2, 3)"]),
    ("mm of vectors", lambda: md.mm(md.zeros(3), md.zeros(3)), ValueError, ["mm", "2-D", "1-D"]),
    ("t of a 3-D tensor", lambda: md.zeros(1, 2, 3).t(), ValueError, ["t", "<= 2", "(1, 2, 3)"]),
    ("repeat too few", lambda: X.repeat(2), ValueError, ["repeat", "(1)", "(2, 3)"]),
    ("roll length mismatch", lambda: X.roll((1, 2), 0), ValueError, ["roll", "same length"]),
    ("chunk zero", lambda: X.chunk(0), ValueError, ["chunk", "chunks", "0"]),
    ("tril of a vector", lambda: md.tril(md.zeros(3)), ValueError, ["tril", "2 dimensions", "(3,)"]),
    ("logical and of floats", lambda: X & X, TypeError, ["logical_and", "bool or integer", "float"]),
    ("isclose dtype mismatch", lambda: md.isclose(X, X.double()), TypeError, ["isclose", "float32", "float64"]),
    ("max of .data (NumPy) along a dim", lambda: md.max(X.data, 1), ACCEPTED,
     lambda r: r.indices.dtype == md.int64 and r.values.shape == (2,)),
    ("Variable wrapper", lambda: md.autograd.Variable(md.ones(2), requires_grad=True), ACCEPTED,
     lambda t: t.requires_grad and t.shape == (2,)),
    ("equal of different shapes", lambda: md.equal(X, md.zeros(3)), ACCEPTED, lambda r: r is False),
    # --- tensor methods ---
    ("item of many", lambda: X.item(), ValueError, ["item", "one element", "(2, 3)"]),
    ("format a matrix with a spec", lambda: f"{X:.3f}", TypeError, ["format", "(2, 3)", ".item()"]),
    ("format a 0-d tensor", lambda: f"{md.tensor(1.23456):.2f}", ACCEPTED, lambda s: s == "1.23"),
    ("bool of many", lambda: bool(X), RuntimeError, ["ambiguous", "any()"]),
    ("index with a float tensor", lambda: X[md.tensor([0.5])], TypeError, ["getitem", "integers", "float32"]),
    ("type with an unknown name", lambda: X.type("torch.Foo"), TypeError, ["type", "torch.Foo"]),
    ("numpy of a grad tensor", lambda: V.numpy(), RuntimeError, ["numpy", "detach"]),
    ("in-place on a leaf", lambda: V.add_(1), RuntimeError, ["add_", "leaf", "no_grad"]),
    ("in-place float into int", lambda: I64.add_(0.5), TypeError, ["add_", "float32", "int64"]),
    # --- autograd ---
    ("grad as an array", lambda: _assign(md.ones(2, requires_grad=True), np.ones(2)), TypeError,
     ["grad", "Tensor or None", "numpy.ndarray"]),
    ("grad of a wrong shape", lambda: _assign(md.ones(2, requires_grad=True), md.ones(3)), RuntimeError,
     ["grad", "(3,)", "(2,)"]),
    ("grad of a wrong dtype", lambda: _assign(md.ones(2, requires_grad=True), md.ones(2, dtype=md.float64)),
     RuntimeError, ["grad", "float64", "float32"]),
    ("backward of a constant", lambda: X.sum().backward(), RuntimeError, ["backward", "does not require grad"]),
    ("backward of a vector", _backward_of_a_vector, RuntimeError, ["backward", "one element", "(3,)"]),
    ("backward gradient shape", lambda: (V * 2).backward(md.ones(2)), RuntimeError, ["backward", "(2,)", "(3,)"]),
    ("backward twice", _backward_twice, RuntimeError, ["backward", "second time", "retain_graph=True"]),
    ("create_graph", lambda: (V * V).sum().backward(create_graph=True), NotImplementedError,
     ["backward", "create_graph", "first-order"]),
    ("grad of an unused input", _grad_of_unused, RuntimeError, ["grad", "input 1", "allow_unused"]),
    ("grad of a non-tensor input", lambda: md.autograd.grad((V * 2).sum(), [np.ones(3)]), TypeError,
     ["grad", "inputs", "ndarray"]),
    ("hook on a constant", lambda: X.register_hook(print), RuntimeError, ["register_hook", "require grad"]),
    ("hook not callable", lambda: V.register_hook(3), TypeError, ["register_hook", "callable", "3"]),
    ("retain_grad of a constant", lambda: X.retain_grad(), RuntimeError, ["retain_grad", "require grad"]),
]  # fmt: skip

ERROR_CASES = [c for c in CASES if c[2] is not ACCEPTED]
ACCEPTED_CASES = [c for c in CASES if c[2] is ACCEPTED]


@pytest.mark.parametrize(
    "call, error, words", [c[1:] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES]
)
def test_bad_input_is_a_clear_error(call, error, words):
    with pytest.raises(Exception) as info:
        call()
    assert type(info.value) is error, f"raised {type(info.value).__name__}: {info.value}"
    message = str(info.value)
    missing = [w for w in words if w not in message]
    assert not missing, f"message lacks {missing}: {message}"


@pytest.mark.parametrize(
    "call, check", [(c[1], c[3]) for c in ACCEPTED_CASES], ids=[c[0] for c in ACCEPTED_CASES]
)
def test_input_pytorch_accepts_is_accepted(call, check):
    assert check(call())


def test_table_size():
    """The counts the reliability note reports: rows, clear errors, accepted as PyTorch does."""
    assert len({c[0] for c in CASES}) == len(CASES), "two rows share a name"
    assert len(ERROR_CASES) + len(ACCEPTED_CASES) == len(CASES)
    assert len(CASES) >= 90
