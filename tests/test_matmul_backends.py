"""The matmul op runs its 2-D products on minidl's GEMM kernel: forward and gradients under every backend."""

import numpy as np
import pytest

import minidl as md
from minidl import kernels
from minidl.testing import gradcheck


@pytest.mark.parametrize("backend", kernels.available_backends())
def test_matmul_forward_and_gradients_under_each_backend(backend):
    rng = np.random.default_rng(0)
    with kernels.use_backend(backend):
        a = md.tensor(rng.standard_normal((7, 5)).T, requires_grad=True)  # a transposed view
        b = md.tensor(rng.standard_normal((7, 3)), requires_grad=True)
        np.testing.assert_allclose((a @ b).data, a.data @ b.data, rtol=1e-12, atol=1e-12)
        assert gradcheck(lambda x, y: x @ y, (a, b))
        x32 = md.tensor(rng.standard_normal((4, 6)), dtype=md.float32)
        w32 = md.tensor(rng.standard_normal((6, 2)), dtype=md.float32, requires_grad=True)
        (x32 @ w32).sum().backward()
        np.testing.assert_allclose(w32.grad, np.repeat(x32.data.sum(0)[:, None], 2, 1), rtol=1e-5)
