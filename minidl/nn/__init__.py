"""Neural-network building blocks with PyTorch's names: `md.nn.Linear`, `md.nn.functional as F`, ...

    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    loss = nn.CrossEntropyLoss()(model(x), y)

Files, one family each, every layer beside its functional form:
  module (Module, hooks), parameter (Parameter), container (Sequential, ModuleList, ModuleDict),
  init; linear (Linear, Flatten, Unflatten), conv (Conv1d, Conv2d), conv_transpose, pooling (MaxPool1d/2d,
  AvgPool1d/2d, AdaptiveAvgPool1d/2d), padding (ZeroPad2d, ...), upsampling (Upsample, interpolate),
  dropout, normalization (BatchNorm, LayerNorm, GroupNorm), embedding, activation, distance, attention, transformer;
  recurrent_steps (the fused one-step Functions), recurrent_cells (RNNCell, LSTMCell, GRUCell),
  recurrent_layers (RNN, LSTM, GRU); losses/ (regression, classification, binary, divergence);
  functional (F: gathers the functional forms); utils/ (clip_grad, penalties).
"""

from minidl.nn import functional, init, utils
from minidl.nn.activation import (
    ELU,
    GELU,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Softsign,
    Tanh,
)
from minidl.nn.attention import MultiheadAttention
from minidl.nn.container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from minidl.nn.conv import Conv1d, Conv2d
from minidl.nn.conv_transpose import ConvTranspose1d, ConvTranspose2d
from minidl.nn.distance import CosineSimilarity, PairwiseDistance
from minidl.nn.dropout import Dropout, Dropout1d, Dropout2d
from minidl.nn.embedding import Embedding
from minidl.nn.ensemble import Ensemble, seed_ensemble  # noqa: F401  (minidl's, not torch's)
from minidl.nn.linear import Flatten, Identity, Linear, Unflatten
from minidl.nn.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from minidl.nn.module import Module, RemovableHandle
from minidl.nn.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from minidl.nn.padding import ConstantPad2d, ReflectionPad2d, ReplicationPad2d, ZeroPad2d
from minidl.nn.parameter import Parameter
from minidl.nn.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from minidl.nn.recurrent_cells import GRUCell, LSTMCell, RNNCell
from minidl.nn.recurrent_layers import GRU, LSTM, RNN
from minidl.nn.transformer import TransformerEncoder, TransformerEncoderLayer
from minidl.nn.upsampling import Upsample

__all__ = [
    "Module", "Parameter", "RemovableHandle", "Sequential", "ModuleList", "ModuleDict",
    "ParameterList", "ParameterDict",
    "Linear", "Identity", "Flatten", "Unflatten",
    "Dropout", "Dropout1d", "Dropout2d", "Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d",
    "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
    "ZeroPad2d", "ConstantPad2d", "ReflectionPad2d", "ReplicationPad2d",
    "Upsample", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "Embedding",
    "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
    "ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Softplus",
    "SiLU", "Mish", "PReLU", "Hardtanh", "ReLU6", "LogSigmoid", "Softsign",
    "CosineSimilarity", "PairwiseDistance", "KLDivLoss", "MultiheadAttention",
    "TransformerEncoderLayer", "TransformerEncoder",
    "MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
    "BCEWithLogitsLoss", "functional", "init", "utils",
]  # fmt: skip
