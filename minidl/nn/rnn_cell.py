"""Old import path, kept so existing imports work: the fused one-step Functions now live in
`minidl.nn.recurrent_steps` as `RNNStep`, `LSTMStep`, `GRUStep` (the names `nn.RNNCell` /
`nn.LSTMCell` now mean PyTorch's cell *modules*, in `minidl.nn.recurrent_cells`)."""

from minidl.nn.recurrent_steps import GRUStep, LSTMStep, RNNStep

LSTMCell = LSTMStep  # the Function, under its old name here only
RNNCell = RNNStep

__all__ = ["RNNStep", "LSTMStep", "GRUStep", "LSTMCell", "RNNCell"]
