"""minidl.data against torch.utils.data (skipped without torch): the same lengths, split sizes,
batch structure and dtypes. (Random draws differ by design: numpy's generator is not torch's.)"""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minidl.data as mdd

torch = pytest.importorskip("torch")
tud = pytest.importorskip("torch.utils.data")
pytestmark = pytest.mark.torch


@given(n=st.integers(0, 60), weights=st.lists(st.integers(0, 9), min_size=1, max_size=6))
def test_random_split_sizes_match_pytorch(n, weights):
    if sum(weights) == 0:
        weights = [1] + weights[1:]
    fractions = [w / sum(weights) for w in weights]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ref = tud.random_split(range(n), fractions, generator=torch.Generator().manual_seed(0))
        except ValueError:  # fractions whose float sum is over 1 (1.0000000000000002): both refuse
            with pytest.raises(ValueError, match="random_split"):
                mdd.random_split(range(n), fractions, generator=0)
            return
        ours = mdd.random_split(range(n), fractions, generator=0)
    assert [len(s) for s in ours] == [len(s) for s in ref]


@given(n=st.integers(1, 50), batch_size=st.integers(1, 9), drop_last=st.booleans())
def test_loader_lengths_and_batch_sizes_match_pytorch(n, batch_size, drop_last):
    X = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    ours = mdd.DataLoader(mdd.TensorDataset(X), batch_size=batch_size, drop_last=drop_last)
    ref = tud.DataLoader(
        tud.TensorDataset(torch.from_numpy(X)), batch_size=batch_size, drop_last=drop_last
    )
    assert len(ours) == len(ref)
    assert [b[0].shape for b in ours] == [tuple(b[0].shape) for b in ref]
    for a, b in zip(ours, ref):
        np.testing.assert_array_equal(a[0].data, b[0].numpy())


SAMPLES = [
    [(np.zeros(3, np.float64), 1), (np.ones(3, np.float64), 2)],
    [(np.zeros((2, 2), np.float32), np.int64(3)), (np.ones((2, 2), np.float32), np.int64(4))],
    [{"x": 1.5, "y": True, "name": "a"}, {"x": 2.5, "y": False, "name": "b"}],
    [[1, 2.0], [3, 4.0]],
    [np.float32(1.0), np.float32(2.0)],
    [np.arange(3, dtype=np.int32), np.arange(3, dtype=np.int32)],
]


def _structure(batch):
    """Container types, shapes and dtypes of a collated batch, library-neutral."""
    if isinstance(batch, dict):
        return {k: _structure(v) for k, v in batch.items()}
    if isinstance(batch, list) and batch and not isinstance(batch[0], str):
        return [_structure(b) for b in batch]
    if isinstance(batch, list):
        return batch
    array = batch.numpy() if isinstance(batch, torch.Tensor) else batch.data
    return (str(array.dtype), array.shape, array.tolist())


@pytest.mark.parametrize("samples", SAMPLES)
def test_default_collate_matches_pytorch(samples):
    assert _structure(mdd.default_collate(samples)) == _structure(tud.default_collate(samples))
