"""`Module`: the base class of every layer and model.

A Module owns three kinds of named state, found by assigning attributes in `__init__`:

* parameters  — `Parameter`s, the tensors an optimizer learns (`self.weight = Parameter(...)`);
* buffers     — tensors that are state but not learned, e.g. BatchNorm's running mean
                (`self.register_buffer("running_mean", md.zeros(c))`);
* submodules  — other Modules (`self.fc1 = Linear(4, 8)`), which makes models trees.

Every name is also an ordinary attribute, so `self.weight` in `forward` is a plain attribute read (no
`__getattr__` detour on the hot path). Dotted names (`"fc1.weight"`) address state anywhere in the tree:
they are the keys of `state_dict()` and match PyTorch's, so a PyTorch checkpoint maps one to one.
Calling a module runs its `forward`.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator

import numpy as np

from minidl.autograd import Tensor
from minidl.device import as_device, device
from minidl.nn.hooks import RemovableHandle, add_hook, call_with_backward_hooks
from minidl.nn.parameter import Parameter

__all__ = ["Module", "RemovableHandle", "IncompatibleKeys"]

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class of layers and models: subclass it, create state in `__init__`, compute in `forward`.

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1, self.fc2 = nn.Linear(4, 16), nn.Linear(16, 3)

            def forward(self, x):
                return self.fc2(F.relu(self.fc1(x)))

    `training` is True after construction; `eval()` switches the whole tree to inference behaviour
    (Dropout off, BatchNorm on running statistics) and `train()` switches it back.
    """

    training: bool

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs these dicts to exist already
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", {})
        for registry in _HOOK_REGISTRIES:
            object.__setattr__(self, registry, OrderedDict())
        object.__setattr__(self, "_hooks_with_kwargs", set())

    def forward(self, *args, **kwargs):
        """The computation; every subclass defines it. Call the module, not `forward` directly."""
        raise NotImplementedError(f'{type(self).__name__} is missing the required "forward" method')

    def __call__(self, *args, **kwargs):
        """forward(*args, **kwargs), with the hooks (if any) around it."""
        if not (
            self._forward_pre_hooks
            or self._forward_hooks
            or self._backward_hooks
            or self._backward_pre_hooks
        ):
            return self.forward(*args, **kwargs)  # the common case: no hooks, no detour
        with_kwargs = self._hooks_with_kwargs
        for key, hook in list(self._forward_pre_hooks.items()):
            if key in with_kwargs:
                new = hook(self, args, kwargs)
                if new is not None:
                    args, kwargs = new
            else:
                new = hook(self, args)
                if new is not None:
                    args = new if isinstance(new, tuple) else (new,)
        if self._backward_hooks or self._backward_pre_hooks:
            output = call_with_backward_hooks(self, args, kwargs, self.forward)
        else:
            output = self.forward(*args, **kwargs)
        for key, hook in list(self._forward_hooks.items()):
            new = (
                hook(self, args, kwargs, output) if key in with_kwargs else hook(self, args, output)
            )
            if new is not None:
                output = new
        return output

    # --- hooks (see minidl.nn.hooks) ------------------------------------------------------------
    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call `hook(module, args)` before each forward; a non-None result replaces args (a
        single value is wrapped in a tuple). With `with_kwargs`: `hook(module, args, kwargs)`
        returning None or (args, kwargs). Returns a handle whose `remove()` unregisters it."""
        handle = add_hook(self._forward_pre_hooks, hook, prepend)
        if with_kwargs:
            self._hooks_with_kwargs.add(handle.id)
        return handle

    def register_forward_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call `hook(module, args, output)` after each forward (args: the positional inputs as
        a tuple); a non-None result replaces the output. With `with_kwargs`:
        `hook(module, args, kwargs, output)`. Returns a handle with `remove()`."""
        handle = add_hook(self._forward_hooks, hook, prepend)
        if with_kwargs:
            self._hooks_with_kwargs.add(handle.id)
        return handle

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call `hook(module, grad_input, grad_output)` when backward has computed the gradients
        of the module's positional tensor inputs (tuple; None for inputs that need none) from
        those of its outputs (tuple); a non-None result (a tuple like grad_input) replaces the
        gradients passed further back. Returns a handle with `remove()`."""
        return add_hook(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """Call `hook(module, grad_output)` when the gradients of the module's outputs are known,
        before they flow into the module; a non-None result (a tuple) replaces them."""
        return add_hook(self._backward_pre_hooks, hook, prepend)

    # --- registration ---------------------------------------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        params = self.__dict__.get("_parameters")
        if params is None and isinstance(value, (Parameter, Module)):
            raise AttributeError(
                f"cannot assign {type(value).__name__} '{name}' before Module.__init__() is called; "
                f"call super().__init__() first in {type(self).__name__}.__init__"
            )
        if params is not None:
            buffers, modules = self._buffers, self._modules
            if isinstance(value, Parameter):
                buffers.pop(name, None)
                modules.pop(name, None)
                params[name] = value
            elif isinstance(value, Module):
                params.pop(name, None)
                buffers.pop(name, None)
                modules[name] = value
            elif name in params:
                if value is not None:
                    raise TypeError(
                        f"cannot assign {type(value).__name__} as parameter '{name}' of "
                        f"{type(self).__name__} (nn.Parameter or None expected)"
                    )
                params[name] = None
            elif name in buffers:
                if value is not None and not isinstance(value, Tensor):
                    raise TypeError(
                        f"cannot assign {type(value).__name__} as buffer '{name}' of "
                        f"{type(self).__name__} (Tensor or None expected)"
                    )
                buffers[name] = value
            elif name in modules:
                if value is not None:
                    raise TypeError(
                        f"cannot assign {type(value).__name__} as child module '{name}' of "
                        f"{type(self).__name__} (nn.Module or None expected)"
                    )
                modules[name] = None
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        self._non_persistent.discard(name)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None: a declared but absent one, e.g. `bias=False`)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"register_parameter: cannot assign {type(param).__name__} as parameter '{name}' "
                f"(nn.Parameter or None expected)"
            )
        self._check_name("register_parameter", name)
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not learned (in `state_dict` unless `persistent=False`)."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"register_buffer: cannot assign {type(tensor).__name__} as buffer '{name}' "
                f"(Tensor or None expected)"
            )
        self._check_name("register_buffer", name)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under `name` (what `self.name = module` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {type(module).__name__} is not a Module subclass")
        self._check_name("add_module", name)
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    def _check_name(self, where: str, name: str) -> None:
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(
                f'{where}: name must be a non-empty string without "."; received {name!r}'
            )

    # --- walking the tree -----------------------------------------------------------------------
    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module ("") and every descendant, pre-order; a module
        reachable twice is listed once unless `remove_duplicate=False`."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        if remove_duplicate:
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(
                    memo, f"{prefix}.{name}" if prefix else name, remove_duplicate
                )

    def get_submodule(self, target: str) -> Module:
        """The descendant at the dotted path `target` ("" is this module), e.g. "encoder.fc1"."""
        module = self
        for part in target.split(".") if target else []:
            child = module._modules.get(part)
            if child is None:
                raise AttributeError(
                    f"get_submodule: {type(module).__name__} has no submodule {part!r} "
                    f"(looking up {target!r})"
                )
            module = child
        return module

    def modules(self) -> Iterator[Module]:
        """This module and every descendant, each once."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) of the direct children."""
        seen = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        """The direct child modules."""
        for _, m in self.named_children():
            yield m

    def _named_members(self, registry: str, prefix: str, recurse: bool):
        seen = set()
        walk = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_prefix, module in walk:
            for name, t in getattr(module, registry).items():
                if t is None or id(t) in seen:
                    continue
                seen.add(id(t))  # a tensor shared by two modules is listed once
                yield (f"{module_prefix}.{name}" if module_prefix else name), t

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) for every parameter in the tree, each once."""
        return self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter in the tree (what you hand to an optimizer)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        """(dotted name, buffer) for every buffer in the tree (persistent or not), each once."""
        return self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer in the tree (e.g. BatchNorm's running statistics)."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def num_parameters(self, only_trainable: bool = False) -> int:
        """Number of scalar parameters (Keras's `count_params`); `only_trainable` skips frozen ones."""
        return sum(p.data.size for p in self.parameters() if p.requires_grad or not only_trainable)

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call `fn` on every submodule (children first) and then on this module; returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # --- modes and gradients ----------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (`mode=True`) or evaluation mode on the whole tree; returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: argument `mode` must be a bool; received {mode!r}")
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode: Dropout is the identity, BatchNorm uses its running statistics."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (`False`) or unfreeze every parameter, e.g. to fine-tune only a new head."""
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget accumulated gradients: `.grad = None` (default) or fill them with zeros."""
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    # --- device and dtype ---------------------------------------------------------------------------
    def to(self, *args, **kwargs) -> Module:
        """PyTorch's `to(device)`, `to(dtype)`, `to(tensor)`, `to(device, dtype)`: convert every
        floating-point parameter and buffer to the dtype, in place; returns self.

        minidl runs on the CPU, so a CPU device ("cpu", "cpu:0", md.device("cpu")) is a no-op and
        any other device is refused. The Parameter objects stay the same (an optimizer built
        earlier still holds them). `non_blocking` and `memory_format` are accepted and ignored."""
        device, dtype = _to_args("Module.to", args, kwargs)
        del device  # checked by _to_args: only the CPU
        if dtype is None:
            return self
        for t in (*self.parameters(), *self.buffers()):
            if t.data.dtype.kind == "f" and t.data.dtype != dtype:
                t.data = t.data.astype(dtype)
                if t.grad is not None:
                    t.grad = t.grad.to(dtype)
        return self

    def cpu(self) -> Module:
        """A no-op: minidl's tensors always live in CPU memory. Returns self."""
        return self

    def cuda(self, device=None) -> Module:
        """Refused: minidl runs on the CPU only."""
        raise RuntimeError(
            f"{type(self).__name__}.cuda(): minidl runs on the CPU only (no CUDA); remove the "
            "call or use .to('cpu')"
        )

    def double(self) -> Module:
        """Parameters and buffers to float64 (e.g. for gradcheck)."""
        return self.to(np.float64)

    def float(self) -> Module:
        """Parameters and buffers to float32."""
        return self.to(np.float32)

    def half(self) -> Module:
        """Parameters and buffers to float16 (storage only: most kernels compute in 32/64 bits)."""
        return self.to(np.float16)

    def type(self, dst_type) -> Module:
        """Parameters and buffers to `dst_type` (a floating-point dtype)."""
        return self.to(dtype=dst_type)

    # --- state dicts ------------------------------------------------------------------------------
    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict:
        """Name -> tensor for every parameter and persistent buffer (PyTorch's names and order).

        The tensors share memory with the module (detached unless `keep_vars`): copy them if the
        model will keep training and you need a snapshot."""
        out = OrderedDict()
        self._save_to(out, prefix, keep_vars)
        return out

    def _save_to(self, out: OrderedDict, prefix: str, keep_vars: bool) -> None:
        for name, p in self._parameters.items():
            if p is not None:
                out[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                out[prefix + name] = b if keep_vars else b.detach()
        for name, child in self._modules.items():
            if child is not None:
                child._save_to(out, f"{prefix}{name}.", keep_vars)

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy values from `state_dict` into this module's parameters and buffers, in place.

        Every value is checked before anything is copied. A shape mismatch is always an error;
        missing and unexpected keys are errors when `strict` (the default) and are returned
        otherwise, as `IncompatibleKeys(missing_keys, unexpected_keys)`.
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(
                f"load_state_dict: expected a dict of name -> tensor; received {type(state_dict).__name__}"
            )
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors, copies = [], []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            array = value.data if isinstance(value, Tensor) else np.asarray(value)
            if array.dtype.kind not in "fiub":
                errors.append(f'value for "{key}" is not numeric (dtype {array.dtype}).')
            elif array.shape != target.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {array.shape} from "
                    f"checkpoint, the shape in current model is {target.shape}."
                )
            else:
                copies.append((target, array))
        if strict:
            if unexpected:
                errors.insert(
                    0,
                    "Unexpected key(s) in state_dict: "
                    + ", ".join(f'"{k}"' for k in unexpected)
                    + ".",
                )
            if missing:
                errors.insert(
                    0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + "."
                )
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        for target, array in copies:
            target.data[...] = array  # in place: optimizers and views keep seeing the same array
            target._version[0] += 1
        return IncompatibleKeys(missing, unexpected)

    # --- printing ---------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside this module's parentheses in its repr (its hyperparameters)."""
        return ""

    def __repr__(self) -> str:
        lines = [
            f"({name}): " + repr(child).replace("\n", "\n  ")
            for name, child in self._modules.items()
        ]
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        body = ([extra] if extra else []) + lines
        return type(self).__name__ + "(\n  " + "\n  ".join(body) + "\n)"


_HOOK_REGISTRIES = (
    "_forward_pre_hooks", "_forward_hooks", "_backward_hooks", "_backward_pre_hooks",
)  # fmt: skip


def _is_device(value) -> bool:
    """Does a `to()` argument name a device (a string, md.device, a torch.device-like object with
    a string `.type`, or an int — PyTorch's CUDA index) rather than a dtype?"""
    if isinstance(value, (str, device)):
        return True
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return True
    return isinstance(getattr(value, "type", None), str) and not isinstance(value, (np.dtype, type))


def _check_device(where: str, value) -> None:
    """Only the CPU: md.device's own check and message (a torch.device-like object by its type)."""
    kind = getattr(value, "type", None)
    as_device(kind if isinstance(kind, str) and not isinstance(value, device) else value, where)


def _float_dtype(where: str, value) -> np.dtype:
    try:
        dtype = np.dtype(value)
    except TypeError:
        raise TypeError(
            f"{where}: {value!r} is neither a device nor a dtype; expected e.g. 'cpu', "
            "md.float32 or a Tensor"
        ) from None
    if dtype.kind != "f":
        raise TypeError(
            f"{where}: nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}"
        )
    return dtype


def _to_args(where: str, args: tuple, kwargs: dict) -> tuple:
    """(device, dtype) from PyTorch's `to` call forms; refuses non-CPU devices."""
    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "memory_format", "copy"}
    if unknown:
        raise TypeError(f"{where}: unexpected keyword argument(s) {sorted(unknown)}")
    dtype = kwargs.get("dtype")
    rest = list(args)
    if rest and isinstance(rest[-1], bool):  # to(dtype, non_blocking) / to(device, dtype, nb)
        rest.pop()
    if len(rest) > 2:
        raise TypeError(
            f"{where}: expected at most (device, dtype); received {len(args)} arguments"
        )
    target_device = kwargs.get("device")
    for value in rest:
        if isinstance(value, Tensor):
            dtype = value.dtype
        elif _is_device(value):
            target_device = value
        else:
            dtype = value
    if target_device is not None:
        _check_device(where, target_device)
    return target_device, (None if dtype is None else _float_dtype(where, dtype))
