"""Dropout: randomly zero activations while training (inverted scaling keeps the mean).

`dropout` zeroes single elements; `dropout1d` / `dropout2d` zero whole channels (every position
of a feature map at once), which is what regularises convolutional features, whose neighbouring
pixels are strongly correlated (Tompson et al., 2015). Layers and functional forms side by side.
"""

from __future__ import annotations

import warnings

import numpy as np

from minidl.autograd import Tensor
from minidl.nn._validation import check_probability, float_input, tensor_input
from minidl.nn.module import Module
from minidl.random import as_generator

__all__ = ["dropout", "dropout1d", "dropout2d", "Dropout", "Dropout1d", "Dropout2d"]


def _masked(input: Tensor, p: float, mask_shape: tuple, generator, where: str) -> Tensor:
    """y = x · m / (1 − p) with m ~ Bernoulli(1 − p) of `mask_shape` (broadcast against x)."""
    if p == 1.0:
        return input * 0.0
    rng = as_generator(generator, where)
    dtype = input.dtype if input.dtype in (np.float32, np.float64) else np.float64
    keep = rng.random(mask_shape, dtype=dtype) >= p
    return input * (keep * np.asarray(1.0 / (1.0 - p), dtype=dtype))


def dropout(input: Tensor, p: float = 0.5, training: bool = True, generator=None) -> Tensor:
    """Inverted dropout: y = x · m / (1 − p) with m_i ~ Bernoulli(1 − p), so E[y] = x.

    Scaling at training time (not at test time) makes evaluation the identity. `generator` is a
    numpy Generator or an int seed (default: the generator set by `md.manual_seed`)."""
    p = check_probability("dropout", p)
    float_input("dropout", input)
    if not training or p == 0.0:
        return input
    return _masked(input, p, input.shape, generator, "dropout")


def _channel_dropout(input, p, training, generator, where: str) -> Tensor:
    """Zero whole channels: the mask has shape (N, C, 1, ...) — one draw per (sample, channel)."""
    p = check_probability(where, p)
    float_input(where, input)
    if input.ndim < 2:
        raise ValueError(
            f"{where}: channel dropout needs at least 2 dimensions (N, C, ...); received shape "
            f"{tuple(input.shape)}"
        )
    if not training or p == 0.0:
        return input
    mask_shape = (*input.shape[:2],) + (1,) * (input.ndim - 2)
    return _masked(input, p, mask_shape, generator, where)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, generator=None) -> Tensor:
    """Channel dropout of sequences (N, C, L) or (C, L): each channel is kept whole or zeroed."""
    tensor_input("dropout1d", input)
    if input.ndim not in (2, 3):
        raise ValueError(
            f"dropout1d: expected a 2-D (C, L) or 3-D (N, C, L) input; received shape "
            f"{tuple(input.shape)}"
        )
    if input.ndim == 2:  # unbatched (C, L): one draw per channel
        return dropout1d(input.unsqueeze(0), p, training, generator).squeeze(0)
    return _channel_dropout(input, p, training, generator, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, generator=None) -> Tensor:
    """Channel dropout of images (N, C, H, W): each feature map is kept whole (× 1/(1 − p)) or
    zeroed. As in PyTorch 2.x, any input with 2 or more dimensions is accepted and dims 0 and 1
    are read as (N, C): a 3-D input is (N, C, L), a 2-D (N, F) input gets plain elementwise
    dropout — each with PyTorch's warning."""
    tensor_input("dropout2d", input)
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input; as PyTorch does, it is interpreted as (N, C, L) and "
            "each (n, c) row is dropped as a whole (use dropout1d for that)",
            UserWarning,
            stacklevel=2,
        )
    elif input.ndim >= 2 and input.ndim != 4:
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated in "
            "PyTorch; dims 0 and 1 are read as (N, C) (for a 2-D input this is elementwise "
            "dropout: use dropout instead)",
            UserWarning,
            stacklevel=2,
        )
    return _channel_dropout(input, p, training, generator, "dropout2d")


class Dropout(Module):
    """Training: y = x · m / (1 − p), m_i ~ Bernoulli(1 − p), so E[y] = x. Evaluation: y = x.

    Keras's `Dropout(rate)` is the same layer with rate = p (the fraction dropped). The mask is
    drawn from `generator` (a numpy Generator or int seed, so a run is repeatable); by default from
    the generator set by `md.manual_seed` at the time of each call. `inplace` is accepted for
    PyTorch compatibility and ignored (minidl never overwrites an activation).
    """

    _fn = staticmethod(dropout)

    def __init__(self, p: float = 0.5, inplace: bool = False, generator=None):
        super().__init__()
        self.p = check_probability(type(self).__name__, p)
        self.inplace = inplace
        name = type(self).__name__
        self.generator = None if generator is None else as_generator(generator, name)

    def forward(self, x: Tensor) -> Tensor:
        return self._fn(x, self.p, self.training, self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """Zero whole channels of (N, C, L) sequences while training; see `dropout1d`."""

    _fn = staticmethod(dropout1d)


class Dropout2d(Dropout):
    """Zero whole feature maps of (N, C, H, W) images while training; see `dropout2d`."""

    _fn = staticmethod(dropout2d)
