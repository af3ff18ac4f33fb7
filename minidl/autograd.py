"""Autograd: Function (one differentiable primitive), grad mode, and the engine that walks back.

Every differentiable primitive is a `Function` with two static methods:

    forward(ctx, *arrays, **params) -> array        y = f(x1, x2, ...)
    backward(ctx, grad) -> (dL/dx1, dL/dx2, ...)     dL/dxi = dL/dy * dy/dxi   (the chain rule)

`Fn.apply(*inputs, **params)` runs `forward` on the inputs' arrays and, when some input requires a
gradient and grad mode is on, records the call: the returned Tensor's `grad_fn` is the `ctx` object, which
keeps what backward needs (`ctx.save_for_backward`) and an edge to each input (`ctx.next_functions`: the
input's own grad_fn, the input itself when it is a leaf, or None when it needs no gradient).

`tensor.backward()` orders the recorded nodes so that every node comes after all the nodes that use its
output (an iterative depth-first search: no recursion limit), then visits them once each, output first:
it calls the node's backward, un-broadcasts each returned gradient to its input's shape, and hands it to the
input's node (summed when an input is used twice) or accumulates it into the leaf's `.grad`.
`grad(outputs, inputs)` runs the same walk but returns the gradients instead of accumulating them.

Gradients are first order: backward computes with arrays, not with recorded Tensors, so a gradient
cannot itself be differentiated (`create_graph=True` is refused).

NumPy's floating-point warnings (overflow, invalid value) are silenced inside ops, as PyTorch computes
inf and NaN silently; `set_detect_anomaly(True)` turns them into an error naming the first op whose
forward or backward produced a NaN or inf, with its input shapes.

The Tensor class is in minidl/tensor.py (and importable from here, as `minidl.autograd.Tensor`).
"""

from __future__ import annotations

import functools
import weakref

import numpy as np

# ----------------------------------------------------------------------------------------------------
# Grad mode
# ----------------------------------------------------------------------------------------------------

_grad_enabled = True


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return _grad_enabled


class _GradMode:
    """Sets grad mode for a `with` block, or for every call of a function it decorates."""

    mode = True

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.mode
        return self

    def __exit__(self, *exc_info):
        global _grad_enabled
        _grad_enabled = self._previous
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Nothing computed inside is recorded: results have requires_grad=False. Use for evaluation and
    for updating parameters by hand."""

    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a `no_grad` block."""

    mode = True


class inference_mode(_GradMode):
    """PyTorch's faster no_grad; in minidl the same as no_grad (`inference_mode(False)` records)."""

    def __init__(self, mode: bool = True):
        self.mode = not mode

    def __call__(self, fn):
        if not callable(fn):
            raise TypeError(f"inference_mode: expected a function to decorate; received {fn!r}")
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            global _grad_enabled
            previous, _grad_enabled = _grad_enabled, mode
            try:
                return fn(*args, **kwargs)
            finally:
                _grad_enabled = previous

        return wrapper


class set_grad_enabled(_GradMode):
    """`set_grad_enabled(False)` switches recording off now; as a context manager it restores on exit."""

    def __init__(self, mode: bool):
        global _grad_enabled
        self._previous = _grad_enabled
        self.mode = bool(mode)
        _grad_enabled = self.mode

    def __enter__(self):
        return self


# ----------------------------------------------------------------------------------------------------
# Anomaly mode
# ----------------------------------------------------------------------------------------------------

_anomaly_enabled = False


def is_anomaly_enabled() -> bool:
    """True when every op's forward and backward output is checked for NaN and inf."""
    return _anomaly_enabled


