"""The layers of tests/nn_layer_cases.py against central finite differences in float64 (random
upstream gradient), with respect to every input and every parameter."""

from __future__ import annotations

import numpy as np
import pytest
from nn_layer_cases import CASES, call, flat_outputs, make_inputs

import minidl as md
from minidl import nn
from minidl.testing import gradcheck


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer_gradients_match_finite_differences(name):
    build, shapes, kind = CASES[name]
    layer = build(nn).double()
    xs = [md.tensor(a, requires_grad=True) for a in make_inputs(shapes)]
    params = list(layer.parameters())
    n = len(xs)
    # a fixed random weighting of every output: an all-ones upstream would hide transposes
    rng = np.random.default_rng(1)
    weights = [md.tensor(rng.standard_normal(o.shape)) for o in flat_outputs(call(layer, kind, xs))]

    def loss(*tensors):
        outs = flat_outputs(call(layer, kind, list(tensors[:n])))
        return sum(((o * w).sum() for o, w in zip(outs, weights)), start=md.tensor(0.0).double())

    assert gradcheck(loss, [*xs, *params])


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer_keeps_float32(name):
    build, shapes, kind = CASES[name]
    layer = build(nn)
    xs = [md.tensor(a.astype(np.float32)) for a in make_inputs(shapes)]
    for out in flat_outputs(call(layer, kind, xs)):
        assert out.dtype == np.float32


@pytest.mark.parametrize("backend", md.kernels.available_backends())
@pytest.mark.parametrize("name", [n for n in sorted(CASES) if n.startswith("ConvTranspose")])
def test_transposed_convolutions_agree_on_every_kernel_backend(name, backend):
    """The transposed convolution runs conv2d's input-gradient kernel on output sizes a
    convolution's backward never produces (output_padding rows no window reaches): check each
    backend against finite differences there too."""
    build, shapes, kind = CASES[name]
    layer = build(nn).double()
    xs = [md.tensor(a, requires_grad=True) for a in make_inputs(shapes)]
    with md.kernels.use_backend(backend):
        out_shape = call(layer, kind, xs).shape
        w = md.tensor(np.random.default_rng(2).standard_normal(out_shape))
        assert gradcheck(
            lambda x, *ps: (call(layer, kind, [x]) * w).sum(), [*xs, *layer.parameters()]
        )
