"""Reductions over axes: sum, mean, max, min, var, std, logsumexp, argmax, argmin.

Each takes NumPy's `axis`/`keepdims` (PyTorch's `dim`/`keepdim` are accepted too). A reduction's backward
spreads the gradient back over the reduced axes: `expand_back` re-inserts them and broadcasts.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Function
from minidl.ops.elementwise import abs as elementwise_abs
from minidl.ops.elementwise import operand
from minidl.tensor import Tensor


def reduction_args(name: str, ndim: int, axis, keepdims, dim=None, keepdim=None):
    """Normalise (axis | dim, keepdims | keepdim) to (a sorted tuple of axes or None, bool)."""
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{name}: give `axis` or `dim`, not both")
        axis = dim
    if keepdim is not None:
        keepdims = keepdim
    if axis is None:
        return None, bool(keepdims)
    if isinstance(axis, (int, np.integer)):
        axes = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise TypeError(
            f"{name}: argument `dim` (or `axis`) must be an int or tuple of ints; received {axis!r}"
        )
    out = []
    n = ndim or 1  # a 0-d tensor accepts axis 0 or -1, as in PyTorch (this module defines max())
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(
                f"{name}: argument `dim` (or `axis`) must be an int or tuple of ints; received "
                f"{axis!r}"
            )
        if not -n <= a < n:
            raise ValueError(
                f"{name}: axis {a} is out of range for a tensor with {ndim} dimensions "
                f"(expected {-n} <= axis < {n})"
            )
        out.append(int(a) % n)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: argument `axis` repeats an axis; received {axis!r}")
    if ndim == 0:
        return (), bool(keepdims)  # nothing to reduce: the 0-d tensor is its own sum, max, ...
    return tuple(sorted(out)), bool(keepdims)


def expand_back(grad: np.ndarray, shape: tuple, axes, keepdims: bool) -> np.ndarray:
    """Broadcast a reduced gradient back to the input's `shape`."""
    if axes is None:
        axes = tuple(range(len(shape)))
    if not keepdims:
        grad = np.expand_dims(grad, axes)
    return np.broadcast_to(grad, shape)


class Sum(Function):
    """y = Σ_i x_i over the axes;  dy/dx_i = 1 (the gradient is copied to every summed element)."""

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        return np.sum(x, axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        return expand_back(grad, ctx.shape, ctx.axes, ctx.keepdims)


def sum(x, axis=None, keepdims=False, *, dim=None, keepdim=None) -> Tensor:
    """Sum over `axis` (all axes when None)."""
    x = operand(x, "sum")
    x = x if isinstance(x, Tensor) else Tensor(x)
    axes, keepdims = reduction_args("sum", x.ndim, axis, keepdims, dim, keepdim)
    return Sum.apply(x, axes=axes, keepdims=keepdims)


class Mean(Function):
    """y = (1/n) Σ_i x_i over the axes;  dy/dx_i = 1/n."""

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        y = np.mean(x, axis=axes, keepdims=keepdims)
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        ctx.n = x.size // y.size if y.size else 1  # elements averaged into each output
        return y

    @staticmethod
    def backward(ctx, grad):
        return expand_back(grad / ctx.n, ctx.shape, ctx.axes, ctx.keepdims)


def mean(x, axis=None, keepdims=False, *, dim=None, keepdim=None) -> Tensor:
    """Arithmetic mean over `axis` (all axes when None)."""
    x = operand(x, "mean")
    x = x if isinstance(x, Tensor) else Tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"mean: needs a floating-point tensor; received dtype {x.dtype}")
    axes, keepdims = reduction_args("mean", x.ndim, axis, keepdims, dim, keepdim)
    return Mean.apply(x, axes=axes, keepdims=keepdims)


def _reduction_input(x, name: str, need_float: bool = True) -> Tensor:
    x = operand(x, name)
    x = x if isinstance(x, Tensor) else Tensor(x)
    if need_float and x.dtype.kind != "f":
        raise TypeError(f"{name}: needs a floating-point tensor; received dtype {x.dtype}")
    return x


