"""Channel dropout (Dropout1d/Dropout2d): whole channels are kept (scaled by 1/(1 − p)) or zeroed,
at rate p; evaluation is the identity; shapes as PyTorch (3-D input to dropout2d is (N, C, L))."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minidl as md
import minidl.nn.functional as F
from minidl import nn


@pytest.mark.parametrize(
    "layer, shape, mask_axes",
    [
        (nn.Dropout2d(0.3, generator=0), (40, 50, 3, 4), (2, 3)),
        (nn.Dropout1d(0.3, generator=0), (40, 50, 6), (2,)),
        (nn.Dropout1d(0.3, generator=0), (500, 6), (1,)),
    ],
)
def test_whole_channels_are_dropped_at_rate_p(layer, shape, mask_axes):
    y = layer(md.ones(*shape)).data
    first = y[(...,) + (0,) * len(mask_axes)]
    # every position of a channel shares the channel's fate
    np.testing.assert_array_equal(
        y, np.broadcast_to(first.reshape(first.shape + (1,) * len(mask_axes)), y.shape)
    )
    assert set(np.unique(first)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((first == 0).mean() - 0.3) < 0.05  # 2000 channels: 4.9 standard errors
    assert np.array_equal(layer.eval()(md.ones(*shape)).data, np.ones(shape))


def test_dropout2d_reads_3d_input_as_n_c_l_with_pytorchs_warning():
    with pytest.warns(UserWarning, match="3D input"):
        y = F.dropout2d(md.ones(30, 40, 5), 0.5, generator=1).data
    assert (y == y[:, :, :1]).all()


def test_dropout2d_on_2d_input_is_elementwise_as_in_pytorch():
    """PyTorch's feature dropout reads dims 0, 1 as (N, C): on (N, F) each element is its own
    channel (the pytorch/examples mnist_rnn script relies on this)."""
    with pytest.warns(UserWarning, match="2-D input"):
        y = F.dropout2d(md.ones(200, 50), 0.5, generator=2).data
    assert 0.45 < (y == 0).mean() < 0.55
    assert not (y == y[:, :1]).all()  # not whole rows


def test_dropout_layers_refuse_bad_shapes_and_probabilities():
    with pytest.raises(ValueError, match="dropout1d: expected a 2-D"):
        F.dropout1d(md.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout2d(1.5)
    x = md.ones(2, 3, 4, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a 4-D input is what dropout2d is for: no warning
        assert F.dropout2d(x, 0.5, training=False) is x  # evaluation: the identity
