"""MNIST's IDX file format: a 4-byte magic number, the dimensions, then the raw data.

    bytes 0-1   0x00 0x00
    byte  2     data type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
    byte  3     number of dimensions, d
    then        d sizes, each a big-endian uint32
    then        prod(sizes) values, big-endian, C order (last index fastest)

`train-images-idx3-ubyte` is magic 0x00000803 (uint8, 3 dims: 60000 x 28 x 28); the labels file is
0x00000801. Files compressed with gzip (`*.gz`, as MNIST is distributed) are read transparently.
Every file is validated: a bad magic number, a truncated header or body, or trailing bytes give a
`ValueError` naming the file.
"""

from __future__ import annotations

import gzip
import math
import os

import numpy as np

from minidl.autograd import Tensor

# type code -> big-endian dtype
_CODES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODE_OF = {dt.newbyteorder("=").str: code for code, dt in _CODES.items()}


def _read_bytes(path) -> bytes:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"read_idx: no such file: '{os.fspath(path)}'") from None
    except IsADirectoryError:
        raise ValueError(f"read_idx: '{os.fspath(path)}' is a folder, not an IDX file") from None
    if raw[:2] == b"\x1f\x8b":  # gzip's magic number
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise ValueError(
                f"read_idx: '{os.fspath(path)}' is a damaged gzip file ({e})"
            ) from None
    return raw


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (optionally gzipped) into a numpy array of native byte order.

    The dtype comes from the file's type code (MNIST images and labels are uint8).
    """
    return parse_idx(_read_bytes(path), os.fspath(path))


def parse_idx(raw: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode the (uncompressed) bytes of an IDX file; `name` is used in error messages."""
    if len(raw) < 4:
        raise ValueError(
            f"read_idx: '{name}' is too short to be an IDX file ({len(raw)} bytes; the magic number "
            f"alone is 4)"
        )
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in _CODES:
        raise ValueError(
            f"read_idx: '{name}' is not an IDX file: magic number 0x{raw[:4].hex()} (expected "
            f"0x0000TTDD with type code TT in {{08, 09, 0b, 0c, 0d, 0e}} and DD dimensions)"
        )
    dtype, ndim = _CODES[raw[2]], raw[3]
    if ndim == 0:
        raise ValueError(f"read_idx: '{name}' declares 0 dimensions; IDX arrays have 1 to 255")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(
            f"read_idx: '{name}' is truncated: its header declares {ndim} dimensions "
            f"({header} header bytes) but the file has {len(raw)} bytes"
        )
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = math.prod(shape) * dtype.itemsize  # Python ints: no overflow for huge claimed sizes
    actual = len(raw) - header
    if actual != expected:
        problem = "is truncated" if actual < expected else "has trailing bytes"
        raise ValueError(
            f"read_idx: '{name}' {problem}: shape {shape} of {dtype.newbyteorder('=')} needs "
            f"{expected} data bytes, the file has {actual}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # a writable copy in native byte order


def write_idx(path: str | os.PathLike, array) -> None:
    """Write `array` (uint8, int8, int16, int32, float32 or float64; 1 to 255 dims) as an IDX file.

    Written big-endian, as the format requires, and gzip-compressed when `path` ends in `.gz`.
    """
    a = np.asarray(array.data if isinstance(array, Tensor) else array)
    native = a.dtype.newbyteorder("=").str
    if native not in _CODE_OF:
        raise TypeError(
            f"write_idx: argument `array` has dtype {a.dtype}; IDX stores uint8, int8, int16, "
            f"int32, float32 or float64"
        )
    if not 1 <= a.ndim <= 255:
        raise ValueError(
            f"write_idx: argument `array` must have 1 to 255 dimensions; received shape {a.shape}"
        )
    code = _CODE_OF[native]
    header = bytes([0, 0, code, a.ndim]) + np.asarray(a.shape, dtype=">u4").tobytes()
    body = np.ascontiguousarray(a, dtype=_CODES[code]).tobytes()
    data = header + body
    if os.fspath(path).endswith(".gz"):
        data = gzip.compress(data, mtime=0)  # mtime=0: the same array gives the same bytes
    with open(path, "wb") as f:
        f.write(data)
