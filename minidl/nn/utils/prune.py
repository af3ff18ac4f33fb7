"""Pruning, as `torch.nn.utils.prune`: zero out chosen entries of a parameter and keep them zero.

    prune.l1_unstructured(model.fc1, "weight", amount=0.5)   # the 50 % smallest |w| -> 0
    model.fc1.weight_orig      # Parameter: the original values (what the optimizer updates)
    model.fc1.weight_mask      # buffer of 0/1, in state_dict as "fc1.weight_mask"
    model.fc1.weight           # weight_orig * weight_mask, recomputed before every forward
    prune.remove(model.fc1, "weight")   # make it permanent: weight is a plain Parameter again

The reparametrisation is PyTorch's: pruning moves the Parameter `<name>` to `<name>_orig`, registers
the 0/1 mask as the buffer `<name>_mask`, and registers the pruning method itself as a forward
pre-hook that sets the attribute `<name> = <name>_orig * <name>_mask` before each forward. So the
gradient reaching `<name>_orig` is zero at pruned entries, and whatever an optimizer does to them
(momentum, weight decay), the weight the layer computes with stays zero there.

`amount` is a fraction in [0, 1] of the entries (rounded with Python's `round`, i.e. half to even,
as PyTorch) or an int count. Pruning the same parameter again composes, as PyTorch's
`PruningContainer`: the new method chooses among the entries still unpruned (a fraction is of
those), and the masks multiply. Ties in magnitude are broken by position (first index pruned
first); PyTorch's `topk` leaves the order of ties unspecified.
"""

from __future__ import annotations

import numbers

import numpy as np

from minidl.autograd import Tensor
from minidl.nn.module import Module
from minidl.nn.parameter import Parameter
from minidl.random import as_generator

__all__ = [
    "BasePruningMethod",
    "Identity",
    "L1Unstructured",
    "RandomUnstructured",
    "LnStructured",
    "CustomFromMask",
    "PruningContainer",
    "identity",
    "l1_unstructured",
    "random_unstructured",
    "ln_structured",
    "global_unstructured",
    "custom_from_mask",
    "remove",
    "is_pruned",
]


# --- amount: a fraction or a count ---------------------------------------------------------------
def _validate_amount_init(amount) -> None:
    """PyTorch's rule: a float in [0, 1] or a non-negative int."""
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real):
        raise TypeError(f"prune: invalid type for amount: {amount!r}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and amount < 0) or (
        not isinstance(amount, numbers.Integral) and not 0.0 <= float(amount) <= 1.0
    ):
        raise ValueError(
            f"prune: amount={amount} should either be a float in the range [0, 1] or a "
            f"non-negative integer"
        )


def _n_to_prune(amount, size: int) -> int:
    """How many of `size` entries `amount` prunes: the int itself, or round(amount · size)."""
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ValueError(
                f"prune: amount={amount} should be smaller than the number of parameters to "
                f"prune={size}"
            )
        return int(amount)
    return round(amount * size)  # Python's round: half to even, as PyTorch


