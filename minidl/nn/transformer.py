"""The Transformer encoder (Vaswani et al., 2017): `TransformerEncoderLayer` and the stack
`TransformerEncoder`, with PyTorch's submodule names (so state dicts load one to one).

One layer, post-norm (PyTorch's default) or pre-norm (`norm_first=True`):

    post-norm:  x ← LN₁(x + SA(x));       x ← LN₂(x + FF(x))
    pre-norm:   x ← x + SA(LN₁(x));       x ← x + FF(LN₂(x))

SA is multi-head self-attention (then dropout), FF(x) = W₂ dropout(act(W₁ x + b₁)) + b₂ (then
dropout). The residual paths are what let gradients reach the first layers of a deep stack.
"""

from __future__ import annotations

import copy

from minidl.autograd import Tensor
from minidl.nn._validation import check_positive
from minidl.nn.attention import MultiheadAttention
from minidl.nn.container import ModuleList
from minidl.nn.dropout import Dropout
from minidl.nn.linear import Linear
from minidl.nn.module import Module
from minidl.nn.normalization import LayerNorm
from minidl.ops.activation import gelu, relu

__all__ = ["TransformerEncoderLayer", "TransformerEncoder"]

_ACTIVATIONS = {"relu": relu, "gelu": gelu}


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward block, each with a residual connection and LayerNorm
    (see the module docstring). Input (L, N, d_model), or (N, L, d_model) with batch_first."""

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation="relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        check_positive("TransformerEncoderLayer", dim_feedforward=dim_feedforward)
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise ValueError(
                    f"TransformerEncoderLayer: activation should be relu/gelu, not {activation!r}"
                )
            activation = _ACTIVATIONS[activation]
        elif not callable(activation):
            raise TypeError(
                f"TransformerEncoderLayer: activation must be 'relu', 'gelu' or a callable; "
                f"received {activation!r}"
            )
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = activation
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def _sa_block(self, x: Tensor, attn_mask, key_padding_mask, is_causal: bool) -> Tensor:
        out, _ = self.self_attn(
            x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
            need_weights=False, is_causal=is_causal,
        )  # fmt: skip
        return self.dropout1(out)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(
        self, src: Tensor, src_mask=None, src_key_padding_mask=None, is_causal: bool = False
    ) -> Tensor:
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))


class TransformerEncoder(Module):
    """`num_layers` copies of `encoder_layer` applied in turn (names `layers.0`, `layers.1`, ...),
    then an optional final `norm`. `enable_nested_tensor` is PyTorch's sparse fast path: accepted,
    ignored (same numbers)."""

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ):
        super().__init__()
        if not isinstance(encoder_layer, Module):
            raise TypeError(
                f"TransformerEncoder: encoder_layer must be a Module; received "
                f"{type(encoder_layer).__name__}"
            )
        check_positive("TransformerEncoder", num_layers=num_layers)
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm

    def forward(
        self, src: Tensor, mask=None, src_key_padding_mask=None, is_causal: bool | None = None
    ) -> Tensor:
        out = src
        for layer in self.layers:
            out = layer(
                out, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                is_causal=bool(is_causal),
            )  # fmt: skip
        return out if self.norm is None else self.norm(out)
