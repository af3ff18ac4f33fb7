"""Differentiable operations: each a `Function` (forward + backward) and a lowercase function to call.

Modules: elementwise (arithmetic, exp/log, ...), reduce (sum, mean, max, ...), shape (reshape, permute,
concatenate, ...), index (t[...] and its scatter back), matmul, activation (relu, softmax, ...), conv
(conv2d and pooling, on minidl.kernels).
"""

from minidl.ops.activation import (
    ELU,
    GELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
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
from minidl.ops.conv import AvgPool2d, Conv2d, MaxPool2d, avg_pool2d, conv2d, max_pool2d
from minidl.ops.elementwise import (
    Abs,
    Add,
    Cast,
    Clip,
    Cos,
    Div,
    Exp,
    Log,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    Sin,
    Sqrt,
    Sub,
    Where,
    abs,
    add,
    cast,
    clamp,
    clip,
    cos,
    div,
    eq,
    exp,
    ge,
    gt,
    le,
    log,
    lt,
    maximum,
    minimum,
    mul,
    ne,
    neg,
    pow,
    sin,
    sqrt,
    sub,
    where,
)
from minidl.ops.index import GetItem, IndexPut, getitem, index_put
from minidl.ops.matmul import MatMul, matmul
from minidl.ops.reduce import (
    Amax,
    Amin,
    LogSumExp,
    Mean,
    Std,
    Sum,
    Var,
    amax,
    amin,
    argmax,
    argmin,
    logsumexp,
    mean,
    std,
    sum,
    var,
)
from minidl.ops.select import (
    Gather,
    ScatterAdd,
    gather,
    index_select,
    max,
    min,
    scatter_add,
    sort,
    topk,
)
from minidl.ops.shape import (
    BroadcastTo,
    Concatenate,
    Pad,
    Permute,
    Reshape,
    Stack,
    broadcast_to,
    cat,
    concatenate,
    expand,
    flatten,
    pad,
    permute,
    reshape,
    split,
    squeeze,
    stack,
    transpose,
    unsqueeze,
)

__all__ = [
    # elementwise
    "Abs", "Add", "Cast", "Clip", "Cos", "Div", "Exp", "Log", "Maximum", "Minimum", "Mul", "Neg",
    "Pow", "Sin", "Sqrt", "Sub", "Where", "abs", "add", "cast", "clamp", "clip", "cos", "div", "eq",
    "exp", "ge", "gt", "le", "log", "lt", "maximum", "minimum", "mul", "ne", "neg", "pow", "sin",
    "sqrt", "sub", "where",
    # matmul
    "MatMul", "matmul",
    # reduce
    "Amax", "Amin", "LogSumExp", "Mean", "Std", "Sum", "Var", "amax", "amin", "argmax", "argmin",
    "logsumexp", "mean", "std", "sum", "var",
    # select
    "Gather", "ScatterAdd", "gather", "index_select", "max", "min", "scatter_add", "sort", "topk",
    # shape
    "BroadcastTo", "Concatenate", "Pad", "Permute", "Reshape", "Stack", "broadcast_to", "cat",
    "concatenate", "expand", "flatten", "pad", "permute", "reshape", "split", "squeeze", "stack",
    "transpose", "unsqueeze",
    # conv
    "AvgPool2d", "Conv2d", "MaxPool2d", "avg_pool2d", "conv2d", "max_pool2d",
    # index
    "GetItem", "IndexPut", "getitem", "index_put",
    # activation
    "ELU", "GELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "Softplus", "Tanh",
    "elu", "gelu", "leaky_relu", "log_softmax", "relu", "sigmoid", "softmax", "softplus", "tanh",
]  # fmt: skip
