"""`md.quantization`: post-training int8 quantisation — quantised tensors, observers that choose
scale and zero point, and dynamic quantisation of Linear layers (PyTorch's `torch.ao.quantization`
names).

    q = md.quantize_per_tensor(x, scale=0.1, zero_point=0, dtype=md.qint8)
    q.int_repr(), q.q_scale(), q.q_zero_point(), q.dequantize()
    obs = md.quantization.MinMaxObserver(md.qint8, md.quantization.per_tensor_symmetric)
    qmodel = md.quantization.quantize_dynamic(model, {md.nn.Linear}, dtype=md.qint8)

Place in the import order: kernels -> autograd/tensor -> ops -> nn -> quantization (beside optim:
it uses Module, Linear and Tensor and nothing above nn; nothing below imports it). `minidl/__init__`
re-exports quantize_per_tensor, quantize_per_channel, dequantize, qint8, quint8 and qint32 at the top
level, as torch does; that is the package root importing down, not an upward import.
"""

from minidl.quantization.dynamic import DynamicQuantizedLinear, model_size_bytes, quantize_dynamic
from minidl.quantization.observer import (
    MinMaxObserver,
    PercentileObserver,
    PerChannelMinMaxObserver,
)
from minidl.quantization.qtensor import (
    QDtype,
    QTensor,
    dequantize,
    per_channel_affine,
    per_channel_symmetric,
    per_tensor_affine,
    per_tensor_symmetric,
    qint8,
    qint32,
    quantize_per_channel,
    quantize_per_tensor,
    quint8,
)

__all__ = [
    "QDtype", "QTensor", "qint8", "quint8", "qint32", "quantize_per_tensor",
    "quantize_per_channel", "dequantize", "per_tensor_affine", "per_tensor_symmetric",
    "per_channel_affine", "per_channel_symmetric", "MinMaxObserver", "PerChannelMinMaxObserver",
    "PercentileObserver", "quantize_dynamic", "DynamicQuantizedLinear", "model_size_bytes",
]  # fmt: skip
