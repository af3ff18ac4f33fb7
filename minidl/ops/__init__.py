"""Differentiable operations: each a `Function` (forward + backward) and a lowercase function to call.

Modules: elementwise (arithmetic, exp/log, ...), compare (==, <, &, isclose: not differentiable),
reduce (sum, mean, amax, var, norm, ...), select (gather, max/min with indices, sort, topk), shape
(reshape, permute, cat, split, ...), rearrange (flip, roll, repeat, tril, masked_fill), index (t[...]
and its scatter back), matmul, activation (relu, softmax, ...), conv (conv2d and pooling, on
minidl.kernels).
"""

# fmt: off
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
from minidl.ops.compare import (
    allclose,
    eq,
    equal,
    ge,
    gt,
    isclose,
    le,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    ne,
)
from minidl.ops.conv import AvgPool2d, Conv2d, MaxPool2d, avg_pool2d, conv2d, max_pool2d
from minidl.ops.elementwise import (
    Abs,
    Add,
    Cast,
    Clip,
    Clone,
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
    clone,
    cos,
    div,
    exp,
    floor_divide,
    log,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    remainder,
    sin,
    sqrt,
    sub,
    where,
)
from minidl.ops.index import GetItem, IndexPut, getitem, index_put
from minidl.ops.matmul import MatMul, matmul, mm
from minidl.ops.rearrange import (
    Flip,
    Repeat,
    Roll,
    flip,
    masked_fill,
    nonzero,
    repeat,
    roll,
    tril,
    triu,
)
from minidl.ops.reduce import (
    Amax,
    Amin,
    LogSumExp,
    Mean,
    Norm,
    Std,
    Sum,
    Var,
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    logsumexp,
    mean,
    norm,
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
    chunk,
    concatenate,
    expand,
    flatten,
    pad,
    permute,
    reshape,
    split,
    squeeze,
    stack,
    t,
    transpose,
    unbind,
    unsqueeze,
)

# fmt: on

__all__ = [
    # elementwise
    "Abs", "Add", "Cast", "Clip", "Clone", "Cos", "Div", "Exp", "Log", "Maximum", "Minimum", "Mul",
    "Neg", "Pow", "Sin", "Sqrt", "Sub", "Where", "abs", "add", "cast", "clamp", "clip", "clone",
    "cos", "div", "exp", "floor_divide", "log", "maximum", "minimum", "mul", "neg", "pow",
    "remainder", "sin", "sqrt", "sub", "where",
    # compare
    "allclose", "eq", "equal", "ge", "gt", "isclose", "le", "logical_and", "logical_not",
    "logical_or", "logical_xor", "lt", "ne",
    # matmul
    "MatMul", "matmul", "mm",
    # reduce
    "Amax", "Amin", "LogSumExp", "Mean", "Norm", "Std", "Sum", "Var", "all", "amax", "amin", "any",
    "argmax", "argmin", "logsumexp", "mean", "norm", "std", "sum", "var",
    # select
    "Gather", "ScatterAdd", "gather", "index_select", "max", "min", "scatter_add", "sort", "topk",
    # shape
    "BroadcastTo", "Concatenate", "Pad", "Permute", "Reshape", "Stack", "broadcast_to", "cat",
    "chunk", "concatenate", "expand", "flatten", "pad", "permute", "reshape", "split", "squeeze",
    "stack", "t", "transpose", "unbind", "unsqueeze",
    # rearrange
    "Flip", "Repeat", "Roll", "flip", "masked_fill", "nonzero", "repeat", "roll", "tril", "triu",
    # conv
    "AvgPool2d", "Conv2d", "MaxPool2d", "avg_pool2d", "conv2d", "max_pool2d",
    # index
    "GetItem", "IndexPut", "getitem", "index_put",
    # activation
    "ELU", "GELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "Softplus", "Tanh",
    "elu", "gelu", "leaky_relu", "log_softmax", "relu", "sigmoid", "softmax", "softplus", "tanh",
]  # fmt: skip
