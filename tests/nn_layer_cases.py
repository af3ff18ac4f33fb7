"""One table of layer cases, shared by the float64 gradchecks (tests/test_nn_layer_table.py) and
the PyTorch parity test (tests/test_nn_torch_layers.py).

Each case builds a layer from a library (`minidl.nn` or `torch.nn`, the same call for both) and
names its inputs by shape. A shape ending in "int" is an integer input; "state" inputs are
hidden states (they get gradients too). The PyTorch test loads PyTorch's initial weights into the
minidl layer and compares outputs and every gradient; the gradcheck test checks minidl's
backward against finite differences.
"""

from __future__ import annotations

import numpy as np

# name -> (build(lib), input shapes, how the inputs are passed: "args" or "lstm" ((x, (h, c))))
CASES = {
    "Conv1d": (lambda nn: nn.Conv1d(3, 4, 3, stride=2, padding=1), [(2, 3, 9)], "args"),
    "Conv1d-groups-same-dilated": (
        lambda nn: nn.Conv1d(4, 6, 3, groups=2, padding="same", dilation=2), [(2, 4, 7)], "args",
    ),
    "Conv1d-unbatched-no-bias": (lambda nn: nn.Conv1d(2, 3, 2, bias=False), [(2, 6)], "args"),
    "Conv2d-groups": (lambda nn: nn.Conv2d(4, 6, 3, groups=2), [(2, 4, 6, 5)], "args"),
    "Conv2d-depthwise-same": (
        lambda nn: nn.Conv2d(3, 3, 3, groups=3, padding="same"), [(2, 3, 5, 5)], "args",
    ),
    "Conv2d-even-kernel-same": (
        lambda nn: nn.Conv2d(2, 3, (2, 4), padding="same"), [(1, 2, 5, 6)], "args",
    ),
    "Conv2d-valid-stride": (
        lambda nn: nn.Conv2d(2, 3, 3, stride=2, padding="valid"), [(2, 2, 7, 6)], "args",
    ),
    "Conv2d-reflect": (
        lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), [(1, 2, 4, 5)], "args",
    ),
    "Conv2d-circular": (
        lambda nn: nn.Conv2d(2, 2, 3, padding=(1, 2), padding_mode="circular"),
        [(1, 2, 4, 5)],
        "args",
    ),
    "Conv2d-replicate-unbatched": (
        lambda nn: nn.Conv2d(2, 2, 3, padding=1, padding_mode="replicate"), [(2, 4, 4)], "args",
    ),
    "ConvTranspose2d": (lambda nn: nn.ConvTranspose2d(3, 2, 3, stride=2), [(2, 3, 3, 4)], "args"),
    "ConvTranspose2d-pad-outpad-dilation": (
        lambda nn: nn.ConvTranspose2d(2, 3, (2, 3), stride=(2, 3), padding=(1, 0),
                                      output_padding=(1, 2), dilation=(1, 2)),
        [(1, 2, 4, 3)],
        "args",
    ),
    "ConvTranspose2d-groups-no-bias": (
        lambda nn: nn.ConvTranspose2d(4, 6, 3, groups=2, bias=False), [(2, 4, 3, 3)], "args",
    ),
    "ConvTranspose2d-unbatched": (lambda nn: nn.ConvTranspose2d(2, 2, 2), [(2, 3, 3)], "args"),
    "ConvTranspose1d": (
        lambda nn: nn.ConvTranspose1d(3, 4, 3, stride=2, padding=1, output_padding=1),
        [(2, 3, 5)],
        "args",
    ),
    "RNNCell": (lambda nn: nn.RNNCell(3, 4), [(5, 3), (5, 4)], "args"),
    "RNNCell-relu-no-bias": (
        lambda nn: nn.RNNCell(3, 4, bias=False, nonlinearity="relu"), [(5, 3), (5, 4)], "args",
    ),
    "RNNCell-no-state": (lambda nn: nn.RNNCell(3, 4), [(2, 3)], "args"),
    "LSTMCell": (lambda nn: nn.LSTMCell(3, 4), [(5, 3), (5, 4), (5, 4)], "lstm"),
    "LSTMCell-unbatched": (lambda nn: nn.LSTMCell(3, 2), [(3,), (2,), (2,)], "lstm"),
    "GRUCell": (lambda nn: nn.GRUCell(3, 4), [(5, 3), (5, 4)], "args"),
    "GRUCell-unbatched-no-bias": (lambda nn: nn.GRUCell(3, 4, bias=False), [(3,)], "args"),
    "GRU-2-layers-batch-first-h0": (
        lambda nn: nn.GRU(3, 5, num_layers=2, batch_first=True), [(2, 4, 3), (2, 2, 5)], "args",
    ),
    "GRU-seq-first": (lambda nn: nn.GRU(3, 4), [(6, 2, 3)], "args"),
    "GRU-unbatched-no-bias": (lambda nn: nn.GRU(2, 3, bias=False), [(4, 2)], "args"),
    "GRU-bidirectional-2-layers-h0": (
        lambda nn: nn.GRU(3, 4, num_layers=2, bidirectional=True), [(5, 2, 3), (4, 2, 4)], "args",
    ),
    "LSTM-bidirectional-batch-first": (
        lambda nn: nn.LSTM(3, 2, num_layers=2, batch_first=True, bidirectional=True),
        [(2, 4, 3), (4, 2, 2), (4, 2, 2)],
        "lstm",
    ),
    "RNN-bidirectional-relu-unbatched": (
        lambda nn: nn.RNN(2, 3, nonlinearity="relu", bidirectional=True), [(4, 2)], "args",
    ),
    "ZeroPad2d": (lambda nn: nn.ZeroPad2d((1, 2, 0, 3)), [(2, 1, 3, 4)], "args"),
    "ConstantPad2d": (lambda nn: nn.ConstantPad2d(1, 0.5), [(1, 2, 2, 3)], "args"),
    "ReflectionPad2d": (lambda nn: nn.ReflectionPad2d(2), [(1, 2, 3, 4)], "args"),
    "ReplicationPad2d": (lambda nn: nn.ReplicationPad2d((1, 0, 2, 1)), [(1, 2, 3, 3)], "args"),
    "Upsample-nearest-2x": (lambda nn: nn.Upsample(scale_factor=2), [(2, 2, 3, 4)], "args"),
    "Upsample-nearest-size": (lambda nn: nn.Upsample(size=(5, 7)), [(1, 2, 3, 4)], "args"),
    "Upsample-nearest-exact": (
        lambda nn: nn.Upsample(size=(5, 3), mode="nearest-exact"), [(1, 1, 3, 4)], "args",
    ),
    "Upsample-nearest-1d": (lambda nn: nn.Upsample(scale_factor=3), [(2, 2, 4)], "args"),
    "Upsample-bilinear-1.5x": (
        lambda nn: nn.Upsample(scale_factor=1.5, mode="bilinear"), [(1, 2, 4, 3)], "args",
    ),
    "Upsample-bilinear-align-corners": (
        lambda nn: nn.Upsample(size=(3, 8), mode="bilinear", align_corners=True),
        [(2, 1, 4, 5)],
        "args",
    ),
    "Upsample-bilinear-down": (
        lambda nn: nn.Upsample(size=(2, 3), mode="bilinear"), [(1, 2, 5, 7)], "args",
    ),
    "Upsample-linear": (
        lambda nn: nn.Upsample(scale_factor=2, mode="linear"), [(2, 3, 5)], "args",
    ),
    "Unflatten": (lambda nn: nn.Unflatten(1, (2, 3)), [(4, 6)], "args"),
    "Unflatten-inferred": (lambda nn: nn.Unflatten(-1, (2, -1)), [(3, 2, 8)], "args"),
    "PReLU": (lambda nn: nn.PReLU(), [(3, 4)], "args"),
    "PReLU-per-channel": (lambda nn: nn.PReLU(3, init=0.1), [(2, 3, 4)], "args"),
    "SiLU": (lambda nn: nn.SiLU(), [(3, 4)], "args"),
    "Mish": (lambda nn: nn.Mish(), [(3, 4)], "args"),
    "Softplus-beta": (lambda nn: nn.Softplus(beta=2.0), [(3, 4)], "args"),
    "Hardtanh": (lambda nn: nn.Hardtanh(-0.5, 0.8), [(3, 4)], "args"),
    "ReLU6": (lambda nn: nn.ReLU6(), [(3, 4)], "args"),
    "LogSigmoid": (lambda nn: nn.LogSigmoid(), [(3, 4)], "args"),
    "Softsign": (lambda nn: nn.Softsign(), [(3, 4)], "args"),
    "CosineSimilarity": (lambda nn: nn.CosineSimilarity(dim=1), [(4, 5), (4, 5)], "args"),
    "CosineSimilarity-broadcast-last": (
        lambda nn: nn.CosineSimilarity(dim=-1), [(2, 3, 4), (3, 4)], "args",
    ),
    "PairwiseDistance": (lambda nn: nn.PairwiseDistance(), [(4, 5), (4, 5)], "args"),
    "PairwiseDistance-p1-keepdim": (
        lambda nn: nn.PairwiseDistance(p=1.0, keepdim=True), [(3, 2), (3, 2)], "args",
    ),
    "PairwiseDistance-p3": (lambda nn: nn.PairwiseDistance(p=3.0), [(3, 4), (3, 4)], "args"),
    "MultiheadAttention": (
        lambda nn: nn.MultiheadAttention(4, 2), [(4, 2, 4), (3, 2, 4), (3, 2, 4)], "args",
    ),
    "MultiheadAttention-batch-first": (
        lambda nn: nn.MultiheadAttention(6, 3, batch_first=True), [(2, 3, 6)] * 3, "args",
    ),
    "TransformerEncoderLayer": (
        lambda nn: nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0),
        [(3, 2, 4)],
        "args",
    ),
    "TransformerEncoderLayer-norm-first-gelu-batch-first": (
        lambda nn: nn.TransformerEncoderLayer(
            6, 3, dim_feedforward=5, dropout=0.0, activation="gelu", norm_first=True,
            batch_first=True,
        ),
        [(2, 4, 6)],
        "args",
    ),
    "TransformerEncoder-2-layers-final-norm": (
        lambda nn: nn.TransformerEncoder(
            nn.TransformerEncoderLayer(4, 1, dim_feedforward=3, dropout=0.0), 2,
            norm=nn.LayerNorm(4), enable_nested_tensor=False,
        ),
        [(3, 2, 4)],
        "args",
    ),
    "GroupNorm": (lambda nn: nn.GroupNorm(2, 4), [(3, 4, 5)], "args"),
    "GroupNorm-one-group-no-affine": (
        lambda nn: nn.GroupNorm(1, 4, affine=False), [(2, 4, 2, 3)], "args",
    ),
    "GroupNorm-instance": (lambda nn: nn.GroupNorm(3, 3, eps=1e-3), [(2, 3, 2, 2)], "args"),
    "MaxPool1d": (lambda nn: nn.MaxPool1d(3, stride=2, padding=1), [(2, 3, 7)], "args"),
    "MaxPool2d-unbatched": (lambda nn: nn.MaxPool2d(2), [(2, 4, 5)], "args"),
    "AvgPool1d-unbatched": (lambda nn: nn.AvgPool1d(2), [(3, 6)], "args"),
    "AdaptiveAvgPool1d": (lambda nn: nn.AdaptiveAvgPool1d(3), [(2, 2, 7)], "args"),
    "AdaptiveAvgPool2d-overlapping": (
        lambda nn: nn.AdaptiveAvgPool2d((3, 2)), [(2, 3, 7, 5)], "args",
    ),
    "AdaptiveAvgPool2d-global": (lambda nn: nn.AdaptiveAvgPool2d(1), [(2, 3, 4, 4)], "args"),
    "AdaptiveAvgPool2d-keep-height": (
        lambda nn: nn.AdaptiveAvgPool2d((None, 3)), [(1, 2, 4, 7)], "args",
    ),
    "AdaptiveAvgPool2d-unbatched-upsize": (
        lambda nn: nn.AdaptiveAvgPool2d(5), [(2, 3, 4)], "args",
    ),
}  # fmt: skip


def make_inputs(shapes, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def call(layer, kind: str, xs: list):
    """Call `layer` the way the case says (plain positional arguments, or LSTM's (x, (h, c)))."""
    if kind == "lstm":
        return layer(xs[0], tuple(xs[1:])) if len(xs) > 1 else layer(xs[0])
    return layer(*xs)


def flat_outputs(out) -> list:
    """A layer's output(s) as a flat list (RNN layers return (output, h_n))."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flat_outputs(o)]
    return [out]
