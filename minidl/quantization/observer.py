"""Observers: watch tensors go by, then choose (scale, zero_point) for them — PyTorch's
`torch.ao.quantization` observers and their `calculate_qparams` formulas.

From the observed range [min, max], first widened to include 0 (so 0.0 is exactly representable):
    min⁻ = min(min, 0),  max⁺ = max(max, 0)
affine:     scale = max((max⁺ − min⁻) / (q_max − q_min), eps)
            zero_point = clamp(q_min − round(min⁻ / scale), q_min, q_max)
symmetric:  scale = max(max(−min⁻, max⁺) / ((q_max − q_min) / 2), eps)
            zero_point = 0 (qint8), 128 (quint8; the middle of a customised range)
eps (float32's machine epsilon by default) keeps scale > 0 for an all-zero tensor. All arithmetic
in float32, as PyTorch. [q_min, q_max] is the dtype's range, halved by `reduce_range` (fbgemm's
7-bit activations), or a customised range (`quant_min`, `quant_max`) that must contain 0.

Min-max is exact for what it saw but one outlier stretches the range and wastes levels on empty
space; `PercentileObserver` (minidl's, not PyTorch's) clips the tails instead.
"""

from __future__ import annotations

import warnings

import numpy as np

from minidl.autograd import Tensor
from minidl.nn.module import Module
from minidl.quantization.qtensor import (
    check_qdtype,
    per_channel_affine,
    per_channel_symmetric,
    per_tensor_affine,
    per_tensor_symmetric,
    qint8,
    qint32,
    quint8,
)

_EPS32 = float(np.finfo(np.float32).eps)


def _qrange(dtype, reduce_range: bool, quant_min, quant_max) -> tuple[int, int, bool]:
    """(q_min, q_max, customised?) as PyTorch's `calculate_qmin_qmax`."""
    if (quant_min is None) != (quant_max is None):
        raise ValueError("observer: give both quant_min and quant_max, or neither")
    if quant_min is not None:
        if not quant_min <= 0 <= quant_max:
            raise ValueError(
                f"observer: the quantisation range must include 0; received [{quant_min}, "
                f"{quant_max}]"
            )
        if not quant_min < quant_max:
            raise ValueError(
                f"observer: quant_min must be < quant_max; got {quant_min}, {quant_max}"
            )
        if dtype is not qint32 and quant_max - quant_min + 1 > 256:
            raise ValueError(
                f"observer: a range of {quant_max - quant_min + 1} values does not fit {dtype.name}"
            )
        lo, hi = int(quant_min), int(quant_max)
        if reduce_range:
            lo, hi = lo // 2, hi // 2
        return lo, hi, True
    lo, hi = dtype.q_min, dtype.q_max
    if reduce_range and dtype is not qint32:
        lo, hi = (-64, 63) if dtype is qint8 else (0, 127)
    return lo, hi, False


