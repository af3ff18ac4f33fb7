"""Samplers (Optuna's `optuna.samplers`): grid search, random search, Bayesian optimisation."""

from minidl.search.samplers._base import BaseSampler
from minidl.search.samplers._gp import GPSampler
from minidl.search.samplers._grid import GridSampler
from minidl.search.samplers._random import RandomSampler

__all__ = ["BaseSampler", "GPSampler", "GridSampler", "RandomSampler"]
