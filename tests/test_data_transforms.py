"""Image transforms: exact results where there is a closed form, statistics of the random ones,
shapes and labels preserved, same seed -> same augmentation."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minidl as md
from minidl.data import DataLoader, TensorDataset, TransformDataset
from minidl.data.transforms import (
    Compose,
    GaussianNoise,
    Lambda,
    Normalize,
    RandomAffine,
    RandomCrop,
    RandomHorizontalFlip,
    RandomVerticalFlip,
    ToTensor,
)


def _images(n=None, c=2, h=6, w=7, seed=0):
    shape = (c, h, w) if n is None else (n, c, h, w)
    return np.random.default_rng(seed).random(shape).astype(np.float32)


RANDOM_TRANSFORMS = [
    lambda g: RandomCrop(5, padding=2, generator=g),
    lambda g: RandomHorizontalFlip(0.5, generator=g),
    lambda g: RandomVerticalFlip(0.5, generator=g),
    lambda g: RandomAffine(20, translate=(0.2, 0.1), scale=(0.8, 1.2), generator=g),
    lambda g: GaussianNoise(0.1, generator=g),
]


@pytest.mark.parametrize("make", RANDOM_TRANSFORMS)
def test_random_transforms_are_deterministic_given_a_seed(make):
    x = _images(4)
    a, b = make(3), make(np.random.default_rng(3))
    first = a(x)
    np.testing.assert_array_equal(first, b(x))  # int seed == Generator with that seed
    second = a(x)
    assert not np.array_equal(first, second)  # the stream moves on: new draws next call
    np.testing.assert_array_equal(x, _images(4))  # the input is untouched
    md.manual_seed(11)
    c = make(None)(x)
    md.manual_seed(11)
    np.testing.assert_array_equal(c, make(None)(x))  # no generator: md.manual_seed decides


@pytest.mark.parametrize("make", RANDOM_TRANSFORMS)
def test_shapes_dtypes_and_kind_are_preserved(make):
    t = make(0)
    crop = isinstance(t, RandomCrop)
    for x in (_images(), _images(3)):
        out = t(x)
        expected = x.shape[:-2] + ((5, 5) if crop else x.shape[-2:])
        assert isinstance(out, np.ndarray) and out.shape == expected and out.dtype == x.dtype
        out_t = t(md.from_numpy(x))
        assert isinstance(out_t, md.Tensor) and out_t.shape == expected


def test_flip_frequency_matches_p_and_flips_exactly():
    x = _images(4000, c=1, h=2, w=3)
    for p in (0.0, 0.3, 1.0):
        out = RandomHorizontalFlip(p, generator=1)(x)
        flipped = np.all(out == x[..., ::-1], axis=(1, 2, 3))
        kept = np.all(out == x, axis=(1, 2, 3))
        assert np.all(flipped | kept)  # each image is exactly itself or its mirror
        # binomial standard error sqrt(p(1-p)/n) <= 0.008; 5 sigma
        assert abs(flipped.mean() - p) < 0.04
    single = _images()
    np.testing.assert_array_equal(RandomVerticalFlip(1.0)(single), single[:, ::-1, :])


def test_random_crop_offsets_are_uniform_and_windows_are_exact():
    # pixel values encode their position, so each crop reveals its offset
    img = np.arange(8 * 8, dtype=np.float32).reshape(1, 8, 8)
    crop = RandomCrop(6, generator=0)
    offsets = []
    for _ in range(900):
        out = crop(img)
        top, left = divmod(int(out[0, 0, 0]), 8)
        np.testing.assert_array_equal(out, img[:, top : top + 6, left : left + 6])
        offsets.append((top, left))
    counts = np.bincount([3 * t + l for t, l in offsets], minlength=9)
    assert counts.min() > 60  # 9 positions, 100 expected each (sd 9.4)


def test_random_crop_padding_forms():
    img = np.ones((1, 2, 2), np.float32)
    out = RandomCrop(4, padding=1, fill=-1, generator=0)(img)
    assert out.shape == (1, 4, 4) and (out == -1).sum() == 12  # exactly the padded border
    out = RandomCrop((2, 6), padding=(2, 0), generator=0)(img)  # left/right 2, top/bottom 0
    np.testing.assert_array_equal(out[0, :, 2:4], img[0])
    out = RandomCrop(3, pad_if_needed=True, padding_mode="edge", generator=0)(img)
    assert out.shape == (1, 3, 3) and np.all(out == 1)
    with pytest.raises(ValueError, match="RandomCrop: crop size"):
        RandomCrop(3)(img)
    with pytest.raises(ValueError, match="padding_mode"):
        RandomCrop(3, padding_mode="wrap")


def test_affine_rotation_shift_and_zoom_closed_forms():
    img = _images(c=3, h=5, w=5)
    t = RandomAffine(0)
    # +90 degrees turns the picture anticlockwise: np.rot90
    np.testing.assert_allclose(
        t.apply(img, 90, (0, 0), 1.0), np.rot90(img, 1, axes=(1, 2)), atol=1e-6
    )
    np.testing.assert_allclose(t.apply(img, 0, (0, 0), 1.0), img, atol=1e-6)
    # a shift of (tx, ty) = (1, 2) pixels moves content right 1 and down 2, zeros come in
    shifted = t.apply(img, 0, (1.0, 2.0), 1.0)
    np.testing.assert_allclose(shifted[:, 2:, 1:], img[:, :-2, :-1], atol=1e-6)
    assert np.all(shifted[:, :2, :] == 0) and np.all(shifted[:, :, :1] == 0)
    # zoom 2 about the centre: output offset d from the centre shows input offset d / 2
    big = np.zeros((1, 9, 9), np.float32)
    big[0, 4, 6] = 1.0  # 2 to the right of the centre (4, 4)
    zoomed = t.apply(big, 0, (0, 0), 2.0)
    assert zoomed[0, 4, 8] == 1.0 and zoomed[0, 4, 4] == 0.0
    assert zoomed[0, 4, 7] == pytest.approx(0.5)  # bilinear between input cols 5.5 -> 0.5
    # fill_mode="nearest" repeats the border instead of filling with 0
    near = RandomAffine(0, fill_mode="nearest").apply(img, 0, (2.0, 0.0), 1.0)
    np.testing.assert_allclose(near[:, :, 0], img[:, :, 0], atol=1e-6)


def test_affine_agrees_with_scipy_rotate_and_shift():
    from scipy import ndimage

    img = np.random.default_rng(0).random((2, 9, 7))
    t = RandomAffine(0)
    # rotation about the centre by 30 degrees, a non-square image (centre (4, 3))
    rotated = np.stack([ndimage.rotate(c, 30, reshape=False, order=1) for c in img])
    np.testing.assert_allclose(t.apply(img, 30, (0, 0), 1.0), rotated, atol=1e-12)
    # a sub-pixel shift: tx = 1.3 columns right, ty = -0.6 rows (up)
    shifted = np.stack([ndimage.shift(c, (-0.6, 1.3), order=1) for c in img])
    np.testing.assert_allclose(t.apply(img, 0, (1.3, -0.6), 1.0), shifted, atol=1e-12)


def test_affine_parameters_are_uniform_in_their_ranges():
    t = RandomAffine((-30, 10), translate=(0.25, 0.5), scale=(0.5, 1.5), generator=0)
    draws = np.array(
        [(a, tx, ty, s) for a, (tx, ty), s in (t.get_params(8, 4) for _ in range(4000))]
    )
    lo = np.array([-30, -1.0, -4.0, 0.5])
    hi = np.array([10, 1.0, 4.0, 1.5])
    assert np.all(draws >= lo) and np.all(draws <= hi)
    # uniform on [lo, hi]: mean (lo + hi) / 2, sd (hi - lo) / sqrt(12); 5 standard errors
    se = (hi - lo) / np.sqrt(12) / np.sqrt(len(draws))
    assert np.all(np.abs(draws.mean(0) - (lo + hi) / 2) < 5 * se)
    np.testing.assert_allclose(draws.std(0), (hi - lo) / np.sqrt(12), rtol=0.05)


def test_gaussian_noise_statistics_and_clip():
    x = np.full((2, 3, 50, 50), 0.5, np.float32)
    out = GaussianNoise(0.1, generator=0)(x)
    noise = (out - x).ravel()
    assert out.dtype == np.float32
    # n = 15000: se(mean) = 0.1 / sqrt(n) ~ 8e-4; se(std) ~ 0.1 / sqrt(2n) ~ 6e-4
    assert abs(noise.mean()) < 5 * 0.1 / np.sqrt(noise.size)
    assert abs(noise.std() - 0.1) < 5 * 0.1 / np.sqrt(2 * noise.size)
    clipped = GaussianNoise(1.0, clip=(0, 1), generator=0)(x)
    assert clipped.min() == 0 and clipped.max() == 1
    assert np.array_equal(GaussianNoise(0.0)(x), x)
    with pytest.raises(TypeError, match="GaussianNoise: expected a float image"):
        GaussianNoise(0.1)(np.zeros((1, 2, 2), np.uint8))


@given(c=st.integers(1, 4), mean=st.floats(-2, 2), std=st.floats(0.1, 3))
def test_normalize_is_per_channel_standardization(c, mean, std):
    x = _images(3, c=c)
    means, stds = [mean + k for k in range(c)], [std * (k + 1) for k in range(c)]
    out = Normalize(means, stds)(x)
    for k in range(c):
        np.testing.assert_allclose(out[:, k], (x[:, k] - means[k]) / stds[k], rtol=1e-5, atol=1e-5)
    assert out.dtype == np.float32


def test_normalize_validation():
    with pytest.raises(ValueError, match="Normalize: `mean` has 3 values but the image has 2"):
        Normalize([0, 0, 0], [1, 1, 1])(_images())
    with pytest.raises(ValueError, match="non-zero"):
        Normalize(0, 0)
    with pytest.raises(TypeError, match="float image"):
        Normalize(0, 1)(np.zeros((1, 2, 2), np.uint8))
    with pytest.raises(ValueError, match=r"\(C, H, W\).*shape \(2, 2\)"):
        Normalize(0, 1)(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="numpy array or minidl Tensor"):
        Normalize(0, 1)([[1.0]])


def test_to_tensor_compose_and_lambda():
    hwc = np.array([[[0, 255, 51]]], dtype=np.uint8)  # (H=1, W=1, C=3)
    t = ToTensor()(hwc)
    assert isinstance(t, md.Tensor) and t.shape == (3, 1, 1) and t.dtype == np.float32
    np.testing.assert_allclose(t.data.ravel(), [0.0, 1.0, 0.2])
    assert ToTensor()(np.zeros((4, 5))).shape == (1, 4, 5)
    pipeline = Compose([Lambda(lambda x: x * 2), Normalize(1.0, 2.0)])
    np.testing.assert_allclose(pipeline(np.ones((1, 2, 2), np.float32)), 0.5)
    assert "Normalize" in repr(pipeline)
    with pytest.raises(TypeError, match="Compose: transform 1"):
        Compose([Lambda(abs), 3])


def test_augmented_dataset_keeps_labels_and_draws_new_views_each_epoch():
    X = _images(8, c=1, h=8, w=8)
    y = np.arange(8) % 3
    augment = Compose(
        [
            RandomCrop(8, padding=1, generator=0),
            RandomAffine(15, generator=1),
            GaussianNoise(0.01, generator=2),
        ]
    )
    ds = TransformDataset(TensorDataset(X, y), transform=augment)
    loader = DataLoader(ds, batch_size=4, shuffle=False)
    epoch1 = [(xb.data.copy(), yb.data.copy()) for xb, yb in loader]
    epoch2 = [(xb.data.copy(), yb.data.copy()) for xb, yb in loader]
    for (x1, y1), (x2, y2) in zip(epoch1, epoch2):
        assert x1.shape == (4, 1, 8, 8) and x1.dtype == np.float32
        np.testing.assert_array_equal(y1, y2)
        assert not np.array_equal(x1, x2)  # a new augmentation each epoch
    np.testing.assert_array_equal(np.concatenate([b for _, b in epoch1]), y)
