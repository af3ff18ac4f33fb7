"""`MonitorCallback`: the shared rule "did the monitored quantity improve?" (Keras 3's).

Direction. `mode="min"` means smaller is better, `"max"` larger. `"auto"` decides from the name:
"loss" and "val_loss" are minimised; any other name (with "val_" removed) is looked up among the
trainer's metrics and follows that metric's `direction` ("up": maximise); a name that matches
nothing is an error asking for an explicit mode. Any other mode warns and falls back to "auto".
The direction is settled at the first epoch end, when the trainer's metrics exist.

Improvement. With δ = |min_delta|, a value v improves on a reference r when

    mode min:  v − (−δ) < r,  i.e.  v < r − δ          mode max:  v − δ > r

(strictly); a reference of None (nothing seen yet) is always improved on.
"""

from __future__ import annotations

import operator
import warnings

from minidl.train.callbacks.base import Callback


class MonitorCallback(Callback):
    """Base class of EarlyStopping, ReduceLROnPlateau and ModelCheckpoint (see module docstring)."""

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", baseline=None, min_delta=0):
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError(
                f"{type(self).__name__}: argument `monitor` must be a str; received {monitor!r}"
            )
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=3,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None  # operator.lt or operator.gt, settled at the first epoch end

    def _set_monitor_op(self) -> None:
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                self.monitor_op = operator.lt
            for metric in getattr(self.model, "metrics", ()):
                if metric.name == name:
                    self.monitor_op = operator.gt if metric.direction == "up" else operator.lt
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but it "
                    "cannot tell whether that quantity should be maximized or minimized. Pass "
                    "mode='max' to monitor the highest value, or mode='min' for the lowest."
                )
        if self.monitor_op is operator.lt:
            self.min_delta *= -1  # so that `v - min_delta < r` reads `v < r - |min_delta|`

    def _is_improvement(self, monitor_value, reference_value) -> bool:
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))
