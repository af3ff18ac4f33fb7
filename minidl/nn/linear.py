"""Fully connected layers: `Linear` (y = x Wᵀ + b), `Identity`, and `Flatten` (images to vectors)."""

from __future__ import annotations

import math

import numpy as np

from minidl import dtypes
from minidl.autograd import Tensor
from minidl.nn import functional as F
from minidl.nn import init
from minidl.nn.module import Module
from minidl.nn.parameter import Parameter


def check_positive(layer: str, **sizes) -> None:
    """Refuse non-positive sizes, in PyTorch's phrasing with the value received."""
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
            raise ValueError(
                f"{layer}: {name} must be a positive integer; received {name}={value!r}"
            )


def empty_parameter(*shape: int) -> Parameter:
    """An uninitialised parameter of the default dtype (a layer's reset_parameters fills it)."""
    return Parameter(np.empty(shape, dtype=dtypes.get_default_dtype()))


def add_weight_and_bias(module: Module, weight_shape: tuple, bias: bool, generator) -> None:
    """Register `weight` (weight_shape) and `bias` (weight_shape[0],) or a None bias on `module`,
    initialised by PyTorch's fan-in default (`init_fan_in_uniform`)."""
    module.weight = empty_parameter(*weight_shape)
    if bias:
        module.bias = empty_parameter(weight_shape[0])
    else:
        module.register_parameter("bias", None)
    init_fan_in_uniform(module.weight, module.bias, generator)


def init_fan_in_uniform(weight: Parameter, bias: Parameter | None, generator) -> None:
    """PyTorch's default for Linear and Conv: W ~ kaiming_uniform(a=√5), i.e. U(±1/√fan_in), and
    b ~ U(±1/√fan_in)."""
    init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
    if bias is not None:
        fan_in = int(np.prod(weight.shape[1:]))
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound, generator=generator)


class Linear(Module):
    """y = x Wᵀ + b for x (*, in_features), with W (out_features, in_features), b (out_features,).

    Initialised as in PyTorch: W and b ~ U(−1/√in_features, 1/√in_features), drawn from `generator`
    (a numpy Generator or int seed; default: the generator set by `md.manual_seed`).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, generator=None):
        super().__init__()
        check_positive("Linear", in_features=in_features, out_features=out_features)
        self.in_features, self.out_features = in_features, out_features
        add_weight_and_bias(self, (out_features, in_features), bias, generator)

    def reset_parameters(self, generator=None) -> None:
        init_fan_in_uniform(self.weight, self.bias, generator)

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(
                f"{self!r} expects input (*, {self.in_features}); got {tuple(x.shape)}"
            )
        return F.LinearFunction.apply(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    """y = x (a placeholder, e.g. to remove a layer from a model without rewiring it)."""

    def forward(self, x):
        return x


class Flatten(Module):
    """Merge dimensions start_dim..end_dim into one: (N, C, H, W) -> (N, C·H·W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        if self.start_dim == 1 and self.end_dim == -1 and x.ndim >= 1:
            return x.reshape(x.shape[0], -1)  # the common case, one reshape
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
