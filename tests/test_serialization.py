"""md.save / md.load: safetensors checkpoints that round-trip exactly, write atomically and refuse
damaged files with an error naming the file."""

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import safetensors.numpy
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minidl as md

ROOT = Path(__file__).resolve().parents[1]


def _assert_same(a, b):
    """Equal values AND equal types, recursively (a dict key 0 is not a key '0')."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, md.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.data, b.data)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b) and [type(k) for k in a] == [type(k) for k in b]
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _assert_same(u, v)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b)
    else:
        assert a == b


def _model_and_optimizer():
    md.manual_seed(0)
    model = md.nn.Sequential(md.nn.Linear(4, 3), md.nn.ReLU(), md.nn.Linear(3, 2))
    opt = md.optim.Adam(model.parameters(), lr=1e-2, betas=(0.9, 0.99))
    x, y = md.randn(8, 4), md.tensor(np.arange(8) % 2)
    for _ in range(2):
        opt.zero_grad()
        md.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return model, opt


def test_training_checkpoint_round_trips_with_types_and_key_types(tmp_path):
    model, opt = _model_and_optimizer()
    sched = md.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    checkpoint = {
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),  # int keys in "state", tuples (betas) in param_groups
        "epoch": 7,
        "best": float("inf"),
        "history": {"loss": [0.9, 0.5], "val_loss": [float("nan"), 0.6]},
        "note": "ünïcode",
        "flags": (True, False, None),
        "rng": np.random.default_rng(3).bit_generator.state,
        "scheduler": sched.state_dict(),
        "scalars": [np.float32(0.25), np.int64(-3), np.bool_(True), np.float16(1.5), np.float64(2)],
        "arrays": {1: np.arange(3, dtype=np.int32), (2, "b"): np.zeros((0, 2)), np.int32(5): 0},
        "weights": md.tensor([1.0, 2.0], requires_grad=True),
    }
    path = tmp_path / "ckpt.safetensors"
    md.save(checkpoint, path)
    back = md.load(path)
    _assert_same(checkpoint, back)
    assert isinstance(back["model"], OrderedDict)
    assert isinstance(back["model"]["0.weight"], md.Tensor)  # Tensors come back as Tensors
    assert isinstance(back["arrays"][1], np.ndarray)  # arrays as arrays
    assert list(back["optimizer"]["state"]) == [0, 1, 2, 3]  # int keys stay int

    # what load returns goes straight back into the model and optimizer
    model2 = md.nn.Sequential(md.nn.Linear(4, 3), md.nn.ReLU(), md.nn.Linear(3, 2))
    opt2 = md.optim.Adam(model2.parameters(), lr=0.5)
    model2.load_state_dict(back["model"])
    opt2.load_state_dict(back["optimizer"])
    _assert_same(model.state_dict(), model2.state_dict())
    _assert_same(opt.state_dict(), opt2.state_dict())
    # and the restored generator state replays the same numbers
    g = np.random.default_rng()
    g.bit_generator.state = back["rng"]
    assert g.random() == np.random.default_rng(3).random()


_DTYPES = [np.bool_, np.int8, np.uint8, np.int32, np.int64, np.float16, np.float32, np.float64]


@given(
    array=st.sampled_from(_DTYPES).flatmap(
        lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    ),
    as_tensor=st.booleans(),
)
def test_every_dtype_and_shape_round_trips_bit_for_bit(tmp_path_factory, array, as_tensor):
    obj = md.from_numpy(array) if as_tensor and array.ndim else array
    path = tmp_path_factory.mktemp("rt") / "a.safetensors"
    md.save({"x": obj, "t": obj.T if array.ndim == 2 else obj}, path)
    back = md.load(path)
    _assert_same({"x": obj, "t": obj.T if array.ndim == 2 else obj}, back)
    data = back["x"].data if as_tensor and array.ndim else back["x"]
    assert data.tobytes() == array.tobytes()  # bit for bit (NaN payloads, -0.0)


def test_the_same_object_gives_the_same_bytes(tmp_path):
    obj = {"w": md.ones(2, 2), "b": np.zeros(3), "epoch": 1, "lr": 0.1}
    # safetensors keeps metadata in a hash map whose order varies between maps; save sorts it
    assert len({md.serialization.to_bytes(obj) for _ in range(20)}) == 1
    md.save(obj, tmp_path / "a")
    assert (tmp_path / "a").read_bytes() == md.serialization.to_bytes(obj)


def test_module_docstring_shows_the_real_bytes():
    import doctest

    result = doctest.testmod(md.serialization, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8 and result.failed == 0


def test_file_objects_work_like_paths():
    buffer = io.BytesIO()
    md.save({"w": md.ones(2, 3), "epoch": 4}, buffer)
    buffer.seek(0)
    back = md.load(buffer)
    assert back["epoch"] == 4 and back["w"].shape == (2, 3)
    damaged = io.BytesIO(buffer.getvalue()[:-3])
    with pytest.raises(ValueError, match="<BytesIO>' is truncated"):
        md.load(damaged)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),  # beyond int64: JSON keeps Python ints exact
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.sampled_from([np.float32(1.5), np.int8(-3), np.bool_(False), np.uint64(2**64 - 1)]),
)
_leaves = st.one_of(
    _scalars,
    hnp.arrays(np.float32, st.integers(0, 3)),
    hnp.arrays(np.int64, (2, 2)).map(md.from_numpy),
)
_keys = st.one_of(
    st.text(max_size=4), st.integers(-3, 3), st.tuples(st.integers(0, 2), st.text(max_size=2))
)
_trees = st.recursive(
    _leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(_keys, children, max_size=3),
        st.dictionaries(st.text(max_size=3), children, max_size=3).map(OrderedDict),
    ),
    max_leaves=12,
)


@given(tree=_trees)
def test_any_nested_tree_round_trips_with_its_types(tree):
    _assert_same(tree, md.serialization.from_bytes(md.serialization.to_bytes(tree)))


def test_a_flat_state_dict_is_stored_under_its_own_names(tmp_path):
    model, _ = _model_and_optimizer()
    path = tmp_path / "weights.safetensors"
    md.save(model.state_dict(), path)
    plain = safetensors.numpy.load_file(path)  # any safetensors reader sees PyTorch's names
    assert sorted(plain) == sorted(model.state_dict())
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(plain[k], v.data)


def test_colliding_dotted_paths_are_kept_apart(tmp_path):
    obj = {"a.b": md.tensor([1.0]), "a": {"b": md.tensor([2.0])}, "__metadata__": np.ones(1)}
    md.save(obj, tmp_path / "c.safetensors")
    _assert_same(obj, md.load(tmp_path / "c.safetensors"))


def test_load_reads_a_plain_safetensors_file_as_tensors(tmp_path):
    arrays = {"fc.weight": np.ones((2, 3), np.float32), "fc.bias": np.zeros(2, np.float32)}
    safetensors.numpy.save_file(arrays, tmp_path / "plain.safetensors")
    back = md.load(tmp_path / "plain.safetensors")
    assert set(back) == set(arrays) and all(isinstance(v, md.Tensor) for v in back.values())
    np.testing.assert_array_equal(back["fc.weight"].data, arrays["fc.weight"])


def test_load_refuses_complex_tensors_from_other_writers(tmp_path):
    safetensors.numpy.save_file({"c": np.ones(2, np.complex64)}, tmp_path / "c.safetensors")
    with pytest.raises(ValueError, match="c.safetensors' holds tensor 'c' of dtype complex64"):
        md.load(tmp_path / "c.safetensors")


def test_save_refuses_what_it_cannot_store_without_pickle(tmp_path):
    with pytest.raises(TypeError, match=r"save: cannot store object at obj\['a'\]\[0\]"):
        md.save({"a": [object()]}, tmp_path / "x")
    with pytest.raises(TypeError, match="dtype complex128"):
        md.save({"z": np.zeros(2, complex)}, tmp_path / "x")
    with pytest.raises(TypeError, match="dict key"):
        md.save({frozenset(): 1}, tmp_path / "x")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        md.save({}, tmp_path / "no" / "such" / "folder.safetensors")
    assert not (tmp_path / "x").exists()


# ---------------------------------------------------------------------------------------------------
# Fault cases: every damaged file is refused with a message naming it
# ---------------------------------------------------------------------------------------------------


def _small_checkpoint(path):
    md.save({"w": md.tensor([[1.0, 2.0]]), "step": 3, "name": "run"}, path)
    return path.read_bytes()


def _refusals(variants, name):
    """The error message for each damaged variant (md.load reads the file, then from_bytes)."""
    messages = []
    for raw in variants:
        try:
            md.serialization.from_bytes(raw, name)
        except ValueError as e:
            messages.append(str(e))
        else:
            messages.append(None)
    return messages


def test_truncation_at_every_length_is_refused(tmp_path):
    good = _small_checkpoint(tmp_path / "good.safetensors")
    messages = _refusals([good[:n] for n in range(len(good))], "cut.safetensors")
    assert all(m is not None and "'cut.safetensors'" in m for m in messages)
    (tmp_path / "cut.safetensors").write_bytes(good[: len(good) - 3])
    with pytest.raises(ValueError, match="cut.safetensors' is truncated"):
        md.load(tmp_path / "cut.safetensors")


@pytest.mark.parametrize("mask", [0x01, 0x80])
def test_a_flipped_bit_anywhere_is_refused(tmp_path, mask):
    good = _small_checkpoint(tmp_path / "good.safetensors")
    variants = []
    for i in range(len(good)):
        damaged = bytearray(good)
        damaged[i] ^= mask
        variants.append(bytes(damaged))
    messages = _refusals(variants, "flipped.safetensors")
    accepted = [i for i, m in enumerate(messages) if m is None]
    assert accepted == []  # not one byte of the file can change unnoticed
    assert all("'flipped.safetensors'" in m for m in messages)


@given(
    data=st.one_of(
        st.binary(max_size=64),
        st.builds(
            lambda h, tail: len(h).to_bytes(8, "little") + h + tail,
            st.recursive(
                st.one_of(st.none(), st.integers(), st.text(max_size=4)),
                lambda c: st.one_of(
                    st.lists(c, max_size=3), st.dictionaries(st.text(max_size=8), c)
                ),
            ).map(lambda tree: json.dumps({"a": tree}).encode()),
            st.binary(max_size=16),
        ),
    )
)
def test_garbage_is_always_a_value_error(data):
    with pytest.raises(ValueError, match="'fuzz'"):
        md.serialization.from_bytes(data, "fuzz")


@given(
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1, max_size=4)
)
def test_random_multi_byte_damage_is_refused(edits):
    good = md.serialization.to_bytes({"w": md.ones(3), "step": 2, "tag": "x"})
    damaged = bytearray(good)
    for position, mask in edits:
        damaged[position % len(good)] ^= mask
    if bytes(damaged) == good:  # two edits cancelled out
        return
    with pytest.raises(ValueError, match="'damaged'"):
        md.serialization.from_bytes(bytes(damaged), "damaged")


def test_a_flipped_data_byte_fails_the_checksum(tmp_path):
    good = bytearray(_small_checkpoint(tmp_path / "c.safetensors"))
    good[-1] ^= 0x01  # inside the float data: the header still parses
    (tmp_path / "c.safetensors").write_bytes(bytes(good))
    with pytest.raises(ValueError, match=r"c.safetensors' failed its SHA-256 check"):
        md.load(tmp_path / "c.safetensors")


def test_wrong_format_version_and_foreign_files(tmp_path):
    def write_with_meta(name, **changes):
        meta = {
            "minidl.format": "minidl-checkpoint",
            "minidl.version": "1",
            "minidl.tree": "{}",
            "minidl.sha256": "0",
            **changes,
        }
        safetensors.numpy.save_file({"a": np.zeros(1)}, tmp_path / name, metadata=meta)
        return tmp_path / name

    with pytest.raises(ValueError, match="'.*fmt' has format 'keras'"):
        md.load(write_with_meta("fmt", **{"minidl.format": "keras"}))
    with pytest.raises(ValueError, match="version '2'; this minidl reads version 1"):
        md.load(write_with_meta("ver", **{"minidl.version": "2"}))
    partial = tmp_path / "partial"
    safetensors.numpy.save_file({"a": np.zeros(1)}, partial, metadata={"minidl.tree": "{}"})
    with pytest.raises(ValueError, match="partial' is damaged: its metadata lacks"):
        md.load(partial)
    (tmp_path / "pickle.pt").write_bytes(b"\x80\x04\x95" + b"\x00" * 20)
    with pytest.raises(ValueError, match="pickle.pt' looks like a pickle.*never unpickles"):
        md.load(tmp_path / "pickle.pt")
    (tmp_path / "zip.pt").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(ValueError, match="zip.pt' looks like a pickle or torch.save zip"):
        md.load(tmp_path / "zip.pt")
    (tmp_path / "notes.json").write_text(json.dumps({"epoch": 3}))
    with pytest.raises(ValueError, match="notes.json"):
        md.load(tmp_path / "notes.json")
    with pytest.raises(FileNotFoundError, match="missing.safetensors"):
        md.load(tmp_path / "missing.safetensors")
    with pytest.raises(ValueError, match="is a folder"):
        md.load(tmp_path)
    with pytest.raises(ValueError, match="map_location"):
        md.load(write_with_meta("x"), map_location="cuda:0")


# ---------------------------------------------------------------------------------------------------
# Atomic writes
# ---------------------------------------------------------------------------------------------------


def test_a_writer_killed_mid_save_leaves_the_previous_file_intact(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    script = textwrap.dedent(
        f"""
        import os, signal
        import numpy as np
        import minidl as md

        path = {str(path)!r}
        md.save({{"epoch": 1, "w": np.arange(1000.0)}}, path)

        def die_half_written(fd):  # the new bytes are half on disk, then the process is killed
            os.ftruncate(fd, os.fstat(fd).st_size // 2)
            os.kill(os.getpid(), signal.SIGKILL)

        os.fsync = die_half_written
        md.save({{"epoch": 2, "w": np.zeros(1000)}}, path)
        print("not reached")
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "not reached" not in proc.stdout
    back = md.load(path)
    assert back["epoch"] == 1
    np.testing.assert_array_equal(back["w"], np.arange(1000.0))


def test_a_failed_save_removes_its_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    md.save({"epoch": 1}, path)

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        md.save({"epoch": 2}, path)
    monkeypatch.undo()
    assert md.load(path) == {"epoch": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.safetensors"]
    assert (path.stat().st_mode & 0o777) == 0o666 & ~_umask()


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
