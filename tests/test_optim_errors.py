"""Bad input to the optimizers: each error names the optimizer, the argument, the value received
and what was expected, in PyTorch's phrasing where PyTorch has one."""

from __future__ import annotations

import numpy as np
import pytest

import minidl as md
from minidl import optim

ALL = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "NAdam"]
WITH_BETAS = ["Adam", "AdamW", "NAdam"]
WITH_EPS = ["Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "NAdam"]


def param(shape=(2,)) -> md.Tensor:
    return md.tensor(np.zeros(shape), requires_grad=True)


@pytest.mark.parametrize("name", ALL)
def test_negative_learning_rate(name):
    with pytest.raises(
        ValueError, match=rf"^{name}: Invalid learning rate: -1 \(expected lr >= 0\)"
    ):
        getattr(optim, name)([param()], lr=-1)


@pytest.mark.parametrize("name", ALL)
def test_negative_weight_decay(name):
    with pytest.raises(
        ValueError, match=rf"^{name}: Invalid weight_decay value: -0.1 \(expected weight_decay >= 0"
    ):
        getattr(optim, name)([param()], weight_decay=-0.1)


@pytest.mark.parametrize("name", WITH_EPS)
def test_negative_eps(name):
    with pytest.raises(ValueError, match=rf"^{name}: Invalid epsilon value: -1e-08 \(expected eps"):
        getattr(optim, name)([param()], eps=-1e-8)


@pytest.mark.parametrize("name", WITH_BETAS)
@pytest.mark.parametrize(
    "betas, index, value",
    [((1.0, 0.999), 0, "1.0"), ((0.9, -0.1), 1, "-0.1"), ((-0.5, 0.9), 0, "-0.5")],
)
def test_betas_outside_unit_interval(name, betas, index, value):
    pattern = (
        rf"^{name}: Invalid beta parameter at index {index}: {value} "
        rf"\(expected 0 <= betas\[{index}\] < 1\)"
    )
    with pytest.raises(ValueError, match=pattern):
        getattr(optim, name)([param()], betas=betas)


@pytest.mark.parametrize("name", WITH_BETAS)
def test_betas_must_be_a_pair(name):
    with pytest.raises(TypeError, match=rf"^{name}: argument `betas` must be a pair"):
        getattr(optim, name)([param()], betas=0.9)


@pytest.mark.parametrize("name", ["SGD", "RMSprop"])
def test_negative_momentum(name):
    with pytest.raises(
        ValueError, match=rf"^{name}: Invalid momentum value: -0.5 \(expected momentum"
    ):
        getattr(optim, name)([param()], momentum=-0.5)


@pytest.mark.parametrize("kwargs", [dict(momentum=0.0), dict(momentum=0.9, dampening=0.1)])
def test_nesterov_needs_momentum_and_no_dampening(kwargs):
    with pytest.raises(
        ValueError, match=r"^SGD: Nesterov momentum requires a momentum and zero damp"
    ):
        optim.SGD([param()], lr=0.1, nesterov=True, **kwargs)


@pytest.mark.parametrize(
    "name, kwargs, pattern",
    [
        (
            "Adagrad",
            dict(lr_decay=-1.0),
            r"Invalid lr_decay value: -1.0 \(expected lr_decay >= 0\)",
        ),
        ("Adagrad", dict(initial_accumulator_value=-1.0), r"Invalid initial_accumulator_value: -1"),
        ("RMSprop", dict(alpha=-0.1), r"Invalid alpha value: -0.1 \(expected alpha >= 0\)"),
        ("Adadelta", dict(rho=1.5), r"Invalid rho value: 1.5 \(expected 0 <= rho <= 1\)"),
        ("NAdam", dict(momentum_decay=-1.0), r"Invalid momentum_decay value: -1.0"),
        ("SGD", dict(dampening=-1.0), r"Invalid dampening value: -1.0"),
    ],
)
def test_other_ranges(name, kwargs, pattern):
    with pytest.raises(ValueError, match=rf"^{name}: {pattern}"):
        getattr(optim, name)([param()], **kwargs)


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        (dict(lr="0.1"), r"argument `lr` must be a real number; got str"),
        (dict(lr=float("nan")), r"Invalid learning rate: nan"),
        (dict(momentum=0.9, nesterov="yes"), r"argument `nesterov` must be a bool; got str"),
        (dict(maximize=1), r"argument `maximize` must be a bool; got int"),
    ],
)
def test_wrong_types(kwargs, pattern):
    with pytest.raises((TypeError, ValueError), match=rf"^SGD: {pattern}"):
        optim.SGD([param()], **{"lr": 0.1, **kwargs})


