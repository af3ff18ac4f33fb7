"""minidl.testing.gradcheck and numerical_grad: they must catch wrong gradients, not only pass right ones."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import minidl as md
from minidl.autograd import Function
from minidl.testing import gradcheck, numerical_grad


class _TransposedGrad(Function):
    """y = A @ x with a deliberately wrong backward for A (x ⊗ g instead of g ⊗ x)."""

    @staticmethod
    def forward(ctx, a, x):
        ctx.save_for_backward(a, x)
        return a @ x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        return np.outer(x, grad), a.T @ grad  # right: np.outer(grad, x)


class _HalfGrad(Function):
    """y = x² with backward x (should be 2x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x


def f64(shape, seed, requires_grad=True):
    return md.randn(*shape, generator=seed, dtype=md.float64, requires_grad=requires_grad)


def test_gradcheck_passes_a_correct_composite():
    a, b = f64((3, 4), 0), f64((4, 2), 1)
    assert gradcheck(lambda a, b: (a @ b).exp() / (1 + (a * a).sum()), (a, b))


def test_gradcheck_reports_input_index_and_values_of_the_worst_element():
    x = f64((2, 3), 2)
    with pytest.raises(
        AssertionError, match=r"input 0 \(shape \(2, 3\)\) is wrong at index .*analytic .*numerical"
    ):
        gradcheck(_HalfGrad.apply, (x,))
    assert gradcheck(_HalfGrad.apply, (x,), raise_exception=False) is False


def test_gradcheck_catches_a_transposed_gradient_that_an_all_ones_upstream_would_hide():
    a, x = f64((3, 3), 3), f64((3,), 4)
    with pytest.raises(AssertionError, match="input 0"):
        gradcheck(_TransposedGrad.apply, (a, x))


def test_gradcheck_refuses_float32_and_explains_why():
    x = md.randn(3, requires_grad=True, generator=0)
    with pytest.raises(TypeError, match="need float64.*rounding"):
        gradcheck(lambda t: t * t, (x,))


def test_gradcheck_checks_only_inputs_that_require_grad():
    a, c = f64((2, 2), 5), f64((2, 2), 6, requires_grad=False)
    assert gradcheck(lambda a, c: a * c, (a, c))
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(lambda c: c * 2, (c,))


def test_gradcheck_leaves_existing_grads_untouched():
    x = f64((2,), 7)
    x.grad = md.tensor(np.array([5.0, 6.0]))
    gradcheck(lambda t: t * 3, (x,))
    np.testing.assert_array_equal(x.grad, [5.0, 6.0])


@given(arrays(np.float64, st.integers(1, 6), elements=st.floats(-3, 3)))
def test_numerical_grad_of_a_cubic_matches_the_derivative(values):
    x = md.tensor(values)
    (g,) = numerical_grad(lambda t: t * t * t, x)
    np.testing.assert_allclose(g, 3 * values**2, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(x.data, values)  # restored after perturbing


def test_numerical_grad_rejects_bad_eps():
    with pytest.raises(ValueError, match="eps.*> 0"):
        numerical_grad(lambda t: t, md.tensor([1.0]), eps=0)


def test_numerical_grad_perturbs_non_contiguous_inputs():
    x = md.tensor(np.arange(6.0).reshape(2, 3).T)  # a Fortran-ordered copy: reshape(-1) would copy
    (g,) = numerical_grad(lambda t: t * t, x)
    np.testing.assert_allclose(g, 2 * x.data, atol=1e-6)
