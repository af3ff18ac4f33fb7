r"""Checkpoints: `md.save(obj, path)` and `md.load(path)`, in the safetensors format. Nothing is pickled.

`obj` is what a PyTorch user hands to `torch.save`: usually a nested dict such as
``{"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 7}``, built from Tensors,
numpy arrays, numpy and Python scalars, str, bool, None, lists, tuples and dicts (any of these keys:
str, int, float, bool, None, or tuples of them -- optimizer state is keyed by int).

A safetensors file is one page of specification: an 8-byte little-endian length N, N bytes of JSON
(the header), then the raw bytes of every tensor, back to back. Here are the bytes of a tiny
checkpoint (`to_bytes` is what `save` writes)::

    >>> import json, minidl as md
    >>> raw = md.serialization.to_bytes({"w": md.tensor([1.0, 2.0]), "epoch": 3})
    >>> n = int.from_bytes(raw[:8], "little")          # 1. the header's length
    >>> header = json.loads(raw[8 : 8 + n])            # 2. the header: one entry per tensor ...
    >>> header["w"]
    {'dtype': 'F32', 'shape': [2], 'data_offsets': [0, 8]}
    >>> meta = header["__metadata__"]                  # ... and string -> string metadata
    >>> meta["minidl.format"], meta["minidl.version"]
    ('minidl-checkpoint', '1')
    >>> meta["minidl.tree"]                            # the object, arrays replaced by their keys
    '{"dict":[["w",{"tensor":"w"}],["epoch",3]]}'
    >>> raw[8 + n :]                                   # 3. the data: 1.0 and 2.0 as float32
    b'\x00\x00\x80?\x00\x00\x00@'

`save` walks the object: every array or Tensor goes into the tensor table under its dotted key path
(``model.fc.weight``, ``optimizer.state.0.exp_avg``; a clash gets a ``#2`` suffix), and the rest of
the tree goes into the metadata as JSON, in which each array is replaced by a reference to its key.
The JSON tags containers so that they come back exactly: `{"dict": [[key, value], ...]}` keeps int
keys int (`odict` for an OrderedDict), `{"tuple": [...]}`, `{"tensor": key}` (with
`"requires_grad": true` when set), `{"ndarray": key}`, `{"numpy": "float32", "value": 0.5}`.
`minidl.sha256` is the SHA-256 of the format name and version, the tree JSON and every tensor's name,
dtype, shape and bytes, so a flipped bit anywhere is caught.

A plain `model.state_dict()` (a flat dict of tensors) is stored under exactly its own keys, so
`safetensors.torch.load_file(path)` gives PyTorch tensors ready for `torch_model.load_state_dict`;
and `md.load` reads a file written by `safetensors.torch.save_file` (no minidl metadata) as a dict
of name -> Tensor.

`load` returns what was saved: Tensors where Tensors were saved (as `torch.load` does), numpy arrays
where numpy arrays were saved, dicts with their key types, tuples as tuples. `Module.load_state_dict`
and `Optimizer.load_state_dict` accept what it returns.

Safety. `save` writes to a temporary file in the same folder, flushes and fsyncs it, then renames it
over `path` with `os.replace` (atomic on POSIX and Windows): a crash mid-write leaves the previous
file intact. `load` checks everything before returning: the file exists, is safetensors (not a
pickle), is complete (truncation), is a minidl checkpoint of a version it reads, and its checksum
matches. Each failure is a `ValueError` (or `FileNotFoundError`) naming the file and the problem.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections import OrderedDict
from typing import Any

import numpy as np
import safetensors.numpy

from minidl.autograd import Tensor

FORMAT = "minidl-checkpoint"
VERSION = 1
_META_KEYS = ("minidl.format", "minidl.version", "minidl.tree", "minidl.sha256")
_ARRAY_KINDS = "biuf"  # bool, signed and unsigned ints, floats: what safetensors stores
_NOT_IN_NUMPY = {"BF16", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2"}

_UMASK = os.umask(0)  # read the process umask once, so a checkpoint gets ordinary permissions
os.umask(_UMASK)


# ----------------------------------------------------------------------------------------------------
# The object tree <-> JSON + a table of arrays
# ----------------------------------------------------------------------------------------------------


class _Encoder:
    """Walks an object, replacing arrays by references and collecting them under dotted names."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def _name(self, path: tuple) -> str:
        base = ".".join(str(p) for p in path) or "tensor"
        name, k = base, 1
        while name in self.arrays or name == "__metadata__":  # {"a.b": x, "a": {"b": y}} collide
            k += 1
            name = f"{base}#{k}"
        return name

    def _array(self, array: np.ndarray, path: tuple, where: str) -> str:
        if array.dtype.kind not in _ARRAY_KINDS:
            raise TypeError(
                f"save: the array at {where} has dtype {array.dtype}; checkpoints store bool, int "
                f"and float arrays"
            )
        name = self._name(path)
        # safetensors copies raw memory: a transposed view must be made contiguous first
        # (np.require, not np.ascontiguousarray, which turns a 0-d array into shape (1,))
        self.arrays[name] = np.require(array, requirements="C")
        return name

    def encode(self, obj: Any, path: tuple = ()) -> Any:
        where = "obj" + "".join(f"[{p!r}]" for p in path)
        if isinstance(obj, np.generic) and obj.dtype.kind in _ARRAY_KINDS:
            # before the Python scalars: np.float64 is a subclass of float, and must stay np.float64
            return _numpy_scalar(obj)
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        if isinstance(obj, Tensor):
            node = {"tensor": self._array(obj.data, path, where)}
            if obj.requires_grad:
                node["requires_grad"] = True
            return node
        if isinstance(obj, np.ndarray):
            return {"ndarray": self._array(obj, path, where)}
        if isinstance(obj, dict):
            items = [[self._key(k, where), self.encode(v, (*path, k))] for k, v in obj.items()]
            return {"odict" if isinstance(obj, OrderedDict) else "dict": items}
        if isinstance(obj, (list, tuple)):
            items = [self.encode(v, (*path, i)) for i, v in enumerate(obj)]
            return items if isinstance(obj, list) else {"tuple": items}
        raise TypeError(
            f"save: cannot store {type(obj).__name__} at {where}; a checkpoint holds Tensors, numpy "
            f"arrays and scalars, int, float, str, bool, None, and lists, tuples and dicts of them "
            f"(nothing is pickled)"
        )

    def _key(self, key: Any, where: str) -> Any:
        if isinstance(key, np.generic) and key.dtype.kind in _ARRAY_KINDS:
            return _numpy_scalar(key)
        if key is None or isinstance(key, (bool, int, float, str)):
            return key
        if isinstance(key, tuple):
            return {"tuple": [self._key(k, where) for k in key]}
        raise TypeError(
            f"save: dict key {key!r} ({type(key).__name__}) in {where} cannot be stored; keys must "
            f"be str, int, float, bool, None, numpy scalars or tuples of them"
        )


