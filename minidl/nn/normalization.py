"""Normalisation: x̂ = (x − μ) / √(σ² + ε), then γ x̂ + β — per channel over the batch
(BatchNorm1d/2d), per sample over its features (LayerNorm), or per sample over groups of channels
(GroupNorm). Each functional form (`batch_norm`, `layer_norm`, `group_norm`) sits above its layer.

All share one primitive, `Normalize`, whose backward is the textbook result for x̂ over n values,

    dL/dx = (1/√(σ² + ε)) · (g − mean(g) − x̂ · mean(g ⊙ x̂))      (means over the normalised axes)

— one node instead of the eight a composition of mean/sub/pow/sqrt/div would record. The affine
γ x̂ + β is ordinary broadcasting multiply and add.
"""

from __future__ import annotations

import numpy as np

from minidl import dtypes
from minidl.autograd import Function, Tensor
from minidl.nn._validation import check_eps, check_positive, float_input
from minidl.nn.module import Module
from minidl.nn.parameter import Parameter

__all__ = [
    "batch_norm", "layer_norm", "group_norm", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
    "GroupNorm",
]  # fmt: skip


class Normalize(Function):
    """x̂ = (x − μ) / √(σ² + ε) with μ, σ² (biased) over `axes`; see the module docstring.

    When `stats` is a dict, forward stores the batch mean and biased variance in it (BatchNorm
    needs them for its running averages; computing them twice would cost a pass over x)."""

    @staticmethod
    def forward(ctx, x, axes, eps, stats=None):
        mean = x.mean(axis=axes, keepdims=True)
        centred = x - mean
        var = np.mean(centred * centred, axis=axes, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + eps)
        x_hat = centred * inv_std
        if stats is not None:
            stats["mean"], stats["var"] = mean, var
        ctx.save_for_backward(x_hat, inv_std)
        ctx.axes = axes
        return x_hat

    @staticmethod
    def backward(ctx, g):
        x_hat, inv_std = ctx.saved_tensors
        axes = ctx.axes
        g_mean = g.mean(axis=axes, keepdims=True)
        gx_mean = (g * x_hat).mean(axis=axes, keepdims=True)
        return inv_std * (g - g_mean - x_hat * gx_mean)


