"""Additive noise: GaussianNoise adds N(mean, std^2) independently to every pixel."""

from __future__ import annotations

import numpy as np

from minidl.data.transforms.base import RandomTransform, as_image_array, same_kind


class GaussianNoise(RandomTransform):
    """out = x + ε, ε ~ N(mean, std²) per element (Keras's GaussianNoise(stddev) as augmentation).

    The noise has the image's float dtype. `clip=(lo, hi)` clips the result, e.g. (0, 1) to stay a
    valid image.
    """

    def __init__(
        self, std: float, mean: float = 0.0, clip: tuple[float, float] | None = None, generator=None
    ) -> None:
        super().__init__(generator, "GaussianNoise")
        if isinstance(std, bool) or not isinstance(std, (int, float)) or not std >= 0:
            raise ValueError(
                f"GaussianNoise: argument `std` must be a non-negative number; received {std!r}"
            )
        if clip is not None and (len(clip) != 2 or not clip[0] <= clip[1]):
            raise ValueError(
                f"GaussianNoise: argument `clip` must be a pair (lo, hi) with lo <= hi; received "
                f"{clip!r}"
            )
        self.std, self.mean, self.clip = float(std), float(mean), clip

    def __call__(self, image):
        x, was_tensor = as_image_array(image, "GaussianNoise")
        if x.dtype.kind != "f":
            raise TypeError(
                f"GaussianNoise: expected a float image; received dtype {x.dtype} (convert first)"
            )
        noise = self._rng().normal(self.mean, self.std, size=x.shape).astype(x.dtype)
        out = x + noise
        if self.clip is not None:
            out = np.clip(out, self.clip[0], self.clip[1], out=out)
        return same_kind(out, was_tensor)

    def __repr__(self) -> str:
        return f"GaussianNoise(std={self.std}, mean={self.mean}, clip={self.clip})"
