"""`History`: the record of a fit, returned by `Trainer.fit` (Keras's History callback).

`history.history` maps each logged quantity to its list of per-epoch values, with Keras's keys:
"loss", each metric's name, "val_loss" and "val_<name>" when there is validation data, and
"learning_rate" (the rate used during the epoch). `history.epoch` lists the epoch indices
(0-based) in the same order; `history.params` holds {"epochs", "steps", "verbose"}.
"""

from __future__ import annotations

from minidl.train.callbacks.base import Callback


class History(Callback):
    """Appends every epoch's logs to `self.history[key]` and the epoch index to `self.epoch`."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None) -> None:
        # Keras's rule: `epoch` restarts, `history` keeps growing. fit makes a new History each
        # time, so this matters only for a History passed in `callbacks` to several fits.
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self

    def state_dict(self) -> dict:
        """The record so far (for checkpoints): {"history": {...}, "epoch": [...]}."""
        return {"history": {k: list(v) for k, v in self.history.items()}, "epoch": list(self.epoch)}

    def load_state_dict(self, state: dict) -> None:
        """Restore what state_dict returned (a resumed fit appends to it)."""
        self.history = {k: list(v) for k, v in state["history"].items()}
        self.epoch = [int(e) for e in state["epoch"]]

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"