def _channel_shape(ndim: int) -> tuple:
    """(1, C, 1, 1, ...): a per-channel vector broadcast against (N, C, ...)."""
    return (1, -1) + (1,) * (ndim - 2)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation of x (N, C, ...) per channel C (PyTorch's functional form).

    Training: μ_B, σ²_B over N and the spatial dimensions; the running statistics (when given) are
    updated in place, PyTorch's convention,

        running_mean ← (1 − momentum) · running_mean + momentum · μ_B
        running_var  ← (1 − momentum) · running_var  + momentum · σ²_B · n/(n − 1)   (unbiased)

    Evaluation (`training=False`): the running statistics are used and nothing is updated.
    """
    float_input("batch_norm", input)
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected input (N, C, ...); received shape {input.shape}")
    shape = _channel_shape(input.ndim)
    if training:
        axes = (0, *range(2, input.ndim))
        n = input.data.size // input.shape[1]
        if n <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {input.shape}"
            )
        stats = {} if running_mean is not None else None
        out = Normalize.apply(input, axes=axes, eps=eps, stats=stats)
        if stats is not None:
            m = momentum
            running_mean.data *= 1 - m
            running_mean.data += m * stats["mean"].reshape(-1)
            running_var.data *= 1 - m
            running_var.data += (m * n / (n - 1)) * stats["var"].reshape(-1)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation mode needs running_mean and running_var")
        inv_std = 1.0 / np.sqrt(running_var.data + eps)
        # constants: gradients flow to input (and to weight/bias below), not to the statistics
        out = (input - running_mean.data.reshape(shape)) * inv_std.reshape(shape)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalisation: μ, σ² over the trailing `normalized_shape` dimensions of each sample,
    then the elementwise affine γ x̂ + β (γ, β of shape `normalized_shape`)."""
    float_input("layer_norm", input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if tuple(input.shape[input.ndim - k :]) != shape:
        raise ValueError(
            f"layer_norm: expected input with shape (*, {', '.join(map(str, shape))}); "
            f"received {input.shape}"
        )
    out = Normalize.apply(input, axes=tuple(range(input.ndim - k, input.ndim)), eps=eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Group normalisation (Wu & He, 2018) of x (N, C, ...): the C channels are split into
    `num_groups` groups of C/G consecutive channels, and μ, σ² are taken per sample over each
    group's channels and positions; then the per-channel affine γ_c x̂ + β_c. G = 1 is LayerNorm
    over (C, ...), G = C is InstanceNorm. No batch statistics: the same in training and evaluation.
    """
    float_input("group_norm", input)
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise ValueError(
            f"group_norm: expected input (N, C, ...) with C divisible by num_groups={num_groups}; "
            f"received shape {tuple(input.shape)}"
        )
    n, c = input.shape[:2]
    grouped = input.reshape(n, num_groups, -1)  # (N, G, C/G · spatial)
    out = Normalize.apply(grouped, axes=(2,), eps=eps).reshape(input.shape)
    shape = _channel_shape(input.ndim)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


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
        device=None,
        dtype=None,
    ):
        super().__init__()
        check_positive(type(self).__name__, num_features=num_features)
        eps = check_eps(type(self).__name__, eps)
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(
                f"{type(self).__name__}: momentum must be in [0, 1] or None; received {momentum}"
            )
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        default = dtypes.get_default_dtype()
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=default))  # γ = 1
            self.bias = Parameter(np.zeros(num_features, dtype=default))  # β = 0
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=default)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=default)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def reset_running_stats(self) -> None:
        """running_mean = 0, running_var = 1, num_batches_tracked = 0."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def forward(self, x: Tensor) -> Tensor:
        float_input(type(self).__name__, x)
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
        device=None,
        dtype=None,
    ):
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)) and not isinstance(
            normalized_shape, bool
        ):
            shape = (int(normalized_shape),)
        elif isinstance(normalized_shape, (tuple, list)):
            shape = tuple(normalized_shape)
        else:
            raise TypeError(
                "LayerNorm: argument `normalized_shape` must be an int or a tuple of ints; "
                f"received {normalized_shape!r} ({type(normalized_shape).__name__})"
            )
        for s in shape:
            check_positive("LayerNorm", normalized_shape=s)
        eps = check_eps("LayerNorm", eps)
        self.normalized_shape, self.eps = shape, eps
        self.elementwise_affine = elementwise_affine
        default = dtypes.get_default_dtype()
        if elementwise_affine:
            self.weight = Parameter(np.ones(shape, dtype=default))
            if bias:
                self.bias = Parameter(np.zeros(shape, dtype=default))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class GroupNorm(Module):
    """Normalise each sample over groups of C/G channels (see `group_norm`), then γ_c x̂ + β_c.

    Input (N, C, ...) with C = num_channels divisible by num_groups; γ = 1, β = 0 initially.
    """

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        check_positive("GroupNorm", num_groups=num_groups, num_channels=num_channels)
        if num_channels % num_groups:
            raise ValueError(
                f"GroupNorm: num_channels must be divisible by num_groups; received "
                f"num_channels={num_channels}, num_groups={num_groups}"
            )
        self.num_groups, self.num_channels = num_groups, num_channels
        self.eps, self.affine = check_eps("GroupNorm", eps), affine
        default = dtypes.get_default_dtype()
        if affine:
            self.weight = Parameter(np.ones(num_channels, dtype=default))
            self.bias = Parameter(np.zeros(num_channels, dtype=default))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        float_input("GroupNorm", x, "input")
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(
                f"GroupNorm({self.num_groups}, {self.num_channels}) expects input "
                f"(N, {self.num_channels}, ...); got {tuple(x.shape)}"
            )
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
