"""Dynamic post-training quantisation of Linear layers (PyTorch's `quantize_dynamic`).

    qmodel = quantize_dynamic(model, {nn.Linear}, dtype=md.qint8)
    model_size_bytes(model), model_size_bytes(qmodel)       # ~4x smaller Linear weights

Weights are quantised once, ahead of time, to int8 (symmetric: zero point 0, per tensor or per
output row). Activations are quantised *dynamically*: for each call, the input's own min and max
(widened to include 0) give a uint8 scale s_x and zero point z_x. Then, for y = x Wᵀ + b,

    acc_ij = Σ_k q_x[i,k] · q_w[j,k]  −  z_x · Σ_k q_w[j,k]     (int32: exact integer arithmetic)
    y_ij   = s_x · s_w[j] · acc_ij + b_j                         (back to float32)

(the second term, the zero-point correction, depends only on the weights and is precomputed: it is
how real kernels avoid subtracting z_x from every input). The only errors are the two roundings.

What real int8 kernels (fbgemm on x86, QNNPACK/XNNPACK on ARM) do that NumPy here does not: they
multiply 8-bit integers in SIMD instructions — AVX-512 VNNI's VPDPBUSD does 64 uint8×int8
multiply-adds into int32 per instruction, 4x the float32 rate — keep the packed weights in a
cache-blocked layout, and fuse quantising the input, the GEMM and the rescaling in one pass. On
CPUs without VNNI, fbgemm's VPMADDUBSW sums pairs of products in int16, which can saturate, so
PyTorch's x86 default halves the activation range (`reduce_range=True`, 7-bit activations); NumPy's
int32 matmul cannot overflow below K ≈ 65 000 inputs, so we keep the full 8 bits. NumPy has no int8
GEMM at all: here the int32 matmul is *slower* than the float one. The saving shown is memory.
"""

from __future__ import annotations

import copy

import numpy as np

from minidl.autograd import Tensor
from minidl.nn.linear import Linear as _FloatLinear
from minidl.nn.module import Module
from minidl.quantization.observer import MinMaxObserver, PerChannelMinMaxObserver
from minidl.quantization.qtensor import (
    QTensor,
    per_channel_symmetric,
    per_tensor_affine,
    per_tensor_symmetric,
    qint8,
    quantize_per_channel,
    quantize_per_tensor,
    quint8,
)


def _quantize_weight(w: np.ndarray, per_channel: bool) -> QTensor:
    """int8 symmetric weights (PyTorch's default dynamic weight observers)."""
    if per_channel:
        obs = PerChannelMinMaxObserver(0, dtype=qint8, qscheme=per_channel_symmetric)
        obs(w)
        scale, zp = obs.calculate_qparams()
        return quantize_per_channel(w, scale.data, zp.data, 0, qint8)
    obs = MinMaxObserver(dtype=qint8, qscheme=per_tensor_symmetric)
    obs(w)
    scale, zp = obs.calculate_qparams()
    return quantize_per_tensor(w, float(scale.data[0]), int(zp.data[0]), qint8)


