"""`CSVLogger`: write each epoch's logs as a row of a CSV file (Keras 3's format).

Columns: "epoch" (0-based), then the first epoch's log keys sorted by name; if none of them starts
with "val_" (no validation yet, e.g. validation_freq > 1, or none at all), a "val_" column is
added for each key. Missing values are written as "NA"; array values (a confusion matrix) as
"[a, b, ...]". `append=True` continues an existing file (resuming a run) and writes the header
only if the file is empty. The file is flushed after every row and closed at the end of training.
"""

from __future__ import annotations

import collections
import csv
import os

import numpy as np

from minidl.train.callbacks.base import Callback


class CSVLogger(Callback):
    """Stream epoch results to `filename`, fields separated by `separator`."""

    def __init__(self, filename, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(
                f"CSVLogger: argument `filename` must be a path; received {type(filename).__name__}"
            )
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None) -> None:
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, encoding="utf-8") as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode, newline="", encoding="utf-8")  # noqa: SIM115
        self.writer = None
        self.keys = None

    @staticmethod
    def _cell(value):
        if isinstance(value, str):
            return value
        if isinstance(value, collections.abc.Iterable) and not (
            isinstance(value, np.ndarray) and value.ndim == 0
        ):
            return f'"[{", ".join(map(str, np.asarray(value).reshape(-1)))}]"'
        return value

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys.extend([f"val_{k}" for k in self.keys])
        if self.writer is None:
            sep = self.sep

            class Dialect(csv.excel):
                delimiter = sep

            self.writer = csv.DictWriter(
                self.csv_file, fieldnames=["epoch", *self.keys], dialect=Dialect
            )
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((k, self._cell(logs.get(k, "NA"))) for k in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None) -> None:
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
