"""Normalisation: x̂ = (x − μ) / √(σ² + ε), then γ x̂ + β — over the batch (BatchNorm) or over the
features of each sample (LayerNorm).

Both share one primitive, `Normalize`, whose backward is the textbook result for x̂ over n values,

    dL/dx = (1/√(σ² + ε)) · (g − mean(g) − x̂ · mean(g ⊙ x̂))      (means over the normalised axes)

— one node instead of the eight a composition of mean/sub/pow/sqrt/div would record. The affine
γ x̂ + β is ordinary broadcasting multiply and add.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Function, Tensor


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
