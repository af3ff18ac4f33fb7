"""Activation modules: thin wrappers that let a nonlinearity sit inside `nn.Sequential`.

Most call the primitive of the same name in `minidl.ops.activation`, where the formula and its
derivative are written out. SiLU, Mish and PReLU are compositions of primitives (their gradients
come for free), written here beside their modules. `inplace=True` is accepted wherever PyTorch
has it and ignored: minidl never overwrites an activation (a learner's autograd must not break).
"""

from __future__ import annotations

import warnings

import numpy as np

from minidl import dtypes
from minidl.autograd import Tensor
from minidl.nn._validation import (
    check_int,
    check_positive,
    check_real,
    float_input,
    tensor_input,
)
from minidl.nn.module import Module
from minidl.nn.parameter import Parameter
from minidl.ops import activation as A
from minidl.ops.elementwise import clip, where

__all__ = [
    "silu", "mish", "prelu", "hardtanh", "relu6", "logsigmoid", "softsign", "ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh", "Softmax",
    "LogSoftmax", "Softplus", "SiLU", "Mish", "PReLU", "Hardtanh", "ReLU6", "LogSigmoid",
    "Softsign",
]  # fmt: skip


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """SiLU / swish: y = x σ(x);  dy/dx = σ(x) (1 + x (1 − σ(x)))  (by the product rule)."""
    x = float_input("silu", input)
    return x * A.sigmoid(x)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """Mish (Misra, 2019): y = x tanh(softplus(x)), softplus(x) = log(1 + eˣ)."""
    x = float_input("mish", input)
    return x * A.tanh(A.softplus(x))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """y = clip(x, min_val, max_val);  dy/dx = 1 inside, 0 outside."""
    x = float_input("hardtanh", input)
    lo, hi = check_real("hardtanh", "min_val", min_val), check_real("hardtanh", "max_val", max_val)
    if not lo < hi:
        raise ValueError(f"hardtanh: expected min_val < max_val; received {lo} and {hi}")
    return clip(x, lo, hi)


def relu6(input: Tensor) -> Tensor:
    """y = min(max(x, 0), 6) (hardtanh on [0, 6]; MobileNet's activation)."""
    return hardtanh(input, 0.0, 6.0)


def logsigmoid(input: Tensor) -> Tensor:
    """y = log σ(x) = −softplus(−x), computed without overflow for any x."""
    x = float_input("logsigmoid", input)
    return -A.softplus(-x)


def softsign(input: Tensor) -> Tensor:
    """y = x / (1 + |x|)."""
    x = float_input("softsign", input)
    return x / (x.abs() + 1.0)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """y = x for x > 0, else a · x, with a learned slope per channel (dim 1) or one shared slope.

    dy/dx = 1 or a;  dy/da = x where x ≤ 0 (summed over positions sharing a)."""
    x = float_input("prelu", input)
    w = float_input("prelu", weight, "weight")
    if w.ndim != 1 or (w.shape[0] != 1 and (x.ndim < 2 or x.shape[1] != w.shape[0])):
        raise ValueError(
            f"prelu: weight must have 1 element or one per channel (input.shape[1]); received "
            f"weight shape {tuple(w.shape)} for input shape {tuple(x.shape)}"
        )
    slope = w if w.shape[0] == 1 else w.reshape((-1,) + (1,) * (x.ndim - 2))
    return where(x.data > 0, x, x * slope)


class ReLU(Module):
    """y = max(x, 0)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        tensor_input(type(self).__name__, x)
        return A.relu(x)


class LeakyReLU(Module):
    """y = x for x > 0, else negative_slope · x."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = check_real("LeakyReLU", "negative_slope", negative_slope)
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        tensor_input(type(self).__name__, x)
        return A.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """y = x for x > 0, else α (eˣ − 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = check_real("ELU", "alpha", alpha), inplace

    def forward(self, x: Tensor) -> Tensor:
        tensor_input(type(self).__name__, x)
        return A.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class GELU(Module):
    """y = x Φ(x) (Φ the standard normal CDF); approximate='tanh' uses the tanh formula."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(
                f"GELU: argument `approximate` must be 'none' or 'tanh'; received {approximate!r}"
            )
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        tensor_input(type(self).__name__, x)
        return A.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Sigmoid(Module):
    """y = 1 / (1 + e^{−x})."""

    def forward(self, x: Tensor) -> Tensor:
        tensor_input(type(self).__name__, x)
        return A.sigmoid(x)


class Tanh(Module):
    """y = tanh x."""

    def forward(self, x: Tensor) -> Tensor:
        tensor_input(type(self).__name__, x)
        return A.tanh(x)


def _implicit_dim(module: Module, x: Tensor) -> int:
    """`dim`, or PyTorch's legacy choice when it is None (0 for 0-, 1- and 3-D inputs, else 1),
    with PyTorch's deprecation warning: always pass dim."""
    if module.dim is not None:
        return module.dim
    warnings.warn(
        f"Implicit dimension choice for {type(module).__name__.lower()} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if x.ndim in (0, 1, 3) else 1


class Softmax(Module):
    """y = softmax(x) along `dim`."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = check_int(type(self).__name__, "dim", dim, allow_none=True)

    def forward(self, x: Tensor) -> Tensor:
        tensor_input(type(self).__name__, x)
        return A.softmax(x, _implicit_dim(self, x))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """y = log softmax(x) along `dim` (pair it with NLLLoss, or use CrossEntropyLoss on logits)."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = check_int(type(self).__name__, "dim", dim, allow_none=True)

    def forward(self, x: Tensor) -> Tensor:
        tensor_input(type(self).__name__, x)
        return A.log_softmax(x, _implicit_dim(self, x))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softplus(Module):
    """y = (1/β) log(1 + e^{βx}), linear above `threshold` (a smooth ReLU)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = check_real("Softplus", "beta", beta)
        self.threshold = check_real("Softplus", "threshold", threshold)

    def forward(self, x: Tensor) -> Tensor:
        tensor_input(type(self).__name__, x)
        return A.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class SiLU(Module):
    """y = x σ(x) (swish); see `silu`."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return silu(x)


class Mish(Module):
    """y = x tanh(softplus(x)); see `mish`."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return mish(x)


class PReLU(Module):
    """y = x for x > 0, else a x, with `num_parameters` learned slopes a (1, or one per channel
    of dim 1), all initialised to `init` (0.25, as PyTorch). The parameter is named `weight`."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        check_positive("PReLU", num_parameters=num_parameters)
        self.num_parameters = num_parameters
        init = check_real("PReLU", "init", init)
        self.weight = Parameter(np.full(num_parameters, init, dtype=dtypes.get_default_dtype()))
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        return prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Hardtanh(Module):
    """y = clip(x, min_val, max_val); see `hardtanh`."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        self.min_val = check_real("Hardtanh", "min_val", min_val)
        self.max_val = check_real("Hardtanh", "max_val", max_val)
        if not self.min_val < self.max_val:
            raise ValueError(
                f"Hardtanh: expected min_val < max_val; received {min_val} and {max_val}"
            )
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class ReLU6(Hardtanh):
    """y = min(max(x, 0), 6)."""

    def __init__(self, inplace: bool = False):
        super().__init__(0.0, 6.0, inplace)


class LogSigmoid(Module):
    """y = log σ(x); see `logsigmoid`."""

    def forward(self, x: Tensor) -> Tensor:
        return logsigmoid(x)


class Softsign(Module):
    """y = x / (1 + |x|)."""

    def forward(self, x: Tensor) -> Tensor:
        return softsign(x)
