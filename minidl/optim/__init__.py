"""Optimizers (``md.optim.SGD``, ``md.optim.Adam``, ...) and learning-rate schedules
(``md.optim.lr_scheduler``), with PyTorch's names, arguments and numbers.

A training step, as in PyTorch::

    optimizer = md.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = md.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.1)
    for epoch in range(epochs):
        for x, y in batches:
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()          # θ ← θ − α · (the optimizer's step direction)
        scheduler.step()              # then move α along the schedule

Every update works on ``p.data`` (numpy, in place) and ``p.grad.data`` (numpy); none builds a
graph. ``LBFGS.step(closure)`` is the exception to one-call-one-update: it runs a whole inner
quasi-Newton optimisation, re-evaluating the loss through the closure.
"""

from minidl.optim import lr_scheduler
from minidl.optim.adadelta import Adadelta
from minidl.optim.adagrad import Adagrad
from minidl.optim.adam import Adam, AdamW
from minidl.optim.adamax import Adamax
from minidl.optim.lbfgs import LBFGS
from minidl.optim.nadam import NAdam
from minidl.optim.optimizer import Optimizer
from minidl.optim.radam import RAdam
from minidl.optim.rmsprop import RMSprop
from minidl.optim.sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "Adadelta",
    "NAdam",
    "RAdam",
    "Adamax",
    "LBFGS",
    "lr_scheduler",
]
