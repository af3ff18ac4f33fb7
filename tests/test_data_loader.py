"""Datasets, samplers, collation and DataLoader: PyTorch's torch.utils.data semantics."""

import warnings
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minidl as md
from minidl.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    TransformDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    random_split,
)


def _xy(n=10, d=3):
    X = np.arange(n * d, dtype=np.float32).reshape(n, d)
    y = np.arange(n, dtype=np.int64) % 3
    return X, y


class ListDataset(Dataset):
    """Samples fetched one at a time (no batch shortcut): exercises the collate path."""

    def __init__(self, samples):
        self.samples = samples

    def __getitem__(self, i):
        return self.samples[i]

    def __len__(self):
        return len(self.samples)


# ---------------------------------------------------------------------------------------------------
# TensorDataset, Subset, ConcatDataset, random_split
# ---------------------------------------------------------------------------------------------------


def test_tensor_dataset_rows_and_dtypes():
    X, y = _xy()
    ds = TensorDataset(X, md.from_numpy(y))
    assert len(ds) == 10
    x3, y3 = ds[3]
    assert isinstance(x3, md.Tensor) and isinstance(y3, md.Tensor)
    np.testing.assert_array_equal(x3.data, X[3])
    assert y3.item() == y[3] and y3.dtype == np.int64
    assert ds[-1][0].data.tolist() == X[-1].tolist()
    # float64 stays float64, as torch.from_numpy would keep it
    assert TensorDataset(X.astype(np.float64))[0][0].dtype == np.float64


def test_tensor_dataset_rejects_unequal_first_dims_naming_shapes():
    with pytest.raises(ValueError, match=r"TensorDataset.*\(10, 3\).*\(9,\)"):
        TensorDataset(np.zeros((10, 3)), np.zeros(9))
    with pytest.raises(ValueError, match="TensorDataset: expected at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(np.float32(1.0))
    with pytest.raises(TypeError, match="TensorDataset"):
        TensorDataset(np.array(["a", "b"]))


def test_subset_and_concat_index_like_pytorch():
    X, y = _xy()
    ds = TensorDataset(X, y)
    sub = Subset(ds, [7, 2, 5])
    assert len(sub) == 3
    np.testing.assert_array_equal(sub[1][0].data, X[2])
    cat = ConcatDataset([sub, ds])
    assert len(cat) == 13 and cat.cumulative_sizes == [3, 13]
    np.testing.assert_array_equal(cat[2][0].data, X[5])
    np.testing.assert_array_equal(cat[3][0].data, X[0])
    np.testing.assert_array_equal(cat[-1][0].data, X[9])
    with pytest.raises(IndexError):
        cat[13]
    assert len(ds + ds) == 20


@given(n=st.integers(1, 200), fracs=st.lists(st.integers(1, 10), min_size=1, max_size=5))
def test_random_split_fractions_follow_pytorchs_rounding(n, fracs):
    total = sum(fracs)
    fractions = [f / total for f in fracs]
    fractions[-1] = 1 - sum(fractions[:-1])  # sum exactly 1 (up to rounding)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty splits warn; that is tested below
        parts = random_split(range(n), fractions, generator=0)
    # floor(n * f) each, then the remainder handed out round robin from the first split
    expected = [int(np.floor(n * f)) for f in fractions]
    for i in range(n - sum(expected)):
        expected[i % len(expected)] += 1
    assert [len(p) for p in parts] == expected
    everything = sorted(i for p in parts for i in p.indices)
    assert everything == list(range(n))  # disjoint and complete


def test_random_split_lengths_seeded_and_validated():
    a = random_split(range(10), [7, 3], generator=123)
    b = random_split(range(10), [7, 3], generator=np.random.default_rng(123))
    assert [p.indices for p in a] == [p.indices for p in b]
    assert a[0].indices == np.random.default_rng(123).permutation(10)[:7].tolist()
    md.manual_seed(5)
    c = random_split(range(10), [7, 3])
    md.manual_seed(5)
    d = random_split(range(10), [7, 3])
    assert [p.indices for p in c] == [p.indices for p in d]
    e = random_split(range(10), np.array([0.7, 0.3]), generator=123)  # arrays work like lists
    assert [p.indices for p in e] == [p.indices for p in a]
    with pytest.raises(ValueError, match="does not equal the length"):
        random_split(range(10), [5, 4])
    with pytest.raises(ValueError, match="random_split"):
        random_split(range(10), [1.5, -0.5])
    with pytest.raises(ValueError, match="float sum is 1.0000000000000002, over 1 by rounding"):
        random_split(range(10), [0.08, 0.2, 0.32, 0.32, 0.08])  # as PyTorch, refused
    with pytest.warns(UserWarning, match="empty"):
        random_split(range(2), [0.5, 0.5, 0.0])


# ---------------------------------------------------------------------------------------------------
# Samplers
# ---------------------------------------------------------------------------------------------------


def test_sequential_and_batch_sampler():
    assert list(SequentialSampler(range(5))) == [0, 1, 2, 3, 4]
    bs = BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False)
    assert list(bs) == [[0, 1, 2], [3, 4, 5], [6]] and len(bs) == 3
    bs = BatchSampler(range(7), batch_size=3, drop_last=True)
    assert list(bs) == [[0, 1, 2], [3, 4, 5]] and len(bs) == 2
    with pytest.raises(ValueError, match="BatchSampler: argument `batch_size`"):
        BatchSampler(range(7), batch_size=0, drop_last=False)


