"""`minidl.nn.functional` (import as F): the stateless forms of the layers and losses.

Layers hold parameters and call these; a model may call them directly:

    h = F.relu(F.linear(x, w1, b1))
    loss = F.cross_entropy(F.linear(h, w2, b2), labels)

The activations and convolution/pooling come from `minidl.ops` (re-exported here under PyTorch's
names); this file adds the layer functions (linear, dropout, batch_norm, layer_norm, embedding,
one_hot), and the losses live in `minidl.nn.losses`, also re-exported here.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Function, Tensor
from minidl.nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from minidl.nn.normalize import batch_norm, layer_norm
from minidl.ops.activation import (
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    softplus,
    tanh,
)
from minidl.ops.conv import avg_pool2d, conv2d, max_pool2d
from minidl.random import as_generator

__all__ = [
    "linear", "dropout", "embedding", "one_hot", "batch_norm", "layer_norm",
    "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh", "softmax", "log_softmax", "softplus",
    "conv2d", "max_pool2d", "avg_pool2d",
    "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits",
]  # fmt: skip


class LinearFunction(Function):
    """y = x Wᵀ + b  for x (..., in), W (out, in), b (out,);  one node instead of three (speed).

    dL/dx = g W,   dL/dW = gᵀ x (summed over all leading dimensions),   dL/db = Σ g.
    """

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        y = x @ weight.T  # (..., in) @ (in, out) -> (..., out)
        if bias is not None:
            y += bias  # y is a fresh array: adding in place saves one temporary
        return y

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        dx = g @ weight if need_x else None
        g2 = g.reshape(-1, g.shape[-1])  # (N·..., out): every leading dim is a batch dim
        dw = g2.T @ x.reshape(-1, x.shape[-1]) if need_w else None  # (out, N) @ (N, in)
        db = g2.sum(axis=0) if need_b else None
        return dx, dw, db


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b (PyTorch's layout: W is (out_features, in_features))."""
    if input.shape[-1:] != weight.shape[1:]:
        raise ValueError(
            f"linear: input's last dimension must equal weight.shape[1] ({weight.shape[1]}); "
            f"received input shape {tuple(input.shape)} and weight shape {tuple(weight.shape)}"
        )
    return LinearFunction.apply(input, weight, bias)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, generator=None) -> Tensor:
    """Inverted dropout: y = x · m / (1 − p) with m_i ~ Bernoulli(1 − p), so E[y] = x.

    Scaling at training time (not at test time) makes evaluation the identity. `generator` is a
    numpy Generator or an int seed (default: the generator set by `md.manual_seed`)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    rng = as_generator(generator, "dropout")
    dtype = input.dtype if input.dtype in (np.float32, np.float64) else np.float64
    keep = rng.random(input.shape, dtype=dtype) >= p
    return input * (keep * np.asarray(1.0 / (1.0 - p), dtype=dtype))


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
