"""Data pipeline, PyTorch's `torch.utils.data` names and semantics.

    from minidl.data import DataLoader, TensorDataset
    X, y = minidl.data.datasets.load_digits()              # (1797, 1, 8, 8) float32, (1797,) int64
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, generator=0)
    for xb, yb in loader:                                  # Tensors (32, 1, 8, 8) and (32,)
        ...

Modules: `dataset` (Dataset, TensorDataset, Subset, ConcatDataset, TransformDataset, random_split),
`sampler` (the index orders), `collate` (default_collate, default_convert), `dataloader`
(DataLoader), `rng` (finding and checkpointing a pipeline's generators), `datasets` (scikit-learn's
bundled sets, MNIST's IDX files), `idx` (the IDX format) and `transforms` (image augmentation).
"""

from minidl.data import datasets, transforms
from minidl.data.collate import default_collate, default_convert
from minidl.data.dataloader import DataLoader
from minidl.data.dataset import (
    ConcatDataset,
    Dataset,
    Subset,
    TensorDataset,
    TransformDataset,
    random_split,
)
from minidl.data.rng import generators, get_rng_state, set_rng_state
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
    "default_convert",
    "generators",
    "get_rng_state",
    "random_split",
    "set_rng_state",
    "transforms",
]
