"""Attention: `scaled_dot_product_attention` (PyTorch's F.scaled_dot_product_attention) and the
layer `MultiheadAttention`, as compositions of matmul, softmax and reshapes (the gradients come
from the engine).

    Attention(Q, K, V) = softmax(Q Kᵀ · scale + M) V,      scale = 1/√d  (d = the head size)

M is 0 where a query may look at a key and −∞ where it may not (a causal mask, padding). Multi-head
attention projects the inputs with learned W_q, W_k, W_v, splits the embedding into h heads of
size d = E/h, attends in each head independently, concatenates the heads and projects with W_o.
"""

from __future__ import annotations

import math

import numpy as np

from minidl.autograd import Tensor
from minidl.nn import init
from minidl.nn._validation import check_positive, check_probability, float_input
from minidl.nn.dropout import dropout
from minidl.nn.linear import Linear, LinearFunction, empty_parameter
from minidl.nn.module import Module
from minidl.ops.activation import softmax

__all__ = ["scaled_dot_product_attention", "MultiheadAttention"]


def _additive_mask(mask, where: str, true_means_masked: bool, dtype) -> np.ndarray:
    """A mask as the additive M: bool masks become 0 / −∞, float masks are added as they are."""
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype == np.bool_:
        blocked = m if true_means_masked else ~m
        return np.where(blocked, -np.inf, 0.0).astype(dtype)
    if m.dtype.kind != "f":
        raise TypeError(f"{where}: a mask must be bool or floating point; received dtype {m.dtype}")
    return m.astype(dtype)


