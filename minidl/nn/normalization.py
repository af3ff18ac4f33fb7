"""Normalisation layers: `BatchNorm1d`, `BatchNorm2d` (per channel, over the batch) and `LayerNorm`
(per sample, over its features). The arithmetic is in `minidl.nn.normalize`."""

from __future__ import annotations

import numpy as np

from minidl import dtypes
from minidl.autograd import Tensor
from minidl.nn.linear import check_positive
from minidl.nn.module import Module
from minidl.nn.normalize import batch_norm, layer_norm
from minidl.nn.parameter import Parameter


class _BatchNorm(Module):
    """y = γ (x − μ) / √(σ² + ε) + β per channel; the shared body of BatchNorm1d/2d.

    Training: μ, σ² of the current batch, and (with `track_running_stats`) the running averages are
    updated as running ← (1 − momentum) · running + momentum · batch value (PyTorch's momentum,
    the weight of the NEW value; Keras's momentum=0.99 is PyTorch's 0.01), with the unbiased batch
    variance. momentum=None uses the plain average over all batches seen so far. Evaluation: the
    running statistics, so one sample's output never depends on the others in its batch.
    """

    _input_form = ""  # the accepted input shapes, for error messages
    _ndims: tuple = ()

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
    ):
        super().__init__()
        check_positive(type(self).__name__, num_features=num_features)
        if eps <= 0:
            raise ValueError(f"{type(self).__name__}: eps must be > 0; received eps={eps}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(
                f"{type(self).__name__}: momentum must be in [0, 1] or None; received {momentum}"
            )
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dtype = dtypes.get_default_dtype()
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dtype))  # γ = 1
            self.bias = Parameter(np.zeros(num_features, dtype=dtype))  # β = 0
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """running_mean = 0, running_var = 1, num_batches_tracked = 0."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self._ndims or x.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__}({self.num_features}) expects input "
                f"{self._input_form.format(C=self.num_features)}; got {tuple(x.shape)}"
            )
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if momentum is None:  # cumulative average: the k-th batch gets weight 1/k
                momentum = 1.0 / float(self.num_batches_tracked.data)
        use_batch_stats = self.training or not self.track_running_stats
        return batch_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            use_batch_stats,
            0.0 if momentum is None else momentum,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) features or (N, C, L) sequences, per channel C."""

    _input_form = "(N, {C}) or (N, {C}, L)"
    _ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) images, per channel C (statistics over N, H, W)."""

    _input_form = "(N, {C}, H, W)"
    _ndims = (4,)


class LayerNorm(Module):
    """y = γ ⊙ (x − μ) / √(σ² + ε) + β with μ, σ² over the last dimensions (`normalized_shape`) of
    each sample: no batch statistics, so training and evaluation behave the same."""

    def __init__(
        self,
        normalized_shape,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
    ):
        super().__init__()
        shape = (
            (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        )
        for s in shape:
            check_positive("LayerNorm", normalized_shape=s)
        self.normalized_shape, self.eps = shape, eps
        self.elementwise_affine = elementwise_affine
        dtype = dtypes.get_default_dtype()
        if elementwise_affine:
            self.weight = Parameter(np.ones(shape, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )
