"""The op table: one row per op (and per variant worth checking), three tests per row.

Every row says how to call the op in minidl (`fn`), how NumPy computes the same thing (`ref`), which
input shapes and parameters to draw (`example`: a strategy of (shapes, params)), and how to keep the
values off the op's kinks (`values`: keyword arguments of minidl.testing.strategies.array_tuples).
The tests below run every row:

  * forward matches the NumPy reference, in float64 and in float32 (and keeps the input's dtype);
  * the gradient matches central finite differences (float64, random upstream gradient);
  * float32 smoke: forward and backward run, each gradient has its input's shape and dtype.

Adding a row adds all three tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minidl as md
from minidl.testing import gradcheck
from minidl.testing import strategies as mds

SHAPES = mds.shapes(max_dims=3, max_side=4)  # gradcheck costs 2 forwards per input element
NONSCALAR = mds.shapes(min_dims=1, max_dims=3, max_side=4)


# --- what to draw --------------------------------------------------------------------------------


def unary(shapes=SHAPES):
    return shapes.map(lambda s: ([s], {}))


def binary(num_shapes: int = 2):
    return mds.broadcastable_shapes(num_shapes, max_dims=3, max_side=4).map(
        lambda ss: (list(ss), {})
    )


def with_params(shapes, params: Callable[[tuple], st.SearchStrategy]):
    """One input of a drawn shape, and parameters drawn for that shape."""
    return shapes.flatmap(lambda s: params(s).map(lambda p: ([s], p)))


def axes_for(ndim: int, single: bool = False):
    """None, one axis (maybe negative), or — unless `single` — a tuple of distinct axes."""
    if ndim == 0:
        return st.none()
    options = [st.none(), st.integers(-ndim, ndim - 1)]
    if not single:
        options.append(st.lists(st.integers(0, ndim - 1), min_size=1, unique=True).map(tuple))
    return st.one_of(*options)


def reduction(shape, single: bool = False):
    return st.fixed_dictionaries({"axis": axes_for(len(shape), single), "keepdims": st.booleans()})


def dim_of(shape, extra: int = 0):
    """A dimension index for a tensor of this shape (with `extra` more positions allowed)."""
    n = len(shape) + extra
    return st.integers(-n, n - 1)


@st.composite
def reshape_params(draw, shape):
    size = int(np.prod(shape))
    targets = [(-1,), (size,), shape[::-1], (1,) + shape, (size, -1) if size else (0,)]
    return {"shape": draw(st.sampled_from(targets))}


@st.composite
def flatten_params(draw, shape):
    if not shape:
        return {}
    start = draw(st.integers(0, len(shape) - 1))
    end = draw(st.integers(start, len(shape) - 1))
    return {"start_dim": start, "end_dim": end - len(shape) * draw(st.booleans())}


@st.composite
def broadcast_params(draw, shape, allow_minus_one: bool = False):
    """A target shape that `shape` broadcasts to: its 1s stretched, new leading dims added."""
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    keep = [draw(st.integers(1, 3)) if n == 1 else n for n in shape]
    if allow_minus_one:
        keep = [-1 if draw(st.booleans()) else k for k in keep]
    return {"shape": lead + tuple(keep)}


@st.composite
def joined(draw, stack: bool):
    """Inputs for concatenate (shapes equal except along `axis`) or stack (all equal)."""
    base = draw(mds.shapes(min_dims=0 if stack else 1, max_dims=3, max_side=3))
    k = draw(st.integers(1, 3))
    if stack:
        return [base] * k, {"axis": draw(dim_of(base, extra=1))}
    axis = draw(dim_of(base))
    ax = axis % len(base)
    sizes = draw(st.lists(st.integers(1, 3), min_size=k, max_size=k))
    return [base[:ax] + (n,) + base[ax + 1 :] for n in sizes], {"axis": axis}


@st.composite
def split_params(draw, shape):
    dim = draw(dim_of(shape))
    n = shape[dim]
    if draw(st.booleans()):
        return {"split_size_or_sections": draw(st.integers(1, n + 1)), "dim": dim}
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
    sizes = list(np.diff([0, *cuts, n]))
    return {"split_size_or_sections": [int(s) for s in sizes], "dim": dim}


@st.composite
def pad_params(draw, shape):
    mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    k = draw(st.integers(1, min(len(shape), 3)))
    pad = []
    for n in shape[::-1][:k]:  # last dimension first, as in torch.nn.functional.pad
        most = {"constant": 2, "reflect": n - 1, "replicate": 2, "circular": n}[mode]
        pad += [draw(st.integers(0, most)), draw(st.integers(0, most))]
    return {"pad": tuple(pad), "mode": mode, "value": draw(st.sampled_from([0.0, -1.5]))}


@st.composite
def basic_index(draw, shape):
    """Ints, slices (any step), None and Ellipsis, as in x[1, ::-2, None] or x[..., 0]."""
    k = draw(st.integers(0, len(shape)))
    ellipsis_first = draw(st.booleans())  # then the parts index the last k dimensions
    parts = []
    for n in shape[len(shape) - k :] if ellipsis_first else shape[:k]:
        kind = draw(st.sampled_from(["int", "slice", "all"]))
        if kind == "int":
            parts.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start, stop = draw(st.integers(-n, n)), draw(st.integers(-n, n))
            parts.append(slice(start, stop, draw(st.sampled_from([1, 2, -1]))))
        else:
            parts.append(slice(None))
        if draw(st.integers(0, 3)) == 0:
            parts.append(None)
    if ellipsis_first:
        return (Ellipsis, *parts)
    return (*parts, Ellipsis) if draw(st.booleans()) else tuple(parts)


@st.composite
def any_index(draw, shape):
    """Basic indices, integer arrays (with repeats), pairs of integer arrays, boolean masks."""
    kinds = ["basic"] + (["array", "mask"] if shape else []) + (["pair"] if len(shape) > 1 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "basic":
        return draw(basic_index(shape))
    d = draw(st.integers(0, len(shape) - (2 if kind == "pair" else 1)))
    lead = (slice(None),) * d
    if kind == "mask":
        mask_shape = shape[d : d + draw(st.integers(1, len(shape) - d))]
        n = int(np.prod(mask_shape))
        flat = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        return lead + (np.array(flat, dtype=bool).reshape(mask_shape),)
    length = draw(st.integers(1, 5))
    rows = [
        np.array(draw(st.lists(st.integers(-n, n - 1), min_size=length, max_size=length)))
        for n in shape[d : d + (2 if kind == "pair" else 1)]
    ]
    return lead + tuple(rows)


@st.composite
def index_put_inputs(draw):
    """x, an index without repeated elements, and a value broadcastable to x[index]."""
    shape = draw(NONSCALAR)
    if draw(st.booleans()):
        index = draw(basic_index(shape))
    else:
        mask = np.array(draw(st.lists(st.booleans(), min_size=shape[0], max_size=shape[0])))
        index = (mask,)
    slot = np.empty(shape)[index].shape
    value = tuple(1 if draw(st.booleans()) else n for n in slot)[draw(st.integers(0, len(slot))) :]
    return [shape, value], {"index": index}


@st.composite
def gather_params(draw, shape):
    dim = draw(dim_of(shape))
    d = dim % len(shape)
    ishape = tuple(draw(st.integers(1, 4)) if k == d else draw(st.integers(1, n)) if n else 0
                   for k, n in enumerate(shape))  # fmt: skip
    if shape[d] == 0:
        ishape = ishape[:d] + (0,) + ishape[d + 1 :]
    n = int(np.prod(ishape))
    vals = draw(st.lists(st.integers(0, max(shape[d] - 1, 0)), min_size=n, max_size=n))
    return {"dim": dim, "index": np.array(vals, dtype=np.int64).reshape(ishape)}


@st.composite
def scatter_add_inputs(draw):
    shape = draw(mds.shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    params = draw(gather_params(shape))
    return [shape, params["index"].shape], params


def gather_ref(a, dim, index):
    """torch.gather: out[i][j] = a[index[i][j]][j] (dim 0); index may be smaller than a off dim."""
    d = dim % a.ndim
    cut = tuple(slice(None) if k == d else slice(0, n) for k, n in enumerate(index.shape))
    return np.take_along_axis(a[cut], index, d)


def scatter_add_ref(a, s, dim, index):
    out = a.copy()
    grids = np.indices(index.shape, sparse=True)
    np.add.at(out, tuple(index if k == dim % a.ndim else g for k, g in enumerate(grids)), s)
    return out


@st.composite
def index_select_params(draw, shape):
    dim = draw(dim_of(shape))
    n = shape[dim]
    vals = draw(st.lists(st.integers(0, n - 1), max_size=5)) if n else []
    return {"dim": dim, "index": np.array(vals, dtype=np.int64)}


@st.composite
def mask_params(draw, shape):
    n = int(np.prod(shape))
    flat = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return {"mask": np.array(flat, dtype=bool).reshape(shape)}


# --- NumPy references that are more than one call ----------------------------------------------------

_erf = np.vectorize(math.erf, otypes=[np.float64])


def softmax_ref(a, dim):
    e = np.exp(a - a.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def pad_ref(a, pad, mode, value):
    k = len(pad) // 2
    widths = [(0, 0)] * (a.ndim - k) + [(pad[2 * i], pad[2 * i + 1]) for i in range(k)][::-1]
    if mode == "constant":
        return np.pad(a, widths, mode="constant", constant_values=value)
    return np.pad(
        a, widths, mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    )


def split_ref(a, split_size_or_sections, dim):
    s = split_size_or_sections
    cuts = range(s, a.shape[dim], s) if isinstance(s, int) else np.cumsum(s)[:-1]
    return tuple(np.split(a, list(cuts), axis=dim))


def flatten_ref(a, start_dim=0, end_dim=-1):
    if a.ndim == 0:
        return a.reshape(1)
    start, end = start_dim % a.ndim, end_dim % a.ndim
    return a.reshape(a.shape[:start] + (-1,) + a.shape[end + 1 :])


def index_put_ref(x, v, index):
    out = x.copy()
    out[index] = v
    return out


def softplus_ref(a, beta=1.0, threshold=20.0):
    return np.where(beta * a > threshold, a, np.log1p(np.exp(beta * a)) / beta)


def gelu_ref(a, approximate):
    if approximate == "tanh":
        return 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a**3)))
    return a * 0.5 * (1 + _erf(a / math.sqrt(2)))


# --- the table -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable  # minidl: fn(*tensors, **params) -> Tensor or tuple of Tensors
    ref: Callable  # numpy:  ref(*arrays, **params) -> array or tuple of arrays
    example: st.SearchStrategy = field(default_factory=unary)  # (shapes, params)
    values: dict = field(default_factory=dict)  # keeps values off kinks (see array_tuples)
    differentiable: tuple | None = None  # indices of inputs with a gradient (None: all)
    grad: bool = True  # False for ops with no gradient at all (argmax)


POSITIVE = {"min_value": 0.2, "max_value": 3.0}
OFF_ZERO = {"away_from": [0.0]}
FAR_FROM_ZERO = {"away_from": [0.0], "margin": 0.2}  # keeps 1/b and a/b² moderate
NO_TIES = {"distinct": True}
SIDES_2 = mds.shapes(
    min_dims=1, max_dims=3, min_side=2, max_side=4
)  # every reduced slice has n >= 2 elements


def choice(*params, shapes=SHAPES):
    """One input of a drawn shape, with one of the given parameter sets."""
    return with_params(shapes, lambda s: st.sampled_from(params))


def dim_keep_param(shapes=NONSCALAR):
    return with_params(
        shapes, lambda s: st.fixed_dictionaries({"dim": dim_of(s), "keepdim": st.booleans()})
    )


def dim_param(shapes=NONSCALAR, extra: int = 0):
    return with_params(shapes, lambda s: dim_of(s, extra).map(lambda d: {"dim": d}))


def reduce_params(shapes=SHAPES, single: bool = False, corrections=()):
    def params(s):
        p = reduction(s, single)
        if corrections:
            p = p.flatmap(
                lambda d: st.sampled_from(corrections).map(lambda c: d | {"correction": c})
            )
        return p

    return with_params(shapes, params)


def var_ref(a, axis, keepdims, correction):
    return np.var(a, axis=axis, keepdims=keepdims, ddof=correction)


def std_ref(a, axis, keepdims, correction):
    return np.std(a, axis=axis, keepdims=keepdims, ddof=correction)


def logsumexp_ref(a, axis, keepdims):
    return np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdims))


def squeeze_ref(a, dim=None):
    return np.squeeze(a, axis=None if dim is None else (dim if a.shape[dim] == 1 else ()))


def expand_ref(a, shape):
    lead = len(shape) - a.ndim
    return np.broadcast_to(a, [a.shape[i - lead] if n == -1 else n for i, n in enumerate(shape)])


CASES = [
    # elementwise arithmetic, broadcasting
    Case("add", md.add, np.add, binary()),
    Case("sub", md.sub, np.subtract, binary()),
    Case("mul", md.mul, np.multiply, binary()),
    Case("div", md.div, np.divide, binary(), FAR_FROM_ZERO),
    Case("pow", md.pow, np.power, binary(), {"min_value": 0.2, "max_value": 2.5}),
    Case("pow_int_exponent", lambda a: a**3, lambda a: a**3),
    Case("pow_float_exponent", lambda a: a**1.5, lambda a: a**1.5, values=POSITIVE),
    Case("rsub_scalar", lambda a: 2.0 - a, lambda a: 2.0 - a),
    Case("rdiv_scalar", lambda a: 1.0 / a, lambda a: 1.0 / a, values=FAR_FROM_ZERO),
    Case("neg", md.neg, np.negative),
    Case("exp", md.exp, np.exp),
    Case("log", md.log, np.log, values=POSITIVE),
    Case("sqrt", md.sqrt, np.sqrt, values=POSITIVE),
    Case("abs", md.abs, np.abs, values=OFF_ZERO),
    Case("sin", md.sin, np.sin),
    Case("cos", md.cos, np.cos),
    Case("clip", lambda a: md.clip(a, -1.0, 1.5), lambda a: np.clip(a, -1.0, 1.5),
         values={"away_from": [-1.0, 1.5]}),
    Case("clip_min_only", lambda a: md.clip(a, min=0.5), lambda a: np.maximum(a, 0.5),
         values={"away_from": [0.5]}),
    Case("maximum", md.maximum, np.maximum, binary(), NO_TIES),
    Case("minimum", md.minimum, np.minimum, binary(), NO_TIES),
    # c only decides (c > 0); keeping it off 0 keeps finite differences from flipping it
    Case("where", lambda a, b, c: md.where(c.data > 0, a, b), lambda a, b, c: np.where(c > 0, a, b),
         binary(3), OFF_ZERO, differentiable=(0, 1)),
    # matmul: vectors, matrices, stacks with broadcast batch dimensions
    Case("matmul", md.matmul, np.matmul, mds.matmul_shapes().map(lambda ab: (list(ab), {}))),
    # reductions over None, one axis or several, with and without keepdims
    Case("sum", md.sum, np.sum, reduce_params()),
    Case("mean", md.mean, np.mean, reduce_params()),
    Case("amax", md.amax, np.max, reduce_params(), NO_TIES),
    Case("amin", md.amin, np.min, reduce_params(), NO_TIES),
    Case("max_all", md.max, np.max, values=NO_TIES),
    Case("max_dim", lambda x, dim, keepdim: md.max(x, dim, keepdim).values,
         lambda a, dim, keepdim: np.max(a, axis=dim, keepdims=keepdim), dim_keep_param(), NO_TIES),
    Case("min_dim", lambda x, dim, keepdim: md.min(x, dim, keepdim).values,
         lambda a, dim, keepdim: np.min(a, axis=dim, keepdims=keepdim), dim_keep_param(), NO_TIES),
    Case("max_pair", md.max, np.maximum, binary(), NO_TIES),
    Case("sort", lambda x, dim, descending: md.sort(x, dim, descending).values,
         lambda a, dim, descending: -np.sort(-a, dim) if descending else np.sort(a, dim),
         with_params(NONSCALAR, lambda s: st.fixed_dictionaries({"dim": dim_of(s), "descending": st.booleans()})),
         NO_TIES),
    Case("topk", lambda x, k: md.topk(x, k).values, lambda a, k: -np.sort(-a, -1)[..., :k],
         with_params(NONSCALAR, lambda s: st.integers(0, s[-1]).map(lambda k: {"k": k})), NO_TIES),
    Case("var", md.var, var_ref, reduce_params(SIDES_2, corrections=(0, 1))),
    Case("std", md.std, std_ref, reduce_params(SIDES_2, corrections=(0, 1)), NO_TIES),  # σ > 0
    Case("logsumexp", md.logsumexp, logsumexp_ref, reduce_params()),
    Case("argmax", md.argmax, np.argmax, reduce_params(single=True), NO_TIES, grad=False),
    Case("argmin", md.argmin, np.argmin, reduce_params(single=True), NO_TIES, grad=False),
    Case("norm", md.norm, lambda a, p, dim, keepdim: np.sum(np.abs(a) ** p, axis=dim, keepdims=keepdim) ** (1 / p),
         with_params(NONSCALAR, lambda s: st.fixed_dictionaries({"p": st.sampled_from([1, 2, 3]),
                     "dim": st.none() | dim_of(s), "keepdim": st.booleans()})), OFF_ZERO),
    Case("norm_inf", lambda x: md.norm(x, float("inf")), lambda a: np.max(np.abs(a)), values=NO_TIES | POSITIVE),
    # selecting by index
    Case("gather", lambda x, dim, index: md.gather(x, dim, md.tensor(index)),
         gather_ref, with_params(NONSCALAR, gather_params)),
    Case("scatter_add", lambda x, s, dim, index: md.scatter_add(x, dim, md.tensor(index), s),
         scatter_add_ref, scatter_add_inputs()),
    Case("index_select", lambda x, dim, index: md.index_select(x, dim, md.tensor(index)),
         lambda a, dim, index: np.take(a, index, axis=dim), with_params(NONSCALAR, index_select_params)),
    Case("masked_fill", lambda x, mask: md.masked_fill(x, md.tensor(mask), -2.0),
         lambda a, mask: np.where(mask, -2.0, a), with_params(SHAPES, mask_params)),
    Case("where_scalar", lambda x, mask: md.where(md.tensor(mask), x, 0.5),
         lambda a, mask: np.where(mask, a, 0.5), with_params(SHAPES, mask_params)),
    # rearranging
    Case("flip", lambda x, dims: md.flip(x, dims), lambda a, dims: np.flip(a, dims),
         with_params(NONSCALAR, lambda s: st.lists(dim_of(s), unique_by=lambda d: d % len(s), max_size=len(s)).map(lambda d: {"dims": tuple(d)}))),
    Case("roll", lambda x, shifts, dims: md.roll(x, shifts, dims), lambda a, shifts, dims: np.roll(a, shifts, dims),
         with_params(NONSCALAR, lambda s: st.fixed_dictionaries({"shifts": st.integers(-5, 5), "dims": dim_of(s)}))),
    Case("roll_flat", lambda x, shifts: md.roll(x, shifts), lambda a, shifts: np.roll(a, shifts),
         with_params(SHAPES, lambda s: st.integers(-5, 5).map(lambda k: {"shifts": k}))),
    Case("repeat", lambda x, reps: x.repeat(*reps), lambda a, reps: np.tile(a, reps),
         with_params(SHAPES, lambda s: st.lists(st.integers(1, 3), min_size=len(s), max_size=len(s) + 1).map(lambda r: {"reps": tuple(r)}))),
    Case("tril", md.tril, lambda a, diagonal: np.tril(a, diagonal),
         with_params(mds.shapes(min_dims=2, max_dims=3, max_side=4), lambda s: st.integers(-2, 2).map(lambda k: {"diagonal": k}))),
    Case("triu", md.triu, lambda a, diagonal: np.triu(a, diagonal),
         with_params(mds.shapes(min_dims=2, max_dims=3, max_side=4), lambda s: st.integers(-2, 2).map(lambda k: {"diagonal": k}))),
    Case("t", md.t, lambda a: a.T, mds.shapes(max_dims=2, max_side=4).map(lambda s: ([s], {}))),
    Case("chunk", md.chunk, lambda a, chunks, dim: tuple(np.array_split(a, range(-(-a.shape[dim] // chunks), a.shape[dim], -(-a.shape[dim] // chunks)), dim)) if a.shape[dim] else (a,),
         with_params(NONSCALAR, lambda s: st.fixed_dictionaries({"chunks": st.integers(1, 4), "dim": dim_of(s)}))),
    Case("unbind", md.unbind, lambda a, dim: tuple(np.moveaxis(a, dim, 0)),
         with_params(mds.shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), lambda s: dim_of(s).map(lambda d: {"dim": d}))),
    Case("clone", md.clone, np.copy),
    Case("cumsum", md.cumsum, lambda a, dim: np.cumsum(a, dim), dim_param()),
    Case("prod", md.prod, lambda a, dim, keepdim: np.prod(a, axis=dim, keepdims=keepdim),
         with_params(NONSCALAR, lambda s: st.fixed_dictionaries({"dim": st.none() | dim_of(s), "keepdim": st.booleans()}))),
    Case("einsum", lambda a, b: md.einsum("ij,jk->ik", a, b), lambda a, b: np.einsum("ij,jk->ik", a, b),
         st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)).map(lambda n: ([(n[0], n[1]), (n[1], n[2])], {}))),
    Case("einsum_reduce", lambda a: md.einsum("ijk->ki", a), lambda a: np.einsum("ijk->ki", a),
         mds.shapes(min_dims=3, max_dims=3, max_side=3).map(lambda s: ([s], {}))),
    Case("log1p", md.log1p, np.log1p, values=POSITIVE),
    Case("expm1", md.expm1, np.expm1),
    Case("tan", md.tan, np.tan, values={"min_value": -1.2, "max_value": 1.2}),
    Case("square", md.square, np.square),
    Case("diag", md.diag, lambda a, diagonal: np.diag(a, diagonal),
         with_params(mds.shapes(min_dims=1, max_dims=2, max_side=4), lambda s: st.integers(-2, 2).map(lambda k: {"diagonal": k}))),
    Case("remainder", lambda a: md.remainder(a, 1.5), lambda a: np.remainder(a, 1.5), values={"away_from": [-3.0, -1.5, 0.0, 1.5, 3.0]}),
    # shape
    Case("reshape", lambda x, shape: md.reshape(x, shape), lambda a, shape: a.reshape(shape), with_params(SHAPES, reshape_params)),
    Case("flatten", md.flatten, flatten_ref, with_params(SHAPES, flatten_params)),
    Case("transpose", md.transpose, lambda a, dim0, dim1: np.swapaxes(a, dim0, dim1),
         with_params(NONSCALAR, lambda s: st.fixed_dictionaries({"dim0": dim_of(s), "dim1": dim_of(s)}))),
    Case("permute", lambda x, dims: md.permute(x, *dims), lambda a, dims: np.transpose(a, dims),
         with_params(SHAPES, lambda s: st.permutations(range(len(s))).map(lambda p: {"dims": tuple(p)}))),
    Case("squeeze_all", md.squeeze, np.squeeze),
    Case("squeeze_dim", md.squeeze, squeeze_ref, dim_param()),
    Case("unsqueeze", md.unsqueeze, lambda a, dim: np.expand_dims(a, dim), dim_param(SHAPES, extra=1)),
    Case("broadcast_to", md.broadcast_to, np.broadcast_to, with_params(SHAPES, broadcast_params)),
    Case("expand", lambda x, shape: md.expand(x, *shape), expand_ref,
         with_params(SHAPES, lambda s: broadcast_params(s, allow_minus_one=True))),
    Case("concatenate", lambda *xs, axis: md.concatenate(xs, axis),
         lambda *a, axis: np.concatenate(a, axis), joined(stack=False)),
    Case("stack", lambda *xs, axis: md.stack(xs, axis), lambda *a, axis: np.stack(a, axis),
         joined(stack=True)),
    Case("split", md.split, split_ref, with_params(NONSCALAR, split_params)),
    Case("pad", md.pad, pad_ref, with_params(NONSCALAR, pad_params)),
    # indexing
    Case("getitem", lambda x, index: x[index], lambda a, index: a[index],
         with_params(SHAPES, lambda s: any_index(s).map(lambda i: {"index": i}))),
    Case("index_put", lambda x, v, index: md.index_put(x, index, v), index_put_ref, index_put_inputs()),
    # activations
    Case("relu", md.relu, lambda a: np.maximum(a, 0), values=OFF_ZERO),
    Case("leaky_relu", md.leaky_relu, lambda a, negative_slope=0.01: np.where(a > 0, a, negative_slope * a),
         choice({}, {"negative_slope": 0.2}), OFF_ZERO),
    Case("elu", md.elu, lambda a, alpha=1.0: np.where(a > 0, a, alpha * np.expm1(a)),
         choice({}, {"alpha": 0.5}), OFF_ZERO),
    Case("gelu", md.gelu, gelu_ref, choice({"approximate": "none"}, {"approximate": "tanh"})),
    Case("sigmoid", md.sigmoid, lambda a: 1 / (1 + np.exp(-a))),
    Case("tanh", md.tanh, np.tanh),
    Case("softplus", md.softplus, softplus_ref, choice({}, {"beta": 2.0})),
    Case("softplus_threshold", md.softplus, softplus_ref, choice({"beta": 2.0, "threshold": 1.0}),
         {"away_from": [0.5]}),  # linear above beta·x = 1
    Case("softmax", md.softmax, softmax_ref, dim_param()),
    Case("log_softmax", md.log_softmax, lambda a, dim: np.log(softmax_ref(a, dim)), dim_param()),
]  # fmt: skip

IDS = [c.name for c in CASES]
assert len(set(IDS)) == len(IDS), "two rows share a name"


# --- the three tests ----------------------------------------------------------------------------------


def draw_case(data, case: Case, dtype=np.float64):
    shapes, params = data.draw(case.example, label="shapes, params")
    arrays = data.draw(mds.array_tuples(shapes, dtype=dtype, **case.values), label="inputs")
    return arrays, params


def as_tuple(out) -> tuple:
    return out if isinstance(out, tuple) else (out,)


def leaves(case: Case, arrays) -> list:
    grad_inputs = range(len(arrays)) if case.differentiable is None else case.differentiable
    return [md.tensor(a, requires_grad=i in grad_inputs) for i, a in enumerate(arrays)]


TOLERANCE = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-4, atol=1e-5)}


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
@given(data=st.data())
def test_forward_matches_numpy(case, dtype, data):
    arrays, params = draw_case(data, case, dtype)
    outs = as_tuple(case.fn(*[md.tensor(a) for a in arrays], **params))
    # the reference sees the same (rounded) inputs, computed in float64
    refs = as_tuple(case.ref(*[a.astype(np.float64) for a in arrays], **params))
    assert len(outs) == len(refs)
    for out, ref in zip(outs, refs):
        assert isinstance(out, md.Tensor)
        assert out.shape == np.shape(ref)
        if case.grad:
            assert out.dtype == dtype, f"{case.name} turned {np.dtype(dtype)} into {out.dtype}"
        np.testing.assert_allclose(out.data, ref, **TOLERANCE[dtype])


GRAD_CASES = [c for c in CASES if c.grad]


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c.name for c in GRAD_CASES])
@given(data=st.data())
def test_gradient_matches_finite_differences(case, data):
    arrays, params = draw_case(data, case)
    gradcheck(lambda *xs: case.fn(*xs, **params), leaves(case, arrays))


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c.name for c in GRAD_CASES])
@given(data=st.data())
def test_float32_forward_and_backward_run(case, data):
    arrays, params = draw_case(data, case, np.float32)
    inputs = leaves(case, arrays)
    rng = np.random.default_rng(0)
    loss = sum(
        (out * rng.standard_normal(out.shape).astype(np.float32)).sum()
        for out in as_tuple(case.fn(*inputs, **params))
    )
    loss.backward()
    for x in inputs:
        if x.requires_grad:
            assert x.grad is not None and x.grad.shape == x.shape and x.grad.dtype == np.float32
            assert np.all(np.isfinite(x.grad.data))
