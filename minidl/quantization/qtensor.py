"""Quantised tensors: real numbers stored as 8-bit integers plus an affine map back.

    q = clamp(round(x / scale) + zero_point, q_min, q_max)      (quantise)
    x̂ = (q − zero_point) · scale                                (dequantise)

`scale` is the step between representable values and `zero_point` the integer that stands for 0.0
(so 0.0 is exact: zero padding and ReLU zeros cost no error). Inside [q_min, q_max] the round-trip
error |x − x̂| is at most scale/2; outside it the value is clipped. Per-channel quantisation keeps one
(scale, zero_point) per slice along `axis` (e.g. per output row of a weight matrix), which helps
when rows have very different ranges.

Arithmetic as PyTorch's CPU kernels: float32, x times the float32 reciprocal 1/scale, plus the zero
point, rounded half to even (`nearbyint`), so the integers equal `torch.quantize_per_tensor`'s on the same inputs.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Tensor


class QDtype:
    """A quantised dtype: its name, integer storage and range (PyTorch's torch.qint8 etc.)."""

    def __init__(self, name: str, storage: type, q_min: int, q_max: int):
        self.name, self.storage, self.q_min, self.q_max = name, np.dtype(storage), q_min, q_max

    def __repr__(self) -> str:
        return f"minidl.{self.name}"


qint8 = QDtype("qint8", np.int8, -128, 127)
quint8 = QDtype("quint8", np.uint8, 0, 255)
qint32 = QDtype("qint32", np.int32, -(2**31), 2**31 - 1)
_QDTYPES = (qint8, quint8, qint32)

per_tensor_affine = "per_tensor_affine"
per_tensor_symmetric = "per_tensor_symmetric"
per_channel_affine = "per_channel_affine"
per_channel_symmetric = "per_channel_symmetric"


def check_qdtype(where: str, dtype) -> QDtype:
    if dtype not in _QDTYPES:
        raise TypeError(
            f"{where}: argument `dtype` must be md.qint8, md.quint8 or md.qint32; received {dtype!r}"
        )
    return dtype


def _float_array(where: str, x) -> np.ndarray:
    a = x.data if isinstance(x, Tensor) else np.asarray(x)
    if a.dtype.kind != "f":
        raise TypeError(f"{where}: argument `x` must be floating point; received dtype {a.dtype}")
    return a.astype(np.float32)


def _quantize(
    a: np.ndarray, scale: np.ndarray, zero_point: np.ndarray, dtype: QDtype
) -> np.ndarray:
    """The quantisation formula on arrays (scale, zero_point broadcast against a)."""
    inv_scale = np.float32(1.0) / scale.astype(np.float32)  # PyTorch multiplies by 1/scale
    # PyTorch (fbgemm's "legacy" rounding) rounds after adding the zero point, in float32:
    # rint(zp + x/scale), which differs from zp + rint(x/scale) at ties (2.5 + 1 -> 4, not 3)
    q = np.rint(zero_point.astype(np.float32) + a * inv_scale).astype(np.int64)
    return np.clip(q, dtype.q_min, dtype.q_max).astype(dtype.storage)


class QTensor:
    """Integers, their dtype and the quantisation parameters (torch's quantised Tensor, minus its
    arithmetic). `int_repr()` gives the integers, `dequantize()` the float32 approximation."""

    def __init__(self, ints: np.ndarray, scale, zero_point, dtype: QDtype, axis: int | None = None):
        self._ints, self.dtype, self._axis = ints, dtype, axis
        self._scale = np.asarray(scale, dtype=np.float64)
        self._zero_point = np.asarray(zero_point, dtype=np.int64)

    @property
    def shape(self) -> tuple:
        return self._ints.shape

    def size(self, dim: int | None = None):
        return self.shape if dim is None else self.shape[dim]

    def numel(self) -> int:
        return int(self._ints.size)

    def qscheme(self) -> str:
        return per_tensor_affine if self._axis is None else per_channel_affine

    def int_repr(self) -> Tensor:
        """The stored integers as a Tensor of the storage dtype (int8, uint8 or int32)."""
        return Tensor(self._ints.copy())

    def _per_tensor(self, what: str) -> None:
        if self._axis is not None:
            raise RuntimeError(
                f"QTensor.{what}: this tensor is quantised per channel; use "
                f"q_per_channel_{'scales' if what == 'q_scale' else 'zero_points'}()"
            )

    def q_scale(self) -> float:
        self._per_tensor("q_scale")
        return float(self._scale)

    def q_zero_point(self) -> int:
        self._per_tensor("q_zero_point")
        return int(self._zero_point)

    def q_per_channel_scales(self) -> Tensor:
        return Tensor(self._scale.copy())

    def q_per_channel_zero_points(self) -> Tensor:
        return Tensor(self._zero_point.copy())

    def q_per_channel_axis(self) -> int:
        if self._axis is None:
            raise RuntimeError("QTensor.q_per_channel_axis: this tensor is quantised per tensor")
        return self._axis

    def _broadcast(self, a: np.ndarray) -> np.ndarray:
        if self._axis is None:
            return a
        shape = [1] * self._ints.ndim
        shape[self._axis] = -1
        return a.reshape(shape)

    def dequantize(self) -> Tensor:
        """(q − zero_point) · scale as float32 (scale rounded to float32 first, as PyTorch)."""
        zp = self._broadcast(self._zero_point)
        scale = self._broadcast(self._scale.astype(np.float32))
        return Tensor((self._ints.astype(np.float32) - zp.astype(np.float32)) * scale)

    @property
    def nbytes(self) -> int:
        """Bytes of the integers plus the parameters (8 + 8 per scale/zero-point pair)."""
        return int(self._ints.nbytes + self._scale.nbytes + self._zero_point.nbytes)

    def __repr__(self) -> str:
        params = (
            f"scale={self.q_scale()}, zero_point={self.q_zero_point()}"
            if self._axis is None
            else f"axis={self._axis}, scales={self._scale}, zero_points={self._zero_point}"
        )
        return f"QTensor({self.dequantize().data}, dtype={self.dtype!r}, {params})"


def quantize_per_tensor(x, scale: float, zero_point: int, dtype: QDtype) -> QTensor:
    """q = clamp(round(x / scale) + zero_point, q_min, q_max) with one scale and zero point."""
    where = "quantize_per_tensor"
    dtype = check_qdtype(where, dtype)
    a = _float_array(where, x)
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"{where}: argument `scale` must be a positive number; received {scale}")
    if int(zero_point) != zero_point or not dtype.q_min <= zero_point <= dtype.q_max:
        raise ValueError(
            f"{where}: argument `zero_point` must be an int in [{dtype.q_min}, {dtype.q_max}] for "
            f"{dtype.name}; received {zero_point}"
        )
    ints = _quantize(a, np.asarray(scale), np.asarray(int(zero_point)), dtype)
    return QTensor(ints, scale, int(zero_point), dtype)


