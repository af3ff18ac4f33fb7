"""Helpers shared by the nn.utils modules."""

from __future__ import annotations

import numpy as np

from minidl.autograd import Tensor
from minidl.nn.module import Module


def _param_list(params, where: str) -> list:
    if isinstance(params, Tensor):
        return [params]
    if isinstance(params, Module):
        raise TypeError(
            f"{where}: pass parameters, e.g. model.parameters() or decay_parameters(model); "
            f"received the Module itself"
        )
    params = list(params)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}: expected Tensors; received {type(p).__name__}")
    return params


def grad_array(p: Tensor) -> np.ndarray:
    """The numpy array of p's gradient (p.grad is a Tensor in PyTorch's API; older minidl kept the
    array itself): clipping writes into it in place."""
    g = p.grad
    return g.data if isinstance(g, Tensor) else g