def _route_to_extremes(ctx, grad) -> np.ndarray:
    """Backward of max and min: dL/dy / k to each of the k elements of a slice equal to its y."""
    x, y = ctx.saved_tensors
    hit = x == expand_back(y, x.shape, ctx.axes, ctx.keepdims)
    share = hit / np.sum(hit, axis=ctx.axes, keepdims=True).astype(x.dtype)
    return share * expand_back(grad, x.shape, ctx.axes, ctx.keepdims)


class Amax(Function):
    """y = max_i x_i over the axes;  dy/dx_i = 1/k at the k elements that equal the maximum (ties share
    the gradient evenly, as torch.amax does), 0 elsewhere."""

    pick = staticmethod(np.max)

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        y = ctx.pick(x, axis=axes, keepdims=keepdims)  # ctx is an instance of Amax or Amin
        ctx.save_for_backward(x, y)
        ctx.axes, ctx.keepdims = axes, keepdims
        return y

    backward = staticmethod(_route_to_extremes)


class Amin(Amax):
    """y = min_i x_i over the axes;  dy/dx_i = 1/k at the k elements that equal the minimum, else 0."""

    pick = staticmethod(np.min)


def _extreme(fn: type[Function], name: str, x, axis, keepdims, dim, keepdim) -> Tensor:
    x = _reduction_input(x, name, need_float=False)
    axes, keepdims = reduction_args(name, x.ndim, axis, keepdims, dim, keepdim)
    if x.data.size == 0:
        raise ValueError(f"{name}: the tensor is empty (shape {x.shape}); it has no extreme value")
    return fn.apply(x, axes=axes, keepdims=keepdims)


def amax(x, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:
    """Largest value over `dim` (an int or tuple; all dimensions when None or ()). Values only; the
    gradient is shared evenly among tied maxima (torch.amax)."""
    dim = None if dim == () else dim
    return _extreme(Amax, "amax", x, axis, keepdim, dim, keepdims)


def amin(x, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:
    """Smallest value over `dim` (all dimensions when None or ()); ties share the gradient."""
    dim = None if dim == () else dim
    return _extreme(Amin, "amin", x, axis, keepdim, dim, keepdims)


class Var(Function):
    """y = Σ_i (x_i − x̄)² / (n − c) over the axes (c = correction; 1 gives the unbiased estimate);
    dy/dx_i = 2(x_i − x̄)/(n − c)  (x̄'s own dependence on x_i drops out because Σ_i (x_i − x̄) = 0)."""

    @staticmethod
    def forward(ctx, x, axes, keepdims, correction):
        centered = x - np.mean(x, axis=axes, keepdims=True)
        n = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))  # elements per slice
        d = n - correction if n > correction else 0  # max(0, n − c), as PyTorch
        ctx.save_for_backward(centered)
        ctx.axes, ctx.keepdims = axes, keepdims
        ctx.scale = 2.0 / d if d else np.inf  # a Python float keeps float32 arrays float32
        with np.errstate(divide="ignore", invalid="ignore"):  # d = 0 gives inf/nan, as in PyTorch
            return np.sum(centered * centered, axis=axes, keepdims=keepdims) / d

    @staticmethod
    def backward(ctx, grad):
        (centered,) = ctx.saved_tensors
        g = expand_back(grad, centered.shape, ctx.axes, ctx.keepdims)
        with np.errstate(invalid="ignore"):
            return g * ctx.scale * centered


def var(
    x, axis=None, keepdims=False, *, correction=1, dim=None, keepdim=None, unbiased=None
) -> Tensor:
    """Variance over `axis`, Σ(x − x̄)²/(n − correction); correction=1 (PyTorch's default) is
    the unbiased estimate, correction=0 (or unbiased=False) the population variance (NumPy's)."""
    return _spread(Var, "var", x, axis, keepdims, correction, dim, keepdim, unbiased)


