"""Small data sets for lessons and tests, from scikit-learn's bundled files (nothing downloads).

Every loader returns `(X, y)` numpy arrays shaped for training, or a `TensorDataset` of the same two
arrays with `as_dataset=True`:

    load_digits()                X (1797, 1, 8, 8) float32 in [0, 1] (pixel / 16), y (1797,) int64
    load_digits(flat=True)       X (1797, 64)      float32 in [0, 1]
    load_iris()                  X (150, 4)  float32, y (150,) int64  classes 0..2
    load_wine()                  X (178, 13) float32, y (178,) int64  classes 0..2
    load_breast_cancer()         X (569, 30) float32, y (569,) int64  0 malignant, 1 benign
    load_diabetes()              X (442, 10) float32 (scikit-learn's scaled features),
                                 y (442, 1) float32 disease progression (a column, matching the
                                 (N, 1) output of a regression network)

Features are raw (except digits' division by 16): scaling is preprocessing, and scikit-learn's
`StandardScaler` does it (fit it on the training split only). Its outputs, like those of
`train_test_split`, go straight into `TensorDataset(X_train, y_train)`.

MNIST's IDX files are read and written by `read_idx` / `write_idx` (module `minidl.data.idx`), and
`load_mnist(folder)` reads the four standard files from a folder you already have (nothing downloads):

    load_mnist(folder, train=True)   X (60000, 1, 28, 28) float32 in [0, 1], y (60000,) int64
"""

from __future__ import annotations

import os

import numpy as np

from minidl.data.dataset import TensorDataset
from minidl.data.idx import read_idx, write_idx

__all__ = [
    "load_breast_cancer",
    "load_mnist",
    "load_diabetes",
    "load_digits",
    "load_iris",
    "load_wine",
    "read_idx",
    "write_idx",
]


def _finish(X: np.ndarray, y: np.ndarray, dtype, as_dataset: bool, where: str):
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: argument `dtype` is not a dtype; received {dtype!r}") from None
    if dtype.kind != "f":
        raise TypeError(f"{where}: argument `dtype` must be a float dtype; received {dtype}")
    X = np.ascontiguousarray(X, dtype=dtype)
    y = np.ascontiguousarray(y, dtype=dtype if y.dtype.kind == "f" else np.int64)
    return TensorDataset(X, y) if as_dataset else (X, y)


def _sklearn(name: str):
    from sklearn import datasets  # imported on use: scikit-learn is only needed for these loaders

    return getattr(datasets, name)(return_X_y=True)


def load_digits(
    flat: bool = False, dtype=np.float32, as_dataset: bool = False
) -> tuple[np.ndarray, np.ndarray] | TensorDataset:
    """8x8 images of handwritten digits 0-9 (1797 of them, about 180 per class), pixels in [0, 1].

    Returns X of shape (N, 1, 8, 8) (NCHW, one channel), or (N, 64) with `flat=True`, and y (N,)
    int64 labels.
    """
    X, y = _sklearn("load_digits")
    X = X / 16.0  # each bundled pixel counts the ink (0..16) in a 4x4 block of a 32x32 bitmap
    if not flat:
        X = X.reshape(-1, 1, 8, 8)
    return _finish(X, y, dtype, as_dataset, "load_digits")


def load_iris(
    dtype=np.float32, as_dataset: bool = False
) -> tuple[np.ndarray, np.ndarray] | TensorDataset:
    """Fisher's iris: 150 flowers, 4 measurements (cm), 3 species (50 each, sorted by class)."""
    return _finish(*_sklearn("load_iris"), dtype, as_dataset, "load_iris")


def load_wine(
    dtype=np.float32, as_dataset: bool = False
) -> tuple[np.ndarray, np.ndarray] | TensorDataset:
    """178 wines, 13 chemical measurements on very different scales, 3 cultivars."""
    return _finish(*_sklearn("load_wine"), dtype, as_dataset, "load_wine")


def load_breast_cancer(
    dtype=np.float32, as_dataset: bool = False
) -> tuple[np.ndarray, np.ndarray] | TensorDataset:
    """569 tumours, 30 features of cell nuclei, binary label (0 malignant, 1 benign)."""
    return _finish(*_sklearn("load_breast_cancer"), dtype, as_dataset, "load_breast_cancer")


def load_diabetes(
    dtype=np.float32, as_dataset: bool = False
) -> tuple[np.ndarray, np.ndarray] | TensorDataset:
    """442 patients, 10 baseline features (mean-centred, scaled), target: progression after a year.

    y is returned as a column (N, 1) so that it matches a regression model's (N, 1) output
    (a (N,) target against a (N, 1) output would broadcast to (N, N) in a loss).
    """
    X, y = _sklearn("load_diabetes")
    return _finish(X, y.reshape(-1, 1), dtype, as_dataset, "load_diabetes")


def load_mnist(
    root: str | os.PathLike, train: bool = True, dtype=np.float32, as_dataset: bool = False
) -> tuple[np.ndarray, np.ndarray] | TensorDataset:
    """MNIST (or Fashion-MNIST) from its IDX files in `root`: `train-images-idx3-ubyte` and
    `train-labels-idx1-ubyte` (or `t10k-...` with train=False), each optionally `.gz`.

    Returns X (N, 1, 28, 28) with pixels / 255 in [0, 1] and y (N,) int64. The files are checked:
    uint8 images of shape (N, H, W), uint8 labels of shape (N,), the same N.
    """
    prefix = "train" if train else "t10k"
    arrays = []
    for kind, ndim in (("images-idx3-ubyte", 3), ("labels-idx1-ubyte", 1)):
        base = os.path.join(os.fspath(root), f"{prefix}-{kind}")
        path = next((p for p in (base, base + ".gz") if os.path.exists(p)), None)
        if path is None:
            raise FileNotFoundError(
                f"load_mnist: neither '{base}' nor '{base}.gz' exists (minidl does not download; "
                f"put MNIST's IDX files in that folder)"
            )
        a = read_idx(path)
        if a.dtype != np.uint8 or a.ndim != ndim:
            raise ValueError(
                f"load_mnist: '{path}' holds {a.dtype} data of shape {a.shape}; expected uint8 "
                f"with {ndim} dimension(s)"
            )
        arrays.append(a)
    images, labels = arrays
    if len(images) != len(labels):
        raise ValueError(
            f"load_mnist: {len(images)} images but {len(labels)} labels in '{os.fspath(root)}'"
        )
    return _finish(images[:, None] / 255.0, labels, dtype, as_dataset, "load_mnist")
