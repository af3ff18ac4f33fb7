"""The `Optimizer` base class: parameter groups, per-parameter state, stepping, state dicts.

Every optimizer in this package does the same bookkeeping and differs only in one update rule, so
the bookkeeping lives here once and each subclass writes a single method,

    _update(p, grad, state, group)

that changes ``p.data`` in place from ``grad`` (a numpy array), the parameter's own ``state`` dict
(created empty on the parameter's first step, filled by the subclass) and its group's
hyperparameters. No graph is ever built: an update is plain numpy arithmetic on ``.data``.

Vocabulary (PyTorch's):

* a *parameter group* is a dict ``{"params": [t0, t1, ...], "lr": ..., ...}``; hyperparameters a
  group does not set are filled in from the optimizer's ``defaults``, so a model can train its
  biases with another learning rate than its weights;
* ``state[p]`` holds what the rule remembers about parameter ``p`` between steps (a momentum
  buffer, running averages, a step count); it is created lazily, on the first step that sees a
  gradient for ``p``, so parameters that never receive a gradient cost nothing;
* ``state_dict()`` names parameters by their position across all groups (0, 1, 2, ...) so that a
  checkpoint can be loaded into a fresh optimizer built over a fresh model of the same shape.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from minidl.autograd import Tensor, enable_grad, is_anomaly_enabled
from minidl.optim._validation import check_non_negative
from minidl.optim._validation import describe as _describe

__all__ = ["Optimizer", "accept_torch_flags"]


def accept_torch_flags(
    owner: str, foreach=None, fused=None, capturable=False, differentiable=False
) -> None:
    """PyTorch's implementation switches — ``foreach``, ``fused``, ``capturable``,
    ``differentiable`` — choose among PyTorch's own kernels (multi-tensor, fused CUDA, CUDA-graph
    capture, autograd through the step), all giving the same numbers. minidl has one NumPy
    implementation, so they are accepted and ignored; only their types are checked."""
    flags = dict(foreach=foreach, fused=fused, capturable=capturable, differentiable=differentiable)
    for name, value in flags.items():
        if value is not None and not isinstance(value, (bool, np.bool_)):
            raise TypeError(
                f"{owner}: argument `{name}` must be a bool or None; got {_describe(value)}"
            )


class _ParamState:
    """A dict from parameter to its state dict, keyed by identity.

    Tensors compare elementwise (``a == b`` is a Tensor), so they cannot be trusted as ordinary
    dict keys; this mapping looks parameters up by ``id`` and keeps a reference to each key so the
    id cannot be reused while the entry lives. ``state[p]`` creates an empty dict on first access.
    """

    def __init__(self) -> None:
        self._items: dict[int, tuple[Any, dict[str, Any]]] = {}

    def __getitem__(self, p: Any) -> dict[str, Any]:
        entry = self._items.get(id(p))
        if entry is None:
            entry = (p, {})
            self._items[id(p)] = entry
        return entry[1]

    def __setitem__(self, p: Any, value: dict[str, Any]) -> None:
        self._items[id(p)] = (p, value)

    def __contains__(self, p: Any) -> bool:
        return id(p) in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        return (p for p, _ in self._items.values())

    def get(self, p: Any, default: Any = None) -> Any:
        entry = self._items.get(id(p))
        return default if entry is None else entry[1]

    def items(self) -> Iterator[tuple[Any, dict[str, Any]]]:
        return iter(list(self._items.values()))

    def clear(self) -> None:
        self._items.clear()


class Optimizer:
    """Base class of all optimizers: ``θ ← θ − α · d`` where each subclass defines the step ``d``.

    Args:
        params: an iterable of Tensors (``model.parameters()``), or of dicts that each define a
            parameter group (``{"params": [...], "lr": 0.1}``); each Tensor must require grad.
        defaults: the hyperparameters every group gets unless it sets its own.

    Subclasses call ``super().__init__(params, defaults)``, implement ``_check_group(group)``
    (validate one group's hyperparameters) and ``_update(p, grad, state, group)`` (one in-place
    update of ``p.data``). Users call ``zero_grad()``, then ``loss.backward()``, then ``step()``.
    """

    # State entries that are numbers (step counts, NAdam's running product); every other entry
    # is an array of the parameter's shape.
    _scalar_state = frozenset({"step", "mu_product"})

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self._check_group(self.defaults)
        self.state = _ParamState()
        self.param_groups: list[dict[str, Any]] = []
        # Counts calls to step(); the LR schedulers read it to warn about the wrong stepping order.
        self._step_count = 0

        if hasattr(params, "named_parameters") and hasattr(params, "parameters"):
            raise TypeError(
                f"{self._name}: argument `params` received the model ({type(params).__name__}) "
                f"itself; pass model.parameters() (an iterable of Tensors) instead"
            )
        if isinstance(params, (Tensor, np.ndarray, dict)):
            raise TypeError(
                f"{self._name}: argument `params` must be an iterable of Tensors or of dicts "
                f"(parameter groups); got {_describe(params)}"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{self._name}: argument `params` must be an ordered collection (a list), not a "
                "set: a set's order changes between runs and state_dict() names parameters by order"
            )
        groups = list(params)
        if len(groups) == 0:
            raise ValueError(f"{self._name}: optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    @property
    def _name(self) -> str:
        return type(self).__name__

    # -- the two methods a subclass writes ------------------------------------------------------

    def _check_group(self, group: dict[str, Any]) -> None:
        """Validate one group's hyperparameters (raise ValueError/TypeError). Subclasses extend."""
        check_non_negative(self._name, "lr", group.get("lr", 0.0), "learning rate")

    def _update(self, p: Any, grad: np.ndarray, state: dict[str, Any], group: dict) -> None:
        """Apply one update to ``p.data`` in place. ``state`` is ``{}`` on the first step."""
        raise NotImplementedError(f"{self._name} does not implement _update")

    @staticmethod
    def _direction(p: Any, grad: np.ndarray, group: dict) -> np.ndarray:
        """The gradient every rule starts from, after the options most optimizers share::

            g ← −g            if group["maximize"]     (ascend the objective instead)
            g ← g + λ θ       if λ = group["weight_decay"] ≠ 0: coupled L2 decay, the gradient
                              of a (λ/2)‖θ‖² penalty
            θ ← θ (1 − α λ)   instead, if group["decoupled_weight_decay"] (AdamW's decay,
                              applied to θ here, before the step)

        Returns a new array or ``grad`` itself (never modify it: it is ``p.grad``).
        """
        g = -grad if group.get("maximize", False) else grad
        weight_decay = group.get("weight_decay", 0)
        if weight_decay != 0:
            if group.get("decoupled_weight_decay", False):
                p.data *= 1 - group["lr"] * weight_decay
            else:
                g = g + weight_decay * p.data
        return g

    # -- parameter groups -----------------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (e.g. to unfreeze a layer).

        Missing hyperparameters are taken from ``defaults``. A parameter may belong to only one
        group, must be a minidl Tensor, must require grad and must be a leaf of the graph.
        """
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{self._name}.add_param_group: param_group must be a dict; "
                f"got {_describe(param_group)}"
            )
        if "params" not in param_group:
            raise ValueError(f"{self._name}.add_param_group: param_group has no 'params' entry")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{self._name}: a group's 'params' must be an ordered collection (a list), not a set"
            )
        params = list(params)

        seen: set[int] = set()
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{self._name}: can only optimize minidl Tensors, but params[{i}] is "
                    f"{_describe(p)}"
                )
            if not p.requires_grad:
                raise ValueError(
                    f"{self._name}: params[{i}] (shape {tuple(p.shape)}) does not require grad; "
                    "expected every optimized Tensor to have requires_grad=True"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"{self._name}: can't optimize a non-leaf Tensor (params[{i}], shape "
                    f"{tuple(p.shape)}, was computed from other tensors)"
                )
            if id(p) in seen:
                raise ValueError(
                    f"{self._name}: params[{i}] (shape {tuple(p.shape)}) appears twice in one "
                    "parameter group; expected each parameter once"
                )
            seen.add(id(p))
        for g, group in enumerate(self.param_groups):
            if any(id(p) in seen for p in group["params"]):
                raise ValueError(
                    f"{self._name}: some parameters appear in more than one parameter group "
                    f"(already in group {g}); expected each parameter in exactly one group"
                )

        group = {"params": params}
        for key, value in param_group.items():
            if key != "params":
                group[key] = value
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check_group(group)
        self.param_groups.append(group)

    # -- the training-loop API ------------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of every parameter before the next backward pass.

        ``set_to_none=True`` (the default, as in PyTorch) drops the arrays, so the next backward
        allocates fresh ones and ``step()`` skips parameters that received no gradient;
        ``set_to_none=False`` fills the existing arrays with zeros in place.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; parameters whose ``.grad`` is None are
        skipped (their state is not touched, not even the step count).

        ``closure``, if given, re-evaluates the model and returns the loss (it should call
        ``zero_grad()`` and ``backward()`` itself); step() calls it first, with grad mode on, and
        returns its loss.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for i, p in enumerate(group["params"]):
                if p.grad is None:
                    continue
                grad = p.grad.data  # the rules below read NumPy arrays
                if grad.dtype.kind != "f":
                    raise TypeError(
                        f"{self._name}.step: the gradient of parameter {i} (shape "
                        f"{tuple(p.data.shape)}) must be a floating-point array; got dtype "
                        f"{grad.dtype}"
                    )
                if grad.shape != p.data.shape:
                    raise ValueError(
                        f"{self._name}.step: a parameter of shape {tuple(p.data.shape)} has a "
                        f"gradient of shape {tuple(grad.shape)}; expected the same shape"
                    )
                with np.errstate(all="ignore"):  # overflow is a result (inf), as in the ops
                    self._update(p, grad, self.state[p], group)
                if is_anomaly_enabled() and not np.isfinite(p.data).all():
                    raise RuntimeError(
                        f"anomaly: {self._name}.step made parameter {i} of group "
                        f"{self.param_groups.index(group)} (shape {tuple(p.data.shape)}) "
                        f"non-finite (lr={group.get('lr')}). Usual causes: a learning rate too "
                        f"high, exploding gradients (try nn.utils.clip_grad_norm_)"
                    )
        self._step_count += 1
        return loss

    # -- checkpoints ----------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain data (dicts, lists, numbers, numpy arrays; no Tensors).

        ``{"state": {index: {name: value}}, "param_groups": [{..., "params": [index, ...]}]}``
        where ``index`` counts parameters across groups in order. Arrays are copied, so the
        snapshot does not change as training goes on.
        """
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index_of.setdefault(id(p), len(index_of))
                packed["params"].append(index_of[id(p)])
            groups.append(packed)
        state = {}
        for p, s in self.state.items():
            if id(p) in index_of and s:
                state[index_of[id(p)]] = {k: _copy_value(v) for k, v in s.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned, into an optimizer over same-shaped parameters.

        Hyperparameters of each group are restored too. Arrays are copied and cast to their
        parameter's dtype; a shape mismatch is reported by parameter index and state name.
        """
        where = f"{self._name}.load_state_dict"
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(
                f"{where}: expected a dict with keys 'state' and 'param_groups'; got "
                f"{sorted(state_dict) if isinstance(state_dict, dict) else _describe(state_dict)}"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{where}: loaded state dict has {len(saved_groups)} parameter groups; "
                f"this optimizer has {len(self.param_groups)}"
            )
        index_to_param: dict[int, Any] = {}
        for g, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{where}: loaded parameter group {g} has {len(saved['params'])} parameters; "
                    f"this optimizer's group {g} has {len(group['params'])}"
                )
            for index, p in zip(saved["params"], group["params"], strict=True):
                index_to_param[index] = p

        new_state = _ParamState()
        for index, saved_state in state_dict["state"].items():
            key = int(index)
            if key not in index_to_param:
                raise ValueError(f"{where}: state for parameter {key}, which no group lists")
            p = index_to_param[key]
            restored = {}
            for name, value in saved_state.items():
                if name in self._scalar_state:
                    value = _copy_value(value)
                else:
                    # Per-element state (buffers, running averages) has the parameter's shape;
                    # lists (a checkpoint that went through JSON) become arrays again.
                    value = np.array(value, dtype=p.data.dtype)
                    if value.shape != p.data.shape:
                        raise ValueError(
                            f"{where}: state '{name}' of parameter {key} has shape "
                            f"{tuple(value.shape)}; the parameter has shape {tuple(p.data.shape)}"
                        )
                restored[name] = value
            new_state[p] = restored
        for saved, group in zip(saved_groups, self.param_groups, strict=True):
            hyper = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            candidate = {**group, **hyper}
            self._check_group(candidate)
            group.update(hyper)
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{self._name} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _copy_value(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else copy.deepcopy(value)
