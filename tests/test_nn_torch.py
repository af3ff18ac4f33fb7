"""Live comparison with PyTorch (skipped without torch): a state dict moves between the two libraries
one to one, and the same weights give the same outputs and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import minidl as md
import minidl.nn.functional as F
from minidl import nn

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
tnn = torch.nn


def lenet(lib):
    return lib.Sequential(
        lib.Conv2d(1, 6, 5, padding=2), lib.ReLU(), lib.MaxPool2d(2),
        lib.Conv2d(6, 16, 5), lib.BatchNorm2d(16), lib.ReLU(), lib.MaxPool2d(2), lib.Flatten(),
        lib.Linear(16 * 5 * 5, 120), lib.ReLU(), lib.Linear(120, 84), lib.GELU(), lib.Linear(84, 10),
    )  # fmt: skip


def to_minidl(state) -> dict:
    return {k: v.detach().numpy() for k, v in state.items()}


def test_lenet_weights_from_pytorch_give_pytorch_outputs_and_gradients():
    torch.manual_seed(0)
    ref = lenet(tnn).double()
    ours = lenet(nn).double()
    ours.load_state_dict(to_minidl(ref.state_dict()))
    x = np.random.default_rng(0).standard_normal((4, 1, 28, 28))
    y = np.array([3, 1, 4, 1])
    ref_loss = torch.nn.functional.cross_entropy(
        ref(torch.tensor(x)), torch.tensor(y), label_smoothing=0.1
    )
    ref_loss.backward()
    loss = F.cross_entropy(ours(md.tensor(x)), y, label_smoothing=0.1)
    loss.backward()
    assert loss.item() == pytest.approx(ref_loss.item(), rel=1e-10)
    for (name, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-7, atol=1e-10, err_msg=name)
    # running statistics moved the same way, and the state dict goes back into PyTorch strictly
    ref2 = lenet(tnn).double()
    ref2.load_state_dict({k: torch.tensor(np.array(v.data)) for k, v in ours.state_dict().items()})
    ours.eval(), ref2.eval()
    np.testing.assert_allclose(
        ours(md.tensor(x)).data, ref2(torch.tensor(x)).detach().numpy(), rtol=1e-9, atol=1e-12
    )


def test_lstm_with_dropout_off_matches_pytorch_in_eval():
    torch.manual_seed(1)
    ref = tnn.LSTM(5, 7, num_layers=3, batch_first=True, dropout=0.5).double().eval()
    ours = nn.LSTM(5, 7, num_layers=3, batch_first=True, dropout=0.5).double().eval()
    ours.load_state_dict(to_minidl(ref.state_dict()))
    x = np.random.default_rng(1).standard_normal((3, 9, 5))
    out, (h, c) = ours(md.tensor(x))
    rout, (rh, rc) = ref(torch.tensor(x))
    for a, b in ((out, rout), (h, rh), (c, rc)):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-10, atol=1e-12)