class set_detect_anomaly:
    """`set_detect_anomaly(True)` checks every op from now on; as a context manager it restores the
    previous setting on exit. A check failing raises RuntimeError naming the op, forward or backward,
    and the shapes of its inputs (checking costs one pass over each result)."""

    def __init__(self, mode: bool, check_nan: bool = True):
        global _anomaly_enabled
        self._previous = _anomaly_enabled
        _anomaly_enabled = bool(mode) and bool(check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        global _anomaly_enabled
        _anomaly_enabled = self._previous
        return False


class detect_anomaly(set_detect_anomaly):
    """`with detect_anomaly():` — anomaly checks on inside the block only."""

    def __init__(self, check_nan: bool = True):
        super().__init__(True, check_nan)


def _not_finite(a) -> bool:
    return isinstance(a, np.ndarray) and a.dtype.kind == "f" and not np.isfinite(a).all()


def _describe_inputs(arrays) -> str:
    return ", ".join(
        f"{a.shape} {a.dtype}" if isinstance(a, np.ndarray) else type(a).__name__ for a in arrays
    )


def _check_forward(fn: type, arrays: list, out: np.ndarray) -> None:
    if _not_finite(out) and not any(_not_finite(a) for a in arrays):
        what = "nan" if np.isnan(out).any() else "inf"
        raise RuntimeError(
            f"anomaly: {fn.__name__}.forward produced {what} values from finite inputs (shapes and "
            f"dtypes: {_describe_inputs(arrays)}). Usual causes: a learning rate too high, log or "
            f"division of 0, exp of a large number"
        )


def _check_backward(node: Function, grad: np.ndarray, input_grads: tuple) -> None:
    if _not_finite(grad):
        return  # not this op's doing: the NaN arrived with the gradient
    for i, g in enumerate(input_grads):
        if _not_finite(np.asarray(g) if g is not None else None):
            shapes = ", ".join(str(m[0]) if m else "-" for m in node.input_meta)
            raise RuntimeError(
                f"anomaly: {type(node).__name__}.backward returned nan or inf values in its "
                f"gradient {i} from a finite incoming gradient (input shapes: {shapes})"
            )


# ----------------------------------------------------------------------------------------------------
# Function: the base of every differentiable primitive
# ----------------------------------------------------------------------------------------------------

_FREED = object()  # marks saved arrays released after a backward without retain_graph


class Function:
    """Base class of autograd primitives. Subclass it with `forward(ctx, ...)` and `backward(ctx, grad)`
    as static methods, and call `YourFn.apply(...)`. An instance is the `ctx` of one recorded call.

    Unlike PyTorch's, forward and backward receive and return NumPy arrays (the op reads as NumPy)."""

    saved_tensors: tuple = ()
    needs_input_grad: tuple = ()
    _retained = None  # weakref to the output when retain_grad() was called on it
    _saved_versions = ()
    _hooks = None  # register_hook functions of the output, run on its gradient

    def save_for_backward(self, *arrays) -> None:
        """Keep arrays that backward will need (released after backward unless retain_graph)."""
        self.saved_tensors = arrays

    @staticmethod
    def forward(ctx, *args, **params):
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs, **params) -> Tensor:
        """Run forward on the inputs' arrays; record the call if any input requires grad."""
        ctx = cls()
        arrays, needs = [], []
        for x in inputs:  # a plain loop: this is the hottest path of the engine
            if isinstance(x, Tensor):
                arrays.append(x.data)
                needs.append(x.requires_grad)
            else:
                arrays.append(x)
                needs.append(False)
        ctx.needs_input_grad = needs = tuple(needs)
        with np.errstate(all="ignore"):  # inf and NaN are results, as in PyTorch (see anomaly mode)
            out = cls.forward(ctx, *arrays, **params)
        if type(out) is not np.ndarray:  # numpy reductions to 0-d give numpy scalars
            out = np.asarray(out)
        if _anomaly_enabled:
            _check_forward(cls, arrays, out)
        if not (_grad_enabled and True in needs):
            return Tensor._wrap(out)
        edges, meta = [], []
        for x, need in zip(inputs, needs):
            if need:
                edges.append(x.grad_fn or x)  # the node that made x, or the leaf x itself
                meta.append((x.data.shape, x.data.dtype))
            else:
                edges.append(None)
                meta.append(None)
        ctx.next_functions, ctx.input_meta = edges, meta
        result = Tensor._wrap(out, grad_fn=ctx)
        if ctx.saved_tensors:
            ctx._saved_versions = _versions_of_saved(ctx.saved_tensors, inputs, result)
        return result


def _versions_of_saved(saved, inputs, result) -> list:
    """(counter, value) for each tensor whose own buffer was saved, to detect later in-place writes."""
    saved_ids = {id(a) for a in saved if a is not None}
    return [
        (t._version, t._version[0])
        for t in (*inputs, result)
        if isinstance(t, Tensor) and id(t.data) in saved_ids
    ]


# ----------------------------------------------------------------------------------------------------
# The backward engine
# ----------------------------------------------------------------------------------------------------


