"""Resizing: `interpolate` (PyTorch's F.interpolate) and the layer `Upsample` that calls it.

Both supported families are linear maps applied to one spatial axis at a time, so each is a matrix
A (out, in) per axis and an image is resized as y = A_h · x · A_wᵀ (two matmuls, whose gradients
the engine already knows). Row i of A says where output position i reads from, with PyTorch's
source-index formulas (scale = in/out, or 1/scale_factor when a scale factor is given):

    nearest:        src = min(⌊i · scale⌋, in − 1)                       (one 1 per row)
    nearest-exact:  src = min(⌊(i + ½) · scale⌋, in − 1)
    linear / bilinear, align_corners=False:  s = max((i + ½) · scale − ½, 0)
    linear / bilinear, align_corners=True:   s = i · (in − 1)/(out − 1)
        then weight 1 − (s − ⌊s⌋) on ⌊s⌋ and s − ⌊s⌋ on ⌊s⌋ + 1 (clamped to in − 1)
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from minidl.autograd import Tensor
from minidl.nn._validation import float_input
from minidl.nn.module import Module

__all__ = ["interpolate", "Upsample"]

_MODES = {"nearest": 0, "nearest-exact": 0, "linear": 1, "bilinear": 2}  # mode -> spatial dims


def _resize_matrix(
    n_in: int, n_out: int, mode: str, align_corners: bool, scale_factor
) -> np.ndarray:
    """The (n_out, n_in) matrix A of one axis (see the module docstring)."""
    scale = n_in / n_out if scale_factor is None else 1.0 / scale_factor
    i = np.arange(n_out, dtype=np.float64)
    a = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    if mode in ("nearest", "nearest-exact"):
        offset = 0.5 if mode == "nearest-exact" else 0.0
        src = np.minimum(np.floor((i + offset) * scale).astype(np.int64), n_in - 1)
        a[rows, src] = 1.0
        return a
    if align_corners:
        s = i * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        s = np.maximum((i + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(s).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = s - i0
    np.add.at(a, (rows, i0), 1.0 - lam)
    np.add.at(a, (rows, i1), lam)
    return a


def _sizes(where: str, shape: tuple, size, scale_factor) -> tuple[tuple, tuple]:
    """Output sizes and per-axis scale factors (None where the size was given)."""
    n = len(shape)
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{where}: give exactly one of `size` and `scale_factor`")
    if size is not None:
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * n
        if len(sizes) != n or any(
            isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in sizes
        ):
            raise ValueError(
                f"{where}: argument `size` must be a positive int or {n} of them for an input "
                f"with {n} spatial dimension(s); received size={size!r}"
            )
        return sizes, (None,) * n
    factors = (
        tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * n
    )
    if len(factors) != n or any(
        isinstance(f, bool) or not isinstance(f, numbers.Real) or not f > 0 for f in factors
    ):
        raise ValueError(
            f"{where}: argument `scale_factor` must be a positive number or {n} of them; "
            f"received scale_factor={scale_factor!r}"
        )
    sizes = tuple(int(math.floor(d * f)) for d, f in zip(shape, factors))
    if any(s < 1 for s in sizes):
        raise ValueError(f"{where}: scale_factor={scale_factor!r} gives an empty output {sizes}")
    return sizes, tuple(float(f) for f in factors)


def interpolate(
    input: Tensor,
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize (N, C, L) or (N, C, H, W) to `size`, or by `scale_factor`, with `mode` "nearest",
    "nearest-exact", "linear" (3-D input) or "bilinear" (4-D input); see the module docstring.

    `recompute_scale_factor=True` computes the source index from the output size instead of the
    given factor (as PyTorch). `antialias` is not supported (it only matters when downsampling).
    """
    where = "interpolate"
    float_input(where, input)
    if mode not in _MODES:
        raise ValueError(
            f"{where}: mode {mode!r} is not supported; expected one of {tuple(_MODES)}"
        )
    if _MODES[mode] == 0 and align_corners is not None:
        raise ValueError(
            f"{where}: align_corners option can only be set with the interpolating modes: "
            f"linear | bilinear; received mode={mode!r}, align_corners={align_corners}"
        )
    if antialias:
        raise NotImplementedError(f"{where}: antialias=True is not supported by minidl")
    spatial = input.ndim - 2
    if spatial not in (1, 2) or (_MODES[mode] and _MODES[mode] != spatial):
        raise ValueError(
            f"{where}: mode {mode!r} expects a {(_MODES[mode] or spatial) + 2}-D input "
            f"(nearest: 3-D or 4-D, linear: 3-D, bilinear: 4-D); received shape "
            f"{tuple(input.shape)}"
        )
    sizes, factors = _sizes(where, input.shape[2:], size, scale_factor)
    if recompute_scale_factor:
        factors = (None,) * spatial
    mats = [
        Tensor(_resize_matrix(n, m, mode, bool(align_corners), f).astype(input.dtype))
        for n, m, f in zip(input.shape[2:], sizes, factors)
    ]
    out = input @ mats[-1].T  # (..., W) @ (W, OW): resize the last axis
    if spatial == 2:
        out = mats[0] @ out  # (OH, H) @ (..., H, OW): then the height
    return out


class Upsample(Module):
    """Resize images or sequences by `scale_factor` or to `size`; see `interpolate`.

    nn.Upsample(scale_factor=2, mode="nearest")   # (N, C, H, W) -> (N, C, 2H, 2W)
    """

    def __init__(
        self,
        size=None,
        scale_factor=None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ):
        super().__init__()
        if mode not in _MODES:
            raise ValueError(
                f"Upsample: mode {mode!r} is not supported; expected one of {tuple(_MODES)}"
            )
        if (size is None) == (scale_factor is None):
            raise ValueError("Upsample: give exactly one of `size` and `scale_factor`")
        given = size if size is not None else scale_factor
        n = len(given) if isinstance(given, (tuple, list)) else 1
        _sizes("Upsample", (1,) * n, size, scale_factor)  # check the values' types and signs
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, x: Tensor) -> Tensor:
        return interpolate(
            x, self.size, self.scale_factor, self.mode, self.align_corners,
            self.recompute_scale_factor,
        )  # fmt: skip

    def extra_repr(self) -> str:
        what = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{what}, mode={self.mode!r}"
