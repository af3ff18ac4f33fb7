"""Bundled data sets shaped for training, MNIST's IDX reader/writer, and scikit-learn interop."""

import gzip

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minidl as md
from minidl.data import DataLoader, TensorDataset, datasets
from minidl.data.datasets import read_idx, write_idx
from minidl.data.idx import parse_idx

sklearn_datasets = pytest.importorskip("sklearn.datasets")


def test_load_digits_image_and_flat_shapes():
    X, y = datasets.load_digits()
    assert X.shape == (1797, 1, 8, 8) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    raw = sklearn_datasets.load_digits()
    np.testing.assert_allclose(X.reshape(1797, 64) * 16, raw.data)
    np.testing.assert_array_equal(y, raw.target)
    Xf, yf = datasets.load_digits(flat=True)
    assert Xf.shape == (1797, 64)
    np.testing.assert_array_equal(Xf, X.reshape(1797, 64))


@pytest.mark.parametrize(
    "name, shape, n_classes",
    [("iris", (150, 4), 3), ("wine", (178, 13), 3), ("breast_cancer", (569, 30), 2)],
)
def test_classification_sets(name, shape, n_classes):
    X, y = getattr(datasets, f"load_{name}")()
    raw_X, raw_y = getattr(sklearn_datasets, f"load_{name}")(return_X_y=True)
    assert X.shape == shape and X.dtype == np.float32 and y.dtype == np.int64
    assert sorted(set(y.tolist())) == list(range(n_classes))
    np.testing.assert_allclose(X, raw_X, rtol=1e-6)
    np.testing.assert_array_equal(y, raw_y)


def test_diabetes_target_is_a_column_and_dtype_option():
    X, y = datasets.load_diabetes()
    assert X.shape == (442, 10) and y.shape == (442, 1) and y.dtype == np.float32
    X64, y64 = datasets.load_diabetes(dtype=np.float64)
    assert X64.dtype == y64.dtype == np.float64
    np.testing.assert_array_equal(y64[:, 0], sklearn_datasets.load_diabetes().target)
    with pytest.raises(TypeError, match="load_diabetes: argument `dtype`"):
        datasets.load_diabetes(dtype=np.int32)


def test_as_dataset_returns_a_tensor_dataset():
    ds = datasets.load_iris(as_dataset=True)
    assert isinstance(ds, TensorDataset) and len(ds) == 150
    x0, y0 = ds[0]
    assert x0.shape == (4,) and y0.dtype == np.int64


def test_scikit_learn_preprocessing_and_split_flow_into_a_loader():
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = datasets.load_wine()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_tr)
    ds = TensorDataset(scaler.transform(X_tr), y_tr)
    loader = DataLoader(ds, batch_size=16, shuffle=True, generator=0)
    xb, yb = next(iter(loader))
    assert xb.shape == (16, 13) and yb.dtype == np.int64
    assert xb.dtype == np.float32  # StandardScaler keeps float32, and so does the loader
    whole = np.concatenate([b[0].data for b in DataLoader(ds, batch_size=50)])
    np.testing.assert_allclose(whole.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(whole.std(axis=0), 1, atol=1e-3)
    assert len(TensorDataset(X_te, y_te)) == len(y_te)
    # a model consumes the batch directly
    model = md.nn.Linear(13, 3)
    assert model(xb).shape == (16, 3)


def test_scikit_learn_sparse_output_is_refused_with_a_hint():
    from sklearn.preprocessing import OneHotEncoder

    _, y = datasets.load_iris()
    onehot = OneHotEncoder().fit_transform(y.reshape(-1, 1))  # a scipy sparse matrix
    with pytest.raises(TypeError, match=r"TensorDataset: argument 0 is a scipy sparse.*toarray"):
        TensorDataset(onehot, y)
    assert TensorDataset(onehot.toarray(), y)[0][0].shape == (3,)


# ---------------------------------------------------------------------------------------------------
# IDX
# ---------------------------------------------------------------------------------------------------

_IDX_DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


@given(
    array=st.sampled_from(_IDX_DTYPES).flatmap(
        lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5))
    ),
    gz=st.booleans(),
)
def test_idx_round_trip(tmp_path_factory, array, gz):
    path = tmp_path_factory.mktemp("idx") / ("a.idx.gz" if gz else "a.idx")
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_idx_bytes_follow_the_mnist_layout(tmp_path):
    labels = np.array([5, 0, 4], dtype=np.uint8)
    write_idx(tmp_path / "labels", labels)
    assert (tmp_path / "labels").read_bytes() == bytes(
        [0, 0, 0x08, 1, 0, 0, 0, 3, 5, 0, 4]
    )  # magic 0x00000801, size 3 big-endian, data
    # an MNIST-like images file written by hand: int16 values are big-endian on disk
    images = np.array([[[1, -2], [300, 4]]], dtype=np.int16)
    raw = bytes([0, 0, 0x0B, 3]) + b"\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x02"
    raw += images.astype(">i2").tobytes()
    (tmp_path / "images.gz").write_bytes(gzip.compress(raw))
    np.testing.assert_array_equal(read_idx(tmp_path / "images.gz"), images)