def backward(
    tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False, inputs=None
) -> None:
    """Back-propagate from `tensors` (one or a sequence), accumulating into the .grad of every leaf
    that requires grad (only into those of `inputs`, when given).

    `grad_tensors` are dL/dtensor; each may be omitted only for a one-element tensor (it is then 1).
    After the call the graph's saved arrays are released, unless `retain_graph=True`.
    """
    _first_order_only(create_graph, "backward")
    seeds = _seeds(tensors, grad_tensors, "backward")
    if inputs is None:
        _backprop(seeds, bool(retain_graph), capture=None)
        return
    inputs = _tensor_tuple(inputs, "backward", "inputs")
    for x, g in zip(inputs, _captured(seeds, inputs, bool(retain_graph), allow_unused=True)):
        if g is not None:
            _accumulate(x, g.data)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph: bool = False,
    allow_unused=None,
    materialize_grads: bool = False,
) -> tuple:
    """d(outputs)/d(inputs) · grad_outputs, returned as a tuple of Tensors (one per input) instead of
    accumulated into .grad (no .grad anywhere changes). An input the outputs don't depend on is an
    error, unless `allow_unused=True` (its entry is then None, or zeros with materialize_grads)."""
    _first_order_only(create_graph, "grad")
    inputs = _tensor_tuple(inputs, "grad", "inputs")
    seeds = _seeds(outputs, grad_outputs, "grad")
    unused_ok = bool(allow_unused) or materialize_grads
    grads = _captured(seeds, inputs, bool(retain_graph), unused_ok)
    if materialize_grads:
        grads = [
            Tensor._wrap(np.zeros_like(x.data)) if g is None else g for x, g in zip(inputs, grads)
        ]
    return tuple(grads)


def _first_order_only(create_graph: bool, where: str) -> None:
    if create_graph:
        raise NotImplementedError(
            f"{where}: create_graph=True is not supported: minidl computes first-order gradients "
            f"only (backward works on arrays, so a gradient cannot itself be differentiated)"
        )


def _tensor_tuple(xs, where: str, arg: str) -> tuple:
    xs = (xs,) if isinstance(xs, Tensor) else tuple(xs)
    for i, x in enumerate(xs):
        if not isinstance(x, Tensor):
            raise TypeError(f"{where}: `{arg}`[{i}] must be a Tensor; received {type(x).__name__}")
    return xs


def _seeds(tensors, grads, where: str) -> list:
    """[(tensor, dL/dtensor as an array)] with the implied 1 for one-element tensors."""
    tensors = _tensor_tuple(tensors, where, "outputs")
    if grads is None or isinstance(grads, (Tensor, np.ndarray)):
        grads = (grads,) * len(tensors) if grads is None else (grads,)
    grads = tuple(grads)
    if len(grads) != len(tensors):
        raise ValueError(
            f"{where}: got {len(tensors)} outputs but {len(grads)} gradients; give one per output"
        )
    seeds = []
    for t, g in zip(tensors, grads):
        if not t.requires_grad:
            raise RuntimeError(
                f"{where}: this tensor does not require grad and has no grad_fn; did you forget "
                f"requires_grad=True on an input, or compute it under md.no_grad()?"
            )
        if g is None:
            if t.data.size != 1:
                raise RuntimeError(
                    f"{where}: the gradient can be implied only for a tensor with one element; this "
                    f"one has shape {t.shape}. Pass backward(gradient) with a gradient of that shape"
                )
            g = np.ones_like(t.data)
        else:
            g = np.asarray(as_array(g, t.dtype, where))
            if g.shape != t.shape:
                raise RuntimeError(
                    f"{where}: argument `gradient` has shape {g.shape} but the tensor has shape "
                    f"{t.shape}; they must match"
                )
        seeds.append((t, g))
    return seeds


def _captured(seeds, inputs, retain_graph: bool, allow_unused: bool) -> list:
    """The gradients reaching `inputs` (leaves or computed tensors), as Tensors or None."""
    capture = {(x if x.grad_fn is None else x.grad_fn): None for x in inputs}
    _backprop(seeds, retain_graph, capture)
    out = []
    for i, x in enumerate(inputs):
        g = capture[x if x.grad_fn is None else x.grad_fn]
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} (shape {x.shape}) was not used to compute the outputs; pass "
                f"allow_unused=True if that is expected"
            )
        out.append(None if g is None else Tensor._wrap(g))
    return out


def _backprop(seeds: list, retain_graph: bool, capture: dict | None) -> None:
    """The walk. With `capture` (keys: leaves and nodes), gradients reaching those keys are summed
    into it and no .grad changes; without it, they accumulate into every leaf's .grad."""
    grads = {}  # node -> dL/d(node's output), summed over its uses
    leaves = {}  # leaf -> dL/dleaf, summed, delivered at the end (its hooks see the total once)
    for t, g in seeds:
        if t.grad_fn is None:
            leaves[t] = leaves[t] + g if t in leaves else g
            continue
        if t._retains_grad:
            t.grad_fn._retained = weakref.ref(t)
        grads[t.grad_fn] = grads[t.grad_fn] + g if t.grad_fn in grads else g
    with np.errstate(all="ignore"):  # inf and NaN are results, as in PyTorch (see anomaly mode)
        for node in _topological_order(list(grads)):
            g = grads.pop(node, None)
            if g is None:  # reached only through inputs that got no gradient
                continue
            if node._hooks:
                g = _run_hooks(node._hooks, g)
            if capture is not None:
                if node in capture:
                    capture[node] = g
            elif node._retained is not None and (out := node._retained()) is not None:
                _accumulate(out, g)
            input_grads = _call_backward(node, g)
            for i, (edge, ig) in enumerate(zip(node.next_functions, input_grads)):
                if edge is None or ig is None:
                    continue
                ig = _fit_to_input(ig, node.input_meta[i], node, i)
                store = leaves if isinstance(edge, Tensor) else grads
                store[edge] = store[edge] + ig if edge in store else ig
            if not retain_graph and node.saved_tensors:
                node.saved_tensors = _FREED
        for leaf, g in leaves.items():
            if leaf._hooks:
                g = _run_hooks(leaf._hooks, g)
            if capture is None:
                _accumulate(leaf, g)
            elif leaf in capture:
                capture[leaf] = g


