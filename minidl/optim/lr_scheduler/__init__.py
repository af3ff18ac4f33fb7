"""Learning-rate schedules with PyTorch's names, stepping order and numbers.

Construct a scheduler after its optimizer; call ``scheduler.step()`` after ``optimizer.step()``
(once per epoch; per batch for OneCycleLR and CyclicLR; ``step(metric)`` for ReduceLROnPlateau).
Every class also has a static ``closed_form(epoch, base_lr, ...)`` for plotting a schedule
without an optimizer (ReduceLROnPlateau has ``simulate(metrics, lr, ...)`` instead). See
``base.py`` for the protocol and the chainable-versus-closed forms.
"""

from minidl.optim.lr_scheduler.base import LRScheduler
from minidl.optim.lr_scheduler.combine import ChainedScheduler, SequentialLR
from minidl.optim.lr_scheduler.cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from minidl.optim.lr_scheduler.cyclic import CyclicLR, OneCycleLR
from minidl.optim.lr_scheduler.decay import (
    ExponentialLR,
    LambdaLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from minidl.optim.lr_scheduler.plateau import ReduceLROnPlateau
from minidl.optim.lr_scheduler.warmup import ConstantLR, LinearLR

__all__ = [
    "LRScheduler",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "LinearLR",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "CyclicLR",
    "PolynomialLR",
    "LambdaLR",
    "SequentialLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
]
