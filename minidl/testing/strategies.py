"""Hypothesis strategies for property-testing ops: shapes, arrays, broadcastable and matmul-compatible
shape pairs, and conv/pool configurations.

Property-test your own op in five lines — here a hand-written softsign, x / (1 + |x|), whose gradient
should match finite differences for every shape and value hypothesis can think of:

    from hypothesis import given
    import minidl as md
    from minidl.testing import gradcheck, strategies as mds

    @given(mds.arrays(away_from=[0.0]))          # |x| is not differentiable at 0: keep off it
    def test_softsign_gradient(a):
        gradcheck(lambda x: x / (1 + md.abs(x)), md.tensor(a, requires_grad=True))

`arrays()` draws float64 arrays (what gradcheck needs) of a drawn shape with values in [-3, 3]; pass
`shape=`, a shape or a strategy of shapes, to fix it. Ops with kinks need inputs kept off them:
`away_from=[0.0]` for relu and abs, `distinct=True` for max/min (no ties within the drawn values).
`array_tuples([s1, s2])` draws several arrays at once whose values are distinct across all of them — for
maximum(a, b), where a tie between a and b is a kink.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "Conv2dConfig",
    "Pool2dConfig",
    "array_tuples",
    "arrays",
    "broadcastable_shapes",
    "conv2d_configs",
    "matmul_shapes",
    "pool2d_configs",
    "shapes",
]


def shapes(
    min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 5
) -> st.SearchStrategy[tuple]:
    """Array shapes such as (), (1,), (3, 1, 4). Hypothesis shrinks sides toward `min_side`, so
    size-1 dimensions (the edge case of broadcasting and reductions) come up often."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def broadcastable_shapes(
    num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3, max_side: int = 4
) -> st.SearchStrategy[tuple]:
    """Tuples of `num_shapes` shapes that broadcast together (NumPy's rules): some dimensions are 1
    or missing in one shape and not in another, e.g. ((3, 1), (2, 1, 4))."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    ).map(lambda r: r.input_shapes)


@st.composite
def matmul_shapes(draw, max_batch_dims: int = 2, max_side: int = 4) -> tuple:
    """(a_shape, b_shape) valid for a @ b: vectors (k,), matrices (n, k) and (k, m), and stacks of
    matrices whose batch dimensions broadcast, e.g. ((2, 1, 3, 4), (5, 4, 2))."""
    n, k, m = (draw(st.integers(1, max_side)) for _ in range(3))
    batch_a, batch_b = draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=2, min_dims=0, max_dims=max_batch_dims, max_side=max_side
        )
    ).input_shapes
    a_shape = (k,) if draw(st.booleans()) else batch_a + (n, k)
    b_shape = (k,) if draw(st.booleans()) else batch_b + (k, m)
    return a_shape, b_shape


def _spread_and_nudge(values, min_value, max_value, away_from, margin, distinct) -> np.ndarray:
    """Make drawn values safe for finite differences: all distinct (ranks placed on a grid with
    cells of width w, each value in the middle half of its own cell), then moved at most `margin`
    so that every value is at least `margin` from each point in `away_from`."""
    x = np.asarray(values, dtype=np.float64)
    lo, span = float(min_value), float(max_value) - float(min_value)
    if distinct and x.size > 1:
        w = span / x.size
        if w < 8 * margin:
            raise ValueError(
                f"arrays: {x.size} distinct values spaced by at least {8 * margin} don't fit in "
                f"[{min_value}, {max_value}]; draw smaller shapes or widen the range"
            )
        rank = np.argsort(np.argsort(x, kind="stable"), kind="stable")
        within = 0.25 + 0.5 * (x - lo) / span if span else 0.5  # the drawn value picks the spot
        x = lo + w * (rank + within)
    for k in away_from:
        close = np.abs(x - k) < margin
        up = (x >= k) & (k + margin <= max_value) | (k - margin < min_value)
        x = np.where(close, np.where(up, k + margin, k - margin), x)
    return x


@st.composite
def array_tuples(
    draw,
    shapes_: Sequence[tuple] | st.SearchStrategy,
    *,
    dtype=np.float64,
    min_value: float = -3.0,
    max_value: float = 3.0,
    away_from: Sequence[float] = (),
    margin: float = 1e-3,
    distinct: bool = False,
) -> tuple:
    """A tuple of arrays, one per shape in `shapes_` (a sequence or a strategy of them, such as
    `broadcastable_shapes()`), with values in [min_value, max_value], at least `margin` from every
    point of `away_from`, and — with `distinct=True` — pairwise at least `margin` apart across all
    the arrays together (no ties, even after broadcasting)."""
    if isinstance(shapes_, st.SearchStrategy):
        shapes_ = draw(shapes_)
    sizes = [int(np.prod(s, dtype=np.int64)) for s in shapes_]
    elements = st.floats(
        min_value, max_value, allow_nan=False, allow_infinity=False, allow_subnormal=False
    )
    flat = draw(hnp.arrays(np.float64, (int(np.sum(sizes)),), elements=elements))
    flat = _spread_and_nudge(flat, min_value, max_value, away_from, margin, distinct)
    ends = np.cumsum(sizes)[:-1]
    return tuple(
        np.array(p.reshape(s), dtype=dtype)  # (np.ascontiguousarray would make 0-d arrays 1-d)
        for p, s in zip(np.split(flat, ends), shapes_)
    )


def arrays(
    shape: tuple | st.SearchStrategy | None = None,
    *,
    dtype=np.float64,
    min_value: float = -3.0,
    max_value: float = 3.0,
    away_from: Sequence[float] = (),
    margin: float = 1e-3,
    distinct: bool = False,
) -> st.SearchStrategy[np.ndarray]:
    """Float arrays of `shape` (a tuple, a strategy of shapes, or None for `shapes()`) with values in
    [min_value, max_value]; `away_from` and `distinct` keep them off kinks (see `array_tuples`)."""
    shape = shapes() if shape is None else shape
    shape_st = shape if isinstance(shape, st.SearchStrategy) else st.just(tuple(shape))
    return array_tuples(
        shape_st.map(lambda s: [s]),
        dtype=dtype,
        min_value=min_value,
        max_value=max_value,
        away_from=away_from,
        margin=margin,
        distinct=distinct,
    ).map(lambda t: t[0])


class Conv2dConfig(NamedTuple):
    """A valid 2-D convolution: input (batch, in_channels, height, width) and weight (out_channels,
    in_channels, *kernel_size), with the kernel fitting the padded input."""

    batch: int
    in_channels: int
    out_channels: int
    height: int
    width: int
    kernel_size: tuple
    stride: tuple
    padding: tuple
    dilation: tuple

    @property
    def input_shape(self) -> tuple:
        return (self.batch, self.in_channels, self.height, self.width)

    @property
    def weight_shape(self) -> tuple:
        return (self.out_channels, self.in_channels) + tuple(self.kernel_size)

    @property
    def output_shape(self) -> tuple:
        """(N, F, OH, OW), OH = (H + 2p − d(K − 1) − 1) // s + 1 (and likewise OW)."""
        sides = _output_sides(self, self.dilation)
        return (self.batch, self.out_channels) + sides


def _output_sides(config, dilation) -> tuple:
    """(OH, OW) of a sliding window: (n + 2p − d(k − 1) − 1) // s + 1 per spatial dimension."""
    return tuple(
        (n + 2 * p - d * (k - 1) - 1) // s + 1
        for n, k, s, p, d in zip(
            (config.height, config.width),
            config.kernel_size,
            config.stride,
            config.padding,
            dilation,
        )
    )


@st.composite
def conv2d_configs(
    draw,
    max_batch: int = 2,
    max_channels: int = 3,
    max_size: int = 6,
    max_kernel: int = 3,
    max_stride: int = 2,
    max_padding: int = 1,
    max_dilation: int = 1,
) -> Conv2dConfig:
    """Valid Conv2dConfig's (small by default: gradcheck costs one forward per input element)."""
    n, c, f = (draw(st.integers(1, m)) for m in (max_batch, max_channels, max_channels))
    kernel = tuple(draw(st.integers(1, max_kernel)) for _ in range(2))
    stride = tuple(draw(st.integers(1, max_stride)) for _ in range(2))
    padding = tuple(draw(st.integers(0, max_padding)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, max_dilation)) for _ in range(2))
    # the dilated kernel spans d(K − 1) + 1 pixels, which must fit in H + 2p
    h, w = (
        draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), max(max_size, d * (k - 1) + 1)))
        for k, p, d in zip(kernel, padding, dilation)
    )
    return Conv2dConfig(n, c, f, h, w, kernel, stride, padding, dilation)


class Pool2dConfig(NamedTuple):
    """A valid 2-D pooling: input (batch, channels, height, width), a window of kernel_size moved by
    stride, padding at most half the window (PyTorch's rule)."""

    batch: int
    channels: int
    height: int
    width: int
    kernel_size: tuple
    stride: tuple
    padding: tuple

    @property
    def input_shape(self) -> tuple:
        return (self.batch, self.channels, self.height, self.width)

    @property
    def output_shape(self) -> tuple:
        """(N, C, OH, OW), OH = (H + 2p − K) // s + 1 (and likewise OW)."""
        return (self.batch, self.channels) + _output_sides(self, (1, 1))


@st.composite
def pool2d_configs(
    draw, max_batch: int = 2, max_channels: int = 3, max_size: int = 6, max_kernel: int = 3
) -> Pool2dConfig:
    """Valid Pool2dConfig's: padding <= kernel // 2 and the window fits the padded input."""
    n, c = draw(st.integers(1, max_batch)), draw(st.integers(1, max_channels))
    kernel = tuple(draw(st.integers(1, max_kernel)) for _ in range(2))
    stride = tuple(draw(st.integers(1, max_kernel)) for _ in range(2))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    h, w = (draw(st.integers(max(1, k - 2 * p), max(max_size, k))) for k, p in zip(kernel, padding))
    return Pool2dConfig(n, c, h, w, kernel, stride, padding)