def test_random_sampler_permutations_and_num_samples():
    s = RandomSampler(range(10), generator=0)
    first, second = list(s), list(s)
    assert sorted(first) == list(range(10)) and sorted(second) == list(range(10))
    assert first != second  # a new permutation each pass
    assert list(RandomSampler(range(10), generator=0)) == first  # same seed, same order
    # more samples than data: whole permutations, the last cut short
    long = list(RandomSampler(range(4), num_samples=10, generator=1))
    assert len(long) == 10
    assert sorted(long[:4]) == sorted(long[4:8]) == [0, 1, 2, 3]
    assert len(set(long[8:])) == 2
    rep = RandomSampler(range(3), replacement=True, num_samples=300, generator=2)
    draws = np.array(list(rep))
    assert len(draws) == 300 and set(draws) == {0, 1, 2}
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="replacement"):
        RandomSampler(range(3), replacement=1)


def test_random_sampler_without_generator_uses_manual_seed_stream_at_iteration_time():
    s = RandomSampler(range(20))
    assert s.generator is None
    md.manual_seed(7)
    a = list(s)
    md.manual_seed(7)  # reseeding after construction still takes effect
    assert list(s) == a
    assert a == np.random.default_rng(7).permutation(20).tolist()


def test_subset_random_sampler():
    s = SubsetRandomSampler([10, 20, 30], generator=0)
    assert sorted(s) == [10, 20, 30] and len(s) == 3


def test_weighted_random_sampler_frequencies_match_weights():
    w = np.array([1.0, 3.0, 0.0, 6.0])
    draws = np.array(list(WeightedRandomSampler(w, 20000, generator=0)))
    freq = np.bincount(draws, minlength=4) / len(draws)
    p = w / w.sum()
    # binomial standard error sqrt(p(1-p)/n) <= 0.0036; 5 sigma
    np.testing.assert_allclose(freq, p, atol=0.018)
    assert freq[2] == 0
    no_rep = list(WeightedRandomSampler(w, 3, replacement=False, generator=0))
    assert sorted(no_rep) == [0, 1, 3]
    with pytest.raises(ValueError, match="cannot exceed"):
        WeightedRandomSampler(w, 4, replacement=False)
    with pytest.raises(ValueError, match="non-negative"):
        WeightedRandomSampler([1.0, -1.0], 2)
    with pytest.raises(ValueError, match="num_samples"):
        WeightedRandomSampler(w, 0)


