"""Autograd: a Tensor that remembers the Function that made it, and the engine that walks back.

Every differentiable primitive is a `Function` with two static methods:

    forward(ctx, *arrays, **params) -> array        y = f(x1, x2, ...)
    backward(ctx, grad) -> (dL/dx1, dL/dx2, ...)     dL/dxi = dL/dy * dy/dxi   (the chain rule)

`Fn.apply(*inputs, **params)` runs `forward` on the inputs' arrays and, when some input requires a
gradient and grad mode is on, records the call: the returned Tensor's `grad_fn` is the `ctx` object, which
keeps what backward needs (`ctx.save_for_backward`) and an edge to each input (`ctx.next_functions`: the
input's own grad_fn, the input itself when it is a leaf, or None when it needs no gradient).

`tensor.backward()` orders the recorded nodes so that every node comes after all the nodes that use its
output (an iterative depth-first search: no recursion limit), then visits them once each, output first:
it calls the node's backward, un-broadcasts each returned gradient to its input's shape, and hands it to the
input's node (summed when an input is used twice) or accumulates it into the leaf's `.grad`.

Tensor and Function depend on each other by nature (apply returns a Tensor; a Tensor's grad_fn is a
Function), so they live in this one module. The operators on Tensor (`a + b`, `a @ b`, ...) are
conveniences over `minidl.ops`, which is built on this module and imported once at the bottom.
"""

from __future__ import annotations

import functools
import weakref

import numpy as np

from minidl import dtypes

# ----------------------------------------------------------------------------------------------------
# Grad mode
# ----------------------------------------------------------------------------------------------------

_grad_enabled = True


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return _grad_enabled


class _GradMode:
    """Sets grad mode for a `with` block, or for every call of a function it decorates."""

    mode = True

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.mode
        return self

    def __exit__(self, *exc_info):
        global _grad_enabled
        _grad_enabled = self._previous
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Nothing computed inside is recorded: results have requires_grad=False. Use for evaluation and
    for updating parameters by hand."""

    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a `no_grad` block."""

    mode = True


class set_grad_enabled(_GradMode):
    """`set_grad_enabled(False)` switches recording off now; as a context manager it restores on exit."""

    def __init__(self, mode: bool):
        global _grad_enabled
        self._previous = _grad_enabled
        self.mode = bool(mode)
        _grad_enabled = self.mode

    def __enter__(self):
        return self


# ----------------------------------------------------------------------------------------------------
# Turning user data into arrays
# ----------------------------------------------------------------------------------------------------


def as_array(data, dtype=None, where: str = "tensor") -> np.ndarray:
    """Convert `data` to a numeric numpy array by PyTorch's inference rules (no copy when none is
    needed): Python bools become bool, Python ints int64, Python floats (and lists mixing ints and
    floats) the default float dtype (float32); numpy arrays and numpy scalars keep their dtype.
    Object, string and complex data are refused."""
    if isinstance(data, Tensor):
        arr = data.data
    elif isinstance(data, (np.ndarray, np.generic)):
        arr = np.asarray(data)
    else:
        try:
            arr = np.asarray(data)
        except (ValueError, TypeError, OverflowError) as e:
            raise TypeError(
                f"{where}: could not turn the data into an array ({e}); expected a number, a nested "
                f"list of numbers with equal lengths, or a numpy array"
            ) from None
        if dtype is None and arr.dtype.kind in "iuf":
            # NumPy makes Python floats float64 and ints the platform int; PyTorch's rule instead
            arr = arr.astype(dtypes.get_default_dtype() if arr.dtype.kind == "f" else np.int64)
    if arr.dtype.kind not in "fiub":
        raise TypeError(
            f"{where}: data must be numeric (float, int or bool); received dtype {arr.dtype} "
            f"(from {type(data).__name__})"
        )
    if dtype is not None:
        arr = arr.astype(dtypes.to_dtype(dtype, where), copy=False)
    return arr


