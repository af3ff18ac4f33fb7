"""`summary(model, input_shape)`: each layer's output shape and parameter count, and the totals —
what Keras's `model.summary()` prints, for a minidl module.

How. A batch of zeros of shape (2, *input_shape) is run through the model in eval mode under
`no_grad`, with a forward hook on every leaf module (a module without children: Linear, Conv2d,
ReLU, ...) recording its output's shape; the hooks are removed afterwards and the training mode
put back. Shapes are printed with the batch dimension as None, as Keras does.

Counts. "Param #" of a layer counts its own parameters' elements. Trainable parameters are those
with `requires_grad`; non-trainable, the frozen ones. Keras also counts BatchNorm's moving mean
and variance as non-trainable *parameters*, where PyTorch and minidl keep them as buffers: the
summary lists buffer elements on a line of their own, so the Keras total is
trainable + non-trainable + buffers (num_batches_tracked aside).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from minidl import nn
from minidl.autograd import Tensor, no_grad


@dataclass
class LayerRow:
    """One row of the summary: a leaf module's path, type, output shape and own parameters."""

    name: str  # dotted path in the model, e.g. "features.0"
    type: str  # class name, e.g. "Conv2d"
    output_shape: tuple  # with None for the batch dimension
    params: int


@dataclass
class ModelSummary:
    """The rows and the totals; `str()` is the printed table."""

    rows: list[LayerRow] = field(default_factory=list)
    total_params: int = 0
    trainable_params: int = 0
    non_trainable_params: int = 0
    buffer_elements: int = 0  # floating-point buffers (BatchNorm running statistics)

    def __str__(self) -> str:
        header = ("Layer (type)", "Output Shape", "Param #")
        cells = [(f"{r.name} ({r.type})", str(r.output_shape), f"{r.params:,}") for r in self.rows]
        widths = [max(len(c[i]) for c in [header, *cells]) for i in range(3)]
        rule = "─" * (sum(widths) + 6)
        a, b, c = widths

        def line(row):
            return f"{row[0]:<{a}}   {row[1]:<{b}}   {row[2]:>{c}}"

        out = [rule, line(header), rule, *(line(row) for row in cells), rule]
        out += [
            f" Total params: {self.total_params:,}",
            f" Trainable params: {self.trainable_params:,}",
            f" Non-trainable params: {self.non_trainable_params:,}",
            f" Buffers (Keras counts them as non-trainable params): {self.buffer_elements:,}",
            rule,
        ]
        return "\n".join(out)


def _shape(output) -> tuple:
    if isinstance(output, Tensor):
        return (None, *output.shape[1:])
    if isinstance(output, (tuple, list)):  # e.g. an LSTM's (output, (h, c))
        return tuple(_shape(o) for o in output)
    return ()


def _record_outputs(model: nn.Module, x: Tensor) -> dict[int, tuple]:
    """id(module) -> output shape for every leaf module, via forward hooks (or, on a Module
    without hooks, a temporary per-instance `forward` wrapper removed afterwards)."""
    shapes: dict[int, tuple] = {}
    leaves = [m for m in model.modules() if not any(True for _ in m.children())]
    undo = []

    def record(module, args, output) -> None:  # returns None: the output is left as it is
        shapes.setdefault(id(module), _shape(output))

    for m in leaves:
        if hasattr(m, "register_forward_hook"):
            undo.append(m.register_forward_hook(record).remove)
        else:
            forward = m.forward

            def wrapped(*args, _m=m, _forward=forward, **kwargs):
                out = _forward(*args, **kwargs)
                shapes.setdefault(id(_m), _shape(out))
                return out

            object.__setattr__(m, "forward", wrapped)
            undo.append(lambda _m=m: object.__delattr__(_m, "forward"))
    try:
        with no_grad():
            model(x)
    finally:
        for remove in undo:
            remove()
    return shapes


def summary(
    model: nn.Module, input_shape, dtype=np.float32, print_summary: bool = True
) -> ModelSummary:
    """Layer-by-layer output shapes and parameter counts of `model` for inputs of shape
    `input_shape` (without the batch dimension, as Keras's); prints the table (unless
    `print_summary=False`) and returns it as a `ModelSummary`."""
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"summary: argument `model` must be a minidl.nn.Module; received {type(model).__name__}"
        )
    if isinstance(input_shape, int):
        input_shape = (input_shape,)
    if not isinstance(input_shape, (tuple, list)) or not all(
        isinstance(d, (int, np.integer)) and d > 0 for d in input_shape
    ):
        raise ValueError(
            f"summary: argument `input_shape` must be a tuple of positive ints (no batch "
            f"dimension); received {input_shape!r}"
        )
    x = Tensor(np.zeros((2, *input_shape), dtype=dtype))
    was_training = model.training
    model.eval()
    try:
        shapes = _record_outputs(model, x)
    finally:
        model.train(was_training)
    result = ModelSummary()
    for name, m in model.named_modules():
        if id(m) in shapes:
            own = sum(p.data.size for p in m.parameters(recurse=False))
            result.rows.append(LayerRow(name or "(model)", type(m).__name__, shapes[id(m)], own))
    params = list(model.parameters())
    result.total_params = sum(p.data.size for p in params)
    result.trainable_params = sum(p.data.size for p in params if p.requires_grad)
    result.non_trainable_params = result.total_params - result.trainable_params
    result.buffer_elements = sum(
        b.data.size for name, b in model.named_buffers() if b.data.dtype.kind == "f"
    )
    if print_summary:
        print(result)
    return result
