"""Fully connected layers: `Linear` (y = x Wᵀ + b) and its functional form `linear`, `Identity`,
and the reshaping layers `Flatten` (images to vectors) and `Unflatten` (back)."""

from __future__ import annotations

import math

import numpy as np

from minidl import dtypes
from minidl.autograd import Function, Tensor
from minidl.nn import init
from minidl.nn._validation import check_positive, float_input, tensor_input
from minidl.nn.module import Module
from minidl.nn.parameter import Parameter
from minidl.ops.matmul import matmul_arrays

__all__ = ["linear", "Linear", "Identity", "Flatten", "Unflatten", "check_positive"]


class LinearFunction(Function):
    """y = x Wᵀ + b  for x (..., in), W (out, in), b (out,);  one node instead of three (speed).

    dL/dx = g W,   dL/dW = gᵀ x (summed over all leading dimensions),   dL/db = Σ g.
    """

    @staticmethod
    def forward(ctx, x, weight, bias):
        need_x, need_w, _ = ctx.needs_input_grad
        ctx.save_for_backward(x if need_w else None, weight if need_x else None)  # dW needs x, dx W
        # (N·..., in) @ (in, out) -> (..., out): one 2-D product, on the GEMM kernel "auto" picks
        y = matmul_arrays(x.reshape(-1, x.shape[-1]), weight.T).reshape(
            *x.shape[:-1], weight.shape[0]
        )
        if bias is not None:
            y += bias  # y is a fresh array: adding in place saves one temporary
        return y

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        g2 = g.reshape(-1, g.shape[-1])  # (N·..., out): every leading dim is a batch dim
        dx = matmul_arrays(g2, weight).reshape(*g.shape[:-1], weight.shape[1]) if need_x else None
        dw = (
            matmul_arrays(g2.T, x.reshape(-1, x.shape[-1])) if need_w else None
        )  # (out, N) @ (N, in)
        db = g2.sum(axis=0) if need_b else None
        return dx, dw, db


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b (PyTorch's layout: W is (out_features, in_features), b is (out_features,))."""
    input = float_input("linear", input)
    weight = float_input("linear", weight, "weight")
    if weight.ndim != 2 or input.ndim == 0 or input.shape[-1:] != weight.shape[1:]:
        raise ValueError(
            f"linear: input's last dimension must equal weight.shape[1] for a weight of shape "
            f"(out_features, in_features); received input shape {tuple(input.shape)} and weight "
            f"shape {tuple(weight.shape)}"
        )
    if bias is not None:
        bias = float_input("linear", bias, "bias")
        if tuple(bias.shape) != (weight.shape[0],):
            raise ValueError(
                f"linear: bias must have shape ({weight.shape[0]},) (out_features) for weight of "
                f"shape {tuple(weight.shape)}; received bias shape {tuple(bias.shape)}"
            )
    return LinearFunction.apply(input, weight, bias)


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

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device=None,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        check_positive("Linear", in_features=in_features, out_features=out_features)
        self.in_features, self.out_features = in_features, out_features
        add_weight_and_bias(self, (out_features, in_features), bias, generator)
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def reset_parameters(self, generator=None) -> None:
        init_fan_in_uniform(self.weight, self.bias, generator)

    def forward(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):  # the repr is built only for the error (it is not cheap)
            tensor_input(repr(self), x)
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(
                f"{self!r} expects input (*, {self.in_features}); got {tuple(x.shape)}"
            )
        if x.dtype.kind != "f":
            raise TypeError(
                f"{self!r} expects a floating-point input; got dtype {x.dtype} (use x.float())"
            )
        return LinearFunction.apply(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    """y = x (a placeholder, e.g. to remove a layer from a model without rewiring it). Any
    constructor arguments are accepted and ignored, as in PyTorch, so it can stand in for the
    layer it replaces."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class Flatten(Module):
    """Merge dimensions start_dim..end_dim into one: (N, C, H, W) -> (N, C·H·W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        for name, v in (("start_dim", start_dim), ("end_dim", end_dim)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"Flatten: argument `{name}` must be an int; received {v!r}")
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        tensor_input("Flatten", x)
        if self.start_dim == 1 and self.end_dim == -1 and x.ndim >= 1:
            return x.reshape(x.shape[0], -1)  # the common case, one reshape
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension `dim` into `unflattened_size`: (N, 784) -> (N, 1, 28, 28) with
    `Unflatten(1, (1, 28, 28))`; one entry may be −1 (inferred). The inverse of Flatten."""

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(f"Unflatten: argument `dim` must be an int; received {dim!r}")
        try:
            size = tuple(unflattened_size)
        except TypeError:
            size = None
        if not size or any(
            isinstance(s, bool) or not isinstance(s, (int, np.integer)) or (s < 1 and s != -1)
            for s in size
        ):
            raise TypeError(
                "Unflatten: argument `unflattened_size` must be a non-empty tuple of positive "
                f"ints (one may be -1); received {unflattened_size!r}"
            )
        self.dim, self.unflattened_size = int(dim), size

    def forward(self, x: Tensor) -> Tensor:
        tensor_input("Unflatten", x)
        d = self.dim + x.ndim if self.dim < 0 else self.dim
        if not 0 <= d < x.ndim:
            raise IndexError(f"Unflatten: dim {self.dim} is out of range for input {x.shape}")
        known = int(np.prod([s for s in self.unflattened_size if s != -1]))
        n = x.shape[d]
        if (-1 not in self.unflattened_size and known != n) or (known == 0 or n % known):
            raise ValueError(
                f"Unflatten: unflattened_size {self.unflattened_size} does not multiply to the "
                f"size {n} of dimension {self.dim} of input {tuple(x.shape)}"
            )
        return x.reshape(*x.shape[:d], *self.unflattened_size, *x.shape[d + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
