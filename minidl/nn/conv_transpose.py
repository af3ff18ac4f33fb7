"""Transposed convolutions `ConvTranspose1d`, `ConvTranspose2d` beside `conv_transpose1d/2d`: the
learned upsampling of decoders and GANs (the transpose of a convolution, see
`minidl.ops.conv_transpose`, whose primitive they call).

Weights are (in_channels, out_channels/groups, kH, kW) — PyTorch's layout, the transpose of a
convolution's — and the output size per spatial dimension is
(H − 1)·s − 2p + d·(k − 1) + output_padding + 1. Groups split channels as for `Conv2d`; the 1-D
forms run the 2-D primitive with a unit height.
"""

from __future__ import annotations

from minidl.autograd import Tensor
from minidl.nn._validation import check_positive, float_input, int_tuple
from minidl.nn.linear import empty_parameter, init_fan_in_uniform
from minidl.nn.module import Module
from minidl.ops.conv_transpose import conv_transpose2d as _primitive
from minidl.ops.conv_transpose import transposed_output_size
from minidl.ops.shape import cat

__all__ = ["conv_transpose1d", "conv_transpose2d", "ConvTranspose1d", "ConvTranspose2d"]


def _grouped(x, w, b, stride, padding, output_padding, dilation, groups) -> Tensor:
    """The primitive on 4-D x (N, C_in, H, W), w (C_in, C_out/G, KH, KW), group by group."""
    if groups == 1:
        return _primitive(x, w, b, stride, padding, output_padding, dilation)
    c, f = x.shape[1] // groups, w.shape[1]
    outs = [
        _primitive(
            x[:, g * c : (g + 1) * c],
            w[g * c : (g + 1) * c],
            None if b is None else b[g * f : (g + 1) * f],
            stride,
            padding,
            output_padding,
            dilation,
        )  # fmt: skip
        for g in range(groups)
    ]
    return cat(outs, 1)


def _check(where: str, x, w, groups: int, n: int, stride, output_padding, dilation) -> bool:
    """Shape and argument checks; True when x has a batch dimension."""
    float_input(where, x)
    float_input(where, w, "weight")
    check_positive(where, groups=groups)
    if w.ndim != n + 2 or x.ndim not in (n + 1, n + 2) or x.shape[-n - 1] != w.shape[0]:
        raise ValueError(
            f"{where}: expected input (N, C_in, ...) or (C_in, ...) with {n} spatial dimension(s) "
            f"and weight (C_in, C_out/groups, kernel...) with the same C_in; received input "
            f"{tuple(x.shape)} and weight {tuple(w.shape)}"
        )
    if w.shape[0] % groups:
        raise ValueError(f"{where}: in_channels {w.shape[0]} is not divisible by groups={groups}")
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= max(s, d):
            raise ValueError(
                f"{where}: output_padding must be smaller than either stride or dilation; "
                f"received output_padding={output_padding}, stride={stride}, dilation={dilation}"
            )
    return x.ndim == n + 2


def _transpose_nd(where, n, input, weight, bias, stride, padding, output_padding, groups, dilation):
    stride = int_tuple(where, "stride", stride, n, 1)
    padding = int_tuple(where, "padding", padding, n, 0)
    output_padding = int_tuple(where, "output_padding", output_padding, n, 0)
    dilation = int_tuple(where, "dilation", dilation, n, 1)
    batched = _check(where, input, weight, groups, n, stride, output_padding, dilation)
    x = input if batched else input.unsqueeze(0)
    w = weight
    if n == 1:  # a unit height: (N, C, L) -> (N, C, 1, L)
        x, w = x.unsqueeze(2), w.unsqueeze(2)
        stride, padding, output_padding, dilation = (
            (1, *stride), (0, *padding), (0, *output_padding), (1, *dilation),
        )  # fmt: skip
    y = _grouped(x, w, bias, stride, padding, output_padding, dilation, groups)
    if n == 1:
        y = y.squeeze(2)
    return y if batched else y.squeeze(0)


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """Transposed 2-D convolution of (N, C_in, H, W) or (C_in, H, W) with weight
    (C_in, C_out/groups, KH, KW) (PyTorch's argument order)."""
    return _transpose_nd(
        "conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
        dilation,
    )  # fmt: skip


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """Transposed 1-D convolution of (N, C_in, L) or (C_in, L) with weight (C_in, C_out/groups, K)."""
    return _transpose_nd(
        "conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups,
        dilation,
    )  # fmt: skip


class _ConvTransposeNd(Module):
    _n = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        output_padding=0,
        groups: int = 1,
        bias: bool = True,
        dilation=1,
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
        if padding_mode != "zeros":
            raise ValueError(
                f'{name}: Only "zeros" padding mode is supported for {name}; received '
                f"padding_mode={padding_mode!r}"
            )
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = int_tuple(name, "kernel_size", kernel_size, n, 1)
        self.stride = int_tuple(name, "stride", stride, n, 1)
        self.padding = int_tuple(name, "padding", padding, n, 0)
        self.output_padding = int_tuple(name, "output_padding", output_padding, n, 0)
        self.dilation = int_tuple(name, "dilation", dilation, n, 1)
        self.padding_mode = padding_mode
        self.weight = empty_parameter(in_channels, out_channels // groups, *self.kernel_size)
        if bias:
            self.bias = empty_parameter(out_channels)  # one per output channel
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(generator)
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def reset_parameters(self, generator=None) -> None:
        """PyTorch's default: w, b ~ U(±1/√fan_in), fan_in = out_channels/groups · Π kernel_size
        (the fan of the weight's second dimension)."""
        init_fan_in_uniform(self.weight, self.bias, generator)

    def _output_padding(self, x: Tensor, output_size) -> tuple:
        """output_padding, or the one that gives `output_size` (the last n entries)."""
        if output_size is None:
            return self.output_padding
        n = self._n
        want = tuple(output_size)[-n:]
        base = transposed_output_size(
            x.shape[-n:], self.kernel_size, self.stride, self.padding, self.dilation, (0,) * n
        )
        extra = tuple(w - b for w, b in zip(want, base))
        if len(want) != n or any(not 0 <= e < max(s, d) for e, s, d in zip(
            extra, self.stride, self.dilation
        )):  # fmt: skip
            raise ValueError(
                f"{type(self).__name__}: requested an output size of {tuple(output_size)}, but "
                f"valid sizes for input {tuple(x.shape)} start at {base} and are smaller than "
                f"{base} + max(stride, dilation)"
            )
        return extra

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        float_input(type(self).__name__, input)
        fn = conv_transpose2d if self._n == 2 else conv_transpose1d
        return fn(
            input, self.weight, self.bias, self.stride, self.padding,
            self._output_padding(input, output_size), self.groups, self.dilation,
        )  # fmt: skip

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        for name, default in (("padding", 0), ("output_padding", 0), ("dilation", 1)):
            if getattr(self, name) != (default,) * self._n:
                s += f", {name}={getattr(self, name)}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        return s if self.bias is not None else s + ", bias=False"


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution (learned upsampling): (N, C_in, H, W) ->
    (N, C_out, (H − 1)s − 2p + d(k − 1) + output_padding + 1, ...); `forward(x, output_size)`
    may ask for a specific size instead of output_padding. See `conv_transpose2d`."""

    _n = 2


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution of (N, C_in, L) sequences; see `conv_transpose1d`."""

    _n = 1
