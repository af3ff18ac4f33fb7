"""Data pipeline, PyTorch's `torch.utils.data` names and semantics.

    from minidl.data import DataLoader, TensorDataset
    X, y = minidl.data.datasets.load_digits()              # (1797, 1, 8, 8) float32, (1797,) int64
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, generator=0)
    for xb, yb in loader:                                  # Tensors (32, 1, 8, 8) and (32,)
        ...

Modules: `dataset` (Dataset, TensorDataset, Subset, ConcatDataset, TransformDataset, random_split),
`sampler` (the index orders), `collate` (default_collate), `dataloader` (DataLoader), `datasets`
(scikit-learn's bundled sets, MNIST's IDX files) and `transforms` (image augmentation).
"""

from minidl.data import datasets
from minidl.data.collate import default_collate
from minidl.data.dataloader import DataLoader
from minidl.data.dataset import (
    ConcatDataset,
    Dataset,
    Subset,
    TensorDataset,
    TransformDataset,
    random_split,
)
from minidl.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "TransformDataset",
    "WeightedRandomSampler",
    "datasets",
    "default_collate",
    "random_split",
]