def _causal(n_q: int, n_k: int, dtype) -> np.ndarray:
    """M with −∞ above the diagonal: query i sees keys 0..i."""
    return np.where(np.tril(np.ones((n_q, n_k), dtype=bool)), 0.0, -np.inf).astype(dtype)


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask=None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(Q Kᵀ · scale + M) V for Q (..., L, E), K (..., S, E), V (..., S, Ev).

    `attn_mask`: bool (True = may attend, PyTorch's SDPA convention) or float (added to the
    scores), broadcast to (..., L, S); `is_causal` adds the causal mask; `scale` defaults to
    1/√E; `dropout_p` drops attention weights (always applied, as in PyTorch's functional form:
    pass 0.0 at evaluation)."""
    where = "scaled_dot_product_attention"
    q, k, v = (
        float_input(where, t, n) for t, n in ((query, "query"), (key, "key"), (value, "value"))
    )
    if enable_gqa:
        raise NotImplementedError(f"{where}: enable_gqa=True is not supported by minidl")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"{where}: expected query (..., L, E), key (..., S, E) and value (..., S, Ev); "
            f"received {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        )
    if is_causal and attn_mask is not None:
        raise ValueError(f"{where}: pass either attn_mask or is_causal=True, not both")
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = (q @ k.transpose(-2, -1)) * scale  # (..., L, S)
    if is_causal:
        scores = scores + _causal(q.shape[-2], k.shape[-2], scores.dtype)
    elif attn_mask is not None:
        scores = scores + _additive_mask(attn_mask, where, False, scores.dtype)
    weights = softmax(scores, -1)
    if dropout_p > 0:
        weights = dropout(weights, check_probability(where, dropout_p), True)
    return weights @ v


class MultiheadAttention(Module):
    """Multi-head attention, PyTorch's parameters and defaults:

        in_proj_weight (3E, E) = [W_q; W_k; W_v] (xavier uniform), in_proj_bias (3E,) = 0,
        out_proj: Linear(E, E) (its default init, bias 0)

    forward(query (L, N, E), key (S, N, E), value (S, N, E)) — (N, L, E) with batch_first, or
    unbatched (L, E) — returns (output like query, attention weights (N, L, S) averaged over the
    heads, or (N, h, L, S) with average_attn_weights=False, or None with need_weights=False).
    `key_padding_mask` (N, S) and `attn_mask` (L, S) or (N·h, L, S): True (or −∞) = not
    attended. kdim/vdim other than embed_dim, add_bias_kv and add_zero_attn are not supported.
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device=None,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        check_positive("MultiheadAttention", embed_dim=embed_dim, num_heads=num_heads)
        if embed_dim % num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim must be divisible by num_heads; received "
                f"embed_dim={embed_dim}, num_heads={num_heads}"
            )
        if add_bias_kv or add_zero_attn or kdim not in (None, embed_dim) or vdim not in (
            None, embed_dim
        ):  # fmt: skip
            raise NotImplementedError(
                "MultiheadAttention: add_bias_kv, add_zero_attn and kdim/vdim != embed_dim are "
                "not supported by minidl"
            )
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout = check_probability("MultiheadAttention", dropout)
        self.batch_first = batch_first
        self.in_proj_weight = empty_parameter(3 * embed_dim, embed_dim)
        if bias:
            self.in_proj_bias = empty_parameter(3 * embed_dim)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, generator=generator)
        self._reset_parameters(generator)
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def _reset_parameters(self, generator=None) -> None:
        init.xavier_uniform_(self.in_proj_weight, generator=generator)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask=None,
        need_weights: bool = True,
        attn_mask=None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple:
        name, E, h, d = "MultiheadAttention", self.embed_dim, self.num_heads, self.head_dim
        for t, n in ((query, "query"), (key, "key"), (value, "value")):
            float_input(name, t, n)
        batched = query.ndim == 3
        if query.shape[-1] != E or key.shape[-1] != E or value.shape[-1] != E or (
            key.shape != value.shape
        ) or query.ndim not in (2, 3) or key.ndim != query.ndim:  # fmt: skip
            raise ValueError(
                f"{name}({E}, {h}): expected query, key and value with embed_dim {E} as the last "
                f"dimension and key, value of one shape; received {tuple(query.shape)}, "
                f"{tuple(key.shape)}, {tuple(value.shape)}"
            )
        if is_causal and attn_mask is None:
            raise RuntimeError(f"{name}: Need attn_mask if specifying the is_causal hint")
        if not batched:  # (L, E) -> (L, 1, E)
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        elif self.batch_first:  # (N, L, E) -> (L, N, E)
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        L, N, S = query.shape[0], query.shape[1], key.shape[0]

        w, b = self.in_proj_weight, self.in_proj_bias
        q, k, v = (
            LinearFunction.apply(t, w[i * E : (i + 1) * E], None if b is None else b[i * E : (i + 1) * E])
            for i, t in enumerate((query, key, value))
        )  # fmt: skip

        def heads(t: Tensor, n: int) -> Tensor:  # (n, N, E) -> (N·h, n, d)
            return t.reshape(n, N * h, d).transpose(0, 1)

        q, k, v = heads(q, L), heads(k, S), heads(v, S)
        scores = (q * (1.0 / math.sqrt(d))) @ k.transpose(1, 2)  # (N·h, L, S)
        mask = np.zeros((N * h, L, S), dtype=scores.dtype)
        if attn_mask is not None:
            m = _additive_mask(attn_mask, name, True, scores.dtype)
            if m.shape not in ((L, S), (N * h, L, S)):
                raise ValueError(
                    f"{name}: attn_mask must have shape ({L}, {S}) or ({N * h}, {L}, {S}); "
                    f"received {m.shape}"
                )
            mask = mask + m
        if key_padding_mask is not None:
            m = _additive_mask(key_padding_mask, name, True, scores.dtype)
            if m.shape != (N, S):
                raise ValueError(
                    f"{name}: key_padding_mask must have shape ({N}, {S}); received {m.shape}"
                )
            mask = mask + np.repeat(m, h, axis=0)[:, None, :]  # (N, S) -> (N·h, 1, S)
        weights = softmax(scores + mask, -1)
        if self.dropout > 0 and self.training:
            weights = dropout(weights, self.dropout, True)
        out = (weights @ v).transpose(0, 1).reshape(L * N, E)  # heads side by side
        out = self.out_proj(out).reshape(L, N, E)
        if not batched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        weights = weights.reshape(N, h, L, S)
        if average_attn_weights:
            weights = weights.mean(axis=1)
        return out, (weights if batched else weights.squeeze(0))

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"
