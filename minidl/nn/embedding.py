"""`Embedding`: a learned lookup table from integer ids to vectors, its functional form
`embedding`, and `one_hot` (the same lookup into an identity matrix)."""

from __future__ import annotations

import numpy as np

from minidl.autograd import Function, Tensor
from minidl.nn import init
from minidl.nn._validation import check_positive
from minidl.nn.linear import empty_parameter
from minidl.nn.module import Module

__all__ = ["embedding", "one_hot", "Embedding"]


class EmbeddingFunction(Function):
    """y = W[idx] (a row lookup);  dL/dW[k] = Σ of dL/dy over the positions where idx = k.

    The row `padding_idx` receives no gradient (its vector stays as it is, typically zeros)."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx):
        ctx.indices, ctx.shape, ctx.padding_idx = indices, weight.shape, padding_idx
        return weight[indices]  # (*idx.shape, embedding_dim)

    @staticmethod
    def backward(ctx, g):
        dw = np.zeros(ctx.shape, dtype=g.dtype)
        # add.at, not +=: a row picked twice must receive both gradients
        np.add.at(dw, ctx.indices.reshape(-1), g.reshape(-1, ctx.shape[1]))
        if ctx.padding_idx is not None:
            dw[ctx.padding_idx] = 0
        return dw, None, None


def _int_array(x, where: str, arg: str) -> np.ndarray:
    arr = x.data if isinstance(x, Tensor) else np.asarray(x)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{where}: argument `{arg}` must hold integers; received dtype {arr.dtype}")
    return arr


def embedding(input, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Look up rows of `weight` (num_embeddings, embedding_dim) by the integer indices `input`."""
    idx = _int_array(input, "embedding", "input")
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"embedding: index {bad} is out of range for {n} embeddings (0..{n - 1})")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    return EmbeddingFunction.apply(weight, idx, padding_idx)


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """Integer labels (...) -> int64 one-hot codes (..., num_classes); -1 infers max(label) + 1."""
    labels = _int_array(tensor, "one_hot", "tensor")
    if num_classes == -1:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"one_hot: class values must be in [0, {num_classes}); received min {labels.min()}, "
            f"max {labels.max()}"
        )
    out = np.zeros((*labels.shape, num_classes), dtype=np.int64)
    np.put_along_axis(out, labels[..., None], 1, axis=-1)
    return Tensor._wrap(out)


class Embedding(Module):
    """y = W[idx]: row idx of W (num_embeddings, embedding_dim) for each integer in the input.

    Equivalent to one_hot(idx) @ W, without building the one-hot matrix. Initialised W ~ N(0, 1) as
    in PyTorch; the row `padding_idx` (if given) starts at zero and receives no gradient.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        device=None,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        check_positive("Embedding", num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx must be within num_embeddings ({num_embeddings}); "
                    f"received padding_idx={padding_idx}"
                )
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = padding_idx
        self.weight = empty_parameter(num_embeddings, embedding_dim)
        self.reset_parameters(generator)
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    @classmethod
    def from_pretrained(
        cls, embeddings, freeze: bool = True, padding_idx: int | None = None
    ) -> Embedding:
        """An Embedding whose table is `embeddings` (num_embeddings, embedding_dim), copied;
        `freeze=True` (the default) sets requires_grad=False, so fine-tuning leaves it alone."""
        table = embeddings.data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if table.ndim != 2 or table.dtype.kind != "f":
            raise ValueError(
                "Embedding.from_pretrained: `embeddings` must be a 2-D floating-point tensor "
                f"(num_embeddings, embedding_dim); received shape {table.shape}, dtype {table.dtype}"
            )
        layer = cls(*table.shape, padding_idx=padding_idx, dtype=table.dtype)
        layer.weight.data[...] = table  # the given rows, padding row included (as PyTorch)
        layer.weight.requires_grad = not freeze
        return layer

    def reset_parameters(self, generator=None) -> None:
        init.normal_(self.weight, generator=generator)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input) -> Tensor:
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"