def _spread(fn, name, x, axis, keepdims, correction, dim, keepdim, unbiased) -> Tensor:
    """var and std: normalise the arguments (`unbiased` is PyTorch's older spelling of correction)."""
    x = _reduction_input(x, name)
    if unbiased is not None:
        correction = int(bool(unbiased))
    axes, keepdims = reduction_args(name, x.ndim, axis, keepdims, dim, keepdim)
    if axes is None:
        axes = tuple(range(x.ndim))
    return fn.apply(x, axes=axes, keepdims=keepdims, correction=correction)


class Std(Function):
    """σ = √(Σ_i (x_i − x̄)² / (n − c)) over the axes;  dσ/dx_i = (x_i − x̄) / ((n − c)·σ),
    taken as 0 where σ = 0 (a constant slice), as in PyTorch, so (x − x̄)/(σ + ε) stays finite."""

    @staticmethod
    def forward(ctx, x, axes, keepdims, correction):
        centered = x - np.mean(x, axis=axes, keepdims=True)
        n = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
        d = n - correction if n > correction else 0
        with np.errstate(divide="ignore", invalid="ignore"):  # d = 0 gives inf/nan, as in PyTorch
            sigma = np.sqrt(np.sum(centered * centered, axis=axes, keepdims=True) / d)
        ctx.save_for_backward(centered, sigma)
        ctx.axes, ctx.keepdims = axes, keepdims
        ctx.scale = 1.0 / d if d else np.nan  # no degrees of freedom: NaN gradient, as PyTorch
        return sigma if keepdims else np.squeeze(sigma, axis=axes)

    @staticmethod
    def backward(ctx, grad):
        centered, sigma = ctx.saved_tensors
        g = expand_back(grad, centered.shape, ctx.axes, ctx.keepdims)
        with np.errstate(divide="ignore", invalid="ignore"):
            per = np.where(sigma == 0, 0, ctx.scale / sigma)
        return g * centered * per


def std(x, axis=None, keepdims=False, *, correction=1, dim=None, keepdim=None, unbiased=None):
    """Standard deviation over `axis`, √var (see `var`; `unbiased=False` means correction=0)."""
    return _spread(Std, "std", x, axis, keepdims, correction, dim, keepdim, unbiased)


class Norm(Function):
    """y = (Σ_i |x_i|^p)^(1/p) over the axes (p ≥ 1);  dy/dx_i = sign(x_i)·|x_i|^(p−1) / y^(p−1),
    taken as 0 where y = 0 (PyTorch's subgradient at the origin)."""

    @staticmethod
    def forward(ctx, x, p, axes, keepdims):
        y = np.sum(np.abs(x) ** p, axis=axes, keepdims=True) ** (1.0 / p)
        ctx.save_for_backward(x, y)
        ctx.p, ctx.axes, ctx.keepdims = p, axes, keepdims
        return y if keepdims else np.squeeze(y, axis=axes)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        g = expand_back(grad, x.shape, ctx.axes, ctx.keepdims)
        p = ctx.p
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.sign(x) * np.abs(x) ** (p - 1) / y ** (p - 1)
        return g * np.where(y == 0, 0, share)


def norm(x, p=2, dim=None, keepdim: bool = False) -> Tensor:
    """The p-norm over `dim` (all elements when None): p a number ≥ 1, "fro" (= 2), or inf / -inf
    (the largest / smallest |x|). As in PyTorch, needs a floating-point tensor."""
    x = _reduction_input(x, "norm")
    axes, keepdim = reduction_args("norm", x.ndim, None, keepdim, dim, None)
    if axes is None:
        axes = tuple(range(x.ndim))
    if p == "fro":
        p = 2
    if isinstance(p, str) or isinstance(p, bool) or not isinstance(p, (int, float)):
        raise ValueError(f"norm: argument `p` must be a number >= 1, 'fro' or inf; received {p!r}")
    if np.isinf(p):
        extreme = amax if p > 0 else amin
        return extreme(elementwise_abs(x), dim=axes if axes else None, keepdim=keepdim)
    if p < 1:
        raise ValueError(f"norm: argument `p` must be >= 1 (or inf); received p={p}")
    return Norm.apply(x, p=float(p), axes=axes, keepdims=keepdim)


