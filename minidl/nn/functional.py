"""`minidl.nn.functional` (import as F): the stateless forms of the layers and losses.

Layers hold parameters and call these; a model may call them directly:

    h = F.relu(F.linear(x, w1, b1))
    loss = F.cross_entropy(F.linear(h, w2, b2), labels)

Nothing is defined here: each function lives beside its layer (linear.py, conv.py, pooling.py,
dropout.py, normalization.py, losses/, ...) or is a primitive of `minidl.ops` (the activations,
pooling and padding), and this module gathers them under PyTorch's names.
"""

from minidl.nn.activation import hardtanh, logsigmoid, mish, prelu, relu6, silu, softsign
from minidl.nn.attention import scaled_dot_product_attention
from minidl.nn.conv import conv1d, conv2d
from minidl.nn.conv_transpose import conv_transpose1d, conv_transpose2d
from minidl.nn.distance import cosine_similarity, normalize, pairwise_distance
from minidl.nn.dropout import dropout, dropout1d, dropout2d
from minidl.nn.embedding import embedding, one_hot
from minidl.nn.linear import LinearFunction, linear
from minidl.nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    distillation_loss,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from minidl.nn.normalization import batch_norm, group_norm, layer_norm
from minidl.nn.padding import pad
from minidl.nn.pooling import adaptive_avg_pool1d, adaptive_avg_pool2d
from minidl.nn.upsampling import interpolate
from minidl.ops.activation import (
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    softplus,
    tanh,
)
from minidl.ops.conv import avg_pool2d, max_pool2d

__all__ = [
    "linear", "dropout", "dropout1d", "dropout2d", "embedding", "one_hot", "batch_norm",
    "layer_norm", "group_norm",
    "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh", "softmax", "log_softmax", "softplus",
    "silu", "mish", "prelu", "hardtanh", "relu6", "logsigmoid", "softsign",
    "normalize", "cosine_similarity", "pairwise_distance", "kl_div", "scaled_dot_product_attention",
    "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "pad", "interpolate",
    "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "distillation_loss",
    "LinearFunction",
]  # fmt: skip