def quantize_per_channel(x, scales, zero_points, axis: int, dtype: QDtype) -> QTensor:
    """Like quantize_per_tensor with scales[c], zero_points[c] for slice c along `axis`."""
    where = "quantize_per_channel"
    dtype = check_qdtype(where, dtype)
    a = _float_array(where, x)
    s = np.asarray(scales.data if isinstance(scales, Tensor) else scales, dtype=np.float64)
    zp = np.asarray(zero_points.data if isinstance(zero_points, Tensor) else zero_points)
    if not -a.ndim <= axis < a.ndim:
        raise ValueError(f"{where}: argument `axis` {axis} is out of range for {a.ndim} dims")
    axis = axis % a.ndim
    c = a.shape[axis]
    if s.shape != (c,) or zp.shape != (c,):
        raise ValueError(
            f"{where}: expected scales and zero_points of shape ({c},) for axis {axis} of a "
            f"tensor of shape {a.shape}; received {s.shape} and {zp.shape}"
        )
    if not np.all(np.isfinite(s) & (s > 0)):
        raise ValueError(f"{where}: argument `scales` must be positive; received {s}")
    if zp.dtype.kind not in "iu" or zp.min() < dtype.q_min or zp.max() > dtype.q_max:
        raise ValueError(
            f"{where}: argument `zero_points` must be ints in [{dtype.q_min}, {dtype.q_max}]; "
            f"received {zp}"
        )
    shape = [1] * a.ndim
    shape[axis] = c
    ints = _quantize(a, s.reshape(shape), zp.reshape(shape), dtype)
    return QTensor(ints, s, zp.astype(np.int64), dtype, axis=axis)


def dequantize(q: QTensor) -> Tensor:
    """x̂ = (q − zero_point) · scale, a float32 Tensor."""
    if not isinstance(q, QTensor):
        raise TypeError(f"dequantize: expected a QTensor; received {type(q).__name__}")
    return q.dequantize()
