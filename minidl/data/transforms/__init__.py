"""Image transforms and augmentation for (C, H, W) images and (N, C, H, W) batches (numpy arrays or
minidl Tensors), torchvision's names:

    train_tf = Compose([RandomAffine(degrees=10, translate=(0.1, 0.1), generator=0),
                        GaussianNoise(0.05, generator=1), Normalize(mean, std)])
    train = TransformDataset(TensorDataset(X_train, y_train), transform=train_tf)

`base` (Compose, Lambda, ToTensor, Normalize, and how generators work), `geometric` (RandomCrop,
RandomHorizontalFlip, RandomVerticalFlip, RandomAffine), `noise` (GaussianNoise).
"""

from minidl.data.transforms.base import Compose, Lambda, Normalize, ToTensor
from minidl.data.transforms.geometric import (
    RandomAffine,
    RandomCrop,
    RandomHorizontalFlip,
    RandomVerticalFlip,
)
from minidl.data.transforms.noise import GaussianNoise

__all__ = [
    "Compose",
    "GaussianNoise",
    "Lambda",
    "Normalize",
    "RandomAffine",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomVerticalFlip",
    "ToTensor",
]
