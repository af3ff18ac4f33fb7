"""Tensor: an n-dimensional NumPy array (`.data`) that remembers the Function that made it.

Almost every method here is a one-line call into `minidl.ops`, spelled as PyTorch spells it
(`t.sum(dim=1)`, `t.view(-1)`, `t.max(1)`, `t.to(md.float64)`); the ops are where the forward and
backward formulas live, and `minidl.autograd` is where gradients are computed. The methods are grouped
by kind: facts about the array, autograd, in-place writes, operators, then the ops as methods, then
conversions (dtype and device).

minidl runs on the CPU: `t.device` is always `md.device("cpu")`, `t.to("cpu")` and `t.cpu()` are
no-ops, and any other device is refused with an error that says so.
"""

from __future__ import annotations

import weakref

import numpy as np

from minidl import autograd, dtypes
from minidl.device import CPU, as_device


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


def check_can_require_grad(dtype: np.dtype, where: str) -> None:
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


class _RemovableHandle:
    """What register_hook returns: `handle.remove()` unregisters the hook."""

    def __init__(self, hooks: list, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self) -> None:
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


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
            check_can_require_grad(array.dtype, "Tensor")
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
        t._hooks = None  # functions registered by register_hook, run on this leaf's gradient

    @classmethod
    def _wrap(cls, array: np.ndarray, grad_fn=None, version=None) -> Tensor:
        """Wrap an array without copying or checking (internal: the result of an op)."""
        t = object.__new__(Tensor)
        Tensor._init_fields(t, array, grad_fn is not None, grad_fn, version)
        return t

    # === facts about the array ========================================================================
    shape = property(lambda self: self.data.shape, doc="The shape, a tuple of ints.")
    dtype = property(
        lambda self: self.data.dtype, doc="The dtype (a NumPy dtype, e.g. md.float32)."
    )
    ndim = property(lambda self: self.data.ndim, doc="The number of dimensions.")
    device = property(lambda self: CPU, doc="Always md.device('cpu'): minidl runs on the CPU.")
    is_cuda = property(lambda self: False, doc="Always False: minidl runs on the CPU.")

    @property
    def size(self) -> _Size:
        """Number of elements (NumPy); call it, `t.size()` or `t.size(dim)`, for the shape (PyTorch)."""
        return _Size(self.data.shape)

    def numel(self) -> int:
        """The number of elements."""
        return self.data.size

    def dim(self) -> int:
        return self.data.ndim

    def element_size(self) -> int:
        """Bytes per element."""
        return self.data.itemsize

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

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
        """The values as (nested lists of) Python numbers."""
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
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
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

    def __index__(self) -> int:
        """A one-element integer tensor can stand for an int (range(t), lst[t]), as in PyTorch."""
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError(
                f"only integer tensors of a single element can be converted to an index; this one "
                f"has dtype {self.dtype} and shape {self.shape}"
            )
        return int(self.data.item())

    def __format__(self, spec: str) -> str:
        """f"{loss:.4f}": a 0-d tensor formats as its Python number (PyTorch's rule)."""
        if self.ndim == 0:
            return self.data.item().__format__(spec)
        if spec:
            raise TypeError(
                f"unsupported format string {spec!r} for a tensor of shape {self.shape}; format "
                f"t.item() (one element) or t.tolist()"
            )
        return repr(self)

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

    # === autograd =====================================================================================
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

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        """Accumulate d(self)/d(leaf) · gradient into every leaf's .grad (minidl.autograd.backward)."""
        autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def register_hook(self, hook) -> _RemovableHandle:
        """Call `hook(grad)` with this tensor's gradient whenever backward computes it; a hook that
        returns a Tensor replaces the gradient. Returns a handle whose remove() unregisters it."""
        if not self.requires_grad:
            raise RuntimeError(
                "register_hook: can't register a hook on a tensor that doesn't require grad"
            )
        if not callable(hook):
            raise TypeError(f"register_hook: argument `hook` must be callable; received {hook!r}")
        owner = self if self.grad_fn is None else self.grad_fn  # a leaf, or the node making self
        if owner._hooks is None:
            owner._hooks = []
        owner._hooks.append(hook)
        return _RemovableHandle(owner._hooks, hook)

    def detach(self) -> Tensor:
        """The same data (shared, not copied), cut off from the graph."""
        return Tensor._wrap(self.data, version=self._version)

    def detach_(self) -> Tensor:
        """Cut this tensor off from the graph, in place (it becomes a leaf)."""
        self.grad_fn, self.requires_grad = None, False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set requires_grad on a leaf, in place."""
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad_: only leaf tensors can change requires_grad; use .detach() to "
                "get a leaf from a computed tensor"
            )
        if requires_grad:
            check_can_require_grad(self.dtype, "requires_grad_")
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

    # === in-place writes ==============================================================================
    def _inplace(self, name: str, op, *args) -> Tensor:
        """Compute `op(self, *args)` and write it into self's own buffer, as PyTorch's `x.add_(y)` does.

        Views of the buffer see the change. The write bumps the version counter, so a recorded node that
        saved the old buffer refuses to run backward instead of silently using the new values. When
        recording, the op reads a copy of the old values and `self` takes over the op's place in the graph.
        """
        recording = autograd.is_grad_enabled() and (
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
        return self._inplace("add_", lambda s, o: _ops.add(s, _scaled(o, alpha)), other)

    def sub_(self, other, alpha=1):
        return self._inplace("sub_", lambda s, o: _ops.sub(s, _scaled(o, alpha)), other)

    def mul_(self, other):
        return self._inplace("mul_", _ops.mul, other)

    def div_(self, other):
        return self._inplace("div_", _ops.div, other)

    def pow_(self, exponent):
        return self._inplace("pow_", _ops.pow, exponent)

    def copy_(self, src, non_blocking: bool = False):
        """Copy `src` (broadcast to this shape) into this tensor; the gradient flows to `src`."""
        return self._inplace("copy_", lambda s, v: _ops.add(_ops.mul(s, 0), v), src)

    def fill_(self, value):
        return self._inplace("fill_", lambda s: _ops.add(_ops.mul(s, 0), value))

    def zero_(self):
        """Fill with zeros, in place (what `p.grad.zero_()` runs)."""
        if not self.requires_grad:  # the common case (a gradient): no graph to keep
            self.data[...] = 0
            self._version[0] += 1
            return self
        return self.fill_(0)

    def clamp_(self, min=None, max=None):
        return self._inplace("clamp_", lambda s: _ops.clip(s, min, max))

    clip_ = clamp_

    def masked_fill_(self, mask, value):
        return self._inplace("masked_fill_", lambda s: _ops.masked_fill(s, mask, value))

    def __setitem__(self, index, value):
        recording = autograd.is_grad_enabled() and (
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

    # === operators ====================================================================================
    __add__ = lambda self, other: _ops.add(self, other)  # noqa: E731
    __radd__ = lambda self, other: _ops.add(other, self)  # noqa: E731
    __sub__ = lambda self, other: _ops.sub(self, other)  # noqa: E731
    __rsub__ = lambda self, other: _ops.sub(other, self)  # noqa: E731
    __mul__ = lambda self, other: _ops.mul(self, other)  # noqa: E731
    __rmul__ = lambda self, other: _ops.mul(other, self)  # noqa: E731
    __truediv__ = lambda self, other: _ops.div(self, other)  # noqa: E731
    __rtruediv__ = lambda self, other: _ops.div(other, self)  # noqa: E731
    __floordiv__ = lambda self, other: _ops.floor_divide(self, other)  # noqa: E731
    __rfloordiv__ = lambda self, other: _ops.floor_divide(other, self)  # noqa: E731
    __mod__ = lambda self, other: _ops.remainder(self, other)  # noqa: E731
    __rmod__ = lambda self, other: _ops.remainder(other, self)  # noqa: E731
    __pow__ = lambda self, other: _ops.pow(self, other)  # noqa: E731
    __rpow__ = lambda self, other: _ops.pow(other, self)  # noqa: E731
    __matmul__ = lambda self, other: _ops.matmul(self, other)  # noqa: E731
    __rmatmul__ = lambda self, other: _ops.matmul(other, self)  # noqa: E731
    __neg__ = lambda self: _ops.neg(self)  # noqa: E731
    __pos__ = lambda self: self  # noqa: E731
    __abs__ = lambda self: _ops.abs(self)  # noqa: E731
    __invert__ = lambda self: _ops.logical_not(self)  # noqa: E731
    __and__ = lambda self, other: _ops.logical_and(self, other)  # noqa: E731
    __or__ = lambda self, other: _ops.logical_or(self, other)  # noqa: E731
    __xor__ = lambda self, other: _ops.logical_xor(self, other)  # noqa: E731
    __eq__ = lambda self, other: _ops.eq(self, other)  # noqa: E731
    __ne__ = lambda self, other: _ops.ne(self, other)  # noqa: E731
    __lt__ = lambda self, other: _ops.lt(self, other)  # noqa: E731
    __le__ = lambda self, other: _ops.le(self, other)  # noqa: E731
    __gt__ = lambda self, other: _ops.gt(self, other)  # noqa: E731
    __ge__ = lambda self, other: _ops.ge(self, other)  # noqa: E731
    __getitem__ = lambda self, index: _ops.getitem(self, index)  # noqa: E731

    # === the ops as methods (PyTorch's spelling; the docstrings are in minidl.ops) ====================
    # reductions
    def sum(self, *args, **kw):
        return _reduce(_ops.sum, self, args, kw)

    def mean(self, *args, **kw):
        return _reduce(_ops.mean, self, args, kw)

    def max(self, *args, **kw):
        return _reduce(_ops.max, self, args, kw)

    def min(self, *args, **kw):
        return _reduce(_ops.min, self, args, kw)

    def amax(self, *args, **kw):
        return _reduce(_ops.amax, self, args, kw)

    def amin(self, *args, **kw):
        return _reduce(_ops.amin, self, args, kw)

    def var(self, *args, **kw):
        return _reduce(_ops.var, self, args, kw)

    def std(self, *args, **kw):
        return _reduce(_ops.std, self, args, kw)

    def norm(self, p=2, dim=None, keepdim=False):
        return _ops.norm(self, p, dim, keepdim)

    def logsumexp(self, *args, **kw):
        return _reduce(_ops.logsumexp, self, args, kw)

    def argmax(self, *args, **kw):
        return _reduce(_ops.argmax, self, args, kw)

    def argmin(self, *args, **kw):
        return _reduce(_ops.argmin, self, args, kw)

    def sort(self, dim=-1, descending=False, stable=False):
        return _ops.sort(self, dim, descending, stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _ops.topk(self, k, dim, largest, sorted)

    def all(self, dim=None, keepdim=False):
        return _ops.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return _ops.any(self, dim, keepdim)

    # shape
    def reshape(self, *shape):
        return _ops.reshape(self, *shape)

    view = reshape

    def view_as(self, other):
        return _ops.reshape(self, other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return _ops.flatten(self, start_dim, end_dim)

    def transpose(self, dim0, dim1):
        return _ops.transpose(self, dim0, dim1)

    def t(self):
        return _ops.t(self)

    def permute(self, *dims):
        return _ops.permute(self, *dims)

    def squeeze(self, dim=None):
        return _ops.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _ops.unsqueeze(self, dim)

    def expand(self, *shape):
        return _ops.expand(self, *shape)

    def expand_as(self, other):
        return _ops.expand(self, other.shape)

    def broadcast_to(self, shape):
        return _ops.broadcast_to(self, shape)

    def repeat(self, *sizes):
        return _ops.repeat(self, *sizes)

    def flip(self, *dims):
        return _ops.flip(self, *dims)

    def roll(self, shifts, dims=None):
        return _ops.roll(self, shifts, dims)

    def split(self, split_size, dim=0):
        return _ops.split(self, split_size, dim)

    def chunk(self, chunks, dim=0):
        return _ops.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return _ops.unbind(self, dim)

    def contiguous(self):
        """minidl's arrays need no layout change for any op: returns self."""
        return self

    # selecting
    def gather(self, dim, index):
        return _ops.gather(self, dim, index)

    def scatter_add(self, dim, index, src):
        return _ops.scatter_add(self, dim, index, src)

    def index_select(self, dim, index):
        return _ops.index_select(self, dim, index)

    def masked_fill(self, mask, value):
        return _ops.masked_fill(self, mask, value)

    def nonzero(self, as_tuple=False):
        return _ops.nonzero(self, as_tuple=as_tuple)

    def diag(self, diagonal=0):
        return _ops.diag(self, diagonal)

    def tril(self, diagonal=0):
        return _ops.tril(self, diagonal)

    def triu(self, diagonal=0):
        return _ops.triu(self, diagonal)

    # math
    def matmul(self, other):
        return _ops.matmul(self, other)

    def mm(self, other):
        return _ops.mm(self, other)

    def pow(self, exponent):
        return _ops.pow(self, exponent)

    def add(self, other, alpha=1):
        return _ops.add(self, _scaled(other, alpha))

    def sub(self, other, alpha=1):
        return _ops.sub(self, _scaled(other, alpha))

    def mul(self, other):
        return _ops.mul(self, other)

    def div(self, other):
        return _ops.div(self, other)

    def neg(self):
        return _ops.neg(self)

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

    def square(self):
        return _ops.square(self)

    def rsqrt(self):
        return _ops.rsqrt(self)

    def log1p(self):
        return _ops.log1p(self)

    def expm1(self):
        return _ops.expm1(self)

    def tan(self):
        return _ops.tan(self)

    def sign(self):
        return _ops.sign(self)

    def floor(self):
        return _ops.floor(self)

    def ceil(self):
        return _ops.ceil(self)

    def round(self):
        return _ops.round(self)

    def cumsum(self, dim):
        return _ops.cumsum(self, dim)

    def prod(self, dim=None, keepdim=False):
        return _ops.prod(self, dim, keepdim)

    def bmm(self, other):
        return _ops.bmm(self, other)

    def dot(self, other):
        return _ops.dot(self, other)

    # comparisons (bool results, not differentiable)
    def eq(self, other):
        return _ops.eq(self, other)

    def ne(self, other):
        return _ops.ne(self, other)

    def lt(self, other):
        return _ops.lt(self, other)

    def le(self, other):
        return _ops.le(self, other)

    def gt(self, other):
        return _ops.gt(self, other)

    def ge(self, other):
        return _ops.ge(self, other)

    def isnan(self):
        return _ops.isnan(self)

    def isinf(self):
        return _ops.isinf(self)

    def isfinite(self):
        return _ops.isfinite(self)

    def equal(self, other) -> bool:
        return _ops.equal(self, other)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
        return _ops.allclose(self, other, rtol, atol, equal_nan)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _ops.isclose(self, other, rtol, atol, equal_nan)

    # === conversions: dtype and device ================================================================
    def to(self, *args, **kwargs) -> Tensor:
        """PyTorch's overloads: to(dtype), to(device), to(device, dtype), to(other_tensor), each
        with `non_blocking` (ignored) and `copy`. Returns self when nothing changes (and not copy);
        a dtype change is differentiable (the gradient is converted back)."""
        dtype, copy = _parse_to(args, kwargs)
        out = self if dtype is None or dtype == self.dtype else _ops.cast(self, dtype)
        return out.clone() if copy and out is self else out

    def type(self, dtype=None):
        """With no argument, PyTorch's type name ('torch.FloatTensor'); with a dtype (or such a
        name), this tensor converted to it."""
        if dtype is None:
            return _TYPE_NAMES.get(self.dtype, f"minidl.{self.dtype}")
        if isinstance(dtype, str):
            names = {v: k for k, v in _TYPE_NAMES.items()}
            if dtype not in names:
                raise TypeError(f"type: unknown type name {dtype!r}; known: {sorted(names)}")
            dtype = names[dtype]
        return self.to(dtype)

    def float(self) -> Tensor:
        return _ops.cast(self, np.float32)

    def double(self) -> Tensor:
        return _ops.cast(self, np.float64)

    def half(self) -> Tensor:
        return _ops.cast(self, np.float16)

    def long(self) -> Tensor:
        return _ops.cast(self, np.int64)

    def int(self) -> Tensor:
        return _ops.cast(self, np.int32)

    def bool(self) -> Tensor:
        return _ops.cast(self, np.bool_)

    def cpu(self) -> Tensor:
        """minidl tensors live on the CPU already: returns self."""
        return self

    def cuda(self, device=None, non_blocking: bool = False) -> Tensor:
        """Refused: minidl runs on the CPU."""
        as_device("cuda" if device is None else device, "cuda")
        return self  # not reached: as_device refuses every device but the CPU

    def clone(self) -> Tensor:
        """A copy of the data that stays in the graph (the gradient passes straight through)."""
        return _ops.clone(self)

    # new tensors with this one's dtype (PyTorch's new_* methods)
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False) -> Tensor:
        return _creation.tensor(data, dtype or self.dtype, device, requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        return _creation.zeros(*size, dtype=dtype or self.dtype, device=device,
                               requires_grad=requires_grad)  # fmt: skip

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        return _creation.ones(*size, dtype=dtype or self.dtype, device=device,
                              requires_grad=requires_grad)  # fmt: skip

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
        return _creation.full(size, fill_value, dtype or self.dtype, device, requires_grad)


_TYPE_NAMES = {
    dtypes.float32: "torch.FloatTensor",
    dtypes.float64: "torch.DoubleTensor",
    dtypes.float16: "torch.HalfTensor",
    dtypes.int64: "torch.LongTensor",
    dtypes.int32: "torch.IntTensor",
    dtypes.int16: "torch.ShortTensor",
    dtypes.int8: "torch.CharTensor",
    dtypes.uint8: "torch.ByteTensor",
    dtypes.bool_: "torch.BoolTensor",
}


def _reduce(op, t: Tensor, args: tuple, kw: dict):
    """A reduction method, also as NumPy calls it (np.sum(t), np.max(t) pass out=None, and maybe
    dtype=): `dtype` converts first, as in PyTorch; a real `out` array is refused."""
    if kw.pop("out", None) is not None:
        raise TypeError(f"{op.__name__}: argument `out` is not supported; use the returned tensor")
    dtype = kw.pop("dtype", None)
    return op(t if dtype is None else t.to(dtype), *args, **kw)


def _scaled(other, alpha):
    """alpha · other for add/sub's `alpha` (other unchanged when alpha is 1)."""
    return other if alpha == 1 else _ops.mul(other, alpha)


def _parse_to(args: tuple, kwargs: dict):
    """(dtype or None, copy) from Tensor.to's arguments; devices are checked (only the CPU)."""
    extra = set(kwargs) - {"device", "dtype", "non_blocking", "copy", "memory_format"}
    if extra:
        raise TypeError(f"to: unexpected keyword argument(s) {sorted(extra)}")
    dtype, copy = kwargs.get("dtype"), bool(kwargs.get("copy", False))
    if kwargs.get("device") is not None:
        as_device(kwargs["device"], "to")
    rest = list(args)
    if rest and isinstance(rest[0], Tensor):  # to(other): other's dtype (and device)
        dtype = rest.pop(0).dtype
    elif rest and not _is_dtype_like(rest[0]):  # to(device, [dtype])
        as_device(rest.pop(0), "to")
    if rest and _is_dtype_like(rest[0]):
        dtype = rest.pop(0)
    if rest and isinstance(rest[0], bool):  # to(dtype, non_blocking, copy) positionally
        rest.pop(0)
        if rest and isinstance(rest[0], bool):
            copy = rest.pop(0)
    if rest:
        raise TypeError(
            f"to: can't interpret the arguments {args!r}; expected to(dtype), to(device), "
            f"to(device, dtype) or to(tensor)"
        )
    return (None if dtype is None else dtypes.to_dtype(dtype, "to")), copy


def _is_dtype_like(x) -> bool:
    if isinstance(x, (str, bool)) or x is None:
        return False
    try:
        np.dtype(x)
    except TypeError:
        return False
    return True


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

# The ops are built on Tensor and Function; the operators above call them.
from minidl import creation as _creation  # noqa: E402
from minidl import ops as _ops  # noqa: E402
