"""Against PyTorch itself (skipped without torch): Trainer.fit is PyTorch's own training loop,
and ModelCheckpoint's weights-only files load into the same architecture in PyTorch."""

import numpy as np
import pytest

import minidl as md
from minidl import nn
from minidl.train import ModelCheckpoint, Trainer

torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")
pytestmark = pytest.mark.torch


def data():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 70)
    return (rng.standard_normal((70, 5)) + y[:, None]).astype(np.float32), y


def test_fit_matches_a_pytorch_loop_over_the_same_batches():
    """Same initial weights, same batch order (the trainer's seeded permutations), Adam: the
    weights after 3 epochs agree with PyTorch's to float32 rounding, and so does the History
    loss with PyTorch's per-batch losses averaged by batch size (Keras's epoch loss)."""
    x, y = data()
    md.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3))
    tmodel = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    tmodel.load_state_dict(
        {k: torch.from_numpy(v.data.copy()) for k, v in model.state_dict().items()}
    )
    trainer = Trainer(
        model, nn.CrossEntropyLoss(), md.optim.Adam(model.parameters(), lr=0.01), generator=4
    )
    h = trainer.fit(x, y, batch_size=16, epochs=3, verbose=0)

    opt = torch.optim.Adam(tmodel.parameters(), lr=0.01)
    rng = np.random.default_rng(4)
    epoch_losses = []
    for _ in range(3):
        order, total = rng.permutation(len(x)), 0.0
        for s in range(0, len(x), 16):
            idx = order[s : s + 16]
            loss = torch.nn.functional.cross_entropy(
                tmodel(torch.from_numpy(x[idx])), torch.from_numpy(y[idx])
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        epoch_losses.append(total / len(x))
    assert h.history["loss"] == pytest.approx(epoch_losses, rel=1e-5)
    for name, value in model.state_dict().items():
        np.testing.assert_allclose(
            value.data, tmodel.state_dict()[name].numpy(), rtol=1e-4, atol=1e-5
        )


def test_weights_only_checkpoint_loads_in_pytorch(tmp_path):
    x, y = data()
    md.manual_seed(1)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))
    trainer = Trainer(model, nn.CrossEntropyLoss(), md.optim.SGD(model.parameters(), lr=0.1))
    cb = ModelCheckpoint(str(tmp_path / "w{epoch}.safetensors"), save_weights_only=True)
    trainer.fit(x, y, epochs=2, verbose=0, callbacks=[cb])
    tmodel = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    tmodel.load_state_dict(safetensors_torch.load_file(str(tmp_path / "w2.safetensors")))
    with torch.no_grad():
        out = tmodel(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(out, trainer.predict(x), rtol=1e-5, atol=1e-6)
