"""`md.nn.utils`: gradient clipping (`clip_grad`) and regularisation penalties (`penalties`),
with PyTorch's names (`clip_grad_norm_`, `clip_grad_value_`) and Keras's penalties."""

from minidl.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_
from minidl.nn.utils.penalties import decay_parameters, l1_penalty, l2_penalty, no_decay_parameters

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "l1_penalty",
    "l2_penalty",
    "decay_parameters",
    "no_decay_parameters",
]
