"""`Embedding`: a learned lookup table from integer ids to vectors."""

from __future__ import annotations

from minidl.autograd import Tensor
from minidl.nn import functional as F
from minidl.nn import init
from minidl.nn.linear import check_positive, empty_parameter
from minidl.nn.module import Module


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

    def reset_parameters(self, generator=None) -> None:
        init.normal_(self.weight, generator=generator)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"
