"""Regression losses — `mse_loss`, `l1_loss`, `huber_loss`, `smooth_l1_loss` — and their
modules (`nn.MSELoss`, ...), with PyTorch's names, arguments and numbers.

Input and target must have the same shape: silently broadcasting (N, 1) against (N,) into an
(N, N) matrix is a classic bug, so it is an error here.
"""

from __future__ import annotations

from minidl.autograd import Tensor
from minidl.nn._validation import check_real
from minidl.nn.losses._common import _check_reduction, _Loss, _pair, _reduce
from minidl.ops.elementwise import where


def mse_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """ℓ_i = (x_i − y_i)²;  mean squared error by default."""
    _check_reduction("mse_loss", reduction)
    input, target = _pair("mse_loss", input, target)
    d = input - target
    return _reduce(d * d, reduction)


def l1_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """ℓ_i = |x_i − y_i|;  mean absolute error by default."""
    _check_reduction("l1_loss", reduction)
    input, target = _pair("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction)


def huber_loss(input: Tensor, target, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """ℓ_i = ½ d² if |d| < δ, else δ (|d| − ½ δ), with d = x_i − y_i (quadratic near 0, linear
    beyond δ, so outliers pull with a bounded force)."""
    _check_reduction("huber_loss", reduction)
    if check_real("huber_loss", "delta", delta) <= 0:
        raise ValueError(f"huber_loss: argument `delta` must be > 0; received delta={delta}")
    input, target = _pair("huber_loss", input, target)
    d = input - target
    a = d.abs()
    loss = where(a.data < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    return _reduce(loss, reduction)


def smooth_l1_loss(input: Tensor, target, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """ℓ_i = ½ d² / β if |d| < β, else |d| − ½ β  (= huber_loss with δ = β, divided by β;
    β = 0 gives the L1 loss)."""
    _check_reduction("smooth_l1_loss", reduction)
    if check_real("smooth_l1_loss", "beta", beta) < 0:
        raise ValueError(f"smooth_l1_loss: argument `beta` must be >= 0; received beta={beta}")
    input, target = _pair("smooth_l1_loss", input, target)
    d = input - target
    a = d.abs()
    if beta == 0:
        return _reduce(a, reduction)
    loss = where(a.data < beta, (0.5 / beta) * d * d, a - 0.5 * beta)
    return _reduce(loss, reduction)


class MSELoss(_Loss):
    """Mean squared error, (1/n) Σ (x_i − y_i)²."""

    def forward(self, input: Tensor, target) -> Tensor:
        return mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error, (1/n) Σ |x_i − y_i|."""

    def forward(self, input: Tensor, target) -> Tensor:
        return l1_loss(input, target, self.reduction)


class HuberLoss(_Loss):
    """Quadratic for |x − y| < delta, linear beyond (robust to outliers)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        if check_real("HuberLoss", "delta", delta) <= 0:
            raise ValueError(f"HuberLoss: argument `delta` must be > 0; received delta={delta}")
        self.delta = delta

    def forward(self, input: Tensor, target) -> Tensor:
        return huber_loss(input, target, self.reduction, self.delta)


class SmoothL1Loss(_Loss):
    """Huber's loss divided by beta (= delta): ½ d²/β for |d| < β, |d| − ½β beyond."""

    def __init__(self, reduction: str = "mean", beta: float = 1.0):
        super().__init__(reduction)
        if check_real("SmoothL1Loss", "beta", beta) < 0:
            raise ValueError(f"SmoothL1Loss: argument `beta` must be >= 0; received beta={beta}")
        self.beta = beta

    def forward(self, input: Tensor, target) -> Tensor:
        return smooth_l1_loss(input, target, self.reduction, self.beta)
