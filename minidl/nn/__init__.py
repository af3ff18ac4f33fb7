"""Neural-network building blocks with PyTorch's names: `md.nn.Linear`, `md.nn.functional as F`, ...

    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    loss = nn.CrossEntropyLoss()(model(x), y)

Files: module (Module), parameter (Parameter), container (Sequential, ModuleList), init, linear,
conv (Conv2d, pooling), dropout, normalization (+ normalize: the arithmetic), embedding, rnn,
activation (modules), losses (functions) and loss (modules), functional (F), utils (penalties,
gradient clipping).
"""

from minidl.nn import functional, init, utils
from minidl.nn.activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from minidl.nn.container import ModuleDict, ModuleList, Sequential
from minidl.nn.conv import AvgPool2d, Conv2d, MaxPool2d
from minidl.nn.dropout import Dropout
from minidl.nn.embedding import Embedding
from minidl.nn.linear import Flatten, Identity, Linear
from minidl.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from minidl.nn.module import Module
from minidl.nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from minidl.nn.parameter import Parameter
from minidl.nn.rnn import LSTM, RNN

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList", "ModuleDict", "Linear", "Identity", "Flatten", "Dropout",
    "Conv2d", "MaxPool2d", "AvgPool2d",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Embedding", "RNN", "LSTM",
    "ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
    "MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
    "BCEWithLogitsLoss", "functional", "init", "utils",
]  # fmt: skip
