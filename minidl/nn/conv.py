"""Convolution layers `Conv1d` and `Conv2d` beside their functional forms `conv1d` and `conv2d`.

The arithmetic and its gradients are the primitive `minidl.ops.conv2d` (on the C / Numba / NumPy
kernels); this file adds what PyTorch's layers offer on top of it, each built from that primitive:

* groups: the C input channels and F filters are split into G groups and group g's filters see
  only group g's channels — G separate convolutions whose outputs are concatenated
  (G = C is a depthwise convolution);
* padding="same" (output as long as the input; stride 1) and "valid" (no padding); when the
  total padding d·(k − 1) is odd the extra row/column goes at the bottom/right, as in PyTorch;
* padding_mode "reflect" / "replicate" / "circular": pad with `pad` first, then convolve;
* 1-D convolution: a 2-D convolution of (N, C, 1, L) with (F, C/G, 1, K) kernels.
"""

from __future__ import annotations

from minidl.autograd import Tensor
from minidl.nn._validation import check_positive, float_input, int_tuple
from minidl.nn.linear import add_weight_and_bias, init_fan_in_uniform
from minidl.nn.module import Module
from minidl.ops import conv as conv_ops
from minidl.ops.shape import cat, pad

__all__ = ["conv1d", "conv2d", "Conv1d", "Conv2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _same_padding(kernel: tuple, dilation: tuple) -> list[tuple[int, int]]:
    """(before, after) per spatial dimension so that the output keeps the input's size."""
    out = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        out.append((total // 2, total - total // 2))
    return out


def _resolve_padding(where: str, padding, kernel, stride, dilation, n: int):
    """padding as (before, after) pairs per spatial dimension, from an int/tuple or a string."""
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(
                    f"{where}: padding='same' is not supported for strided convolutions; "
                    f"received stride={stride}"
                )
            return _same_padding(kernel, dilation)
        raise ValueError(
            f"{where}: argument `padding` must be 'same', 'valid', an int or a tuple of ints; "
            f"received padding={padding!r}"
        )
    return [(p, p) for p in int_tuple(where, "padding", padding, n, 0)]


def _grouped_conv2d(x, w, b, stride, pairs, dilation, groups, padding_mode="zeros") -> Tensor:
    """The convolution proper, on 4-D x (N, C, H, W) and w (F, C/G, KH, KW)."""
    symmetric = all(a == b for a, b in pairs)
    if padding_mode != "zeros" or not symmetric:
        # pad explicitly ((left, right) of W first, as F.pad wants), then convolve without padding
        flat = [p for pair in reversed(pairs) for p in pair]
        if any(flat):
            mode = "constant" if padding_mode == "zeros" else padding_mode
            x = pad(x, flat, mode=mode)
        padding = (0, 0)
    else:
        padding = tuple(a for a, _ in pairs)
    if groups == 1:
        return conv_ops.conv2d(x, w, b, stride, padding, dilation)
    c, f = x.shape[1] // groups, w.shape[0] // groups
    outs = [
        conv_ops.conv2d(
            x[:, g * c : (g + 1) * c],
            w[g * f : (g + 1) * f],
            None if b is None else b[g * f : (g + 1) * f],
            stride,
            padding,
            dilation,
        )
        for g in range(groups)
    ]
    return cat(outs, 1)


def _check_conv(where: str, x: Tensor, w: Tensor, groups, spatial: int) -> bool:
    """Shape checks shared by conv1d/conv2d; returns True when x has a batch dimension."""
    float_input(where, x)
    float_input(where, w, "weight")
    check_positive(where, groups=groups)
    if w.ndim != spatial + 2:
        raise ValueError(
            f"{where}: weight must be {spatial + 2}-D (out_channels, in_channels/groups, "
            f"{'kL' if spatial == 1 else 'kH, kW'}); received weight shape {tuple(w.shape)}"
        )
    if x.ndim not in (spatial + 1, spatial + 2):
        raise ValueError(
            f"{where}: expected a {spatial + 1}-D (unbatched) or {spatial + 2}-D (batched) input; "
            f"received input shape {tuple(x.shape)}"
        )
    c = x.shape[-spatial - 1]
    if c != w.shape[1] * groups or w.shape[0] % groups:
        raise ValueError(
            f"{where}: input has {c} channels but weight {tuple(w.shape)} with groups={groups} "
            f"expects {w.shape[1] * groups} (in_channels = weight.shape[1] * groups, and "
            f"out_channels = weight.shape[0] divisible by groups); input shape {tuple(x.shape)}"
        )
    return x.ndim == spatial + 2


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as in PyTorch) of (N, C, H, W) or (C, H, W) `input`
    with (F, C/groups, KH, KW) `weight`; padding is an int, a pair, "same" or "valid".

    y[n, f] = b[f] + Σ_{c in f's group} w[f, c] ⋆ x[n, c];  OH = ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1.
    """
    batched = _check_conv("conv2d", input, weight, groups, 2)
    stride = int_tuple("conv2d", "stride", stride, 2, 1)
    dilation = int_tuple("conv2d", "dilation", dilation, 2, 1)
    pairs = _resolve_padding("conv2d", padding, weight.shape[2:], stride, dilation, 2)
    x = input if batched else input.unsqueeze(0)
    y = _grouped_conv2d(x, weight, bias, stride, pairs, dilation, groups)
    return y if batched else y.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """1-D convolution of (N, C, L) or (C, L) `input` with (F, C/groups, K) `weight`: a 2-D
    convolution with a unit height, y[n, f, i] = b[f] + Σ_{c, k} w[f, c, k] x[n, c, i·s + k·d − p].
    """
    batched = _check_conv("conv1d", input, weight, groups, 1)
    stride = int_tuple("conv1d", "stride", stride, 1, 1)
    dilation = int_tuple("conv1d", "dilation", dilation, 1, 1)
    pairs = _resolve_padding("conv1d", padding, weight.shape[2:], stride, dilation, 1)
    x = input if batched else input.unsqueeze(0)
    y = _grouped_conv2d(
        x.unsqueeze(2), weight.unsqueeze(2), bias, (1, *stride), [(0, 0), *pairs],
        (1, *dilation), groups,
    )  # fmt: skip
    y = y.squeeze(2)  # (N, F, 1, OL) -> (N, F, OL)
    return y if batched else y.squeeze(0)


class _ConvNd(Module):
    """Arguments, parameters and checks shared by Conv1d and Conv2d (`_n` spatial dimensions)."""

    _n = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device=None,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        name, n = type(self).__name__, self._n
        check_positive(name, in_channels=in_channels, out_channels=out_channels, groups=groups)
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: in_channels and out_channels must be divisible by groups; received "
                f"in_channels={in_channels}, out_channels={out_channels}, groups={groups}"
            )
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"{name}: padding_mode must be one of {_PADDING_MODES}; received {padding_mode!r}"
            )
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = int_tuple(name, "kernel_size", kernel_size, n, 1)
        self.stride = int_tuple(name, "stride", stride, n, 1)
        self.dilation = int_tuple(name, "dilation", dilation, n, 1)
        self._pairs = _resolve_padding(
            name, padding, self.kernel_size, self.stride, self.dilation, n
        )
        self.padding = padding if isinstance(padding, str) else tuple(a for a, _ in self._pairs)
        self.padding_mode = padding_mode
        self._short = f"{name}({in_channels}, {out_channels}, {kernel_size})"
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        add_weight_and_bias(self, shape, bias, generator)
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def reset_parameters(self, generator=None) -> None:
        """PyTorch's default: w, b ~ U(±1/√fan_in), fan_in = in_channels/groups · Π kernel_size."""
        init_fan_in_uniform(self.weight, self.bias, generator)

    def _check(self, x: Tensor) -> bool:
        float_input(self._short, x)
        n = self._n
        if x.ndim not in (n + 1, n + 2) or x.shape[-n - 1] != self.in_channels:
            dims = "L" if n == 1 else "H, W"
            raise ValueError(
                f"{self._short} expects input (N, {self.in_channels}, {dims}) or "
                f"({self.in_channels}, {dims}); got {tuple(x.shape)}"
            )
        return x.ndim == n + 2

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * self._n:
            s += (
                f", padding={self.padding!r}"
                if isinstance(self.padding, str)
                else (f", padding={self.padding}")
            )
        if self.dilation != (1,) * self._n:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode!r}"
        return s if self.bias is not None else s + ", bias=False"


class Conv2d(_ConvNd):
    """y[n, f] = b[f] + Σ_{c in f's group} w[f, c] ⋆ x[n, c]  (cross-correlation, as in PyTorch),
    w (out_channels, in_channels/groups, kH, kW), with padding, stride, dilation and groups.

    Output size per spatial dimension: ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1 (= H with "same").
    Initialised as PyTorch: w and b ~ U(±1/√fan_in), fan_in = in_channels/groups · kH · kW, from
    `generator`. Input (N, C, H, W) or unbatched (C, H, W).
    """

    _n = 2

    def forward(self, x: Tensor) -> Tensor:
        batched = self._check(x)
        x = x if batched else x.unsqueeze(0)
        y = _grouped_conv2d(
            x, self.weight, self.bias, self.stride, self._pairs, self.dilation, self.groups,
            self.padding_mode,
        )  # fmt: skip
        return y if batched else y.squeeze(0)


class Conv1d(_ConvNd):
    """1-D convolution of sequences (N, C, L) or (C, L) with w (out_channels, in_channels/groups,
    kernel_size): y[n, f, i] = b[f] + Σ_{c, k} w[f, c, k] x[n, c, i·s + k·d − p]; see `conv1d`."""

    _n = 1

    def forward(self, x: Tensor) -> Tensor:
        batched = self._check(x)
        x = x if batched else x.unsqueeze(0)
        y = _grouped_conv2d(
            x.unsqueeze(2), self.weight.unsqueeze(2), self.bias, (1, *self.stride),
            [(0, 0), *self._pairs], (1, *self.dilation), self.groups, self.padding_mode,
        ).squeeze(2)  # fmt: skip
        return y if batched else y.squeeze(0)