# ---------------------------------------------------------------------------------------------------
# default_collate
# ---------------------------------------------------------------------------------------------------


def test_default_collate_rules():
    arrays = [np.full((2, 2), i, dtype=np.float64) for i in range(3)]
    out = default_collate(arrays)
    assert isinstance(out, md.Tensor) and out.shape == (3, 2, 2) and out.dtype == np.float64
    assert default_collate([1, 2, 3]).dtype == np.int64
    assert default_collate([1.5, 2.5]).dtype == np.float64  # PyTorch: Python floats -> float64
    assert default_collate([True, False]).dtype == np.bool_
    assert default_collate([np.float32(1), np.float32(2)]).dtype == np.float32
    assert default_collate(["a", "b"]) == ["a", "b"]
    tensors = default_collate([md.tensor([1.0, 2.0]), md.tensor([3.0, 4.0])])
    np.testing.assert_array_equal(tensors.data, [[1, 2], [3, 4]])
    pairs = default_collate([(np.zeros(3, np.float32), 1), (np.ones(3, np.float32), 0)])
    assert isinstance(pairs, list) and pairs[0].shape == (2, 3) and pairs[1].data.tolist() == [1, 0]
    dicts = default_collate([{"x": np.zeros(2), "y": 1}, {"x": np.ones(2), "y": 2}])
    assert set(dicts) == {"x", "y"} and dicts["x"].shape == (2, 2)
    P = namedtuple("P", "a b")
    nt = default_collate([P(1, 2.0), P(3, 4.0)])
    assert isinstance(nt, P) and nt.a.data.tolist() == [1, 3]
    with pytest.raises(ValueError, match="same number of fields"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(ValueError, match="one shape"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(TypeError, match="default_collate"):
        default_collate([object()])


# ---------------------------------------------------------------------------------------------------
# DataLoader
# ---------------------------------------------------------------------------------------------------


@given(n=st.integers(1, 40), batch_size=st.integers(1, 12), drop_last=st.booleans())
def test_loader_len_and_batches_cover_the_data_in_order(n, batch_size, drop_last):
    X, y = _xy(n)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    expected_len = n // batch_size if drop_last else -(-n // batch_size)
    assert len(loader) == len(batches) == expected_len
    if batches:
        seen = np.concatenate([xb.data for xb, _ in batches])
        np.testing.assert_array_equal(seen, X[: len(seen)])
        assert all(yb.dtype == np.int64 and xb.dtype == np.float32 for xb, yb in batches)
        if drop_last:
            assert all(len(yb) == batch_size for _, yb in batches)


@given(n=st.integers(1, 40), batch_size=st.integers(1, 12), seed=st.integers(0, 2**32 - 1))
def test_a_shuffled_epoch_visits_every_sample_exactly_once(n, batch_size, seed):
    X, y = _xy(n)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, generator=seed)
    for _ in range(2):
        batches = list(loader)
        rows = np.concatenate([xb.data for xb, _ in batches])
        labels = np.concatenate([yb.data for _, yb in batches])
        order = (rows[:, 0] // 3).astype(int)  # row i of X starts with 3 * i
        assert sorted(order.tolist()) == list(range(n))
        np.testing.assert_array_equal(rows, X[order])
        np.testing.assert_array_equal(labels, y[order])  # x and y stay paired


def test_batch_shortcut_equals_sample_by_sample_collation():
    X, y = _xy(11)
    fast = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True, generator=3)
    slow = DataLoader(
        ListDataset([(X[i], y[i]) for i in range(11)]), batch_size=4, shuffle=True, generator=3
    )
    via_subset = DataLoader(
        Subset(TensorDataset(X, y), list(range(11))), batch_size=4, shuffle=True, generator=3
    )
    for (a, b), (c, d), (e, f) in zip(fast, slow, via_subset, strict=True):
        for u, v in ((a, c), (b, d), (a, e), (b, f)):
            assert u.dtype == v.dtype and u.shape == v.shape
            np.testing.assert_array_equal(u.data, v.data)


def test_loader_is_reiterable_and_seeded():
    X, y = _xy(20)
    ds = TensorDataset(X, y)

    def epochs(loader, k=3):
        return [[yb.data.tolist() for _, yb in loader] for _ in range(k)]

    a = epochs(DataLoader(ds, batch_size=6, shuffle=True, generator=0))
    b = epochs(DataLoader(ds, batch_size=6, shuffle=True, generator=np.random.default_rng(0)))
    assert a == b  # an int seed and a Generator seeded the same give the same batches
    assert a[0] != a[1]  # each epoch a new permutation
    order = np.concatenate([xb.data[:, 0] for xb, _ in DataLoader(ds, 20, True, generator=0)])
    assert sorted(order.tolist()) == sorted(X[:, 0].tolist())


def test_loader_generator_state_can_be_checkpointed_and_restored():
    X, y = _xy(20)
    loader = DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True, generator=42)
    assert loader.sampler.generator is loader.generator
    list(loader)  # epoch 1
    state = loader.generator.bit_generator.state
    epoch2 = [yb.data.tolist() for _, yb in loader]
    fresh = DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True, generator=0)
    fresh.generator.bit_generator.state = state
    assert [yb.data.tolist() for _, yb in fresh] == epoch2