def _check_can_require_grad(dtype: np.dtype, where: str) -> None:
    if dtype.kind != "f":
        raise TypeError(
            f"{where}: only floating-point tensors can require gradients; this tensor has dtype "
            f"{dtype}. Convert it first, e.g. md.tensor(data, dtype=md.float32, requires_grad=True)"
        )


class _Size(int):
    """`t.size` is NumPy's element count; `t.size()` and `t.size(dim)` are PyTorch's shape."""

    def __new__(cls, shape: tuple):
        obj = super().__new__(cls, int(np.prod(shape, dtype=np.int64)))
        obj._shape = shape
        return obj

    def __call__(self, dim: int | None = None):
        return self._shape if dim is None else self._shape[dim]


# ----------------------------------------------------------------------------------------------------
# Tensor
# ----------------------------------------------------------------------------------------------------


class Tensor:
    """An n-dimensional array (`.data`, a numpy array) that can record how it was computed.

    `requires_grad=True` on a leaf asks autograd to accumulate dL/dtensor into `.grad` (a Tensor of
    the same shape and dtype, as in PyTorch) when `backward()` is called on a result computed from it.
    """

    __slots__ = (
        "data",
        "_grad",
        "requires_grad",
        "grad_fn",
        "_version",
        "_retains_grad",
        "_base",
        "_hooks",
        "__weakref__",
    )

    def __init__(self, data, dtype=None, requires_grad: bool = False):
        array = np.array(as_array(data, dtype, "Tensor"), copy=True)
        if requires_grad:
            _check_can_require_grad(array.dtype, "Tensor")
        Tensor._init_fields(self, array, bool(requires_grad))

    @staticmethod
    def _init_fields(t: Tensor, array: np.ndarray, requires_grad=False, grad_fn=None, version=None):
        """Set every field of a new tensor (also used by subclasses such as nn.Parameter)."""
        t.data = array
        t._grad = None
        t.requires_grad = requires_grad
        t.grad_fn = grad_fn
        t._version = [0] if version is None else version  # bumped by in-place writes
        t._retains_grad = False
        t._base = None  # for a view (reshape, permute, basic indexing): the tensor it looks into
        t._hooks = None  # functions registered by register_hook, run on this tensor's gradient

    @classmethod
    def _wrap(cls, array: np.ndarray, grad_fn=None, version=None) -> Tensor:
        """Wrap an array without copying or checking (internal: the result of an op)."""
        t = object.__new__(Tensor)
        Tensor._init_fields(t, array, grad_fn is not None, grad_fn, version)
        return t

    @property
    def grad(self) -> Tensor | None:
        """dL/dself accumulated by backward(): a Tensor of this tensor's shape and dtype, or None.

        Assigning checks what PyTorch checks: a Tensor (or None) of the same shape and dtype."""
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"grad: assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__module__}.{type(value).__qualname__}; wrap arrays with "
                    f"md.tensor(...)"
                )
            if value.shape != self.shape:
                raise RuntimeError(
                    f"grad: attempting to assign a gradient of shape {value.shape} to a tensor of "
                    f"shape {self.shape}; they must be the same shape"
                )
            if value.dtype != self.dtype:
                raise RuntimeError(
                    f"grad: attempting to assign a gradient of dtype {value.dtype} to a tensor of "
                    f"dtype {self.dtype}; they must match (convert it with .to(dtype))"
                )
        self._grad = value

    # --- facts about the array ----------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> _Size:
        """Number of elements (NumPy); call it, `t.size()` or `t.size(dim)`, for the shape (PyTorch)."""
        return _Size(self.data.shape)

    def numel(self) -> int:
        return self.data.size

    def dim(self) -> int:
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded operation (their .grad is kept)."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (for a matrix, its transpose)."""
        return _ops.permute(self, tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped (a batch of transposed matrices)."""
        return _ops.transpose(self, -2, -1)

    def item(self):
        """The single element as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item: only a tensor with one element can be converted to a Python number; this "
                f"one has shape {self.shape} ({self.data.size} elements)"
            )
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied). Refused while the tensor requires grad."""
        if self.requires_grad:
            raise RuntimeError(
                "numpy: can't call numpy() on a tensor that requires grad; use "
                "tensor.detach().numpy() (or tensor.data)"
            )
        return self.data

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """NumPy meets a Tensor. An arithmetic ufunc called plainly (what `array + tensor` runs) gives
        the minidl op, so it is recorded for autograd; any other ufunc (np.isfinite(t.grad),
        np.exp(t), `array -= tensor`) computes on the arrays and returns NumPy's result."""
        op = _UFUNC_OPS.get(ufunc) if method == "__call__" and not kwargs else None
        if op is not None:
            return getattr(_ops, op)(*inputs)
        arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(o.data if isinstance(o, Tensor) else o for o in kwargs["out"])
        return getattr(ufunc, method)(*arrays, **kwargs)

    def __array__(self, dtype=None, copy=None):
        arr = self.data if dtype is None else self.data.astype(dtype, copy=False)
        return arr.copy() if copy else arr

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"bool: the truth value of a tensor with {self.data.size} elements is ambiguous; "
                f"use .any() or .all()"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    __hash__ = object.__hash__  # == builds a tensor, so hashing stays by identity

    def __repr__(self) -> str:
        body = np.array2string(
            self.data, separator=", ", prefix="tensor(", precision=4, threshold=64
        )
        extras = [f"shape={self.shape}", f"dtype={self.dtype}"]
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{type(self.grad_fn).__name__}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return f"tensor({body}, {', '.join(extras)})"

    # --- autograd -----------------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) · gradient into every leaf's .grad (see `backward` below)."""
        backward(self, gradient, retain_graph)

    def detach(self) -> Tensor:
        """The same data (shared, not copied), cut off from the graph."""
        return Tensor._wrap(self.data, version=self._version)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set requires_grad on a leaf, in place."""
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad_: only leaf tensors can change requires_grad; use .detach() to "
                "get a leaf from a computed tensor"
            )
        if requires_grad:
            _check_can_require_grad(self.dtype, "requires_grad_")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep .grad for this non-leaf tensor during backward (leaves keep theirs anyway)."""
        if not self.requires_grad:
            raise RuntimeError(
                "retain_grad: can't retain the gradient of a tensor that doesn't require grad"
            )
        if self.grad_fn is not None:
            self._retains_grad = True
            self.grad_fn._retained = weakref.ref(self)

    # --- in-place operations ------------------------------------------------------------------------
    def _inplace(self, name: str, op, *args) -> Tensor:
        """Compute `op(self, *args)` and write it into self's own buffer, as PyTorch's `x.add_(y)` does.

        Views of the buffer see the change. The write bumps the version counter, so a recorded node that
        saved the old buffer refuses to run backward instead of silently using the new values. When
        recording, the op reads a copy of the old values and `self` takes over the op's place in the graph.
        """
        recording = _grad_enabled and (
            self.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in args)
        )
        base = self if self._base is None else self._base
        if recording and base.requires_grad and base.grad_fn is None:
            what = "a leaf tensor" if base is self else "a view of a leaf tensor"
            raise RuntimeError(
                f"{name}: {what} that requires grad can't be modified in place (autograd "
                f"would lose its value); do it under `with md.no_grad():` or on .data"
            )
        source = self
        if recording:  # the op must see the old values even after the buffer is overwritten
            source = Tensor._wrap(self.data.copy(), grad_fn=self.grad_fn)
            source.requires_grad = self.requires_grad
        result = op(source, *args)
        if result.shape != self.shape:
            raise RuntimeError(
                f"{name}: the result has shape {result.shape} but an in-place operation must keep "
                f"the tensor's shape {self.shape}"
            )
        try:
            np.copyto(self.data, result.data, casting="same_kind")
        except TypeError:
            raise TypeError(
                f"{name}: the result has dtype {result.dtype}, which can't be written in place "
                f"into a tensor of dtype {self.dtype}"
            ) from None
        self._version[0] += 1
        if recording:
            self.grad_fn = result.grad_fn
            self.requires_grad = True
        return self

    def __iadd__(self, other):
        return self._inplace("+=", _ops.add, other)

    def __isub__(self, other):
        return self._inplace("-=", _ops.sub, other)

    def __imul__(self, other):
        return self._inplace("*=", _ops.mul, other)

    def __itruediv__(self, other):
        return self._inplace("/=", _ops.div, other)

    def add_(self, other, alpha=1):
        return self._inplace("add_", lambda s, o: _ops.add(s, _ops.mul(o, alpha)), other)

    def sub_(self, other, alpha=1):
        return self._inplace("sub_", lambda s, o: _ops.sub(s, _ops.mul(o, alpha)), other)

    def mul_(self, other):
        return self._inplace("mul_", _ops.mul, other)

    def div_(self, other):
        return self._inplace("div_", _ops.div, other)

    def copy_(self, src):
        """Copy `src` (broadcast to this shape) into this tensor; the gradient flows to `src`."""
        return self._inplace("copy_", lambda s, v: _ops.add(_ops.mul(s, 0), v), src)

    def fill_(self, value):
        return self._inplace("fill_", lambda s: _ops.add(_ops.mul(s, 0), value))

    def zero_(self):
        return self.fill_(0)

    def clamp_(self, min=None, max=None):
        return self._inplace("clamp_", lambda s: _ops.clip(s, min, max))

    def __setitem__(self, index, value):
        recording = _grad_enabled and (
            self.requires_grad or (isinstance(value, Tensor) and value.requires_grad)
        )
        if not recording:  # nothing to record: write straight into the buffer
            if isinstance(index, Tensor):
                index = index.data
            elif isinstance(index, tuple):
                index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
            try:
                self.data[index] = value.data if isinstance(value, Tensor) else value
            except (IndexError, ValueError, TypeError) as e:
                raise type(e)(
                    f"__setitem__: can't set index {index!r} of a tensor of shape {self.shape}: {e}"
                ) from None
            self._version[0] += 1
            return
        self._inplace("__setitem__", lambda s, v: _ops.index_put(s, index, v), value)

    # --- operators: conveniences over minidl.ops ----------------------------------------------------
    def __add__(self, other):
        return _ops.add(self, other)

    def __radd__(self, other):
        return _ops.add(other, self)

    def __sub__(self, other):
        return _ops.sub(self, other)

    def __rsub__(self, other):
        return _ops.sub(other, self)

    def __mul__(self, other):
        return _ops.mul(self, other)

    def __rmul__(self, other):
        return _ops.mul(other, self)

    def __truediv__(self, other):
        return _ops.div(self, other)

    def __rtruediv__(self, other):
        return _ops.div(other, self)

    def __pow__(self, other):
        return _ops.pow(self, other)

    def __rpow__(self, other):
        return _ops.pow(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        return _ops.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

    def __eq__(self, other):
        return _ops.eq(self, other)

    def __ne__(self, other):
        return _ops.ne(self, other)

    def __lt__(self, other):
        return _ops.lt(self, other)

    def __le__(self, other):
        return _ops.le(self, other)

    def __gt__(self, other):
        return _ops.gt(self, other)

    def __ge__(self, other):
        return _ops.ge(self, other)

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    # --- methods: the PyTorch spelling of minidl.ops functions --------------------------------------
    def sum(self, axis=None, keepdims=False, **kw):
        return _ops.sum(self, axis, keepdims, **kw)

    def mean(self, axis=None, keepdims=False, **kw):
        return _ops.mean(self, axis, keepdims, **kw)

    def max(self, dim=None, keepdim=False, **kw):
        return _ops.max(self, dim, keepdim, **kw)

    def min(self, dim=None, keepdim=False, **kw):
        return _ops.min(self, dim, keepdim, **kw)

    def amax(self, dim=None, keepdim=False, **kw):
        return _ops.amax(self, dim, keepdim, **kw)

    def amin(self, dim=None, keepdim=False, **kw):
        return _ops.amin(self, dim, keepdim, **kw)

    def sort(self, dim=-1, descending=False, stable=False):
        return _ops.sort(self, dim, descending, stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _ops.topk(self, k, dim, largest, sorted)

    def var(self, axis=None, keepdims=False, **kw):
        return _ops.var(self, axis, keepdims, **kw)

    def std(self, axis=None, keepdims=False, **kw):
        return _ops.std(self, axis, keepdims, **kw)

    def logsumexp(self, axis=None, keepdims=False, **kw):
        return _ops.logsumexp(self, axis, keepdims, **kw)

    def argmax(self, axis=None, keepdims=False, **kw):
        return _ops.argmax(self, axis, keepdims, **kw)

    def argmin(self, axis=None, keepdims=False, **kw):
        return _ops.argmin(self, axis, keepdims, **kw)

    def all(self):
        return bool(np.all(self.data))

    def any(self):
        return bool(np.any(self.data))

    def reshape(self, *shape):
        return _ops.reshape(self, *shape)

    def view(self, *shape):
        return _ops.reshape(self, *shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return _ops.flatten(self, start_dim, end_dim)

    def transpose(self, dim0, dim1):
        return _ops.transpose(self, dim0, dim1)

    def permute(self, *dims):
        return _ops.permute(self, *dims)

    def squeeze(self, dim=None):
        return _ops.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _ops.unsqueeze(self, dim)

    def expand(self, *shape):
        return _ops.expand(self, *shape)

    def broadcast_to(self, shape):
        return _ops.broadcast_to(self, shape)

    def matmul(self, other):
        return _ops.matmul(self, other)

    def pow(self, exponent):
        return _ops.pow(self, exponent)

    def exp(self):
        return _ops.exp(self)

    def log(self):
        return _ops.log(self)

    def sqrt(self):
        return _ops.sqrt(self)

    def abs(self):
        return _ops.abs(self)

    def sin(self):
        return _ops.sin(self)

    def cos(self):
        return _ops.cos(self)

    def clip(self, min=None, max=None):
        return _ops.clip(self, min, max)

    clamp = clip

    def maximum(self, other):
        return _ops.maximum(self, other)

    def minimum(self, other):
        return _ops.minimum(self, other)

    def relu(self):
        return _ops.relu(self)

    def sigmoid(self):
        return _ops.sigmoid(self)

    def tanh(self):
        return _ops.tanh(self)

    def softmax(self, dim=-1):
        return _ops.softmax(self, dim)

    def log_softmax(self, dim=-1):
        return _ops.log_softmax(self, dim)

    def to(self, dtype) -> Tensor:
        """This tensor converted to `dtype` (the gradient is converted back)."""
        return _ops.cast(self, dtype)

    def float(self) -> Tensor:
        return _ops.cast(self, np.float32)

    def double(self) -> Tensor:
        return _ops.cast(self, np.float64)

    def long(self) -> Tensor:
        return _ops.cast(self, np.int64)

    def clone(self) -> Tensor:
        """A copy of the data that stays in the graph (the gradient passes straight through)."""
        return _ops.add(self, 0)


# NumPy ufuncs that stand for a Tensor operator (see Tensor.__array_ufunc__)
_UFUNC_OPS = {
    np.add: "add",
    np.subtract: "sub",
    np.multiply: "mul",
    np.true_divide: "div",
    np.power: "pow",
    np.matmul: "matmul",
    np.negative: "neg",
    np.maximum: "maximum",
    np.minimum: "minimum",
    np.equal: "eq",
    np.not_equal: "ne",
    np.less: "lt",
    np.less_equal: "le",
    np.greater: "gt",
    np.greater_equal: "ge",
}

# ----------------------------------------------------------------------------------------------------
# Function: the base of every differentiable primitive
# ----------------------------------------------------------------------------------------------------

_FREED = object()  # marks saved arrays released after a backward without retain_graph


class Function:
    """Base class of autograd primitives. Subclass it with `forward(ctx, ...)` and `backward(ctx, grad)`
    as static methods, and call `YourFn.apply(...)`. An instance is the `ctx` of one recorded call."""

    saved_tensors: tuple = ()
    needs_input_grad: tuple = ()
    _retained = None  # weakref to the output when retain_grad() was called on it
    _saved_versions = ()

    def save_for_backward(self, *arrays) -> None:
        """Keep arrays that backward will need (released after backward unless retain_graph)."""
        self.saved_tensors = arrays

    @staticmethod
    def forward(ctx, *args, **params):
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs, **params) -> Tensor:
        """Run forward on the inputs' arrays; record the call if any input requires grad."""
        ctx = cls()
        arrays, needs = [], []
        for x in inputs:  # a plain loop: this is the hottest path of the engine
            if isinstance(x, Tensor):
                arrays.append(x.data)
                needs.append(x.requires_grad)
            else:
                arrays.append(x)
                needs.append(False)
        ctx.needs_input_grad = needs = tuple(needs)
        out = cls.forward(ctx, *arrays, **params)
        if type(out) is not np.ndarray:  # numpy reductions to 0-d give numpy scalars
            out = np.asarray(out)
        if not (_grad_enabled and True in needs):
            return Tensor._wrap(out)
        edges, meta = [], []
        for x, need in zip(inputs, needs):
            if need:
                edges.append(x.grad_fn or x)  # the node that made x, or the leaf x itself
                meta.append((x.data.shape, x.data.dtype))
            else:
                edges.append(None)
                meta.append(None)
        ctx.next_functions, ctx.input_meta = edges, meta
        result = Tensor._wrap(out, grad_fn=ctx)
        if ctx.saved_tensors:
            ctx._saved_versions = _versions_of_saved(ctx.saved_tensors, inputs, result)
        return result


def _versions_of_saved(saved, inputs, result) -> list:
    """(counter, value) for each tensor whose own buffer was saved, to detect later in-place writes."""
    saved_ids = {id(a) for a in saved}
    return [
        (t._version, t._version[0])
        for t in (*inputs, result)
        if isinstance(t, Tensor) and id(t.data) in saved_ids
    ]


# ----------------------------------------------------------------------------------------------------
# The backward engine
# ----------------------------------------------------------------------------------------------------


def backward(tensor: Tensor, gradient=None, retain_graph: bool = False) -> None:
    """Back-propagate from `tensor`, accumulating into the .grad of every leaf that requires grad.

    `gradient` is dL/dtensor; it may be omitted only when `tensor` has one element (it is then 1).
    After the call the graph's saved arrays are released, unless `retain_graph=True`.
    """
    if not tensor.requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad and has no grad_fn; did you forget "
            "requires_grad=True on an input, or compute it under md.no_grad()?"
        )
    if gradient is None:
        if tensor.data.size != 1:
            raise RuntimeError(
                f"backward: the gradient can be implied only for a tensor with one element; this one "
                f"has shape {tensor.shape}. Pass backward(gradient) with a gradient of that shape"
            )
        grad = np.ones_like(tensor.data)
    else:
        grad = np.asarray(as_array(gradient, tensor.dtype, "backward"))
        if grad.shape != tensor.shape:
            raise RuntimeError(
                f"backward: argument `gradient` has shape {grad.shape} but the tensor has shape "
                f"{tensor.shape}; they must match"
            )
    if tensor.grad_fn is None:
        _accumulate(tensor, grad)
        return
    if tensor._retains_grad:
        tensor.grad_fn._retained = weakref.ref(tensor)

    grads = {tensor.grad_fn: grad}  # node -> dL/d(node's output), summed over its uses
    for node in _topological_order(tensor.grad_fn):
        g = grads.pop(node)
        if node._retained is not None and (out := node._retained()) is not None:
            _accumulate(out, g)
        input_grads = _call_backward(node, g)
        for i, (edge, ig) in enumerate(zip(node.next_functions, input_grads)):
            if edge is None or ig is None:
                continue
            ig = _fit_to_input(ig, node.input_meta[i], node, i)
            if type(edge) is Tensor or isinstance(edge, Tensor):
                _accumulate(edge, ig)
            elif edge in grads:
                grads[edge] = grads[edge] + ig
            else:
                grads[edge] = ig
        if not retain_graph and node.saved_tensors:
            node.saved_tensors = _FREED


def _topological_order(root: Function) -> list:
    """Nodes reachable from `root`, each placed before the nodes that produced its inputs."""
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        for parent in node.next_functions:
            if isinstance(parent, Function) and parent not in seen:
                stack.append((parent, False))
    order.reverse()  # post-order reversed: a node comes before everything it depends on
    return order


def _call_backward(node: Function, grad: np.ndarray) -> tuple:
    name = type(node).__name__
    if node.saved_tensors is _FREED:
        raise RuntimeError(
            f"backward: trying to go back through the graph a second time: the arrays {name} saved "
            f"were freed by the first backward(). Pass retain_graph=True to the first call if you "
            f"need to call backward twice"
        )
    for counter, version in node._saved_versions:
        if counter[0] != version:
            raise RuntimeError(
                f"backward: an array that {name} saved for its gradient has been modified by an "
                f"in-place operation (version {version} when saved, {counter[0]} now). Use an "
                f"out-of-place operation, or .clone() the tensor before modifying it"
            )
    input_grads = type(node).backward(node, grad)
    if not isinstance(input_grads, tuple):
        input_grads = (input_grads,)
    if len(input_grads) != len(node.next_functions):
        raise RuntimeError(
            f"{name}.backward returned {len(input_grads)} gradients but forward had "
            f"{len(node.next_functions)} inputs; return one per input (None where not needed)"
        )
    return input_grads


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum `grad` over the dimensions that broadcasting added or stretched, back to `shape`.

    If y = f(x) broadcast x from `shape`, each x element fed several y elements, so dL/dx is the sum
    of dL/dy over those copies: sum away the leading dimensions, then the dimensions where x had size 1.
    """
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def _fit_to_input(grad, meta, node: Function, index: int) -> np.ndarray:
    """Un-broadcast a returned gradient to its input's shape and dtype, or say which op got it wrong."""
    shape, dtype = meta
    if type(grad) is not np.ndarray:
        grad = np.asarray(grad)
    if grad.shape != shape:
        if grad.ndim >= len(shape):
            grad = unbroadcast(grad, shape)
        if grad.shape != shape:
            raise RuntimeError(
                f"{type(node).__name__}.backward returned a gradient of shape {grad.shape} for input "
                f"{index}, whose shape is {shape}; it must be that shape or broadcast from it"
            )
    if grad.dtype != dtype:
        grad = grad.astype(dtype)
    return grad


def _accumulate(leaf: Tensor, grad: np.ndarray) -> None:
    """leaf.grad += grad (a fresh copy the first time, so later += never writes into someone's array)."""
    if leaf._grad is None:
        leaf._grad = Tensor._wrap(np.array(grad, dtype=leaf.dtype, copy=True))
    else:
        leaf._grad.data += grad


# The ops are built on Tensor and Function above; the operators on Tensor call them.
from minidl import ops as _ops  # noqa: E402
