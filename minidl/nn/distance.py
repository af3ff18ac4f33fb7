"""Similarities and distances between vectors — `normalize`, `cosine_similarity`,
`pairwise_distance` — and the layers `CosineSimilarity`, `PairwiseDistance` (PyTorch's names).
Each is a composition of primitives, so its gradient comes from the engine.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Tensor
from minidl.nn._validation import check_int, check_real, float_input
from minidl.nn.module import Module
from minidl.ops.elementwise import maximum

__all__ = [
    "normalize", "cosine_similarity", "pairwise_distance", "CosineSimilarity", "PairwiseDistance",
]  # fmt: skip


def _broadcast(where: str, a: Tensor, b: Tensor) -> None:
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"{where}: x1 and x2 must broadcast to a common shape; received {tuple(a.shape)} and "
            f"{tuple(b.shape)}"
        ) from None


def _p_norm(x: Tensor, p: float, dim: int, keepdim: bool) -> Tensor:
    """‖x‖_p = (Σ |x_i|^p)^(1/p) along `dim` (p = 2 as √(Σ x²), whose gradient is x/‖x‖)."""
    if p == 2:
        return (x * x).sum(axis=dim, keepdims=keepdim).sqrt()
    if p == 1:
        return x.abs().sum(axis=dim, keepdims=keepdim)
    if p == float("inf"):
        return x.abs().amax(dim=dim, keepdim=keepdim)  # values only (max(dim) is a pair)
    return (x.abs() ** p).sum(axis=dim, keepdims=keepdim) ** (1.0 / p)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """v / max(‖v‖_p, ε) for every vector v along `dim` (unit vectors; ε guards a zero vector)."""
    x = float_input("normalize", input)
    p, eps = check_real("normalize", "p", p), check_real("normalize", "eps", eps)
    return x / maximum(_p_norm(x, p, check_int("normalize", "dim", dim), True), eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """x1 · x2 / (max(‖x1‖₂, ε) · max(‖x2‖₂, ε)) along `dim` (which disappears); x1 and x2
    broadcast against each other."""
    a, b = float_input("cosine_similarity", x1, "x1"), float_input("cosine_similarity", x2, "x2")
    _broadcast("cosine_similarity", a, b)
    dim = check_int("cosine_similarity", "dim", dim)
    eps = check_real("cosine_similarity", "eps", eps)
    dot = (a * b).sum(axis=dim)
    return dot / (maximum(_p_norm(a, 2, dim, False), eps) * maximum(_p_norm(b, 2, dim, False), eps))


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """‖x1 − x2 + ε‖_p over the last dimension (ε keeps the gradient finite at x1 = x2)."""
    a, b = float_input("pairwise_distance", x1, "x1"), float_input("pairwise_distance", x2, "x2")
    _broadcast("pairwise_distance", a, b)
    p = check_real("pairwise_distance", "p", p)
    return _p_norm(a - b + check_real("pairwise_distance", "eps", eps), p, -1, keepdim)


class CosineSimilarity(Module):
    """Cosine similarity along `dim`; see `cosine_similarity`."""

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim = check_int("CosineSimilarity", "dim", dim)
        self.eps = check_real("CosineSimilarity", "eps", eps)

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """p-norm distance between rows; see `pairwise_distance`."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm = check_real("PairwiseDistance", "p", p)
        self.eps = check_real("PairwiseDistance", "eps", eps)
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
