"""Autograd semantics: what backward() promises, stated as tests (PyTorch's behaviour)."""

import gc

import numpy as np
import pytest

import minidl as md
from minidl.autograd import Function


def f64(data, requires_grad=True):
    return md.tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad)


def test_gradients_accumulate_across_backward_calls():
    x = f64([1.0, 2.0, 3.0])
    (x * x).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * (2 * x.data))


def test_scalar_backward_gives_ones_and_nonscalar_needs_a_gradient():
    x = f64([[1.0, 2.0], [3.0, 4.0]])
    y = x * 3
    with pytest.raises(RuntimeError, match=r"shape \(2, 2\)"):
        y.backward()
    v = np.array([[1.0, -1.0], [0.5, 2.0]])
    y.backward(v)
    np.testing.assert_allclose(x.grad, 3 * v)


def test_backward_gradient_shape_must_match():
    x = f64([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"gradient.*shape \(3,\).*\(2,\)"):
        (x * 2).backward(np.ones(3))


def test_second_backward_through_freed_graph_raises_and_retain_graph_allows_it():
    x = f64([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * 2 * x.data)
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_graph_of_ops_without_saved_arrays_can_be_walked_again():
    # PyTorch only refuses when a node's saved tensors were freed; Add saves nothing.
    x = f64([1.0, 2.0])
    y = (x + 1).sum()
    y.backward()
    y.backward()
    np.testing.assert_allclose(x.grad, [2.0, 2.0])


def test_diamond_graph_sums_both_paths():
    a = f64([1.5, -2.0])
    b = a + a
    c = b * b  # c = 4a², dc/da = 8a
    c.sum().backward()
    np.testing.assert_allclose(a.grad, 8 * a.data)


def test_reused_intermediate_node():
    x = f64([0.3, -1.2, 2.0])
    y = x * x
    z = (y + y * y + y.exp()).sum()  # dz/dx = (1 + 2y + e^y)·2x
    z.backward()
    yd = x.data**2
    np.testing.assert_allclose(x.grad, (1 + 2 * yd + np.exp(yd)) * 2 * x.data)


def test_non_leaf_gradients_are_kept_only_with_retain_grad():
    x = f64([1.0, 2.0])
    h = x * 2
    k = x * 3
    h.retain_grad()
    (h * k).sum().backward()
    np.testing.assert_allclose(h.grad, k.data)
    assert k.grad is None
    assert not h.is_leaf and x.is_leaf


def test_no_grad_context_and_decorator_and_enable_grad():
    x = f64([1.0, 2.0])
    with md.no_grad():
        y = x * 2
        with md.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None

    @md.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad
    assert md.is_grad_enabled()


def test_detach_shares_data_and_cuts_the_graph():
    x = f64([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None
    e = x.detach()
    e.data[0] = 10.0
    assert x.data[0] == 10.0


def test_broadcast_gradients_are_reduced_to_each_input_shape():
    a = f64(np.arange(3.0).reshape(3, 1))
    b = f64(np.arange(4.0))
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_allclose(a.grad[:, 0], np.full(3, b.data.sum()))
    np.testing.assert_allclose(b.grad, np.full(4, a.data.sum()))


def test_gradient_dtype_follows_each_leaf():
    a = md.tensor([1.0, 2.0], requires_grad=True)  # float32
    b = f64([3.0, 4.0])
    c = a * b
    assert c.dtype == np.float64
    c.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_deep_chain_backpropagates_without_recursion_error():
    x = f64([0.5])
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.0])


def _live_nodes() -> int:
    gc.collect()
    return sum(isinstance(o, Function) for o in gc.get_objects())


def test_training_steps_leave_no_graph_behind():
    rng = np.random.default_rng(0)
    w = md.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    x = md.tensor(rng.standard_normal((8, 5)))
    baseline = None
    for step in range(1000):
        loss = ((x @ w).exp().mean() - 1.0) ** 2
        loss.backward()
        with md.no_grad():
            w.data -= 0.01 * w.grad
        w.grad = None
        del loss
        if step == 10:
            baseline = _live_nodes()
    assert _live_nodes() <= baseline


def test_inplace_write_to_a_saved_array_is_refused_at_backward():
    x = f64([1.0, 2.0])
    h = x * 1.0
    y = h * h  # Mul saved h's buffer
    h += 1
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_inplace_on_a_leaf_that_requires_grad_is_refused():
    w = f64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w += 1
    with md.no_grad():
        w += 1  # allowed: this is how a parameter is updated by hand
    np.testing.assert_allclose(w.data, [2.0, 3.0])


def test_inplace_through_a_view_of_a_leaf_that_requires_grad_is_refused():
    w = f64([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(RuntimeError, match="view of a leaf tensor that requires grad"):
        w.reshape(-1)[0] = 5.0
    with pytest.raises(RuntimeError, match="view of a leaf tensor that requires grad"):
        w[0] += 1.0
    np.testing.assert_array_equal(w.data, [[1.0, 2.0], [3.0, 4.0]])
    h = w * 1.0
    h[0] += 1.0  # a view of a non-leaf: recorded like any in-place op
    h.sum().backward()
    np.testing.assert_array_equal(w.grad, np.ones((2, 2)))


def test_recorded_inplace_ops_give_the_same_gradient_as_out_of_place():
    x = f64([0.5, -1.0, 2.0])
    h = x * 2.0
    h *= x  # h = 2x²
    h += 3.0
    h.sum().backward()
    np.testing.assert_allclose(x.grad, 4 * x.data)


def test_setitem_is_differentiable_for_both_sides():
    x = f64([1.0, 2.0, 3.0, 4.0])
    v = f64([10.0, 20.0])
    h = x * 1.0
    h[1:3] = v
    (h * f64([1.0, 2.0, 3.0, 4.0], requires_grad=False)).sum().backward()
    np.testing.assert_allclose(x.grad, [1.0, 0.0, 0.0, 4.0])
    np.testing.assert_allclose(v.grad, [2.0, 3.0])


class _SpyMul(Function):
    """y = a * b, recording which gradients backward was asked for."""

    asked = []

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        _SpyMul.asked.append(tuple(ctx.needs_input_grad))
        a, b = ctx.saved_tensors
        return (
            grad * b if ctx.needs_input_grad[0] else None,
            grad * a if ctx.needs_input_grad[1] else None,
        )


def test_backward_is_told_which_inputs_need_a_gradient():
    _SpyMul.asked.clear()
    x = f64([1.0, 2.0], requires_grad=False)  # like an input image
    w = f64([3.0, 4.0])
    _SpyMul.apply(x, w).sum().backward()
    assert _SpyMul.asked == [(False, True)]
    assert x.grad is None
    np.testing.assert_allclose(w.grad, x.data)


class _WrongShape(Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, grad):
        return np.ones(3)  # input has shape (2,): not that shape, nor broadcast from it


class _WrongCount(Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


def test_engine_names_the_function_whose_backward_misbehaves():
    x = f64([1.0, 2.0])
    with pytest.raises(
        RuntimeError, match=r"_WrongShape.backward returned a gradient of shape \(3,\)"
    ):
        _WrongShape.apply(x).sum().backward()
    with pytest.raises(RuntimeError, match=r"_WrongCount.backward returned 2 gradients"):
        _WrongCount.apply(x).sum().backward()


def test_backward_on_a_tensor_without_grad_explains():
    with pytest.raises(RuntimeError, match="does not require grad"):
        md.tensor([1.0]).backward()
