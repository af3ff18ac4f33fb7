"""The PyTorch autograd API: grad as a Tensor, autograd.grad, hooks, anomaly mode, in-place rules."""

import numpy as np
import pytest

import minidl as md


def f64(a, requires_grad=True):
    return md.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


# --- .grad is a Tensor -------------------------------------------------------------------------------


def test_grad_is_a_tensor_with_the_leafs_shape_and_dtype():
    x = f64([[1.0, -2.0], [3.0, 0.5]])
    (x * x).sum().backward()
    assert isinstance(x.grad, md.Tensor) and not x.grad.requires_grad
    assert x.grad.shape == x.shape and x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.data, 2 * x.data)
    assert x.grad.norm().item() == pytest.approx(np.linalg.norm(2 * x.data))
    copy = x.grad.clone()
    x.grad.zero_()
    np.testing.assert_array_equal(x.grad.data, 0)
    np.testing.assert_array_equal(copy.data, 2 * x.data)


def test_assigning_grad_checks_type_shape_and_dtype_as_pytorch():
    x = f64([1.0, 2.0])
    with pytest.raises(TypeError, match="expected to be a Tensor or None.*numpy.ndarray"):
        x.grad = np.ones(2)
    with pytest.raises(RuntimeError, match=r"shape \(3,\) to a tensor of shape \(2,\)"):
        x.grad = md.ones(3, dtype=md.float64)
    with pytest.raises(RuntimeError, match="dtype float32 to a tensor of dtype float64"):
        x.grad = md.ones(2)
    x.grad = md.ones(2, dtype=md.float64)
    (x * 3).sum().backward()  # accumulates onto the assigned gradient
    np.testing.assert_array_equal(x.grad.data, [4.0, 4.0])


# --- autograd.grad ------------------------------------------------------------------------------------


def test_autograd_grad_returns_gradients_without_touching_dot_grad():
    x, w = f64([1.0, 2.0, 3.0]), f64([0.5, -1.0, 2.0])
    y = (x * w).sum()
    gx, gw = md.autograd.grad(y, (x, w))
    np.testing.assert_array_equal(gx.data, w.data)
    np.testing.assert_array_equal(gw.data, x.data)
    assert x.grad is None and w.grad is None


def test_autograd_grad_of_an_intermediate_and_with_grad_outputs():
    x = f64([1.0, 2.0])
    h = x * 3
    y = h * h
    (gh,) = md.autograd.grad(y, h, grad_outputs=md.tensor([1.0, 10.0], dtype=md.float64))
    np.testing.assert_array_equal(gh.data, 2 * h.data * [1.0, 10.0])


def test_autograd_grad_unused_input_needs_allow_unused():
    x, z = f64([1.0]), f64([2.0])
    with pytest.raises(RuntimeError, match="input 1 .* was not used"):
        md.autograd.grad((x * 2).sum(), (x, z), retain_graph=True)
    gx, gz = md.autograd.grad((x * 2).sum(), (x, z), allow_unused=True)
    assert gz is None and gx.item() == 2.0


def test_create_graph_is_refused_clearly():
    x = f64([1.0])
    with pytest.raises(NotImplementedError, match="first-order gradients only"):
        md.autograd.grad((x * x).sum(), x, create_graph=True)


def test_backward_with_inputs_accumulates_only_there():
    x, w = f64([1.0, 2.0]), f64([3.0, 4.0])
    (x * w).sum().backward(inputs=[w])
    assert x.grad is None
    np.testing.assert_array_equal(w.grad.data, x.data)


def test_function_is_importable_from_autograd_and_receives_arrays():
    class Cube(md.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x**2

    x = f64([1.0, -2.0])
    Cube.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, 3 * x.data**2)


# --- hooks --------------------------------------------------------------------------------------------


def test_register_hook_sees_and_can_replace_the_gradient_and_can_be_removed():
    x = f64([1.0, 2.0])
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.data.copy()) or g * 10)
    (x * x).sum().backward()
    np.testing.assert_array_equal(seen[0], 2 * x.data)
    np.testing.assert_array_equal(x.grad.data, 20 * x.data)
    handle.remove()
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, 2 * x.data)
    assert len(seen) == 1


def test_hook_on_an_intermediate_changes_what_flows_below_it():
    x = f64([1.0, 2.0])
    h = x * 2
    h.register_hook(lambda g: g * 0)
    (h * h).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


# --- anomaly mode and NumPy warnings ---------------------------------------------------------------------


def test_no_numpy_warning_leaks_out_of_ops(recwarn):
    x = md.tensor([1e30, 0.0], requires_grad=True)
    y = md.exp(x) + md.log(x) + x * x
    y.sum().backward()
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    assert np.isinf(y.data).all()


def test_anomaly_mode_names_the_first_op_that_made_a_nan_or_inf():
    x = md.tensor([1.0, 0.0], requires_grad=True)
    with md.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match=r"Log\.forward produced inf .*\(2,\) float32"):
            md.log(x)
    md.log(x)  # off again outside the block
    assert not md.autograd.is_anomaly_enabled()


def test_anomaly_mode_names_a_backward_that_made_a_nan():
    x = md.tensor([0.0, 4.0], requires_grad=True)
    y = md.sqrt(x).sum()  # d√x/dx = 1/(2√x) is inf at 0
    with md.autograd.set_detect_anomaly(True):
        with pytest.raises(RuntimeError, match=r"Sqrt\.backward returned nan or inf .*\(2,\)"):
            y.backward()


# --- in-place: only what backward needs is saved --------------------------------------------------------


def test_inplace_update_of_a_tensor_multiplied_by_a_constant_works_as_in_pytorch():
    x = f64([1.0, 2.0])
    d = x * 1
    d += d * 2 + 1
    d.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_inplace_write_to_a_saved_operand_is_still_caught():
    x, w = f64([1.0, 2.0]), f64([3.0, 4.0])
    h = x * 1
    y = (h * w).sum()  # Mul saved h for dL/dw
    h += 1
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_std_backward_is_zero_at_zero_variance_as_in_pytorch():
    x = f64([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]])
    (x - x.mean(1, keepdim=True)).div(x.std(1, keepdim=True) + 1e-5).sum().backward()
    assert np.isfinite(x.grad.data).all()
    y = f64([5.0, 5.0])
    y.std().backward()
    np.testing.assert_array_equal(y.grad.data, [0.0, 0.0])


def test_inference_mode_is_no_grad_as_context_and_decorator():
    x = f64([1.0])
    with md.inference_mode():
        assert not (x * 2).requires_grad

    @md.inference_mode()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    with md.inference_mode(False):
        assert (x * 2).requires_grad


def test_numpy_reductions_and_ufuncs_take_tensors():
    x = f64([[1.0, -4.0], [2.0, 3.0]])
    (x * x).sum().backward()
    assert float(np.max(x.grad)) == 6.0 and float(np.sum(x.grad)) == 4.0
    assert np.isfinite(x.grad).all() and float(np.abs(x.grad).max()) == 8.0
    data = x.data.copy()
    data -= 0.5 * x.grad  # an array updated in place by a tensor
    np.testing.assert_array_equal(data, x.data - 0.5 * x.grad.data)
