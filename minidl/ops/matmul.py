"""Matrix multiplication with NumPy's rules: 1-D vectors, 2-D matrices, batched and broadcast stacks."""

from __future__ import annotations

import numpy as np

from minidl import kernels
from minidl.autograd import Function
from minidl.ops.elementwise import operand
from minidl.tensor import Tensor


def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A product of two matrices of one float dtype runs on minidl's GEMM kernel (NumPy, Numba or C,
    as `minidl.kernels.set_backend` says); vectors, stacks and mixed dtypes use NumPy's matmul."""
    if (
        a.ndim == 2
        and b.ndim == 2
        and a.dtype == b.dtype
        and a.dtype.kind == "f"
        and a.itemsize >= 4
    ):
        return kernels.matmul(a, b)
    return np.matmul(a, b)


class MatMul(Function):
    """Y = A @ B;  dL/dA = dL/dY @ Bᵀ,  dL/dB = Aᵀ @ dL/dY  (over the last two dimensions).

    A 1-D A is a row vector (1, k) and a 1-D B a column vector (k, 1); the added dimension is removed
    from the result, and from the gradients on the way back.
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _mm(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        a2 = a[None, :] if a.ndim == 1 else a  # (k,) -> (1, k)
        b2 = b[:, None] if b.ndim == 1 else b  # (k,) -> (k, 1)
        g = grad
        if a.ndim == 1 and b.ndim == 1:
            g = np.reshape(g, (1, 1))  # vector @ vector: the 0-d result is the (1, 1) product
        elif a.ndim == 1:
            g = np.expand_dims(g, -2)
        elif b.ndim == 1:
            g = np.expand_dims(g, -1)
        da = db = None
        if ctx.needs_input_grad[0]:
            da = _mm(g, np.swapaxes(b2, -1, -2))  # (..., m, n) @ (..., n, k) -> (..., m, k)
            if a.ndim == 1:
                da = da[..., 0, :]
        if ctx.needs_input_grad[1]:
            db = _mm(np.swapaxes(a2, -1, -2), g)  # (..., k, m) @ (..., m, n) -> (..., k, n)
            if b.ndim == 1:
                db = db[..., 0]
        return da, db  # batch dimensions broadcast from a 2-D input are summed by the engine


def matmul(a, b) -> Tensor:
    """a @ b with NumPy's rules (no 0-d operands; inner dimensions must agree)."""
    a, b = operand(a, "matmul"), operand(b, "matmul")
    sa, sb = np.shape(getattr(a, "data", a)), np.shape(getattr(b, "data", b))
    if len(sa) == 0 or len(sb) == 0:
        raise ValueError(
            f"matmul: both operands need at least 1 dimension; a.shape={sa}, b.shape={sb}"
        )
    ka = sa[-1]
    kb = sb[0] if len(sb) == 1 else sb[-2]
    if ka != kb:
        where_b = "b.shape[0]" if len(sb) == 1 else "b.shape[-2]"
        raise ValueError(
            f"matmul: a.shape[-1] ({ka}) != {where_b} ({kb}); a.shape={sa}, b.shape={sb}"
        )
    try:
        return MatMul.apply(a, b)
    except ValueError:
        raise ValueError(
            f"matmul: the batch dimensions of a.shape={sa} and b.shape={sb} can't be broadcast together"
        ) from None


def mm(a, b) -> Tensor:
    """The product of two matrices (2-D only, as torch.mm; matmul handles the other cases)."""
    for name, x in (("a", a), ("b", b)):
        nd = np.ndim(x.data if isinstance(x, Tensor) else x)
        if nd != 2:
            raise ValueError(f"mm: argument `{name}` must be a matrix (2-D); received {nd}-D")
    return matmul(a, b)
