"""What every transform shares: composing them, wrapping a function, converting and normalizing.

A transform is a callable on one image (C, H, W) or a batch (N, C, H, W). It takes a numpy array or a
minidl Tensor and returns the same kind (a Tensor comes back as a new Tensor, detached from any graph:
augmentation is data preparation, not part of the model). The input is never modified in place.

Random transforms take `generator=`: a numpy Generator, an int seed (made into a Generator once, at
construction) or None (minidl's default generator, looked up at each call, so `md.manual_seed`
governs it). `transform.generator` is that Generator (or None), for checkpointing its
`bit_generator.state`. On a batch, each image gets its own random draw, as Keras's
ImageDataGenerator does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from minidl import random as _random
from minidl.autograd import Tensor


def as_image_array(image, where: str) -> tuple[np.ndarray, bool]:
    """(array, was_tensor): the image as a numpy array (C, H, W) or (N, C, H, W), validated."""
    was_tensor = isinstance(image, Tensor)
    array = image.data if was_tensor else image
    if not isinstance(array, np.ndarray):
        raise TypeError(
            f"{where}: expected an image as a numpy array or minidl Tensor of shape (C, H, W) or "
            f"(N, C, H, W); received {type(image).__name__}"
        )
    if array.ndim not in (3, 4):
        raise ValueError(
            f"{where}: expected an image of shape (C, H, W) or a batch (N, C, H, W); received "
            f"shape {array.shape}"
        )
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{where}: image must be numeric; received dtype {array.dtype}")
    return array, was_tensor


def same_kind(array: np.ndarray, was_tensor: bool) -> np.ndarray | Tensor:
    """Give the result back in the kind of the input."""
    return Tensor._wrap(array) if was_tensor else array


class RandomTransform:
    """Base of the random transforms: holds `generator` and resolves it at each call."""

    def __init__(self, generator, where: str) -> None:
        self.generator = None if generator is None else _random.as_generator(generator, where)

    def _rng(self) -> np.random.Generator:
        return self.generator if self.generator is not None else _random.default_generator()


class Compose:
    """Apply `transforms` in order: Compose([f, g, h])(x) == h(g(f(x)))."""

    def __init__(self, transforms: Sequence[Callable]) -> None:
        transforms = list(transforms)
        for k, t in enumerate(transforms):
            if not callable(t):
                raise TypeError(
                    f"Compose: transform {k} is not callable; received {type(t).__name__}"
                )
        self.transforms = transforms

    def __call__(self, image):
        for t in self.transforms:
            image = t(image)
        return image

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}," for t in self.transforms)
        return f"Compose([{inner}\n])"


class Lambda:
    """Any function as a transform: Lambda(lambda x: x * 2)."""

    def __init__(self, lambd: Callable) -> None:
        if not callable(lambd):
            raise TypeError(f"Lambda: argument `lambd` must be callable; received {lambd!r}")
        self.lambd = lambd

    def __call__(self, image):
        return self.lambd(image)


class ToTensor:
    """torchvision's ToTensor for numpy images: (H, W, C) or (H, W) -> a Tensor (C, H, W).

    uint8 pixels 0..255 are scaled to float32 in [0, 1]; other dtypes are only transposed (float64
    stays float64), as torchvision does.
    """

    def __call__(self, picture) -> Tensor:
        if not isinstance(picture, np.ndarray) or picture.ndim not in (2, 3):
            raise TypeError(
                f"ToTensor: expected a numpy image of shape (H, W) or (H, W, C); received "
                f"{getattr(picture, 'shape', type(picture).__name__)}"
            )
        chw = picture[None] if picture.ndim == 2 else np.moveaxis(picture, -1, 0)  # HWC -> CHW
        if chw.dtype == np.uint8:
            return Tensor._wrap(chw.astype(np.float32) / np.float32(255))
        return Tensor._wrap(np.ascontiguousarray(chw))


class Normalize:
    """Per channel: out[c] = (x[c] - mean[c]) / std[c]; `mean` and `std` are numbers or one per
    channel (computed on the training set, e.g. X_train.mean(axis=(0, 2, 3)))."""

    def __init__(self, mean, std) -> None:
        self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        self.std = np.atleast_1d(np.asarray(std, dtype=np.float64))
        if self.mean.ndim != 1 or self.std.ndim != 1:
            raise ValueError(
                f"Normalize: `mean` and `std` must be numbers or 1-D sequences; received shapes "
                f"{self.mean.shape} and {self.std.shape}"
            )
        if np.any(self.std == 0) or not np.all(np.isfinite(self.std)):
            raise ValueError(f"Normalize: `std` must be finite and non-zero; received {std!r}")

    def __call__(self, image):
        x, was_tensor = as_image_array(image, "Normalize")
        if x.dtype.kind != "f":
            raise TypeError(
                f"Normalize: expected a float image; received dtype {x.dtype} (convert first, "
                f"e.g. with ToTensor or x / 255)"
            )
        channels = x.shape[-3]
        for name, v in (("mean", self.mean), ("std", self.std)):
            if v.size not in (1, channels):
                raise ValueError(
                    f"Normalize: `{name}` has {v.size} values but the image has {channels} "
                    f"channels (shape {x.shape})"
                )
        shape = (-1, 1, 1)  # broadcast over H and W (and N)
        mean = self.mean.astype(x.dtype).reshape(shape)
        std = self.std.astype(x.dtype).reshape(shape)
        return same_kind((x - mean) / std, was_tensor)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"
