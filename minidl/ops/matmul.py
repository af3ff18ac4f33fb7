"""Matrix multiplication with NumPy's rules: 1-D vectors, 2-D matrices, batched and broadcast stacks."""

from __future__ import annotations

import numpy as np

from minidl import kernels
from minidl.autograd import Function
from minidl.ops.elementwise import operand
from minidl.tensor import Tensor


def matmul_arrays(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for arrays (no autograd). A product of two matrices of one float dtype runs on minidl's
    GEMM kernel (NumPy, Numba or C, as `minidl.kernels.set_backend` says; under "auto", large ones on
    C); vectors, stacks and mixed dtypes use NumPy's matmul."""
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
        return matmul_arrays(a, b)

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
            da = matmul_arrays(
                g, np.swapaxes(b2, -1, -2)
            )  # (..., m, n) @ (..., n, k) -> (..., m, k)
            if a.ndim == 1:
                da = da[..., 0, :]
        if ctx.needs_input_grad[1]:
            db = matmul_arrays(
                np.swapaxes(a2, -1, -2), g
            )  # (..., k, m) @ (..., m, n) -> (..., k, n)
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


def bmm(a, b) -> Tensor:
    """Batched matrix product of (B, n, k) and (B, k, m) tensors (3-D only, as torch.bmm)."""
    sa, sb = (np.shape(x.data if isinstance(x, Tensor) else x) for x in (a, b))
    if len(sa) != 3 or len(sb) != 3 or sa[0] != sb[0]:
        raise ValueError(
            f"bmm: expects two 3-D tensors with the same batch size; a.shape={sa}, b.shape={sb}"
        )
    return matmul(a, b)


def dot(a, b) -> Tensor:
    """Σ_i a_i b_i of two 1-D tensors of one length (torch.dot)."""
    sa, sb = (np.shape(x.data if isinstance(x, Tensor) else x) for x in (a, b))
    if len(sa) != 1 or sa != sb:
        raise ValueError(f"dot: expects two 1-D tensors of the same length; shapes {sa} and {sb}")
    return matmul(a, b)


def outer(a, b) -> Tensor:
    """The outer product a_i b_j of two 1-D tensors (through broadcasting multiplication)."""
    from minidl.ops.elementwise import mul
    from minidl.ops.shape import reshape

    return mul(reshape(a, -1, 1), reshape(b, 1, -1))


class Einsum(Function):
    """y = einsum(spec, x_1, ..., x_n) (NumPy's Einstein summation);
    dL/dx_k = einsum(out, x_others -> letters of x_k)(dL/dy, ...): the same contraction with x_k
    swapped for the gradient, broadcast over any letter only x_k has (it was summed away)."""

    @staticmethod
    def forward(ctx, *xs, inputs, output):
        ctx.inputs, ctx.output = inputs, output
        ctx.save_for_backward(*xs)
        return np.einsum(f"{','.join(inputs)}->{output}", *xs)

    @staticmethod
    def backward(ctx, grad):
        xs, grads = ctx.saved_tensors, []
        for k, (sub, need) in enumerate(zip(ctx.inputs, ctx.needs_input_grad)):
            if not need:
                grads.append(None)
                continue
            others = [s for j, s in enumerate(ctx.inputs) if j != k]
            known = set(ctx.output).union(*others)
            kept = "".join(c for c in sub if c in known)
            spec = ",".join([ctx.output, *others]) + "->" + kept
            g = np.einsum(spec, grad, *(x for j, x in enumerate(xs) if j != k))
            shape = [xs[k].shape[i] if c in known else 1 for i, c in enumerate(sub)]
            grads.append(np.broadcast_to(g.reshape(shape), xs[k].shape))
        return tuple(grads)


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, e.g. einsum("bij,bjk->bik", a, b). The output must be explicit or is
    NumPy's implicit one; no letter may repeat inside one operand (no diagonals) and no '...'."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum: argument `equation` must be a string; received {equation!r}")
    eq = equation.replace(" ", "")
    lhs, _, rhs = eq.partition("->")
    inputs = lhs.split(",")
    if "." in eq or any(len(set(s)) != len(s) for s in inputs):
        raise ValueError(
            f"einsum: '...' and repeated letters within an operand are not supported; received "
            f"{equation!r}"
        )
    if len(inputs) != len(operands):
        raise ValueError(
            f"einsum: {equation!r} names {len(inputs)} operands but {len(operands)} were given"
        )
    if "->" not in eq:  # NumPy's implicit output: the letters used once, in alphabetical order
        letters = "".join(inputs)
        rhs = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    xs = [x if isinstance(x, Tensor) else Tensor(x) for x in operands]
    for s, x in zip(inputs, xs):
        if len(s) != x.ndim:
            raise ValueError(
                f"einsum: operand {s!r} has shape {x.shape}; expected {len(s)} dimensions"
            )
    return Einsum.apply(*xs, inputs=tuple(inputs), output=rhs)