def _numpy_scalar(x: np.generic) -> dict:
    return {"numpy": x.dtype.name, "value": x.item()}  # .item(): the exact Python int/float/bool


def _decode(node: Any, arrays: dict[str, np.ndarray], name: str) -> Any:
    """Rebuild the object from its JSON tree (the inverse of `_Encoder.encode`)."""
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(v, arrays, name) for v in node]
    if isinstance(node, dict) and len(node) >= 1:
        if "tensor" in node:
            return Tensor._wrap(arrays[node["tensor"]]).requires_grad_(
                bool(node.get("requires_grad", False))
            )
        if "ndarray" in node:
            return arrays[node["ndarray"]]
        if "numpy" in node:
            return np.dtype(node["numpy"]).type(node["value"])
        if "tuple" in node:
            return tuple(_decode(v, arrays, name) for v in node["tuple"])
        for tag, cls in (("dict", dict), ("odict", OrderedDict)):
            if tag in node:
                return cls((_decode_key(k), _decode(v, arrays, name)) for k, v in node[tag])
    raise ValueError(f"load: '{name}' has a damaged object tree (unexpected node {node!r:.80})")


def _decode_key(key: Any) -> Any:
    if isinstance(key, dict):
        if "numpy" in key:
            return np.dtype(key["numpy"]).type(key["value"])
        return tuple(_decode_key(k) for k in key["tuple"])
    return key