def test_loader_without_generator_follows_manual_seed():
    X, y = _xy(30)
    loader = DataLoader(TensorDataset(X, y), batch_size=30, shuffle=True)
    assert loader.generator is None
    md.manual_seed(1)
    a = next(iter(loader))[1].data.tolist()
    md.manual_seed(1)
    b = next(iter(loader))[1].data.tolist()
    md.manual_seed(2)
    c = next(iter(loader))[1].data.tolist()
    assert a == b and a != c


def test_loader_with_sampler_batch_sampler_and_custom_collate():
    X, y = _xy(10)
    ds = TensorDataset(X, y)
    loader = DataLoader(ds, batch_size=2, sampler=[9, 8, 7])
    assert [yb.data.tolist() for _, yb in loader] == [[y[9], y[8]], [y[7]]]
    loader = DataLoader(ds, batch_sampler=[[0, 1, 2], [5]])
    assert len(loader) == 2 and [len(yb) for _, yb in loader] == [3, 1]
    assert len(DataLoader(ds, batch_size=3, shuffle=None)) == 4  # PyTorch's default: no shuffle
    loader = DataLoader(ds, batch_size=4, collate_fn=lambda samples: len(samples))
    assert list(loader) == [4, 4, 2]
    singles = list(DataLoader(ListDataset([np.zeros(2), np.ones(2)]), batch_size=None))
    assert len(singles) == 2 and isinstance(singles[0], md.Tensor) and singles[0].shape == (2,)
    # batch_size=None: PyTorch's default_convert, so a (x, y) sample comes back as a list
    x0, y0 = next(iter(DataLoader(ds, batch_size=None)))
    assert x0.shape == (3,) and y0.shape == ()
    assert isinstance(next(iter(DataLoader(ds, batch_size=None))), list)
    converted = default_convert({"a": (np.zeros(1), "s", 3), "b": np.float32(2)})
    assert isinstance(converted["a"], list) and isinstance(converted["a"][0], md.Tensor)
    assert converted["a"][1:] == ["s", 3] and converted["b"].dtype == np.float32


