"""Progress reports during `fit` (Keras's `verbose` argument), as the callback `ProgbarLogger`.

* verbose=1: a tqdm bar per epoch, its postfix the running loss and metrics, closed with the
  epoch's validation numbers — for a terminal;
* verbose=2: one plain line per epoch, `Epoch 3/10 - 0.41s - loss: 0.3120 - accuracy: 0.9023 -
  val_loss: ...` — no carriage returns, so CI logs and notebooks stay clean;
* verbose=0: nothing.

`verbose="auto"` is 1 when standard output is a terminal and 2 otherwise. tqdm is imported only
when a bar is drawn.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from minidl.train.callbacks.base import Callback


def resolve_verbose(verbose, where: str) -> int:
    """0, 1 or 2 from 0/1/2 or "auto" (1 on a terminal, else 2)."""
    if verbose == "auto":
        isatty = getattr(sys.stdout, "isatty", None)
        return 1 if isatty is not None and isatty() else 2
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(
            f"{where}: argument `verbose` must be 0, 1, 2 or 'auto'; received {verbose!r}"
        )
    return int(verbose)


def format_logs(logs: dict) -> str:
    """`loss: 0.3120 - accuracy: 0.9023` (scalars only; arrays such as a confusion matrix are
    left out of the line)."""
    parts = []
    for key, value in logs.items():
        if isinstance(value, (int, float, np.floating, np.integer)):
            parts.append(
                f"{key}: {float(value):.4g}"
                if key == "learning_rate"
                else f"{key}: {float(value):.4f}"
            )
    return " - ".join(parts)


class ProgbarLogger(Callback):
    """Prints progress at verbosity `verbose` (1: bar per epoch, 2: line per epoch)."""

    def __init__(self, verbose: int = 1, file=None) -> None:
        super().__init__()
        self.verbose = verbose
        self.file = file
        self._bar = None
        self._start = 0.0

    def _out(self):
        return self.file if self.file is not None else sys.stdout

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._start = time.perf_counter()
        self._epoch_label = f"Epoch {epoch + 1}/{self.params.get('epochs', '?')}"
        if self.verbose == 1:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=self.params.get("steps"), desc=self._epoch_label, file=self._out(),
                leave=True, dynamic_ncols=True, unit="batch",
            )  # fmt: skip

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix_str(format_logs(logs or {}), refresh=False)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        seconds = time.perf_counter() - self._start
        if self._bar is not None:
            self._bar.set_postfix_str(format_logs(logs or {}), refresh=True)
            self._bar.close()
            self._bar = None
        elif self.verbose == 2:
            line = f"{self._epoch_label} - {seconds:.2f}s - {format_logs(logs or {})}"
            print(line, file=self._out(), flush=True)

    def on_train_end(self, logs=None) -> None:
        if self._bar is not None:  # training stopped mid-epoch
            self._bar.close()
            self._bar = None