def _truth(np_fn, name: str, x, dim, keepdim) -> Tensor:
    x = _reduction_input(x, name, need_float=False)
    axes, keepdim = reduction_args(name, x.ndim, None, keepdim, dim, None)
    return Tensor._wrap(np.asarray(np_fn(x.data, axis=axes, keepdims=keepdim)))


def all(x, dim=None, keepdim: bool = False) -> Tensor:
    """True where every element along `dim` (all elements when None) is non-zero; a bool tensor."""
    return _truth(np.all, "all", x, dim, keepdim)


def any(x, dim=None, keepdim: bool = False) -> Tensor:
    """True where some element along `dim` (any element when None) is non-zero; a bool tensor."""
    return _truth(np.any, "any", x, dim, keepdim)


class LogSumExp(Function):
    """y = m + ln Σ_i e^(x_i − m) over the axes (m = max x, so no exponent is positive);
    dy/dx_i = e^(x_i − y) = softmax(x)_i."""

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        m = np.max(x, axis=axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # all −inf (or an inf) slice: shift by 0 instead
        with np.errstate(divide="ignore"):  # ln 0 = −inf for an all −inf slice is the answer
            y = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
        ctx.save_for_backward(x, y)
        ctx.axes, ctx.keepdims = axes, keepdims
        return y if keepdims else np.squeeze(y, axis=axes)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        g = expand_back(grad, x.shape, ctx.axes, ctx.keepdims)
        with np.errstate(invalid="ignore"):  # −inf − (−inf): a slice of only −inf gets no gradient
            return g * np.where(np.isneginf(y), 0, np.exp(x - y))


def logsumexp(x, axis=None, keepdims=False, *, dim=None, keepdim=None) -> Tensor:
    """ln Σ e^x over `axis` (all axes when None), stable for large inputs."""
    x = _reduction_input(x, "logsumexp")
    axes, keepdims = reduction_args("logsumexp", x.ndim, axis, keepdims, dim, keepdim)
    if axes is None:
        axes = tuple(range(x.ndim))
    return LogSumExp.apply(x, axes=axes, keepdims=keepdims)


def _arg_extreme(np_fn, name: str, x, axis, keepdims, dim, keepdim) -> Tensor:
    x = _reduction_input(x, name, need_float=False)
    axes, keepdims = reduction_args(name, x.ndim, axis, keepdims, dim, keepdim)
    if axes is not None and len(axes) != 1:
        raise TypeError(f"{name}: argument `axis` must be a single int or None; received {axis!r}")
    if x.data.size == 0:
        raise ValueError(f"{name}: the tensor is empty (shape {x.shape})")
    a = None if axes is None or x.ndim == 0 else axes[0]
    out = np_fn(x.data, axis=a, keepdims=keepdims)
    return Tensor._wrap(np.asarray(out, dtype=np.int64))


def argmax(x, axis=None, keepdims=False, *, dim=None, keepdim=None) -> Tensor:
    """Index of the largest value along `axis` (of the flattened tensor when None); int64, not
    differentiable. The first index wins a tie."""
    return _arg_extreme(np.argmax, "argmax", x, axis, keepdims, dim, keepdim)


def argmin(x, axis=None, keepdims=False, *, dim=None, keepdim=None) -> Tensor:
    """Index of the smallest value along `axis` (flattened when None); int64, not differentiable."""
    return _arg_extreme(np.argmin, "argmin", x, axis, keepdims, dim, keepdim)
