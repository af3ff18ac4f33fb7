"""trunc_normal_, orthogonal_ and eye_ (PyTorch's names): their defining properties."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import minidl as md
from minidl import nn


def test_trunc_normal_stays_in_bounds_and_has_the_truncated_distribution():
    w = md.zeros(20000, dtype=md.float64)
    nn.init.trunc_normal_(w, mean=0.5, std=2.0, a=-1.0, b=3.0, generator=0)
    assert w.data.min() >= -1.0 and w.data.max() <= 3.0
    ref = stats.truncnorm((-1.0 - 0.5) / 2.0, (3.0 - 0.5) / 2.0, loc=0.5, scale=2.0)
    assert stats.kstest(w.data, ref.cdf).pvalue > 1e-3  # the same law, not just the same range


@pytest.mark.parametrize("shape", [(3, 7), (7, 3), (4, 2, 3, 3)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape):
    w = md.zeros(*shape, dtype=md.float64)
    nn.init.orthogonal_(w, gain=2.0, generator=1)
    m = w.data.reshape(shape[0], -1)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-12)


def test_eye_and_errors():
    w = nn.init.eye_(md.ones(2, 3))
    np.testing.assert_array_equal(w.data, [[1, 0, 0], [0, 1, 0]])
    with pytest.raises(ValueError, match="orthogonal_: only tensors with 2 or more dimensions"):
        nn.init.orthogonal_(md.zeros(3))
    with pytest.raises(ValueError, match="trunc_normal_: expected std >= 0 and a < b"):
        nn.init.trunc_normal_(md.zeros(3), a=1.0, b=0.0)