def test_a_bad_value_in_one_parameter_group():
    with pytest.raises(ValueError, match=r"^Adam: Invalid learning rate: -0.5"):
        optim.Adam([{"params": [param()]}, {"params": [param()], "lr": -0.5}])
    opt = optim.SGD([param()], lr=0.1)
    with pytest.raises(ValueError, match=r"^SGD: Invalid momentum value: -1"):
        opt.add_param_group({"params": [param()], "momentum": -1})
    assert len(opt.param_groups) == 1


def test_params_that_cannot_be_optimized():
    with pytest.raises(
        TypeError, match=r"^SGD: can only optimize minidl Tensors, but params\[1\] is numpy.ndarray"
    ):
        optim.SGD([param(), np.zeros(2)], lr=0.1)
    with pytest.raises(
        TypeError, match=r"^Adam: can only optimize minidl Tensors, but params\[0\] is float"
    ):
        optim.Adam([1.0, 2.0])
    frozen = md.tensor(np.zeros(3))
    with pytest.raises(
        ValueError, match=r"^SGD: params\[0\] \(shape \(3,\)\) does not require grad"
    ):
        optim.SGD([frozen], lr=0.1)
    leaf = param()
    with pytest.raises(ValueError, match=r"^SGD: can't optimize a non-leaf Tensor"):
        optim.SGD([leaf * 2], lr=0.1)


def test_params_argument_shape():
    with pytest.raises(TypeError, match=r"^SGD: argument `params` must be an iterable of Tensors"):
        optim.SGD(param(), lr=0.1)
    with pytest.raises(TypeError, match=r"^SGD: argument `params` must be an ordered collection"):
        optim.SGD({param()}, lr=0.1)
    with pytest.raises(ValueError, match=r"^SGD: optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match=r"^SGD: optimizer got an empty parameter list"):
        optim.SGD(iter([]), lr=0.1)


def test_duplicate_parameters():
    p, q = param(), param()
    with pytest.raises(
        ValueError, match=r"^SGD: params\[1\] \(shape \(2,\)\) appears twice in one"
    ):
        optim.SGD([p, p], lr=0.1)
    with pytest.raises(
        ValueError, match=r"^Adam: some parameters appear in more than one parameter group"
    ):
        optim.Adam([{"params": [p, q]}, {"params": [q]}])
    opt = optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match=r"more than one parameter group \(already in group 0\)"):
        opt.add_param_group({"params": [p]})


def test_gradient_of_the_wrong_shape():
    p = param((2, 3))
    opt = optim.Adam([p])
    with pytest.raises(
        RuntimeError, match=r"gradient of shape \(3, 2\) to a tensor of shape \(2, 3\)"
    ):
        p.grad = md.zeros(3, 2)  # refused on assignment, as in PyTorch
    p.grad = md.zeros_like(p)
    p.grad.data = np.zeros((3, 2))  # behind the setter's back: step() still checks
    with pytest.raises(
        ValueError,
        match=r"^Adam.step: a parameter of shape \(2, 3\) has a gradient of shape \(3, 2\)",
    ):
        opt.step()


def test_add_param_group_needs_a_dict_with_params():
    opt = optim.SGD([param()], lr=0.1)
    with pytest.raises(
        TypeError, match=r"^SGD.add_param_group: param_group must be a dict; got list"
    ):
        opt.add_param_group([param()])
    with pytest.raises(
        ValueError, match=r"^SGD.add_param_group: param_group has no 'params' entry"
    ):
        opt.add_param_group({"lr": 0.1})


def test_a_diverging_step_is_silent_and_anomaly_mode_names_the_optimizer():
    import warnings

    w = md.tensor([1e30], requires_grad=True)
    (w * w).sum().backward()  # gradient 2e30: lr * g overflows float32
    opt = md.optim.SGD([w], lr=1e10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy overflow warning leaks out
        opt.step()
    assert not np.isfinite(w.data).all()
    w2 = md.tensor([1e30], requires_grad=True)
    (w2 * w2).sum().backward()
    with md.autograd.detect_anomaly(), pytest.raises(RuntimeError, match=r"SGD\.step.*non-finite"):
        md.optim.SGD([w2], lr=1e10).step()