def _run_hooks(hooks: list, grad: np.ndarray) -> np.ndarray:
    """Each hook sees the gradient as a Tensor; one that returns a Tensor replaces it."""
    for hook in list(hooks):
        new = hook(Tensor._wrap(grad))
        if new is not None:
            if not isinstance(new, Tensor) or new.shape != grad.shape:
                raise RuntimeError(
                    f"register_hook: a hook must return None or a Tensor of the gradient's shape "
                    f"{grad.shape}; received {new!r:.80}"
                )
            grad = new.data
    return grad


def _topological_order(roots: list) -> list:
    """Nodes reachable from `roots`, each placed before the nodes that produced its inputs."""
    order, seen = [], set()
    stack = [(root, False) for root in roots]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        for parent in node.next_functions:
            if isinstance(parent, Function) and parent not in seen:
                stack.append((parent, False))
    order.reverse()  # post-order reversed: a node comes before everything it depends on
    return order


def _call_backward(node: Function, grad: np.ndarray) -> tuple:
    name = type(node).__name__
    if node.saved_tensors is _FREED:
        raise RuntimeError(
            f"backward: trying to go back through the graph a second time: the arrays {name} saved "
            f"were freed by the first backward(). Pass retain_graph=True to the first call if you "
            f"need to call backward twice"
        )
    for counter, version in node._saved_versions:
        if counter[0] != version:
            raise RuntimeError(
                f"backward: an array that {name} saved for its gradient has been modified by an "
                f"in-place operation (version {version} when saved, {counter[0]} now). Use an "
                f"out-of-place operation, or .clone() the tensor before modifying it"
            )
    input_grads = type(node).backward(node, grad)
    if not isinstance(input_grads, tuple):
        input_grads = (input_grads,)
    if _anomaly_enabled:
        _check_backward(node, grad, input_grads)
    if len(input_grads) != len(node.next_functions):
        raise RuntimeError(
            f"{name}.backward returned {len(input_grads)} gradients but forward had "
            f"{len(node.next_functions)} inputs; return one per input (None where not needed)"
        )
    return input_grads


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum `grad` over the dimensions that broadcasting added or stretched, back to `shape`.

    If y = f(x) broadcast x from `shape`, each x element fed several y elements, so dL/dx is the sum
    of dL/dy over those copies: sum away the leading dimensions, then the dimensions where x had size 1.
    """
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def _fit_to_input(grad, meta, node: Function, index: int) -> np.ndarray:
    """Un-broadcast a returned gradient to its input's shape and dtype, or say which op got it wrong."""
    shape, dtype = meta
    if type(grad) is not np.ndarray:
        grad = np.asarray(grad)
    if grad.shape != shape:
        if grad.ndim >= len(shape):
            grad = unbroadcast(grad, shape)
        if grad.shape != shape:
            raise RuntimeError(
                f"{type(node).__name__}.backward returned a gradient of shape {grad.shape} for input "
                f"{index}, whose shape is {shape}; it must be that shape or broadcast from it"
            )
    if grad.dtype != dtype:
        grad = grad.astype(dtype)
    return grad


def _accumulate(leaf: Tensor, grad: np.ndarray) -> None:
    """leaf.grad += grad (a fresh copy the first time, so later += never writes into someone's array)."""
    if leaf._grad is None:
        leaf._grad = Tensor._wrap(np.array(grad, dtype=leaf.dtype, copy=True))
    else:
        leaf._grad.data += grad


def Variable(data, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # noqa: N802
    """PyTorch's pre-0.4 wrapper, kept there as a no-op: returns `data` as a Tensor (the same one if
    it already is), with requires_grad set when asked. `volatile` is ignored (use no_grad)."""
    t = data if isinstance(data, Tensor) else Tensor(data)
    return t.requires_grad_(True) if requires_grad else t


# Tensor is defined on top of this module (its methods call the engine), and re-exported here.
from minidl.tensor import Tensor, as_array  # noqa: E402
