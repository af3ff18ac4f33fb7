"""minidl: a from-scratch deep-learning engine to read, run and test.

    import minidl as md
    x = md.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = (x * x).sum()
    y.backward()          # x.grad == 2 * x  (a Tensor)

Layers (imports only go down): kernels -> autograd (Function, the engine) and tensor (Tensor) -> ops
-> nn -> optim; testing checks them all. minidl speaks PyTorch: `import minidl as torch` runs much
PyTorch code unchanged (see the README's "Differences from PyTorch").
"""

from minidl import autograd, data, dtypes, kernels, linalg, nn, ops, optim, random, testing, utils
from minidl.autograd import (
    Function,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from minidl.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from minidl.device import (
    accelerator,
    backends,
    cuda,
    device,
    get_default_device,
    set_default_device,
)
from minidl.dtypes import (
    bool_,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from minidl.ops import *  # noqa: F403  (every op: md.exp, md.matmul, md.relu, ...)
from minidl.quantization import (
    dequantize,
    qint8,
    qint32,
    quantize_per_channel,
    quantize_per_tensor,
    quint8,
)
from minidl.random import manual_seed
from minidl.serialization import load, save
from minidl.tensor import Tensor

__version__ = "0.1.0"


Size = tuple  # t.shape and t.size() are tuples; isinstance(t.shape, md.Size) holds


def is_tensor(obj) -> bool:
    """True for minidl Tensors (and Parameters)."""
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> int:
    """The number of elements of `t`."""
    return t.numel()


# PyTorch's dtype aliases. They shadow the builtins inside this module only, so they come last.
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
bool = bool_  # noqa: A001
