"""Weight initialisation, in place, with PyTorch's names and conventions.

For a weight of shape (fan_out, fan_in) — or (out_channels, in_channels, kH, kW) for a convolution,
where each fan is multiplied by the receptive field kH·kW —

    xavier (Glorot):  Var(w) = gain² · 2 / (fan_in + fan_out)   uniform bound = gain·√(6 / (fan_in + fan_out))
    kaiming (He):     Var(w) = gain² / fan                      uniform bound = gain·√3 / √fan

keep the variance of activations (xavier: and of gradients) roughly constant from layer to layer. The
gain corrects for the nonlinearity that follows: ReLU zeroes half its inputs, so He uses gain √2.

Every function writes into `tensor.data` without recording a graph (PyTorch's `no_grad` init), draws
from `generator` (a numpy Generator or an int seed; default: the generator set by `md.manual_seed`),
and returns the tensor.
"""

from __future__ import annotations

import math

import numpy as np

from minidl.autograd import Tensor
from minidl.random import as_generator

__all__ = [
    "calculate_gain", "uniform_", "normal_", "zeros_", "ones_", "constant_", "xavier_uniform_",
    "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "trunc_normal_", "orthogonal_",
    "eye_",
]  # fmt: skip


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's table).

    linear, conv*, sigmoid: 1;  tanh: 5/3;  relu: √2;  leaky_relu with slope a: √(2 / (1 + a²))
    (a = 0.01 when `param` is None);  selu: 3/4.
    """
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "sigmoid", "identity"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope {slope!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one of linear, conv1d, "
        f"conv2d, conv3d, sigmoid, identity, tanh, relu, leaky_relu, selu"
    )


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) = (shape[1]·receptive, shape[0]·receptive), receptive = prod(shape[2:])."""
    if tensor.ndim < 2:
        raise ValueError(
            f"Fan in and fan out can not be computed for tensor with fewer than 2 dimensions; "
            f"received shape {tensor.shape}"
        )
    receptive = int(np.prod(tensor.shape[2:], dtype=np.int64))
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode!r} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _write(tensor: Tensor, values) -> Tensor:
    """Overwrite tensor's data in place (views and optimizers keep the same array)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"init: expected a Tensor or Parameter; received {type(tensor).__name__}")
    tensor.data[...] = values
    tensor._version[0] += 1  # a graph that saved the old values must not reuse them
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """w ~ U(a, b)."""
    if a > b:
        raise ValueError(f"uniform_: expected a <= b; received a={a}, b={b}")
    rng = as_generator(generator, "uniform_")
    return _write(tensor, rng.uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """w ~ N(mean, std²)."""
    if std < 0:
        raise ValueError(f"normal_: argument `std` must be >= 0; received std={std}")
    rng = as_generator(generator, "normal_")
    return _write(tensor, rng.normal(mean, std, tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """w = val everywhere."""
    return _write(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    """w = 0."""
    return _write(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    """w = 1."""
    return _write(tensor, 1)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot uniform: w ~ U(−b, b), b = gain·√(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot normal: w ~ N(0, σ²), σ = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
) -> Tensor:
    """He uniform: w ~ U(−b, b), b = gain·√(3 / fan), gain = calculate_gain(nonlinearity, a).

    `a` is the negative slope of the leaky ReLU that follows. PyTorch's Linear and Conv2d use
    a = √5, which makes b = 1/√fan_in (a historical default, kept so the numbers match)."""
    gain = calculate_gain(nonlinearity, a)
    bound = gain * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
) -> Tensor:
    """He normal: w ~ N(0, σ²), σ = gain / √fan, gain = calculate_gain(nonlinearity, a)."""
    gain = calculate_gain(nonlinearity, a)
    return normal_(tensor, 0.0, gain / math.sqrt(_fan(tensor, mode)), generator)


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator=None,
) -> Tensor:
    """w ~ N(mean, std²) truncated to [a, b] (absolute bounds, as PyTorch), by inverse-CDF
    sampling: u ~ U(Φ(α), Φ(β)) with α = (a − mean)/std, β = (b − mean)/std, then
    w = mean + std · Φ⁻¹(u). Every value lies in [a, b]; no rejection loop."""
    if std < 0 or not a < b:
        raise ValueError(
            f"trunc_normal_: expected std >= 0 and a < b; received std={std}, a={a}, b={b}"
        )
    # Φ and Φ⁻¹, imported on first use: scipy.special is slow to load
    from scipy.special import ndtr, ndtri

    rng = as_generator(generator, "trunc_normal_")
    lo, hi = ndtr((a - mean) / std), ndtr((b - mean) / std)
    u = rng.uniform(lo, hi, tensor.shape)
    return _write(tensor, np.clip(mean + std * ndtri(u), a, b))


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """A (semi-)orthogonal matrix (Saxe et al., 2014) times `gain`: the tensor is viewed as
    rows = shape[0] by cols = Π shape[1:]; a Gaussian matrix's QR factor Q, with the signs of
    diag(R) folded in (so Q is uniformly distributed), gives W with W Wᵀ = gain² I when
    rows ≤ cols (Wᵀ W = gain² I otherwise). Popular for recurrent weights: it preserves norms."""
    if tensor.ndim < 2:
        raise ValueError(
            f"orthogonal_: only tensors with 2 or more dimensions are supported; received shape "
            f"{tensor.shape}"
        )
    rows = tensor.shape[0]
    cols = int(np.prod(tensor.shape[1:]))
    rng = as_generator(generator, "orthogonal_")
    flat = rng.standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T  # QR of the tall orientation, transposed back below
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _write(tensor, gain * q.reshape(tensor.shape))


def eye_(tensor: Tensor) -> Tensor:
    """The identity matrix (ones on the diagonal of a 2-D tensor, zeros elsewhere)."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported; received shape {tensor.shape}")
    return _write(tensor, np.eye(*tensor.shape))
