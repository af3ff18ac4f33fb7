"""Containers: `Sequential` (modules applied one after another), `ModuleList` and `ModuleDict`
(a registered list and dict: plain Python ones would hide their modules' parameters), and
`ParameterList` / `ParameterDict` (the same for bare parameters)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator

from minidl.nn.module import Module
from minidl.nn.parameter import Parameter


class Sequential(Module):
    """y = f_n(... f_2(f_1(x))): the children applied in order. Names are "0", "1", ... (as in
    PyTorch), or the keys of an OrderedDict passed as the only argument.

        model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(modules):
                if not isinstance(m, Module):
                    raise TypeError(
                        f"Sequential: argument {i} is a {type(m).__name__}, not a Module"
                    )
                self.add_module(str(i), m)

    def append(self, module: Module) -> Sequential:
        """Add a module at the end; returns self."""
        self.add_module(str(len(self._modules)), module)
        return self

    def forward(self, x):
        # read the registry each call, so a layer replaced by `model[0] = ...`-style setattr is used
        for layer in self._modules.values():
            if layer is not None:
                x = layer(x)
        return x

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(OrderedDict(list(self._modules.items())[index]))
        return list(self._modules.values())[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class ModuleList(Module):
    """A list of modules whose parameters are registered (a plain Python list would hide them).

    self.blocks = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)])
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        """Add a module at the end; returns self."""
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append each of `modules`; returns self."""
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert a module before position `index` (the names are renumbered)."""
        items = list(self._modules.values())
        items.insert(index, module)
        self._rebuild(items)

    def _rebuild(self, items: list) -> None:
        for name in list(self._modules):
            delattr(self, name)
        for i, m in enumerate(items):
            self.add_module(str(i), m)

    def __getitem__(self, index):
        items = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(items[index])
        return items[index]

    def __setitem__(self, index: int, module: Module) -> None:
        items = list(self._modules.values())
        items[index] = module
        self._rebuild(items)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            "ModuleList has no forward: iterate over it in your own module's forward"
        )


class _Mapping:
    """The read side of a registered dict, over the registry named by `_registry`
    ("_modules" for ModuleDict, "_parameters" for ParameterDict)."""

    _registry = "_modules"

    def __getitem__(self, name: str):
        return getattr(self, self._registry)[name]

    def __delitem__(self, name: str) -> None:
        delattr(self, name)

    def __contains__(self, name: str) -> bool:
        return name in getattr(self, self._registry)

    def __len__(self) -> int:
        return len(getattr(self, self._registry))

    def __iter__(self):
        return iter(getattr(self, self._registry))

    def keys(self):
        return getattr(self, self._registry).keys()

    def values(self):
        return getattr(self, self._registry).values()

    def items(self):
        return getattr(self, self._registry).items()


class ModuleDict(_Mapping, Module):
    """A dict of modules whose parameters are registered, in insertion order.

    self.heads = nn.ModuleDict({"class": nn.Linear(8, 3), "box": nn.Linear(8, 4)})
    """

    def __init__(self, modules: dict | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def update(self, modules) -> None:
        """Add (name, module) pairs from a dict or an iterable of pairs."""
        items = modules.items() if hasattr(modules, "items") else modules
        for name, m in items:
            self.add_module(name, m)

    def __setitem__(self, name: str, module: Module) -> None:
        self.add_module(name, module)

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleDict has no forward: call its modules in your own forward")


class ParameterList(Module):
    """A list of Parameters registered under the names "0", "1", ... (a plain list of
    Parameters would hide them from `parameters()` and the state dict).

    self.scales = nn.ParameterList([nn.Parameter(md.ones(4)) for _ in range(3)])
    """

    def __init__(self, values: Iterable | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def append(self, value) -> ParameterList:
        """Add a parameter (a Tensor or array is wrapped in a Parameter) at the end."""
        self.register_parameter(str(len(self._parameters)), _as_parameter(value))
        return self

    def extend(self, values: Iterable) -> ParameterList:
        for v in values:
            self.append(v)
        return self

    def __getitem__(self, index: int):
        return list(self._parameters.values())[index]

    def __setitem__(self, index: int, value) -> None:
        name = str(index % len(self) if index < 0 else index)
        if name not in self._parameters:
            raise IndexError(f"ParameterList: index {index} is out of range for length {len(self)}")
        self.register_parameter(name, _as_parameter(value))

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ParameterList has no forward: use its parameters in yours")


class ParameterDict(_Mapping, Module):
    """A dict of Parameters registered under their keys, in insertion order."""

    _registry = "_parameters"

    def __init__(self, parameters=None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def update(self, parameters) -> None:
        items = parameters.items() if hasattr(parameters, "items") else parameters
        for name, value in items:
            self[name] = value

    def __setitem__(self, name: str, value) -> None:
        self.register_parameter(name, _as_parameter(value))

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ParameterDict has no forward: use its parameters in yours")


def _as_parameter(value) -> Parameter:
    """A Parameter as is; a Tensor or array wrapped in one (PyTorch wraps Tensors too)."""
    return value if isinstance(value, Parameter) else Parameter(value)
