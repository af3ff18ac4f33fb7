"""Dropout: randomly zero activations while training (inverted scaling keeps the mean).

`dropout` zeroes single elements; `dropout1d` / `dropout2d` zero whole channels (every position
of a feature map at once), which is what regularises convolutional features, whose neighbouring
pixels are strongly correlated (Tompson et al., 2015). Layers and functional forms side by side.
"""

from __future__ import annotations

import warnings

import numpy as np

from minidl.autograd import Tensor
from minidl.nn._validation import check_probability, float_input
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


def _channel_dropout(input, p, training, generator, where: str, spatial: int) -> Tensor:
    """Zero whole channels: the mask has shape (N, C, 1, ...) — one draw per (sample, channel)."""
    p = check_probability(where, p)
    float_input(where, input)
    batched_ndim = spatial + 2
    if input.ndim not in (batched_ndim - 1, batched_ndim):
        raise ValueError(
            f"{where}: expected a {batched_ndim - 1}-D (C, ...) or {batched_ndim}-D (N, C, ...) "
            f"input with {spatial} spatial dimension(s); received shape {tuple(input.shape)}"
        )
    if not training or p == 0.0:
        return input
    if input.ndim == batched_ndim - 1 and spatial == 2:
        # PyTorch 2.x reads a 3-D input to dropout2d as (N, C, L) and warns; so do we
        warnings.warn(
            "dropout2d: Received a 3D input; as PyTorch does, it is interpreted as (N, C, L) and "
            "each (n, c) row is dropped as a whole",
            UserWarning,
            stacklevel=3,
        )
        mask_shape = (*input.shape[:2], 1)
    elif input.ndim == batched_ndim - 1:  # unbatched (C, L)
        mask_shape = (input.shape[0],) + (1,) * spatial
    else:
        mask_shape = (*input.shape[:2],) + (1,) * spatial
    return _masked(input, p, mask_shape, generator, where)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, generator=None) -> Tensor:
    """Channel dropout of sequences (N, C, L) or (C, L): each channel is kept whole or zeroed."""
    return _channel_dropout(input, p, training, generator, "dropout1d", 1)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, generator=None) -> Tensor:
    """Channel dropout of images (N, C, H, W): each feature map is kept whole (× 1/(1 − p)) or
    zeroed. A 3-D input is read as (N, C, L), as PyTorch 2.x does (with a warning)."""
    return _channel_dropout(input, p, training, generator, "dropout2d", 2)


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