def test_loader_weighted_sampler_balances_classes():
    y = np.array([0] * 90 + [1] * 10)
    weights = 1.0 / np.bincount(y)[y]
    sampler = WeightedRandomSampler(weights, num_samples=4000, generator=0)
    loader = DataLoader(TensorDataset(np.zeros((100, 1), np.float32), y), 100, sampler=sampler)
    labels = np.concatenate([yb.data for _, yb in loader])
    assert abs(labels.mean() - 0.5) < 0.04  # 5 sigma of a fair coin over 4000 draws


def test_loader_bad_arguments():
    ds = TensorDataset(*_xy())
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler"):
        DataLoader(ds, batch_sampler=[[0]], batch_size=4)
    with pytest.raises(ValueError, match="DataLoader: argument `batch_size`"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(TypeError, match="DataLoader: argument `dataset`"):
        DataLoader(42)
    with pytest.raises(TypeError, match="generator"):
        DataLoader(ds, shuffle=True, generator="seed")
    with pytest.raises(TypeError, match="collate_fn"):
        DataLoader(ds, collate_fn=3)


def test_transform_dataset_reapplies_the_transform_every_fetch():
    X, y = _xy(4)
    rng = np.random.default_rng(0)
    ds = TransformDataset(
        TensorDataset(X, y),
        transform=lambda x: x + rng.normal(),
        target_transform=lambda t: t * 10,
    )
    (x1, y1), (x2, y2) = ds[1], ds[1]
    assert not np.array_equal(x1.data, x2.data)  # new noise each fetch
    assert y1.item() == y2.item() == y[1] * 10
    batch = next(iter(DataLoader(ds, batch_size=4)))
    assert batch[0].shape == (4, 3)
    plain = TransformDataset(ListDataset([np.zeros(2)]), transform=lambda a: a + 1)
    assert plain[0].tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="TransformDataset"):
        TransformDataset(ds, transform=5)


def test_torch_style_import_path():
    import minidl.utils.data as tud
    from minidl.utils.data import DataLoader as DL
    from minidl.utils.data import TensorDataset as TD

    assert DL is DataLoader and TD is TensorDataset
    assert md.utils.data is tud and md.data.transforms.Normalize is not None
    assert set(tud.__all__) >= {"DataLoader", "Dataset", "random_split", "WeightedRandomSampler"}


def test_collating_tensors_that_require_grad_keeps_the_graph():
    w = md.tensor([1.0, 2.0], requires_grad=True)
    batch = default_collate([w * 2, w * 3])
    assert batch.requires_grad and batch.shape == (2, 2)
    batch.sum().backward()
    np.testing.assert_array_equal(np.asarray(getattr(w.grad, "data", w.grad)), [5, 5])


def test_rng_state_of_a_whole_pipeline_round_trips_through_a_checkpoint(tmp_path):
    from minidl.data import generators, get_rng_state, set_rng_state
    from minidl.data.transforms import Compose, GaussianNoise, RandomHorizontalFlip

    def pipeline():
        X = np.random.default_rng(0).random((12, 1, 2, 2)).astype(np.float32)
        tf = Compose([RandomHorizontalFlip(generator=1), GaussianNoise(0.1, generator=2)])
        ds = TransformDataset(TensorDataset(X, np.arange(12)), transform=tf)
        return DataLoader(ds, batch_size=4, shuffle=True, generator=3)

    def epoch(loader):
        return [(xb.data.copy(), yb.data.copy()) for xb, yb in loader]

    loader = pipeline()
    gens = generators(loader)
    assert len(gens) == 3 and any(g is loader.generator for g in gens)  # shuffle, flip, noise
    epoch(loader)
    md.save({"data_rng": get_rng_state(loader)}, tmp_path / "rng.safetensors")
    expected = epoch(loader)
    fresh = pipeline()
    set_rng_state(fresh, md.load(tmp_path / "rng.safetensors")["data_rng"])
    for (a, b), (c, d) in zip(epoch(fresh), expected, strict=True):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
    with pytest.raises(ValueError, match="set_rng_state: expected 3"):
        set_rng_state(fresh, [])
