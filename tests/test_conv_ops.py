"""conv2d, max_pool2d and avg_pool2d as autograd ops: gradients against finite differences (float64)
under every kernel backend, forward against the kernels' NumPy reference, only the needed gradients
computed, and bad input rejected in Python."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kernel_cases import BACKENDS, conv_configs, pool_configs

import minidl as md
from minidl import kernels
from minidl.ops.conv import Conv2d, avg_pool2d, conv2d, max_pool2d
from minidl.testing import gradcheck


def _tensor(rng, shape):
    return md.tensor(rng.standard_normal(shape), dtype=md.float64, requires_grad=True)


def _distinct(rng, shape):
    """Values at least 0.01 apart, so that no finite-difference step changes a window's arg-max."""
    size = int(np.prod(shape))
    data = rng.permutation(size).reshape(shape) * 0.01 + rng.uniform(0, 1e-3, shape)
    return md.tensor(data, dtype=md.float64, requires_grad=True)


@pytest.mark.parametrize("backend", BACKENDS)
# small: finite differences cost two forward passes per input element
@given(
    config=conv_configs(max_size=5, max_batch=2, max_channels=2),
    with_bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_conv2d_gradients_match_finite_differences(backend, config, with_bias, seed):
    x_shape, w_shape, stride, padding, dilation = config
    rng = np.random.default_rng(seed)
    x, w = _tensor(rng, x_shape), _tensor(rng, w_shape)
    b = _tensor(rng, w_shape[0]) if with_bias else None
    with kernels.use_backend(backend):
        if with_bias:
            gradcheck(lambda x, w, b: conv2d(x, w, b, stride, padding, dilation), (x, w, b))
        else:
            gradcheck(lambda x, w: conv2d(x, w, None, stride, padding, dilation), (x, w))


@pytest.mark.parametrize("backend", BACKENDS)
@given(config=pool_configs(max_size=6, max_batch=2, max_channels=2), seed=st.integers(0, 2**16))
def test_pool_gradients_match_finite_differences(backend, config, seed):
    x_shape, k, s, p = config
    x = _distinct(np.random.default_rng(seed), x_shape)
    with kernels.use_backend(backend):
        gradcheck(lambda x: max_pool2d(x, k, s, p), (x,))
        gradcheck(lambda x: avg_pool2d(x, k, s, p), (x,))


@pytest.mark.parametrize("backend", BACKENDS)
def test_forward_matches_the_reference_in_float32(backend):
    rng = np.random.default_rng(0)
    x = md.tensor(rng.standard_normal((2, 3, 10, 10)).astype(np.float32))
    w = md.tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32))
    with kernels.use_backend(backend):
        y = avg_pool2d(max_pool2d(conv2d(x, w, padding=1, stride=2), 2, 1), 2)
    with kernels.use_backend("numpy"):
        ref = kernels.conv2d(x.data, w.data, None, 2, 1)
        ref = kernels.avg_pool2d(kernels.max_pool2d(ref, 2, 1)[0], 2)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, ref, rtol=1e-5, atol=1e-6)


def test_a_first_layer_does_not_compute_the_input_gradient(monkeypatch):
    """Images do not require grad, so backward must not pay for dL/dx (the costliest part)."""
    calls = []
    monkeypatch.setattr(kernels, "conv2d_input", lambda *a, **k: calls.append("input"))
    rng = np.random.default_rng(1)
    images = md.tensor(rng.standard_normal((2, 1, 6, 6)))  # requires_grad=False
    w = _tensor(rng, (3, 1, 3, 3))
    conv2d(images, w).sum().backward()
    assert calls == [] and w.grad is not None and images.grad is None


def test_bias_gradient_only_when_there_is_a_bias():
    rng = np.random.default_rng(2)
    x, w = _tensor(rng, (1, 2, 5, 5)), _tensor(rng, (3, 2, 3, 3))
    y = conv2d(x, w)
    assert isinstance(y.grad_fn, Conv2d)
    y.sum().backward()
    assert x.grad.shape == x.shape and w.grad.shape == w.shape


X = md.zeros((4, 1, 28, 28))
W = md.zeros((8, 3, 3, 3))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: conv2d(X, W),
            ValueError,
            r"conv2d: input has 1 channels but weight expects 3; "
            r"input.shape=\(4, 1, 28, 28\), weight.shape=\(8, 3, 3, 3\)",
        ),
        (lambda: conv2d(md.zeros((1, 28, 28)), W), ValueError, r"`input` must be 4-D"),
        (
            lambda: conv2d(X, md.zeros((8, 1, 3, 3)), md.zeros(3)),
            ValueError,
            r"bias must have shape \(8,\)",
        ),
        (lambda: conv2d(X, md.zeros((8, 1, 3, 3)), stride=0), ValueError, "`stride` must be"),
        (lambda: conv2d(X, md.zeros((8, 1, 30, 3))), ValueError, "larger than the padded input"),
        (lambda: conv2d([[1.0]], W), TypeError, "`input` must be a Tensor"),
        (lambda: max_pool2d(X, 2, padding=2), ValueError, "at most half the kernel"),
        (lambda: avg_pool2d(X, (2, 2, 2)), ValueError, "`kernel_size` must be"),
        (lambda: avg_pool2d(X, 2, stride=-1), ValueError, "`stride` must be"),
    ],
)
def test_bad_input_raises_in_python(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.torch
@pytest.mark.parametrize("backend", BACKENDS)
def test_against_pytorch(backend):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x_np, w_np, b_np = (
        rng.standard_normal((2, 3, 9, 9)),
        rng.standard_normal((4, 3, 3, 2)),
        rng.standard_normal(4),
    )
    x, w, b = (md.tensor(a, requires_grad=True) for a in (x_np, w_np, b_np))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x_np, w_np, b_np))
    with kernels.use_backend(backend):
        y = max_pool2d(conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2)), 3, 2, 1)
        y = avg_pool2d(y, 2, 1, 1)
    ty = torch.nn.functional.conv2d(tx, tw, tb, stride=(2, 1), padding=1, dilation=(1, 2))
    ty = torch.nn.functional.avg_pool2d(torch.nn.functional.max_pool2d(ty, 3, 2, 1), 2, 1, 1)
    g = rng.standard_normal(ty.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    for mine, theirs in ((x, tx), (w, tw), (b, tb)):
        np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)