class DynamicQuantizedLinear(Module):
    """A Linear layer with int8 weights, computing as the module docstring says. Its state is
    buffers (int8 weight, float32 scales, int64 zero points, float32 bias); it is inference only
    (no gradients flow through integers)."""

    def __init__(self, linear: _FloatLinear, per_channel: bool = False):
        super().__init__()
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.per_channel = per_channel
        q = _quantize_weight(linear.weight.data, per_channel)
        self.register_buffer("weight_int8", q.int_repr())
        self.register_buffer("weight_scale", Tensor(np.atleast_1d(q._scale).astype(np.float32)))
        self.register_buffer("weight_zero_point", Tensor(np.atleast_1d(q._zero_point)))
        bias = None if linear.bias is None else Tensor(linear.bias.data.astype(np.float32))
        self.register_buffer("bias", bias)
        # Σ_k q_w[j, k]: the zero-point correction's weight half, computed once
        self._row_sums = self.weight_int8.data.astype(np.int32).sum(axis=1)

    def weight(self) -> QTensor:
        """The quantised weight (PyTorch's quantised Linear exposes it as a method too)."""
        axis = 0 if self.per_channel else None
        scale = self.weight_scale.data if self.per_channel else self.weight_scale.data[0]
        zp = self.weight_zero_point.data if self.per_channel else self.weight_zero_point.data[0]
        return QTensor(self.weight_int8.data, scale, zp, qint8, axis=axis)

    def forward(self, x: Tensor) -> Tensor:
        a = np.asarray(x.data if isinstance(x, Tensor) else x, dtype=np.float32)
        if a.shape[-1] != self.in_features:
            raise ValueError(
                f"DynamicQuantizedLinear: expected input (..., {self.in_features}); got {a.shape}"
            )
        obs = MinMaxObserver(dtype=quint8, qscheme=per_tensor_affine)  # this batch's range
        obs(a)
        s_x, z_x = obs.calculate_qparams()
        s_x, z_x = float(s_x.data[0]), int(z_x.data[0])
        q_x = quantize_per_tensor(a, s_x, z_x, quint8).int_repr().data
        flat = q_x.reshape(-1, self.in_features).astype(np.int32)
        acc = flat @ self.weight_int8.data.astype(np.int32).T - z_x * self._row_sums  # int32
        y = acc.astype(np.float32) * (np.float32(s_x) * self.weight_scale.data)
        if self.bias is not None:
            y = y + self.bias.data
        return Tensor(y.reshape(*a.shape[:-1], self.out_features).astype(np.float32))

    def extra_repr(self) -> str:
        scheme = "per_channel" if self.per_channel else "per_tensor"
        return f"in_features={self.in_features}, out_features={self.out_features}, {scheme}, qint8"


def quantize_dynamic(
    model: Module,
    qconfig_spec=None,
    dtype=qint8,
    mapping=None,
    inplace: bool = False,
    per_channel: bool = False,
) -> Module:
    """A copy of `model` (the model itself if `inplace`) whose layers of the types in
    `qconfig_spec` (default {nn.Linear}; only Linear is supported) are `DynamicQuantizedLinear`.
    `per_channel` (minidl's keyword; PyTorch selects it with a qconfig) gives each output row its
    own weight scale. The float model is left unchanged."""
    if dtype is not qint8:
        raise ValueError(f"quantize_dynamic: only dtype=md.qint8 is supported; received {dtype!r}")
    if mapping is not None:
        raise ValueError("quantize_dynamic: custom `mapping` is not supported")
    spec = {_FloatLinear} if qconfig_spec is None else set(qconfig_spec)
    unsupported = [t for t in spec if not (isinstance(t, type) and issubclass(t, _FloatLinear))]
    if unsupported:
        raise ValueError(
            f"quantize_dynamic: only nn.Linear can be quantised here; received {unsupported}"
        )
    if not isinstance(model, Module):
        raise TypeError(f"quantize_dynamic: expected an nn.Module; got {type(model).__name__}")
    model = model if inplace else copy.deepcopy(model)
    if isinstance(model, tuple(spec)):
        return DynamicQuantizedLinear(model, per_channel)
    _swap(model, tuple(spec), per_channel)
    return model


def _swap(module: Module, types: tuple, per_channel: bool) -> None:
    for name, child in list(module._modules.items()):
        if isinstance(child, types):
            # add_module, not setattr: Sequential refreshes its cached layer tuple there
            module.add_module(name, DynamicQuantizedLinear(child, per_channel))
        elif child is not None:
            _swap(child, types, per_channel)


def model_size_bytes(model: Module) -> int:
    """Bytes of the model's state: every parameter and persistent buffer in its `state_dict`
    (what a checkpoint stores, without the file's small header)."""
    return int(sum(t.data.nbytes for t in model.state_dict().values()))
