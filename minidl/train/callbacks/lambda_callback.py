"""`LambdaCallback`: a callback from plain functions (Keras's), for one-off hooks in a lesson.

    LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))

Each argument, when given, replaces the event method of the same name; the functions take the
event's arguments (`epoch, logs`, `batch, logs` or `logs`).
"""

from __future__ import annotations

from minidl.train.callbacks.base import Callback

_EVENTS = (
    "on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end", "on_train_batch_begin",
    "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin",
    "on_test_batch_end", "on_predict_begin", "on_predict_end", "on_predict_batch_begin",
    "on_predict_batch_end",
)  # fmt: skip


class LambdaCallback(Callback):
    """Build a callback from functions: `LambdaCallback(on_epoch_end=f, on_train_end=g, ...)`.

    Keras's older aliases `on_batch_begin` / `on_batch_end` set the train-batch events.
    """

    def __init__(self, **events) -> None:
        super().__init__()
        for alias, event in (
            ("on_batch_begin", "on_train_batch_begin"),
            ("on_batch_end", "on_train_batch_end"),
        ):
            if alias in events:
                events[event] = events.pop(alias)
        for name, fn in events.items():
            if name not in _EVENTS:
                raise ValueError(
                    f"LambdaCallback: unknown event {name!r}; expected one of {list(_EVENTS)}"
                )
            if fn is not None:
                if not callable(fn):
                    raise TypeError(f"LambdaCallback: argument `{name}` must be callable")
                setattr(self, name, fn)
