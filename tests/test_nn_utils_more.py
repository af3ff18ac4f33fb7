"""Embedding.from_pretrained, Identity's ignored arguments, parameters_to_vector and
vector_to_parameters, and the accepted `foreach` of the clipping functions."""

from __future__ import annotations

import numpy as np
import pytest

import minidl as md
from minidl import nn


def test_from_pretrained_copies_and_freezes():
    table = np.arange(6.0).reshape(3, 2)
    emb = nn.Embedding.from_pretrained(md.tensor(table))
    np.testing.assert_array_equal(emb(md.tensor([2, 0])).data, [[4.0, 5.0], [0.0, 1.0]])
    assert not emb.weight.requires_grad and emb.weight.dtype == np.float64
    table[0, 0] = 99.0  # copied, not shared
    assert emb.weight.data[0, 0] == 0.0
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    with pytest.raises(ValueError, match="from_pretrained: `embeddings` must be a 2-D"):
        nn.Embedding.from_pretrained(np.ones(3))


def test_identity_accepts_and_ignores_arguments():
    x = md.randn(2, 3)
    assert nn.Identity(54, unused_argument1=0.1)(x) is x


def test_parameters_round_trip_through_one_vector():
    model = nn.Sequential(nn.Linear(3, 2, generator=0), nn.Linear(2, 1, generator=1))
    vec = nn.utils.parameters_to_vector(model.parameters())
    assert vec.shape == (3 * 2 + 2 + 2 + 1,)
    np.testing.assert_array_equal(vec.data[:6], model[0].weight.data.reshape(-1))
    (vec * vec).sum().backward()  # differentiable: d(Σθ²)/dθ = 2θ lands in each parameter
    np.testing.assert_allclose(model[1].bias.grad.data, 2 * model[1].bias.data)
    nn.utils.vector_to_parameters(md.zeros(11), model.parameters())
    assert all((p.data == 0).all() for p in model.parameters())
    with pytest.raises(ValueError, match="has 5 elements but the parameters hold 11"):
        nn.utils.vector_to_parameters(md.zeros(5), model.parameters())


def test_clipping_accepts_foreach():
    p = md.tensor(np.array([3.0, 4.0]), requires_grad=True)
    (p * md.tensor([1.0, 1.0]).double()).sum().backward()
    total = nn.utils.clip_grad_norm_([p], 1.0, foreach=True)
    assert float(total) == pytest.approx(np.sqrt(2))
    nn.utils.clip_grad_value_([p], 0.5, foreach=False)
    assert np.abs(p.grad.data).max() <= 0.5


def test_parameter_list_and_dict_register_their_parameters():
    class Scales(nn.Module):
        def __init__(self):
            super().__init__()
            self.per_layer = nn.ParameterList([md.ones(2), nn.Parameter(md.zeros(3))])
            self.named = nn.ParameterDict({"alpha": md.ones(1)})

    m = Scales()
    assert list(m.state_dict()) == ["per_layer.0", "per_layer.1", "named.alpha"]
    assert len(list(m.parameters())) == 3 and all(p.requires_grad for p in m.parameters())
    m.per_layer.append(md.ones(4))
    m.named["beta"] = md.zeros(2)
    assert len(m.per_layer) == 3 and "beta" in m.named and len(list(m.parameters())) == 5


def test_pad_sequence_right_left_batch_first_and_gradients():
    a = md.tensor(np.ones((3, 2)), requires_grad=True)
    b = md.tensor(2 * np.ones((1, 2)), requires_grad=True)
    out = nn.utils.rnn.pad_sequence([a, b], padding_value=-1.0)
    assert out.shape == (3, 2, 2)  # (L_max, N, *)
    np.testing.assert_array_equal(out.data[:, 1, 0], [2.0, -1.0, -1.0])
    left = nn.utils.rnn.pad_sequence([a, b], batch_first=True, padding_side="left")
    np.testing.assert_array_equal(left.data[1, :, 0], [0.0, 0.0, 2.0])
    (left * left).sum().backward()
    np.testing.assert_array_equal(b.grad.data, 4 * np.ones((1, 2)))
    with pytest.raises(ValueError, match="same trailing shape"):
        nn.utils.rnn.pad_sequence([a, md.ones(2, 3)])
