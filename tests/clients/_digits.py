"""The stand-in for torchvision's MNIST download: scikit-learn's bundled 8×8 digits (offline), split
into a training and a test set and scaled like MNIST's ToTensor + Normalize."""

import numpy as np
from sklearn.datasets import load_digits


def digits(n_train: int = 1200, seed: int = 0):
    """(x_train, y_train, x_test, y_test) as NumPy arrays: images (N, 1, 8, 8) float32 standardised
    with the training set's mean and std, labels int64."""
    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)[:, None]  # (1797, 1, 8, 8) in [0, 1]
    order = np.random.default_rng(seed).permutation(len(images))
    images, labels = images[order], bunch.target[order].astype(np.int64)
    mean, std = images[:n_train].mean(), images[:n_train].std()
    images = (images - mean) / std
    return images[:n_train], labels[:n_train], images[n_train:], labels[n_train:]
