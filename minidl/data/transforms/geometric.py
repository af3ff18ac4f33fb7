"""Geometric augmentation: crops, flips and affine warps (rotation, shift, zoom) of (N)CHW images.

Each moves pixels without changing what the image shows, so the label stays valid: a digit shifted
by a pixel or turned by 10 degrees is still that digit. On a batch every image draws its own
parameters.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from minidl.data.transforms.base import RandomTransform, as_image_array, same_kind

_PAD_MODES = {
    "constant": "constant",
    "edge": "edge",
    "reflect": "reflect",
    "symmetric": "symmetric",
}


def _pair(value, name: str, where: str) -> tuple[int, int]:
    """An int or (h, w) pair of positive ints."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or any(
        isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0 for v in pair
    ):
        raise ValueError(
            f"{where}: argument `{name}` must be a positive int or a pair (h, w) of them; "
            f"received {value!r}"
        )
    return int(pair[0]), int(pair[1])


def _padding(padding, where: str) -> tuple[int, int, int, int]:
    """torchvision's forms -> (left, top, right, bottom): p, (left/right, top/bottom), or 4 values."""
    p = (padding,) if isinstance(padding, (int, np.integer)) else tuple(padding)
    if len(p) not in (1, 2, 4) or any(
        isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0 for v in p
    ):
        raise ValueError(
            f"{where}: argument `padding` must be a non-negative int, a pair or 4 of them; "
            f"received {padding!r}"
        )
    if len(p) == 1:
        return (int(p[0]),) * 4
    if len(p) == 2:
        return int(p[0]), int(p[1]), int(p[0]), int(p[1])
    return tuple(int(v) for v in p)


def _per_image(image, where: str, fn):
    """Apply fn(array (C, H, W), rng draws inside) to one image or to each image of a batch."""
    x, was_tensor = as_image_array(image, where)
    if x.ndim == 3:
        return same_kind(fn(x), was_tensor)
    return same_kind(np.stack([fn(img) for img in x]), was_tensor)


class RandomCrop(RandomTransform):
    """Cut a random `size` (h, w) window out of the image, after optional `padding`.

    `RandomCrop(28, padding=4)` pads a 28x28 image to 36x36 with `fill`, then keeps a 28x28 window
    whose top-left corner is uniform over the 9 x 9 possible positions: a random shift of up to 4
    pixels each way. `padding_mode`: "constant" (with `fill`), "edge", "reflect" or "symmetric".
    `pad_if_needed` pads an image smaller than `size` up to it.
    """

    def __init__(
        self,
        size,
        padding=None,
        pad_if_needed: bool = False,
        fill: float = 0,
        padding_mode: str = "constant",
        generator=None,
    ) -> None:
        super().__init__(generator, "RandomCrop")
        self.size = _pair(size, "size", "RandomCrop")
        self.padding = None if padding is None else _padding(padding, "RandomCrop")
        if padding_mode not in _PAD_MODES:
            raise ValueError(
                f"RandomCrop: argument `padding_mode` must be one of {sorted(_PAD_MODES)}; "
                f"received {padding_mode!r}"
            )
        self.pad_if_needed = bool(pad_if_needed)
        self.fill = fill
        self.padding_mode = padding_mode

    def _pad(self, img: np.ndarray, left: int, top: int, right: int, bottom: int) -> np.ndarray:
        widths = ((0, 0), (top, bottom), (left, right))  # channels are never padded
        if self.padding_mode == "constant":
            return np.pad(img, widths, mode="constant", constant_values=self.fill)
        return np.pad(img, widths, mode=_PAD_MODES[self.padding_mode])

    def _crop(self, img: np.ndarray) -> np.ndarray:
        if self.padding is not None:
            img = self._pad(img, *self.padding)
        h, w = self.size
        H, W = img.shape[-2:]
        if self.pad_if_needed and (H < h or W < w):
            img = self._pad(img, max(w - W, 0), max(h - H, 0), max(w - W, 0), max(h - H, 0))
            H, W = img.shape[-2:]
        if H < h or W < w:
            raise ValueError(
                f"RandomCrop: crop size {self.size} is larger than the (padded) image {(H, W)}; "
                f"pass padding= or pad_if_needed=True"
            )
        rng = self._rng()
        top = int(rng.integers(0, H - h + 1))
        left = int(rng.integers(0, W - w + 1))
        return img[:, top : top + h, left : left + w].copy()

    def __call__(self, image):
        return _per_image(image, "RandomCrop", self._crop)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip(RandomTransform):
    """Mirror left-right (reverse the W axis) with probability `p`."""

    axis = -1
    _name = "RandomHorizontalFlip"

    def __init__(self, p: float = 0.5, generator=None) -> None:
        super().__init__(generator, self._name)
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(
                f"{self._name}: argument `p` must be a probability in [0, 1]; received {p!r}"
            )
        self.p = float(p)

    def __call__(self, image):
        x, was_tensor = as_image_array(image, self._name)
        n = 1 if x.ndim == 3 else x.shape[0]
        flip = self._rng().random(n) < self.p  # one draw per image
        out = x.copy()
        if x.ndim == 3:
            if flip[0]:
                out = np.flip(x, self.axis).copy()
        else:
            out[flip] = np.flip(x[flip], self.axis)
        return same_kind(out, was_tensor)

    def __repr__(self) -> str:
        return f"{self._name}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top-bottom (reverse the H axis) with probability `p`."""

    axis = -2
    _name = "RandomVerticalFlip"