class _ObserverBase(Module):
    """What every observer shares: the range bookkeeping and `calculate_qparams`."""

    _schemes: tuple = (per_tensor_affine, per_tensor_symmetric)

    def __init__(
        self,
        dtype=quint8,
        qscheme=per_tensor_affine,
        reduce_range: bool = False,
        quant_min: int | None = None,
        quant_max: int | None = None,
        eps: float = _EPS32,
    ):
        super().__init__()
        where = type(self).__name__
        self.dtype = check_qdtype(where, dtype)
        if qscheme not in self._schemes:
            raise ValueError(f"{where}: qscheme must be one of {self._schemes}; got {qscheme!r}")
        if qscheme.endswith("symmetric") and reduce_range and dtype is quint8:
            raise NotImplementedError("Cannot reduce range for symmetric quantization for quint8")
        self.qscheme, self.reduce_range, self.eps = qscheme, reduce_range, np.float32(eps)
        self.quant_min, self.quant_max, self._custom = _qrange(
            dtype, reduce_range, quant_min, quant_max
        )
        self.register_buffer("min_val", Tensor(np.array(np.inf, dtype=np.float32)))
        self.register_buffer("max_val", Tensor(np.array(-np.inf, dtype=np.float32)))

    def calculate_qparams(self) -> tuple[Tensor, Tensor]:
        """(scale float32, zero_point int64), shape (1,) per tensor or (C,) per channel; before any
        observation: (1.0, 0) and a warning, as PyTorch."""
        lo, hi = self.min_val.data, self.max_val.data
        if lo.size == 0 or np.all(np.isinf(lo) & (lo > 0)):
            warnings.warn(
                "must run observer before calling calculate_qparams. Returning default values.",
                stacklevel=2,
            )
            return Tensor(np.array([1.0], np.float32)), Tensor(np.array([0], np.int64))
        return self._qparams(lo, hi)

    def _qparams(self, lo: np.ndarray, hi: np.ndarray) -> tuple[Tensor, Tensor]:
        q_min, q_max = self.quant_min, self.quant_max
        lo_neg = np.minimum(lo, np.float32(0))  # include 0 in the range
        hi_pos = np.maximum(hi, np.float32(0))
        if self.qscheme.endswith("symmetric"):
            bound = np.maximum(-lo_neg, hi_pos)
            scale = np.maximum(bound / np.float32((q_max - q_min) / 2), self.eps)
            middle = (q_min + q_max) // 2 if self._custom else 128
            zero_point = np.full(scale.shape, middle if self.dtype is quint8 else 0, np.int64)
        else:
            scale = np.maximum((hi_pos - lo_neg) / np.float32(q_max - q_min), self.eps)
            zero_point = q_min - np.rint(lo_neg / scale).astype(np.int64)
            zero_point = np.clip(zero_point, q_min, q_max)
        scale = np.atleast_1d(scale.astype(np.float32))
        return Tensor(scale), Tensor(np.atleast_1d(zero_point).astype(np.int64))

    def extra_repr(self) -> str:
        return f"min_val={self.min_val.data}, max_val={self.max_val.data}"


def _array(x) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=np.float32)


class MinMaxObserver(_ObserverBase):
    """The running min and max of everything seen. `forward(x)` records and returns x unchanged."""

    def forward(self, x):
        a = _array(x)
        if a.size:
            self.min_val = Tensor(np.minimum(self.min_val.data, a.min()))
            self.max_val = Tensor(np.maximum(self.max_val.data, a.max()))
        return x


class PerChannelMinMaxObserver(_ObserverBase):
    """Min and max per slice along `ch_axis` (e.g. per output row of a weight): one (scale,
    zero_point) per channel."""

    _schemes = (per_channel_affine, per_channel_symmetric)

    def __init__(self, ch_axis: int = 0, dtype=quint8, qscheme=per_channel_affine, **kwargs):
        super().__init__(dtype=dtype, qscheme=qscheme, **kwargs)
        self.ch_axis = ch_axis

    def forward(self, x):
        a = _array(x)
        if a.size:
            rows = np.moveaxis(a, self.ch_axis, 0).reshape(a.shape[self.ch_axis], -1)
            lo, hi = rows.min(axis=1), rows.max(axis=1)
            if self.min_val.data.ndim == 0:  # first call: (C,) from now on
                self.min_val, self.max_val = Tensor(lo), Tensor(hi)
            else:
                self.min_val = Tensor(np.minimum(self.min_val.data, lo))
                self.max_val = Tensor(np.maximum(self.max_val.data, hi))
        return x


class PercentileObserver(_ObserverBase):
    """A clipped range (minidl's; PyTorch's HistogramObserver instead searches a histogram for the
    range of least L2 quantisation error). For each observed batch it takes the
    (100 − percentile)-th and percentile-th percentiles of the values; the range is the mean of
    those over the batches seen (a running average, so calibration order does not matter).
    Values outside are clipped when quantised: a few outliers no longer cost every other value
    its resolution."""

    def __init__(self, percentile: float = 99.99, **kwargs):
        super().__init__(**kwargs)
        if not 50.0 < percentile <= 100.0:
            raise ValueError(
                f"PercentileObserver: argument `percentile` must be in (50, 100]; got {percentile}"
            )
        self.percentile = float(percentile)
        self._sums = np.zeros(2, np.float64)
        self._batches = 0

    def forward(self, x):
        a = _array(x)
        if a.size:
            lo, hi = np.percentile(a, [100.0 - self.percentile, self.percentile])
            self._sums += (lo, hi)
            self._batches += 1
            self.min_val = Tensor(np.float32(self._sums[0] / self._batches))
            self.max_val = Tensor(np.float32(self._sums[1] / self._batches))
        return x


__all__ = ["MinMaxObserver", "PerChannelMinMaxObserver", "PercentileObserver", "qint8", "quint8"]
