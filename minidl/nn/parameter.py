"""`Parameter`: a Tensor that a Module registers as one of its learnable weights.

Assigning a Parameter to a Module attribute (`self.weight = Parameter(...)`) is what makes it appear in
`module.parameters()`, `named_parameters()` and `state_dict()`; a plain Tensor attribute does not.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Tensor, as_array


class Parameter(Tensor):
    """A learnable tensor: `requires_grad=True` by default, and registered by Module on assignment.

    Like PyTorch's, `Parameter(t)` shares `t`'s data (no copy), so initialising through either name
    changes both. Only floating-point data can be a parameter.
    """

    __slots__ = ()  # Tensor uses __slots__; a subclass adds no per-instance dict

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            data = np.empty(0, dtype=np.float32)
        array = data.data if isinstance(data, Tensor) else as_array(data, where="Parameter")
        if array.dtype.kind != "f":
            raise TypeError(
                f"Parameter: data must be floating point to be learned; received dtype {array.dtype}"
            )
        version = data._version if isinstance(data, Tensor) else None
        Tensor._init_fields(self, array, bool(requires_grad), version=version)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
