"""Devices: minidl runs on the CPU, and says so.

PyTorch code names devices everywhere (`device = torch.device("cuda" if torch.cuda.is_available() else
"cpu")`, `x.to(device)`, `torch.zeros(3, device=device)`). minidl accepts all of that for the CPU —
`md.device("cpu")`, "cpu", "cpu:0", a device object — as a no-op, answers False to every "is an
accelerator available?" question (`md.cuda.is_available()`, `md.backends.mps.is_available()`,
`md.accelerator.is_available()`), and refuses any other device with an error that says minidl runs on
the CPU. So portable scripts take their CPU branch and run unchanged.
"""

from __future__ import annotations

import types


class device:
    """A device, PyTorch's `torch.device`: only `device("cpu")` (or "cpu:0", `device("cpu", 0)`)."""

    __slots__ = ("type", "index")

    def __init__(self, type: str | device = "cpu", index: int | None = None):  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a device string such as 'cpu'; received {type!r}")
        kind, _, idx = type.partition(":")
        if kind != "cpu":
            raise RuntimeError(
                f"device: minidl runs on the CPU only; received device {type!r}. Use 'cpu' (portable "
                f"code can test md.cuda.is_available(), which is False)"
            )
        if idx:
            if not idx.isdigit():
                raise ValueError(f"device: invalid device string {type!r}")
            index = int(idx)
        if index not in (None, 0):
            raise RuntimeError(f"device: minidl has one CPU device, index 0; received {index!r}")
        self.type, self.index = "cpu", index

    def __repr__(self) -> str:
        return "device(type='cpu')" if self.index is None else "device(type='cpu', index=0)"

    def __str__(self) -> str:
        return "cpu" if self.index is None else "cpu:0"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = as_device(other, "device")
        return isinstance(other, device) and other.type == self.type

    def __hash__(self) -> int:
        return hash(self.type)


CPU = device("cpu")


def as_device(value, where: str) -> device:
    """`value` (None, a string or a device) as the CPU device, or the clear error of `device()`."""
    if value is None:
        return CPU
    if isinstance(value, device):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        raise RuntimeError(
            f"{where}: device {value} means a CUDA device in PyTorch; minidl runs on the CPU only"
        )
    if not isinstance(value, str):
        raise TypeError(
            f"{where}: argument `device` must be a string or md.device; received {value!r}"
        )
    try:
        return device(value)
    except (RuntimeError, ValueError) as e:
        raise type(e)(str(e).replace("device:", f"{where}:", 1)) from None


def set_default_device(value) -> None:
    """Accepts only the CPU (a no-op): minidl runs on the CPU."""
    as_device(value, "set_default_device")


def get_default_device() -> device:
    return CPU


def _false(*args, **kwargs) -> bool:
    return False


def _zero(*args, **kwargs) -> int:
    return 0


def _nothing(*args, **kwargs) -> None:
    return None


def _no_accelerator(*args, **kwargs):
    raise RuntimeError(
        "minidl runs on the CPU only: there is no CUDA (or other accelerator) device"
    )


# md.cuda: what `torch.cuda` answers on a machine without a GPU
cuda = types.SimpleNamespace(
    is_available=_false,
    device_count=_zero,
    is_initialized=_false,
    manual_seed=_nothing,  # seeding a device that is not there does nothing, as in PyTorch
    manual_seed_all=_nothing,
    synchronize=_nothing,
    empty_cache=_nothing,
    current_device=_no_accelerator,
    get_device_name=_no_accelerator,
    set_device=_no_accelerator,
)
# md.backends.mps / .cudnn / .cuda
backends = types.SimpleNamespace(
    mps=types.SimpleNamespace(is_available=_false, is_built=_false),
    cuda=types.SimpleNamespace(is_built=_false),
    cudnn=types.SimpleNamespace(
        is_available=_false, enabled=False, deterministic=False, benchmark=False
    ),
)
# md.accelerator (PyTorch 2.6+): no accelerator
accelerator = types.SimpleNamespace(
    is_available=_false,
    current_accelerator=_nothing,
    device_count=_zero,
)