def _checksum(tree_json: str, arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 over the format, the tree and every array's name, dtype, shape and little-endian
    bytes, in sorted name order (the order the tensors sit in the file does not matter)."""
    h = hashlib.sha256(f"{FORMAT} {VERSION}\n".encode())
    h.update(tree_json.encode("utf-8"))
    for name in sorted(arrays):
        a = arrays[name]
        little = np.require(a, dtype=a.dtype.newbyteorder("<"), requirements="C")
        h.update(f"\n{name}\n{little.dtype.str}{list(a.shape)}\n".encode())
        h.update(little.reshape(-1).view(np.uint8))
    return h.hexdigest()


# ----------------------------------------------------------------------------------------------------
# save
# ----------------------------------------------------------------------------------------------------


def _atomic_write(path: str, data: bytes) -> None:
    """Write `data` to `path` so that a reader sees either the old file or the complete new one."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: folder '{folder}' (for '{path}') does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the rename makes them visible
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):  # POSIX: make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def to_bytes(obj: Any) -> bytes:
    """The bytes `save` writes: the safetensors encoding of `obj` with minidl's metadata."""
    encoder = _Encoder()
    tree = encoder.encode(obj)
    tree_json = json.dumps(tree, separators=(",", ":"))
    metadata = {
        "minidl.format": FORMAT,
        "minidl.version": str(VERSION),
        "minidl.tree": tree_json,
        "minidl.sha256": _checksum(tree_json, encoder.arrays),
    }
    return _canonical(safetensors.numpy.save(encoder.arrays, metadata=metadata))


def _canonical(raw: bytes) -> bytes:
    """The same file with its metadata keys in sorted order.

    safetensors keeps metadata in a hash map, so its order (and so the file's bytes) can change from
    one process to the next; re-writing the header with sorted keys makes the same object give the
    same bytes every time. The tensor entries and the data section are unchanged.
    """
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + n])
    header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # pad with spaces so the data starts 8-byte aligned
    return len(text).to_bytes(8, "little") + text + raw[8 + n :]


def save(obj: Any, f) -> None:
    """Save `obj` (a Tensor, or a nested dict/list/tuple of Tensors, arrays, numbers, strings, bools
    and None) to `f` in the safetensors format. See the module docstring.

    `f` is a path (written atomically) or, as in PyTorch, a binary file object such as io.BytesIO
    (written with one `f.write`; atomicity is then the caller's business).
    """
    if hasattr(f, "write") and not isinstance(f, (str, os.PathLike)):
        f.write(to_bytes(obj))
        return
    if not isinstance(f, (str, os.PathLike)):
        raise TypeError(
            f"save: argument `f` must be a file path or a binary file object; received "
            f"{type(f).__name__}"
        )
    _atomic_write(os.fspath(f), to_bytes(obj))


# ----------------------------------------------------------------------------------------------------
# load
# ----------------------------------------------------------------------------------------------------


def _not_safetensors(raw: bytes, name: str, problem: str) -> ValueError:
    """The error for a file whose framing is wrong, recognising PyTorch's pickle formats."""
    if raw[:1] == b"\x80" or raw[:4] == b"PK\x03\x04":
        return ValueError(
            f"load: '{name}' looks like a pickle or torch.save zip archive, not safetensors; "
            f"minidl never unpickles. In PyTorch, write it with safetensors.torch.save_file"
        )
    return ValueError(f"load: '{name}' is damaged or not a safetensors file: {problem}")


