"""md.save / md.load against PyTorch (skipped without torch): a minidl state dict saved with md.save
loads through safetensors.torch.load_file into the same PyTorch architecture, and a file written by
safetensors.torch.save_file loads into minidl through md.load."""

import numpy as np
import pytest

import minidl as md

torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")
pytestmark = pytest.mark.torch


def _pair():
    """The same small CNN in both libraries (PyTorch's parameter and buffer names)."""
    ours = md.nn.Sequential(
        md.nn.Conv2d(1, 4, 3),
        md.nn.BatchNorm2d(4),
        md.nn.ReLU(),
        md.nn.Flatten(),
        md.nn.Linear(4 * 6 * 6, 3),
    )
    ref = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3),
        torch.nn.BatchNorm2d(4),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(4 * 6 * 6, 3),
    )
    return ours, ref


def test_minidl_checkpoint_loads_into_pytorch(tmp_path):
    md.manual_seed(0)
    ours, ref = _pair()
    ours.train()
    ours(md.randn(5, 1, 8, 8))  # move the BatchNorm running statistics off their initial values
    path = tmp_path / "ours.safetensors"
    md.save(ours.state_dict(), path)

    state = safetensors_torch.load_file(path)
    assert set(state) == set(ref.state_dict())
    assert state["1.num_batches_tracked"].dtype == torch.int64
    ref.load_state_dict(state)  # strict: every name and shape matches
    ours.eval()
    ref.eval()
    x = np.random.default_rng(1).standard_normal((2, 1, 8, 8)).astype(np.float32)
    np.testing.assert_allclose(
        ours(md.tensor(x)).data, ref(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )


def test_pytorch_safetensors_file_loads_into_minidl(tmp_path):
    torch.manual_seed(0)
    ours, ref = _pair()
    ref.train()
    ref(torch.randn(5, 1, 8, 8))
    path = tmp_path / "ref.safetensors"
    safetensors_torch.save_file(ref.state_dict(), path)

    state = md.load(path)
    assert all(isinstance(v, md.Tensor) for v in state.values())
    ours.load_state_dict(state)
    for k, v in ref.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[k].data, v.numpy())
    ours.eval()
    ref.eval()
    x = np.random.default_rng(2).standard_normal((2, 1, 8, 8)).astype(np.float32)
    np.testing.assert_allclose(
        ours(md.tensor(x)).data, ref(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    "dtype", [torch.bool, torch.int64, torch.float16, torch.float32, torch.float64]
)
def test_dtypes_cross_both_ways(tmp_path, dtype):
    t = (torch.arange(6).reshape(2, 3) % 2).to(dtype)
    safetensors_torch.save_file({"t": t}, tmp_path / "t.safetensors")
    back = md.load(tmp_path / "t.safetensors")["t"]
    np.testing.assert_array_equal(back.data, t.numpy())
    assert back.dtype == t.numpy().dtype
    md.save({"t": back}, tmp_path / "m.safetensors")
    again = safetensors_torch.load_file(tmp_path / "m.safetensors")["t"]
    assert again.dtype == dtype and torch.equal(again, t)


def test_a_bfloat16_file_is_refused_with_a_way_out(tmp_path):
    safetensors_torch.save_file({"w": torch.ones(2, dtype=torch.bfloat16)}, tmp_path / "bf.st")
    with pytest.raises(ValueError, match=r"bf.st' holds tensor 'w' of dtype BF16.*\.float\(\)"):
        md.load(tmp_path / "bf.st")
