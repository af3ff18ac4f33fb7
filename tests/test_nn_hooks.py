"""Module hooks (PyTorch's semantics): forward pre-hooks and forward hooks may replace inputs and
outputs; full backward hooks see dL/d(inputs) and dL/d(outputs) once per backward and may replace
grad_input; every registration returns a handle whose remove() undoes it."""

from __future__ import annotations

import numpy as np
import pytest

import minidl as md
from minidl import nn


def lin(seed=0):
    return nn.Linear(3, 2, generator=seed).double()


def x64(*shape, seed=0, requires_grad=False):
    data = np.random.default_rng(seed).standard_normal(shape)
    return md.tensor(data, requires_grad=requires_grad)


def grad(t):
    g = t.grad
    return np.asarray(getattr(g, "data", g))


def test_forward_hooks_see_and_replace_inputs_and_outputs_then_remove():
    m, x = lin(), x64(4, 3)
    calls = []
    pre = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    post = m.register_forward_hook(lambda mod, args, out: calls.append((args, out)) or out + 1)
    y = m(x)
    expected = (2 * x.data) @ m.weight.data.T + m.bias.data + 1
    np.testing.assert_allclose(y.data, expected)
    ((args, out),) = calls
    assert args[0].shape == (4, 3) and out.shape == (4, 2)
    pre.remove(), post.remove()
    np.testing.assert_allclose(m(x).data, x.data @ m.weight.data.T + m.bias.data)
    assert len(calls) == 1


def test_pre_hook_may_return_a_single_value_and_hooks_can_take_kwargs():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()
    m.register_forward_pre_hook(lambda mod, args: args[0] + 1)  # not a tuple: wrapped
    m.register_forward_pre_hook(
        lambda mod, args, kwargs: (args, {**kwargs, "factor": 3.0}), with_kwargs=True
    )
    seen = []
    m.register_forward_hook(lambda mod, a, kw, out: seen.append(kw["factor"]), with_kwargs=True)
    np.testing.assert_allclose(m(md.tensor([1.0, 2.0]), factor=5.0).data, [6.0, 9.0])
    assert seen == [3.0]


def test_prepend_puts_a_hook_first_and_context_manager_removes():
    m, order = lin(), []
    m.register_forward_hook(lambda *a: order.append("a"))
    with m.register_forward_hook(lambda *a: order.append("b"), prepend=True):
        m(x64(1, 3))
    m(x64(1, 3))
    assert order == ["b", "a", "a"]


def test_full_backward_hook_gets_grad_input_and_grad_output_of_the_module():
    m, x = lin(), x64(4, 3, requires_grad=True)
    seen = []
    m.register_full_backward_hook(lambda mod, gi, go: seen.append((mod, gi, go)))
    w = x64(4, 2, seed=1)
    (m(x) * w).sum().backward()
    ((mod, gi, go),) = seen
    assert mod is m and len(gi) == 1 and len(go) == 1
    np.testing.assert_allclose(go[0].data, w.data)  # dL/dy = the upstream weighting
    np.testing.assert_allclose(gi[0].data, w.data @ m.weight.data)  # dL/dx = g W
    np.testing.assert_allclose(grad(x), gi[0].data)


def test_full_backward_hook_fires_once_for_several_inputs_and_can_replace_them():
    class Bilinear(nn.Module):
        def forward(self, a, b, scale):
            return (a * b).sum(axis=1) * scale

    m = Bilinear()
    a, b = x64(2, 3, requires_grad=True), x64(2, 3, seed=1, requires_grad=True)
    seen = []

    def hook(mod, gi, go):
        seen.append(gi)
        return (gi[0] * 0.0, gi[1] * 10.0, None)

    m.register_full_backward_hook(hook)
    m(a, b, 2.0).sum().backward()
    (gi,) = seen
    assert gi[2] is None  # a Python number gets no gradient
    np.testing.assert_allclose(gi[0].data, 2 * b.data)
    np.testing.assert_allclose(gi[1].data, 2 * a.data)
    np.testing.assert_allclose(grad(a), 0.0)  # replaced
    np.testing.assert_allclose(grad(b), 20 * a.data)


def test_backward_hook_on_a_first_layer_gets_none_for_the_data_input():
    model = nn.Sequential(lin(), nn.Tanh(), nn.Linear(2, 1, generator=1).double())
    seen = []
    model[0].register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go)))
    model(x64(5, 3)).sum().backward()
    ((gi, go),) = seen
    assert gi == (None,) and go[0].shape == (5, 2)
    assert model[0].weight.grad is not None


def test_backward_pre_hook_can_scale_the_output_gradient():
    m, x = lin(), x64(4, 3, requires_grad=True)
    ref = lin()
    ref(x).sum().backward()
    expected = grad(ref.weight) * 3
    x.grad = None
    m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 3,))
    m(x).sum().backward()
    np.testing.assert_allclose(grad(m.weight), expected)


def test_recording_activation_statistics_per_layer_like_a_lesson():
    model = nn.Sequential(nn.Linear(3, 8, generator=0), nn.ReLU(), nn.Linear(8, 2, generator=1))
    stats, handles = {}, []
    for name, layer in model.named_children():

        def hook(mod, args, out, name=name):
            stats[name] = float(out.data.std())

        handles.append(layer.register_forward_hook(hook))
    model(md.randn(16, 3, generator=0))
    assert sorted(stats) == ["0", "1", "2"] and all(s > 0 for s in stats.values())
    for h in handles:
        h.remove()
    stats.clear()
    model(md.randn(16, 3, generator=0))
    assert stats == {}


def test_hooks_are_not_called_under_no_grad_for_backward_and_refuse_non_callables():
    m = lin()
    m.register_full_backward_hook(lambda *a: pytest.fail("no backward happened"))
    with md.no_grad():
        m(x64(2, 3))
    with pytest.raises(TypeError, match="callable"):
        m.register_forward_hook(3)