def _read_header(raw: bytes, name: str) -> dict:
    """Parse and check the safetensors framing: length prefix, JSON header, data size."""
    if len(raw) < 8:
        raise _not_safetensors(
            raw, name, f"{len(raw)} bytes, fewer than the 8-byte header length (truncated?)"
        )
    n = int.from_bytes(raw[:8], "little")
    if n > len(raw) - 8:
        raise _not_safetensors(
            raw,
            name,
            f"the header length says {n} bytes but only {len(raw) - 8} follow (truncated?)",
        )
    try:
        header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _not_safetensors(raw, name, f"its header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise ValueError(f"load: '{name}' is damaged: its header is not a JSON object")
    ends = []  # where each tensor's bytes end (malformed entries are left to safetensors to refuse)
    for key, entry in header.items():
        offsets = entry.get("data_offsets") if isinstance(entry, dict) else None
        if key != "__metadata__" and isinstance(offsets, list) and len(offsets) == 2:
            if isinstance(offsets[1], int):
                ends.append(offsets[1])
    expected, actual = max(ends, default=0), len(raw) - 8 - n
    if actual < expected:
        raise ValueError(
            f"load: '{name}' is truncated: its header describes {expected} bytes of tensor data, "
            f"the file holds {actual}"
        )
    return header


def _check_map_location(map_location: Any) -> None:
    if map_location is not None and str(map_location) != "cpu":
        raise ValueError(
            f"load: argument `map_location` must be None or 'cpu' (minidl runs on the CPU); "
            f"received {map_location!r}"
        )


def load(f, map_location: Any = None, weights_only: bool = True) -> Any:
    """Load what `save` wrote (or any safetensors file of tensors), validating it first.

    `f` is a path or a binary file object. `map_location` ('cpu' or None) and `weights_only` are
    accepted for PyTorch code; loading is always safe, since nothing is unpickled. See the module
    docstring for what comes back.
    """
    _check_map_location(map_location)
    if hasattr(f, "read") and not isinstance(f, (str, os.PathLike)):
        raw, name = f.read(), str(getattr(f, "name", f"<{type(f).__name__}>"))
        if not isinstance(raw, bytes):
            raise TypeError(f"load: file object {name} must be opened in binary mode ('rb')")
        return from_bytes(raw, name)
    if not isinstance(f, (str, os.PathLike)):
        raise TypeError(
            f"load: argument `f` must be a file path or a binary file object; received "
            f"{type(f).__name__}"
        )
    name = os.fspath(f)
    try:
        with open(name, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"load: no such file: '{name}'") from None
    except IsADirectoryError:
        raise ValueError(f"load: '{name}' is a folder, not a checkpoint file") from None
    return from_bytes(raw, name)


def from_bytes(raw: bytes, name: str = "<bytes>") -> Any:
    """Decode and validate the bytes of a checkpoint; `name` is used in error messages."""
    header = _read_header(raw, name)
    for key, entry in header.items():
        dtype = entry.get("dtype") if isinstance(entry, dict) else None
        if key != "__metadata__" and dtype in _NOT_IN_NUMPY:
            raise ValueError(
                f"load: '{name}' holds tensor '{key}' of dtype {dtype}, which numpy (and so "
                f"minidl) cannot represent; convert it before saving, e.g. tensor.float() in PyTorch"
            )
    try:
        arrays = safetensors.numpy.load(raw)
    except Exception as e:  # SafetensorError: a header that does not describe the data
        raise ValueError(
            f"load: '{name}' is damaged or not a valid safetensors file ({e})"
        ) from None

    for key, a in arrays.items():
        if a.dtype.kind not in _ARRAY_KINDS:
            raise ValueError(
                f"load: '{name}' holds tensor '{key}' of dtype {a.dtype}; minidl tensors are bool, "
                f"int or float"
            )
    meta = header.get("__metadata__") or {}
    present = [k for k in _META_KEYS if k in meta]
    if not present:  # a plain safetensors file, e.g. from safetensors.torch.save_file
        return {k: Tensor._wrap(arrays[k]) for k in header if k != "__metadata__"}
    if len(present) != len(_META_KEYS):
        missing = sorted(set(_META_KEYS) - set(present))
        raise ValueError(f"load: '{name}' is damaged: its metadata lacks {missing}")
    if meta["minidl.format"] != FORMAT:
        raise ValueError(
            f"load: '{name}' has format {meta['minidl.format']!r}; expected {FORMAT!r}"
        )
    if meta["minidl.version"] != str(VERSION):
        raise ValueError(
            f"load: '{name}' is format version {meta['minidl.version']!r}; this minidl reads "
            f"version {VERSION}"
        )
    if _checksum(meta["minidl.tree"], arrays) != meta["minidl.sha256"]:
        raise ValueError(
            f"load: '{name}' failed its SHA-256 check: the content changed after it was written "
            f"(a flipped byte, a partial copy or an edit)"
        )
    try:
        tree = json.loads(meta["minidl.tree"])
        return _decode(tree, arrays, name)
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise ValueError(f"load: '{name}' has a damaged object tree ({e!r})") from None
