"""Pruners (Optuna's `optuna.pruners`): stop unpromising trials early from their intermediate values."""

from minidl.search.pruners._base import BasePruner
from minidl.search.pruners._median import MedianPruner
from minidl.search.pruners._nop import NopPruner
from minidl.search.pruners._successive_halving import SuccessiveHalvingPruner

__all__ = ["BasePruner", "MedianPruner", "NopPruner", "SuccessiveHalvingPruner"]
