"""`md.linalg`: PyTorch's torch.linalg names for the norms minidl has (vector p-norms and the
Frobenius norm, which for a matrix is the 2-norm of all its elements)."""

from __future__ import annotations

from minidl.ops import norm as _norm
from minidl.tensor import Tensor


def vector_norm(x, ord=2, dim=None, keepdim: bool = False) -> Tensor:
    """(Σ |x|^ord)^(1/ord) over `dim` (all elements when None); ord may be inf or -inf."""
    return _norm(x, ord, dim, keepdim)


def norm(x, ord=None, dim=None, keepdim: bool = False) -> Tensor:
    """ord=None or "fro": the 2-norm of the elements over `dim` (all when None), i.e. the vector
    2-norm or the Frobenius norm; a number: the vector norm over `dim`. Matrix norms of other orders
    (nuclear, spectral) are not implemented."""
    if ord is None or ord == "fro":
        return _norm(x, 2, dim, keepdim)
    if isinstance(dim, (tuple, list)) and len(dim) == 2:
        raise NotImplementedError(
            f"linalg.norm: matrix norms of ord={ord!r} are not implemented; use ord=None ('fro')"
        )
    return _norm(x, ord, dim, keepdim)