def _range(value, name: str, where: str, symmetric_about: float | None) -> tuple[float, float]:
    """A number d -> (about - d, about + d); a pair (lo, hi) as given."""
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and symmetric_about is not None
    ):
        if value < 0:
            raise ValueError(f"{where}: argument `{name}` must be non-negative; received {value!r}")
        return symmetric_about - value, symmetric_about + value
    if isinstance(value, Sequence) and len(value) == 2 and value[0] <= value[1]:
        return float(value[0]), float(value[1])
    raise ValueError(
        f"{where}: argument `{name}` must be a number or a pair (min, max) with min <= max; "
        f"received {value!r}"
    )


class RandomAffine(RandomTransform):
    """Rotate about the centre, shift and zoom: what Keras's ImageDataGenerator augments with.

    Parameters per image, uniform in their ranges (torchvision's arguments):
        angle θ  in `degrees` (d means [-d, d]; positive turns the picture anticlockwise)
        shift    tx in [-a W, a W], ty in [-b H, b H] for `translate=(a, b)` (fractions)
        zoom     s in `scale=(lo, hi)` (s > 1 enlarges the picture)

    The output pixel at (row, col) = o takes the input at i = M (o - c - t) + c, with c the centre
    ((H - 1) / 2, (W - 1) / 2), t = (ty, tx) and M = A^-1 the inverse of A = s [[cos θ, -sin θ],
    [sin θ, cos θ]], which maps input offsets from the centre to output offsets. The value there is
    interpolated by `scipy.ndimage.affine_transform` (`order=1`: bilinear, as Keras), and points
    outside the input take `fill` ("constant") or follow `fill_mode` ("nearest", "reflect", "wrap").
    """

    def __init__(
        self,
        degrees,
        translate: tuple[float, float] | None = None,
        scale: tuple[float, float] | None = None,
        fill: float = 0.0,
        fill_mode: str = "constant",
        order: int = 1,
        generator=None,
    ) -> None:
        where = "RandomAffine"
        super().__init__(generator, where)
        self.degrees = _range(degrees, "degrees", where, symmetric_about=0.0)
        if translate is not None:
            translate = tuple(translate)
            if len(translate) != 2 or not all(0 <= t <= 1 for t in translate):
                raise ValueError(
                    f"{where}: argument `translate` must be a pair of fractions in [0, 1]; "
                    f"received {translate!r}"
                )
        self.translate = translate
        self.scale = None if scale is None else _range(scale, "scale", where, None)
        if self.scale is not None and self.scale[0] <= 0:
            raise ValueError(f"{where}: argument `scale` must be positive; received {scale!r}")
        if fill_mode not in ("constant", "nearest", "reflect", "wrap"):
            raise ValueError(
                f"{where}: argument `fill_mode` must be 'constant', 'nearest', 'reflect' or "
                f"'wrap'; received {fill_mode!r}"
            )
        if order not in (0, 1, 3):
            raise ValueError(f"{where}: argument `order` must be 0, 1 or 3; received {order!r}")
        self.fill, self.fill_mode, self.order = float(fill), fill_mode, int(order)

    def get_params(self, height: int, width: int) -> tuple[float, tuple[float, float], float]:
        """Draw (angle in degrees, (tx, ty) in pixels, scale) for one image.

        Four uniform numbers u in [0, 1) are drawn at once (fewer calls into the generator), each
        mapped to its range as lo + (hi - lo) u.
        """
        u = self._rng().random(4)
        a_lo, a_hi = self.degrees
        angle = a_lo + (a_hi - a_lo) * u[0]
        fx, fy = (0.0, 0.0) if self.translate is None else self.translate
        tx = fx * width * (2 * u[1] - 1)  # uniform in [-fx W, fx W]
        ty = fy * height * (2 * u[2] - 1)
        s_lo, s_hi = (1.0, 1.0) if self.scale is None else self.scale
        s = s_lo + (s_hi - s_lo) * u[3]
        return float(angle), (float(tx), float(ty)), float(s)

    def apply(
        self, img: np.ndarray, angle: float, shift: tuple[float, float], s: float
    ) -> np.ndarray:
        """Warp one (C, H, W) image with the given parameters (no randomness)."""
        from scipy import ndimage  # imported on use: only augmentation needs scipy

        theta = np.deg2rad(angle)
        cos, sin = np.cos(theta), np.sin(theta)
        inverse = np.array([[cos, sin], [-sin, cos]]) / s  # A^-1 in (row, col) coordinates
        H, W = img.shape[-2:]
        centre = np.array([(H - 1) / 2, (W - 1) / 2])
        t = np.array([shift[1], shift[0]])  # (ty, tx)
        offset = centre - inverse @ (centre + t)  # i = M o + offset
        out = np.empty_like(img)
        for c in range(img.shape[0]):
            ndimage.affine_transform(
                img[c],
                inverse,
                offset=offset,
                output=out[c],
                order=self.order,
                mode=self.fill_mode,
                cval=self.fill,
            )
        return out

    def _warp(self, img: np.ndarray) -> np.ndarray:
        return self.apply(img, *self.get_params(*img.shape[-2:]))

    def __call__(self, image):
        return _per_image(image, "RandomAffine", self._warp)

    def __repr__(self) -> str:
        return (
            f"RandomAffine(degrees={self.degrees}, translate={self.translate}, scale={self.scale})"
        )
