"""`md.nn.utils`: gradient clipping (`clip_grad`), regularisation penalties (`penalties`) and
flat parameter vectors (`convert_parameters`), with PyTorch's names (`clip_grad_norm_`,
`clip_grad_value_`, `parameters_to_vector`, `vector_to_parameters`) and Keras's penalties."""

from minidl.nn.utils import (
    prune,  # noqa: F401  (md.nn.utils.prune, as torch.nn.utils.prune)
    rnn,
)
from minidl.nn.utils.adversarial import fgsm  # noqa: F401  (the FGSM attack)
from minidl.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_
from minidl.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters
from minidl.nn.utils.penalties import decay_parameters, l1_penalty, l2_penalty, no_decay_parameters

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "l1_penalty",
    "l2_penalty",
    "decay_parameters",
    "no_decay_parameters",
    "parameters_to_vector",
    "vector_to_parameters",
    "rnn",
]
