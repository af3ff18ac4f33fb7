"""`TerminateOnNaN`: stop training quietly when the loss becomes NaN or infinite (Keras's).

Without it, `Trainer.fit` raises a `NonFiniteLossError` at the first non-finite batch loss,
before that batch's update. With it, Keras's softer rule holds: the step is taken, and at the end
of the batch, if `logs["loss"]` (the epoch's running mean, which a non-finite batch makes
non-finite) is NaN or ±inf, a message is printed and `stop_training` is set, so the epoch ends,
its logs are recorded and `on_train_end` runs. `raise_error=True` raises a RuntimeError instead.
"""

from __future__ import annotations

import math

from minidl.train.callbacks.base import Callback


class TerminateOnNaN(Callback):
    """Set `model.stop_training` when the running loss is NaN or ±inf at the end of a batch."""

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch: int, logs=None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                    "Terminating training immediately."
                )
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
