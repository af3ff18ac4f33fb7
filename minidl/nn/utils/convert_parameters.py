"""`parameters_to_vector` and `vector_to_parameters` (PyTorch's names): all parameters as one flat
vector and back — what second-order methods, evolution strategies and weight-space plots use."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from minidl.autograd import Tensor
from minidl.nn.utils._common import _param_list
from minidl.ops.shape import cat

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """θ = concat(p₁.flatten(), p₂.flatten(), ...) in iteration order (differentiable)."""
    params = _param_list(parameters, "parameters_to_vector")
    if not params:
        raise ValueError("parameters_to_vector: received no parameters")
    return cat([p.reshape(-1) for p in params], 0)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the flat `vec` into each parameter's data, in place (the
    inverse of `parameters_to_vector`; no graph is recorded)."""
    params = _param_list(parameters, "vector_to_parameters")
    if not isinstance(vec, Tensor) or vec.ndim != 1:
        raise TypeError(
            f"vector_to_parameters: expected `vec` to be a 1-D Tensor; received "
            f"{type(vec).__name__} of shape {getattr(vec, 'shape', None)}"
        )
    total = sum(p.data.size for p in params)
    if vec.shape[0] != total:
        raise ValueError(
            f"vector_to_parameters: `vec` has {vec.shape[0]} elements but the parameters hold "
            f"{total}"
        )
    offset = 0
    for p in params:
        n = p.data.size
        p.data[...] = np.asarray(vec.data[offset : offset + n]).reshape(p.data.shape)
        p._version[0] += 1  # a graph that saved the old values must not reuse them
        offset += n
