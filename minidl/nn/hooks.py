"""Module hooks, PyTorch's: functions a Module calls around its forward and backward passes, to
record activations and gradients per layer without editing the layer's code.

    handle = model.fc1.register_forward_hook(lambda m, args, out: print(out.shape))
    ...
    handle.remove()

* forward pre-hook  `hook(module, args)`         before forward; may return new args
* forward hook      `hook(module, args, output)` after forward; may return a new output
* backward pre-hook `hook(module, grad_output)`  when dL/d(outputs) is known; may replace it
* full backward hook `hook(module, grad_input, grad_output)` when dL/d(inputs) is known too;
  may return a replacement grad_input (a tuple, None for inputs that need no gradient)

The backward hooks need to see gradients at the module's boundary, which no single node of the
graph holds (a layer is many nodes), so — as PyTorch does — the module's tensor inputs and outputs
pass through an identity Function (`_Boundary`) whose backward sees the whole gradient at once:
at the outputs it records grad_output, at the inputs it calls the hook. Several tensors go through
one node as a single concatenated array, sliced apart again, so the hook fires once.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict

import numpy as np

from minidl.autograd import Function, Tensor, is_grad_enabled
from minidl.ops.shape import cat

_ids = itertools.count()


class RemovableHandle:
    """What `register_*_hook` returns: `handle.remove()` unregisters the hook (also usable as a
    context manager: the hook is removed on exit)."""

    def __init__(self, *registries: OrderedDict):
        self.id = next(_ids)
        self._registries = registries

    def remove(self) -> None:
        """Unregister the hook; removing twice is harmless."""
        for registry in self._registries:
            registry.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def add_hook(registry: OrderedDict, hook, prepend: bool, *extra: OrderedDict) -> RemovableHandle:
    """Store `hook` under a fresh id (first, if `prepend`); returns its handle."""
    if not callable(hook):
        raise TypeError(f"register hook: argument `hook` must be callable; received {hook!r}")
    handle = RemovableHandle(registry, *extra)
    registry[handle.id] = hook
    if prepend:
        registry.move_to_end(handle.id, last=False)
    return handle


class _Boundary(Function):
    """y = x (identity) at a module's input or output boundary; backward hands the gradient to
    `on_grad`, which may return a replacement. Several tensors arrive concatenated (1-D)."""

    @staticmethod
    def forward(ctx, x, on_grad=None):
        ctx.on_grad = on_grad
        return x.copy()  # a new array: the boundary must not alias the caller's tensor

    @staticmethod
    def backward(ctx, grad):
        out = ctx.on_grad(grad)
        return grad if out is None else out


def _through_boundary(tensors: list, on_grads) -> list:
    """Pass `tensors` through one `_Boundary` node; `on_grads(list of grads)` sees their
    gradients together and may return replacements. Returns the new tensors."""
    if len(tensors) == 1:

        def single(g):
            new = on_grads([g])
            return None if new is None else _array(new[0], g)

        return [_Boundary.apply(tensors[0], on_grad=single)]
    dtype = np.result_type(*(t.dtype for t in tensors))
    sizes = [t.data.size for t in tensors]
    offsets = np.cumsum([0, *sizes])
    shapes = [t.shape for t in tensors]

    def several(g):
        parts = [g[a:b].reshape(s) for a, b, s in zip(offsets, offsets[1:], shapes)]
        new = on_grads(parts)
        if new is None:
            return None
        return np.concatenate([_array(n, p).reshape(-1) for n, p in zip(new, parts)])

    flat = [t.reshape(-1) if t.dtype == dtype else t.reshape(-1).to(dtype) for t in tensors]
    joined = _Boundary.apply(cat(flat, 0), on_grad=several)
    out = []
    for t, a, b in zip(tensors, offsets, offsets[1:]):
        piece = joined[int(a) : int(b)].reshape(t.shape)
        out.append(piece if piece.dtype == t.dtype else piece.to(t.dtype))
    return out


def _array(value, like: np.ndarray) -> np.ndarray:
    """A hook's replacement gradient (Tensor, array or None) as an array shaped like `like`."""
    if value is None:
        return np.zeros_like(like)
    arr = value.data if isinstance(value, Tensor) else np.asarray(value, dtype=like.dtype)
    if arr.shape != like.shape:
        raise RuntimeError(
            f"backward hook returned a gradient of shape {arr.shape}; expected {like.shape}"
        )
    return arr


def _wrap(grads) -> tuple:
    return tuple(None if g is None else Tensor._wrap(np.asarray(g)) for g in grads)


def _flatten(obj, out: list) -> None:
    if isinstance(obj, Tensor):
        out.append(obj)
    elif isinstance(obj, (tuple, list)):
        for o in obj:
            _flatten(o, out)


def _rebuild(obj, it):
    if isinstance(obj, Tensor):
        return next(it)
    if isinstance(obj, (tuple, list)):
        return type(obj)(_rebuild(o, it) for o in obj)
    return obj


def call_with_backward_hooks(module, args: tuple, kwargs: dict, forward):
    """Run forward with the module's backward hooks wired to its input and output gradients."""
    backward_hooks = list(module._backward_hooks.values())
    pre_hooks = list(module._backward_pre_hooks.values())
    if not is_grad_enabled():
        return forward(*args, **kwargs)
    state = {"grad_output": None}
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    n_args = len(args)

    def fire(grad_input: tuple) -> tuple:
        for hook in backward_hooks:
            new = hook(module, grad_input, state["grad_output"])
            if new is not None:
                if not isinstance(new, (tuple, list)) or len(new) != len(grad_input):
                    raise RuntimeError(
                        f"backward hook of {type(module).__name__} returned {new!r}; expected a "
                        f"tuple of {len(grad_input)} gradients (or None)"
                    )
                grad_input = tuple(new)
        return grad_input

    def at_inputs(grads: list):
        full = [None] * n_args
        for i, g in zip(positions, _wrap(grads)):
            full[i] = g
        new = fire(tuple(full))
        return [new[i] for i in positions]

    if positions:
        new_tensors = _through_boundary([args[i] for i in positions], at_inputs)
        args = list(args)
        for i, t in zip(positions, new_tensors):
            args[i] = t
        args = tuple(args)

    output = forward(*args, **kwargs)
    outs: list = []
    _flatten(output, outs)
    outs_grad = [t for t in outs if t.requires_grad]
    if not outs_grad:
        return output

    def at_outputs(grads: list):
        grad_output = _wrap(grads)
        replaced = False
        for hook in pre_hooks:
            new = hook(module, grad_output)
            if new is not None:
                grad_output, replaced = tuple(new), True
        state["grad_output"] = grad_output
        if not positions:  # no input needs a gradient: the hook fires here, grad_input all None
            fire((None,) * n_args)
        return list(grad_output) if replaced else None

    new_outs = iter(_through_boundary(outs_grad, at_outputs))
    it = iter(next(new_outs) if t.requires_grad else t for t in outs)
    return _rebuild(output, it)