# --- the methods ---------------------------------------------------------------------------------
class BasePruningMethod:
    """A way of choosing a mask. Subclasses define `compute_mask(t, default_mask)`, which returns
    `default_mask` with more zeros, and `PRUNING_TYPE`: "unstructured" (single entries),
    "structured" (whole slices along `dim`) or "global" (a mask given from outside).

    An instance is also the forward pre-hook of the module it prunes: `__call__` recomputes
    `module.<name> = <name>_orig * <name>_mask`."""

    PRUNING_TYPE = "unstructured"
    _tensor_name: str | None = None

    def compute_mask(self, t: np.ndarray, default_mask: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def apply_mask(self, module: Module) -> Tensor:
        """`<name>_orig * <name>_mask`: a Tensor in the graph of `<name>_orig`."""
        orig = getattr(module, self._tensor_name + "_orig")
        mask = getattr(module, self._tensor_name + "_mask")
        return orig * mask.data.astype(orig.dtype)

    def __call__(self, module: Module, inputs) -> None:
        object.__setattr__(module, self._tensor_name, self.apply_mask(module))

    @classmethod
    def apply(cls, module: Module, name: str, *args, importance_scores=None, **kwargs):
        """Prune `module.<name>` with `cls(*args, **kwargs)`, composing with earlier pruning."""
        return _apply(cls(*args, **kwargs), module, name, importance_scores)

    def prune(self, t: Tensor | np.ndarray) -> np.ndarray:
        """`t` times the mask computed from `t` alone (PyTorch's `method.prune`)."""
        a = t.data if isinstance(t, Tensor) else np.asarray(t)
        return a * self.compute_mask(a, np.ones_like(a))

    def remove(self, module: Module) -> None:
        """Make the pruning permanent: `<name>` becomes a Parameter holding the masked values."""
        name = self._tensor_name
        weight = self.apply_mask(module).data
        orig = module._parameters.pop(name + "_orig")
        del module._buffers[name + "_mask"]
        orig.data[...] = weight  # in place: an optimizer holding `orig` keeps working
        orig._version[0] += 1
        for attr in (name + "_orig", name + "_mask", name):
            module.__dict__.pop(attr, None)
        module.register_parameter(name, orig)


class Identity(BasePruningMethod):
    """Prunes nothing: the mask is all ones (useful to get the `_orig`/`_mask` form)."""

    def compute_mask(self, t, default_mask):
        return default_mask.copy()


class L1Unstructured(BasePruningMethod):
    """Zero the `amount` entries of smallest |t| (ties: lowest index first)."""

    def __init__(self, amount):
        _validate_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        k = _n_to_prune(self.amount, t.size)
        mask = default_mask.copy()
        if k:
            order = np.argsort(np.abs(t).reshape(-1), kind="stable")
            mask.reshape(-1)[order[:k]] = 0
        return mask


class RandomUnstructured(BasePruningMethod):
    """Zero `amount` entries chosen uniformly at random (PyTorch: the top-k of uniform noise).
    `generator` (a numpy Generator or int seed; default: minidl's default generator) is minidl's
    addition: torch draws from its global generator."""

    def __init__(self, amount, generator=None):
        _validate_amount_init(amount)
        self.amount = amount
        self.generator = generator

    def compute_mask(self, t, default_mask):
        k = _n_to_prune(self.amount, t.size)
        mask = default_mask.copy()
        if k:
            noise = as_generator(self.generator, "random_unstructured").random(t.size)
            mask.reshape(-1)[np.argsort(-noise, kind="stable")[:k]] = 0
        return mask


def _lp_norm(a: np.ndarray, n, axes: tuple) -> np.ndarray:
    """‖a‖_n over `axes` (n: a positive number, inf, -inf or 'fro')."""
    a = np.abs(a)
    if n == "fro" or n == 2:
        return np.sqrt((a * a).sum(axis=axes))
    if n == np.inf:
        return a.max(axis=axes)
    if n == -np.inf:
        return a.min(axis=axes)
    if n == 0:
        return (a != 0).sum(axis=axes).astype(a.dtype)
    return (a**n).sum(axis=axes) ** (1.0 / n)


class LnStructured(BasePruningMethod):
    """Zero the `amount` whole slices along `dim` (rows, filters, ...) of smallest L`n` norm;
    the norm of slice j is taken over every other axis: ‖t[..., j, ...]‖_n."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, n, dim: int = -1):
        _validate_amount_init(amount)
        if not (n == "fro" or (isinstance(n, numbers.Real) and not isinstance(n, bool))):
            raise TypeError(f"ln_structured: argument `n` must be a number or 'fro'; got {n!r}")
        self.amount, self.n, self.dim = amount, n, dim

    def compute_mask(self, t, default_mask):
        if t.ndim <= 1:
            raise ValueError(
                f"ln_structured: structured pruning can only be applied to multidimensional "
                f"tensors; found a tensor of shape {t.shape} with {t.ndim} dims"
            )
        if not -t.ndim <= self.dim < t.ndim:
            raise IndexError(f"ln_structured: invalid dim {self.dim} for a tensor of {t.ndim} dims")
        dim = self.dim % t.ndim
        k = _n_to_prune(self.amount, t.shape[dim])
        if k == 0:
            return default_mask.copy()
        norms = _lp_norm(t, self.n, tuple(d for d in range(t.ndim) if d != dim))
        keep = np.argsort(-norms, kind="stable")[: t.shape[dim] - k]  # the largest norms stay
        mask = np.zeros_like(default_mask)
        index = [slice(None)] * t.ndim
        index[dim] = keep
        mask[tuple(index)] = 1
        return mask * default_mask


class CustomFromMask(BasePruningMethod):
    """A given 0/1 mask (what `global_unstructured` hands each parameter)."""

    PRUNING_TYPE = "global"

    def __init__(self, mask):
        self.mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask)

    def compute_mask(self, t, default_mask):
        if default_mask.shape != self.mask.shape:
            raise ValueError(
                f"custom_from_mask: mask of shape {self.mask.shape} for a parameter of shape "
                f"{default_mask.shape}"
            )
        return default_mask * self.mask.astype(default_mask.dtype)


class PruningContainer(BasePruningMethod):
    """The history of methods applied to one parameter. Its mask is the previous mask with the
    newest method applied only where that mask is still 1 (unstructured: among the remaining
    entries; structured: among the remaining slices; global: everywhere)."""

    def __init__(self, *methods: BasePruningMethod):
        self._pruning_methods: tuple = ()
        for m in methods:
            self.add_pruning_method(m)

    def add_pruning_method(self, method: BasePruningMethod) -> None:
        if not isinstance(method, BasePruningMethod) and method is not None:
            raise TypeError(f"PruningContainer: {type(method).__name__} is not a pruning method")
        if self._tensor_name is None:
            self._tensor_name = method._tensor_name
        elif method._tensor_name != self._tensor_name:
            raise ValueError(
                f"PruningContainer: can only add methods acting on the parameter named "
                f"{self._tensor_name!r}; received one for {method._tensor_name!r}"
            )
        self._pruning_methods += (method,)

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def compute_mask(self, t, default_mask):
        method = self._pruning_methods[-1]
        mask = default_mask.copy()
        if method.PRUNING_TYPE == "unstructured":
            alive = default_mask == 1  # a boolean index: the method sees a 1-D vector
        elif method.PRUNING_TYPE == "structured":
            dim = method.dim % t.ndim
            other = tuple(d for d in range(t.ndim) if d != dim)
            alive = [slice(None)] * t.ndim
            alive[dim] = default_mask.sum(axis=other) != 0  # slices not yet all zero
            alive = tuple(alive)
        else:  # "global": the method sees the whole tensor
            alive = (slice(None),) * t.ndim
        mask[alive] = method.compute_mask(t[alive], default_mask=default_mask[alive])
        return mask


def _apply(method: BasePruningMethod, module: Module, name: str, importance_scores):
    """The one place that rewires a module (PyTorch's `BasePruningMethod.apply`)."""
    if not isinstance(module, Module):
        raise TypeError(
            f"prune: argument `module` must be an nn.Module; got {type(module).__name__}"
        )
    method._tensor_name = name
    old_key, old = _find_hook(module, name)
    if old is None and not isinstance(module._parameters.get(name), Parameter):
        raise ValueError(
            f"prune: {type(module).__name__} has no parameter named {name!r} to prune "
            f"(parameters: {sorted(k for k, v in module._parameters.items() if v is not None)})"
        )
    if old is not None:  # compose with the earlier pruning
        container = old if isinstance(old, PruningContainer) else PruningContainer(old)
        container.add_pruning_method(method)
        method = container
        orig = getattr(module, name + "_orig")
        current = method.apply_mask(module).data  # the masked weight: pruned entries are 0
        default_mask = getattr(module, name + "_mask").data.copy()
    else:
        orig = module._parameters[name]
        current = orig.data
        default_mask = np.ones_like(orig.data)
    scores = current
    if importance_scores is not None:
        scores = np.asarray(
            importance_scores.data if isinstance(importance_scores, Tensor) else importance_scores
        )
        if scores.shape != orig.shape:
            raise ValueError(
                f"prune: importance_scores should have the same shape as parameter {name} of "
                f"{type(module).__name__}: {orig.shape}; received {scores.shape}"
            )
    mask = method.compute_mask(scores, default_mask=default_mask)
    if old is None:
        del module._parameters[name]
        module.__dict__.pop(name, None)
        module.register_parameter(name + "_orig", orig)
    else:
        del module._forward_pre_hooks[old_key]
    module.register_buffer(name + "_mask", Tensor(mask.astype(orig.dtype)))
    method(module, None)  # module.<name> = orig * mask, right away
    module.register_forward_pre_hook(method)
    return method


def _find_hook(module: Module, name: str):
    """(key, method) of the pruning hook on `module.<name>`, or (None, None)."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            return key, hook
    return None, None


# --- the functions users call --------------------------------------------------------------------
def identity(module: Module, name: str) -> Module:
    """Reparametrise `module.<name>` with an all-ones mask (prunes nothing)."""
    Identity.apply(module, name)
    return module


def random_unstructured(module: Module, name: str, amount, generator=None) -> Module:
    """Prune `amount` (fraction or count) entries of `module.<name>` chosen at random."""
    RandomUnstructured.apply(module, name, amount, generator)
    return module


def l1_unstructured(module: Module, name: str, amount, importance_scores=None) -> Module:
    """Prune the `amount` (fraction or count) entries of smallest |value| (or of smallest
    `importance_scores`, a tensor of the parameter's shape) of `module.<name>`."""
    L1Unstructured.apply(module, name, amount, importance_scores=importance_scores)
    return module


def ln_structured(module: Module, name: str, amount, n, dim: int, importance_scores=None) -> Module:
    """Prune the `amount` slices along `dim` of smallest L`n` norm: e.g. dim=0 of a Linear weight
    (out, in) removes whole output units, dim=0 of a Conv2d weight whole filters."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module: Module, name: str, mask) -> Module:
    """Prune `module.<name>` with a given 0/1 `mask` of its shape."""
    CustomFromMask.apply(module, name, mask)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs) -> None:
    """Prune several parameters together: `pruning_method(**kwargs)` (e.g. `L1Unstructured` with
    `amount=0.8`) chooses among all their entries as one flat vector, so layers with small weights
    lose more. `parameters`: (module, name) pairs; `importance_scores`: optional dict
    (module, name) -> scores. Entries already pruned stay pruned and are not counted again."""
    if isinstance(parameters, (str, Module)) or not hasattr(parameters, "__iter__"):
        raise TypeError("global_unstructured: `parameters` must be an iterable of (module, name)")
    parameters = list(parameters)
    scores = {} if importance_scores is None else importance_scores
    if not isinstance(scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    method = pruning_method(**kwargs)
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(
            f'global_unstructured: only "unstructured" pruning methods are supported; found '
            f"{type(method).__name__} of type {method.PRUNING_TYPE!r}"
        )

    def flat(x) -> np.ndarray:
        return np.asarray(x.data if isinstance(x, Tensor) else x).reshape(-1)

    flat_scores = np.concatenate([flat(scores.get((m, n), getattr(m, n))) for m, n in parameters])
    flat_masks = np.concatenate(
        [
            flat(getattr(m, n + "_mask"))
            if hasattr(m, n + "_mask")
            else np.ones(getattr(m, n).numel())
            for m, n in parameters
        ]
    )
    container = PruningContainer()
    container._tensor_name = method._tensor_name = "temp"
    container.add_pruning_method(method)
    final = container.compute_mask(flat_scores, flat_masks)
    start = 0
    for m, n in parameters:
        shape = getattr(m, n).shape
        size = int(np.prod(shape))
        custom_from_mask(m, n, final[start : start + size].reshape(shape))
        start += size


def remove(module: Module, name: str) -> Module:
    """Make the pruning of `module.<name>` permanent: drop `<name>_orig`, `<name>_mask` and the
    hook; `<name>` is a Parameter again, holding the masked values (its zeros may now train)."""
    key, hook = _find_hook(module, name)
    if hook is None:
        raise ValueError(
            f"Parameter '{name}' of module {type(module).__name__} has to be pruned before "
            f"pruning can be removed"
        )
    hook.remove(module)
    del module._forward_pre_hooks[key]
    return module


def is_pruned(module: Module) -> bool:
    """True if `module` or any submodule carries a pruning hook."""
    return any(
        isinstance(h, BasePruningMethod)
        for m in module.modules()
        for h in m._forward_pre_hooks.values()
    )