@given(
    raw=st.one_of(
        st.binary(max_size=40),
        st.builds(  # a valid-looking magic number, then anything
            lambda code, ndim, rest: bytes([0, 0, code, ndim]) + rest,
            st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E]),
            st.integers(0, 255),
            st.binary(max_size=40),
        ),
    )
)
def test_idx_garbage_is_a_value_error_or_a_consistent_array(raw):
    try:
        a = parse_idx(raw, "fuzz.idx")
    except ValueError as e:
        assert "'fuzz.idx'" in str(e)
    else:  # the bytes happened to be a valid IDX file: then they describe exactly this array
        assert len(raw) == 4 + 4 * a.ndim + a.nbytes


def test_idx_validation_names_the_file(tmp_path):
    good = tmp_path / "good.idx"
    write_idx(good, np.arange(12, dtype=np.uint8).reshape(3, 4))
    raw = good.read_bytes()
    cases = {
        "magic.idx": (b"\x01" + raw[1:], "not an IDX file"),
        "code.idx": (raw[:2] + b"\x07" + raw[3:], "not an IDX file"),
        "short.idx": (raw[:3], "too short"),
        "header.idx": (raw[:7], "truncated"),
        "body.idx": (raw[:-1], "truncated"),
        "long.idx": (raw + b"\x00", "trailing bytes"),
        "gz.idx": (gzip.compress(raw)[:-5], "damaged gzip"),
        "nodims.idx": (raw[:3] + b"\x00", "0 dimensions"),
        "huge.idx": (raw[:3] + b"\x03" + b"\xff" * 12, "truncated"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ValueError, match=message) as info:
            read_idx(path)
        assert name in str(info.value)
    with pytest.raises(FileNotFoundError, match="missing.idx"):
        read_idx(tmp_path / "missing.idx")
    with pytest.raises(TypeError, match="write_idx.*int64"):
        write_idx(tmp_path / "x.idx", np.zeros(3, dtype=np.int64))
    with pytest.raises(ValueError, match="write_idx.*dimensions"):
        write_idx(tmp_path / "x.idx", np.uint8(3))


def test_load_mnist_reads_the_standard_files_from_a_folder(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", labels)
    X, y = datasets.load_mnist(tmp_path, train=False)
    assert X.shape == (5, 1, 28, 28) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(X[:, 0] * 255, images, atol=1e-4)
    np.testing.assert_array_equal(y, labels)
    assert len(datasets.load_mnist(tmp_path, train=False, as_dataset=True)) == 5
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.*does not download"):
        datasets.load_mnist(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", labels[:4])
    with pytest.raises(ValueError, match="5 images but 4 labels"):
        datasets.load_mnist(tmp_path, train=False)
