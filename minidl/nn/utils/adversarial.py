"""Adversarial examples by the fast gradient sign method (Goodfellow, Shlens & Szegedy, 2015).

    x_adv = fgsm(model, x, y, eps=0.1, clamp=(0.0, 1.0))

One step of size eps in the direction that increases the loss fastest under an L∞ budget:

    x_adv = x + eps · sign(∇ₓ L(model(x), y))        (then clamped to the valid input range)

To first order L(x_adv) − L(x) ≈ eps · ‖∇ₓ L‖₁ ≥ 0: a change of at most eps per pixel, often
invisible, that can flip the prediction of a network that is nearly linear around x. The gradient
with respect to the *input* comes from the same autograd that trains the weights.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from minidl.autograd import Tensor, enable_grad, grad
from minidl.nn.losses.classification import cross_entropy
from minidl.nn.module import Module


def fgsm(
    model: Module,
    x: Tensor,
    y,
    eps: float,
    loss_fn: Callable = cross_entropy,
    clamp: tuple[float, float] | None = None,
) -> Tensor:
    """x + eps · sign(∇ₓ loss_fn(model(x), y)), optionally clamped to `clamp` = (low, high); a new
    tensor without grad. The model's parameters' `.grad` are left untouched (the gradient is taken
    with `md.autograd.grad`), and so is its train/eval mode: call `model.eval()` first to attack
    the inference behaviour. sign(0) = 0: inputs the loss does not depend on do not move."""
    if not isinstance(model, Module) and not callable(model):
        raise TypeError(f"fgsm: argument `model` must be callable; received {type(model).__name__}")
    if not (isinstance(eps, (int, float, np.floating)) and eps >= 0):
        raise ValueError(f"fgsm: argument `eps` must be a number >= 0; received {eps!r}")
    if not isinstance(x, Tensor) or x.dtype.kind != "f":
        raise TypeError("fgsm: argument `x` must be a floating-point Tensor")
    if clamp is not None and not (len(clamp) == 2 and clamp[0] <= clamp[1]):
        raise ValueError(
            f"fgsm: argument `clamp` must be (low, high) with low <= high; got {clamp}"
        )
    x_in = x.detach().requires_grad_(True)
    with enable_grad():
        loss = loss_fn(model(x_in), y)
        (g,) = grad(loss, [x_in])
    adv = x.data + np.asarray(eps, x.dtype) * np.sign(g.data)
    if clamp is not None:
        adv = np.clip(adv, clamp[0], clamp[1])
    return Tensor(adv.astype(x.dtype))
