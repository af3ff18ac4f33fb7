"""The nn / optim bad-input table: one row per case — the call, the exception it must raise, and
words its message must contain (the function or layer, the argument, what came, what was
expected). Rows whose exception is None are inputs PyTorch accepts: minidl must accept them too.

This table is the specification of "errors a learner can act on" for minidl.nn and minidl.optim;
add a row when you find a confusing error (or a silent wrong result) and fix the code.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minidl as md
import minidl.nn.functional as F
from minidl import nn, optim
from minidl.optim import lr_scheduler as S


def ints(*values):
    """An int64 tensor (explicit: the table must not depend on md.tensor's inference)."""
    return md.tensor(np.array(values, dtype=np.int64))


def bools(*values):
    return md.tensor(np.array(values, dtype=bool))


def p(shape=(2, 3)):
    return md.rand(*shape, generator=0) * 0.8 + 0.1  # probabilities in (0.1, 0.9)


def opt():
    return optim.SGD([md.zeros(1, requires_grad=True)], lr=0.1)


def string_grad_step():
    """A string-dtype gradient can no longer reach opt.step(): .grad accepts only a Tensor of
    the parameter's dtype (the core refuses it at assignment; step() checks again)."""
    w = md.zeros(2, requires_grad=True)
    o = optim.SGD([w], lr=0.1)
    w.grad = np.array(["a", "b"])
    o.step()


def nan_bce():
    return F.binary_cross_entropy(md.tensor([0.2, float("nan"), 0.5]), md.tensor([0.0, 1.0, 1.0]))


def rows():
    x = md.randn(2, 3, generator=0)
    img = md.randn(1, 2, 5, 5, generator=0)
    seq = md.randn(1, 2, 6, generator=0)
    labels = ints(0, 2)
    return [
        # --- reproducers of the reliability issue (nn/optim part) ---------------------------
        ("LayerNorm-negative-eps", lambda: nn.LayerNorm(4, eps=-1.0), ValueError,
         ["LayerNorm", "eps", "-1.0", "> 0"]),
        ("bce-nan-probability", nan_bce, ValueError,
         ["binary_cross_entropy", "between 0 and 1", "NaN"]),
        ("bce-probability-above-one", lambda: F.binary_cross_entropy(md.tensor([1.2, 0.5]), md.tensor([0.0, 1.0])),
         ValueError, ["binary_cross_entropy", "input", "between 0 and 1", "1.2"]),
        ("bce-bool-target", lambda: F.binary_cross_entropy(p((2,)), bools(False, True)),
         TypeError, ["binary_cross_entropy", "target", "bool", "float"]),
        ("bce-int-target", lambda: F.binary_cross_entropy(p((2,)), ints(0, 1)),
         TypeError, ["binary_cross_entropy", "target", "int64", "float"]),
        ("bce-target-out-of-range", lambda: F.binary_cross_entropy(p((2,)), md.tensor([2.0, 1.0])),
         ValueError, ["binary_cross_entropy", "target", "between 0 and 1", "2.0"]),
        ("bce-logits-bool-target", lambda: F.binary_cross_entropy_with_logits(x, md.ones(2, 3) > 0),
         TypeError, ["binary_cross_entropy_with_logits", "target", "bool"]),
        ("bce-weight-shape", lambda: F.binary_cross_entropy(p((2, 2)), p((2, 2)), weight=md.ones(3)),
         ValueError, ["binary_cross_entropy", "weight", "(3,)", "(2, 2)"]),
        ("bce-logits-pos-weight-shape",
         lambda: F.binary_cross_entropy_with_logits(x[:, :2], p((2, 2)), pos_weight=md.ones(3)),
         ValueError, ["binary_cross_entropy_with_logits", "pos_weight", "(3,)", "(2, 2)"]),
        ("cross-entropy-integer-logits",
         lambda: F.cross_entropy(md.tensor(np.array([[0, 5, 0], [3, 0, 0]])), ints(0, 0)),
         TypeError, ["cross_entropy", "input", "int64", "floating-point", ".float()"]),
        ("linear-bias-shape", lambda: F.linear(md.randn(2, 3), md.randn(4, 3), md.randn(5)),
         ValueError, ["linear", "bias", "(4,)", "(5,)", "(4, 3)"]),
        ("linear-input-shape", lambda: F.linear(md.randn(2, 5), md.randn(4, 3)),
         ValueError, ["linear", "(2, 5)", "(4, 3)"]),
        ("nll-float-targets", lambda: F.nll_loss(F.log_softmax(x, 1), md.tensor([0.0, 1.0])),
         TypeError, ["nll_loss", "target", "integer", "float32"]),
        ("sgd-given-a-module", lambda: optim.SGD(nn.Linear(2, 2), lr=0.1),
         TypeError, ["SGD", "params", "Linear", "model.parameters()"]),
        ("linear-called-on-a-list", lambda: nn.Linear(3, 4)([[1.0, 2.0, 3.0]]),
         TypeError, ["Linear", "input", "Tensor", "list"]),
        ("conv2d-float-kernel", lambda: nn.Conv2d(1, 1, 2.5),
         TypeError, ["Conv2d", "kernel_size", "2.5", "int"]),
        ("multistep-milestones-int", lambda: S.MultiStepLR(opt(), milestones=3),
         TypeError, ["MultiStepLR", "milestones", "3", "list"]),
        ("string-gradient-at-step", string_grad_step,
         TypeError, ["grad", "Tensor", "numpy.ndarray"]),
        ("cross-entropy-4d-target-out-of-range",
         lambda: F.cross_entropy(md.randn(2, 3, 2, 2), md.full((2, 2, 2), 5, dtype=md.int64)),
         IndexError, ["cross_entropy", "Target 5", "3 classes"]),
        # --- losses --------------------------------------------------------------------------
        ("ce-bool-target", lambda: F.cross_entropy(x, bools(True, False)),
         TypeError, ["cross_entropy", "target", "bool"]),
        ("ce-target-batch-mismatch", lambda: F.cross_entropy(x, ints(0, 1, 2)),
         ValueError, ["cross_entropy", "(2, 3)", "(3,)"]),
        ("ce-label-smoothing", lambda: F.cross_entropy(x, labels, label_smoothing=1.5),
         ValueError, ["cross_entropy", "label_smoothing", "1.5"]),
        ("ce-reduction", lambda: F.cross_entropy(x, labels, reduction="avg"),
         ValueError, ["cross_entropy", "reduction", "'avg'"]),
        ("ce-weight-shape", lambda: F.cross_entropy(x, labels, weight=md.ones(4)),
         ValueError, ["cross_entropy", "weight", "(3,)", "(4,)"]),
        ("ce-target-negative", lambda: F.cross_entropy(x, ints(-1, 0)),
         IndexError, ["cross_entropy", "Target -1", "3 classes"]),
        ("ce-input-list", lambda: F.cross_entropy([[0.1, 0.2]], ints(0)),
         TypeError, ["cross_entropy", "input", "list"]),
        ("ce-probability-target-shape", lambda: F.cross_entropy(x, md.rand(2, 4)),
         ValueError, ["cross_entropy", "(2, 3)", "(2, 4)"]),
        ("nll-int-input", lambda: F.nll_loss(md.tensor(np.array([[0, -1]])), ints(0)),
         TypeError, ["nll_loss", "input", "floating-point"]),
        ("mse-shape-mismatch", lambda: F.mse_loss(md.randn(4, 1), md.randn(4)),
         ValueError, ["mse_loss", "same shape", "(4, 1)", "(4,)"]),
        ("mse-integer-input", lambda: F.mse_loss(ints(1, 2), ints(1, 3)),
         TypeError, ["mse_loss", "input", "int64", "floating-point"]),
        ("mse-bool-target-accepted", lambda: F.mse_loss(md.rand(2), bools(True, False)),
         None, []),
        ("l1-reduction", lambda: F.l1_loss(x, x, reduction="mean "),
         ValueError, ["l1_loss", "reduction"]),
        ("huber-delta", lambda: F.huber_loss(x, x, delta=-1.0),
         ValueError, ["huber_loss", "delta", "-1.0"]),
        ("smooth-l1-beta", lambda: nn.SmoothL1Loss(beta=-0.5),
         ValueError, ["SmoothL1Loss", "beta", "-0.5"]),
        ("bce-int-input", lambda: F.binary_cross_entropy(ints(0, 1), md.tensor([0.0, 1.0])),
         TypeError, ["binary_cross_entropy", "input", "int64"]),
        ("CrossEntropyLoss-label-smoothing", lambda: nn.CrossEntropyLoss(label_smoothing=-0.1),
         ValueError, ["CrossEntropyLoss", "label_smoothing", "-0.1"]),
        ("MSELoss-reduction", lambda: nn.MSELoss(reduction="max"),
         ValueError, ["MSELoss", "reduction", "'max'"]),
        ("kl-div-reduction", lambda: F.kl_div(F.log_softmax(x, 1), p(), reduction="avg"),
         ValueError, ["kl_div", "reduction", "'avg'", "'batchmean'"]),
        ("kl-div-shape", lambda: F.kl_div(F.log_softmax(x, 1), p((3, 2)), reduction="batchmean"),
         ValueError, ["kl_div", "broadcast", "(2, 3)", "(3, 2)"]),
        ("normalize-int", lambda: F.normalize(ints(1, 2)), TypeError, ["normalize", "floating-point"]),
        ("cosine-similarity-shapes", lambda: F.cosine_similarity(x, md.randn(4, 3)),
         ValueError, ["cosine_similarity", "broadcast", "(2, 3)", "(4, 3)"]),
        ("Hardtanh-bounds", lambda: nn.Hardtanh(1.0, -1.0), ValueError, ["Hardtanh", "min_val < max_val"]),
        ("PairwiseDistance-p-string", lambda: nn.PairwiseDistance(p="2"),
         TypeError, ["PairwiseDistance", "p", "'2'"]),
        ("MultiheadAttention-heads", lambda: nn.MultiheadAttention(6, 4),
         ValueError, ["MultiheadAttention", "divisible by num_heads", "embed_dim=6", "num_heads=4"]),
        ("MultiheadAttention-embed-dim", lambda: nn.MultiheadAttention(4, 2)(*[md.randn(3, 2, 5)] * 3),
         ValueError, ["MultiheadAttention(4, 2)", "embed_dim 4", "(3, 2, 5)"]),
        ("MultiheadAttention-causal-no-mask", lambda: nn.MultiheadAttention(4, 2)(*[md.randn(3, 2, 4)] * 3, is_causal=True),
         RuntimeError, ["MultiheadAttention", "Need attn_mask", "is_causal"]),
        ("MultiheadAttention-padding-mask", lambda: nn.MultiheadAttention(4, 2)(
            *[md.randn(3, 2, 4)] * 3, key_padding_mask=md.zeros(2, 5) > 0),
         ValueError, ["MultiheadAttention", "key_padding_mask", "(2, 3)", "(2, 5)"]),
        ("sdpa-shapes", lambda: F.scaled_dot_product_attention(md.randn(2, 3), md.randn(4, 5), md.randn(4, 5)),
         ValueError, ["scaled_dot_product_attention", "(2, 3)", "(4, 5)"]),
        ("TransformerEncoderLayer-activation", lambda: nn.TransformerEncoderLayer(4, 2, activation="tanh"),
         ValueError, ["TransformerEncoderLayer", "activation", "relu/gelu", "'tanh'"]),
        ("TransformerEncoder-layers", lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2), 0),
         ValueError, ["TransformerEncoder", "num_layers", "0"]),
        # --- layer constructors --------------------------------------------------------------
        ("Linear-zero", lambda: nn.Linear(0, 3), ValueError, ["Linear", "in_features", "0"]),
        ("Linear-float", lambda: nn.Linear(2.0, 3), TypeError, ["Linear", "in_features", "2.0"]),
        ("Linear-float-input", lambda: nn.Linear(3, 1)(md.tensor(np.array([[1, 2, 3]]))),
         TypeError, ["Linear", "floating-point", "int64"]),
        ("Conv2d-groups", lambda: nn.Conv2d(3, 4, 3, groups=2),
         ValueError, ["Conv2d", "divisible by groups", "in_channels=3", "groups=2"]),
        ("Conv2d-same-strided", lambda: nn.Conv2d(1, 1, 3, stride=2, padding="same"),
         ValueError, ["Conv2d", "padding='same'", "strided", "stride=(2, 2)"]),
        ("Conv2d-padding-string", lambda: nn.Conv2d(1, 1, 3, padding="full"),
         ValueError, ["Conv2d", "padding", "'same'", "'valid'", "'full'"]),
        ("Conv2d-padding-mode", lambda: nn.Conv2d(1, 1, 3, padding_mode="mirror"),
         ValueError, ["Conv2d", "padding_mode", "'mirror'"]),
        ("Conv2d-kernel-triple", lambda: nn.Conv2d(1, 1, (3, 3, 3)),
         ValueError, ["Conv2d", "kernel_size", "(3, 3, 3)", "tuple of 2"]),
        ("Conv2d-wrong-channels", lambda: nn.Conv2d(3, 4, 3)(img),
         ValueError, ["Conv2d(3, 4, 3)", "(N, 3, H, W)", "(1, 2, 5, 5)"]),
        ("Conv2d-int-image", lambda: nn.Conv2d(1, 1, 3)(md.zeros(1, 1, 4, 4, dtype=md.int64)),
         TypeError, ["Conv2d", "floating-point", "int64"]),
        ("Conv1d-stride-zero", lambda: nn.Conv1d(2, 2, 3, stride=0),
         ValueError, ["Conv1d", "stride", "0"]),
        ("Conv1d-image-input", lambda: nn.Conv1d(2, 2, 3)(img),
         ValueError, ["Conv1d", "(N, 2, L)", "(1, 2, 5, 5)"]),
        ("conv1d-weight-shape", lambda: F.conv1d(seq, md.randn(3, 2, 3, 3)),
         ValueError, ["conv1d", "weight", "3-D", "(3, 2, 3, 3)"]),
        ("conv2d-channels-groups", lambda: F.conv2d(img, md.randn(4, 2, 3, 3), groups=2),
         ValueError, ["conv2d", "2 channels", "groups=2", "expects 4"]),
        ("ConvTranspose2d-output-padding", lambda: nn.ConvTranspose2d(1, 1, 3, output_padding=1)(img[:, :1]),
         ValueError, ["conv_transpose2d", "output_padding", "smaller than either stride or dilation"]),
        ("ConvTranspose2d-padding-mode", lambda: nn.ConvTranspose2d(1, 1, 3, padding_mode="reflect"),
         ValueError, ["ConvTranspose2d", "zeros", "'reflect'"]),
        ("ConvTranspose2d-output-size", lambda: nn.ConvTranspose2d(2, 1, 3, stride=2)(img, output_size=(20, 20)),
         ValueError, ["ConvTranspose2d", "(20, 20)", "(11, 11)"]),
        ("conv-transpose2d-channels", lambda: F.conv_transpose2d(img, md.randn(3, 2, 3, 3)),
         ValueError, ["conv_transpose2d", "C_in", "(1, 2, 5, 5)", "(3, 2, 3, 3)"]),
        ("MaxPool2d-dilation", lambda: nn.MaxPool2d(2, dilation=2),
         NotImplementedError, ["MaxPool2d", "dilation=2", "not supported"]),
        ("MaxPool2d-ceil-mode", lambda: nn.MaxPool2d(2, ceil_mode=True),
         NotImplementedError, ["MaxPool2d", "ceil_mode=True"]),
        ("AvgPool2d-count-include-pad", lambda: nn.AvgPool2d(2, count_include_pad=False),
         NotImplementedError, ["AvgPool2d", "count_include_pad=False"]),
        ("MaxPool2d-float-kernel", lambda: nn.MaxPool2d(1.5),
         TypeError, ["MaxPool2d", "kernel_size", "1.5"]),
        ("AdaptiveAvgPool2d-zero", lambda: nn.AdaptiveAvgPool2d(0),
         ValueError, ["AdaptiveAvgPool2d", "output_size", "0"]),
        ("adaptive-avg-pool-2d-input", lambda: F.adaptive_avg_pool2d(x, 2),
         ValueError, ["adaptive_avg_pool2d", "3-D", "4-D", "(2, 3)"]),
        ("BatchNorm1d-eps-zero", lambda: nn.BatchNorm1d(3, eps=0),
         ValueError, ["BatchNorm1d", "eps", "0", "> 0"]),
        ("BatchNorm2d-channels", lambda: nn.BatchNorm2d(3)(img),
         ValueError, ["BatchNorm2d(3)", "(N, 3, H, W)", "(1, 2, 5, 5)"]),
        ("BatchNorm1d-one-value-per-channel", lambda: nn.BatchNorm1d(3)(md.randn(1, 3)),
         ValueError, ["more than 1 value per channel", "(1, 3)"]),
        ("GroupNorm-divisible", lambda: nn.GroupNorm(2, 3),
         ValueError, ["GroupNorm", "divisible", "num_channels=3", "num_groups=2"]),
        ("GroupNorm-eps", lambda: nn.GroupNorm(1, 2, eps=-1e-5),
         ValueError, ["GroupNorm", "eps"]),
        ("GroupNorm-input", lambda: nn.GroupNorm(1, 4)(img),
         ValueError, ["GroupNorm(1, 4)", "(N, 4, ...)", "(1, 2, 5, 5)"]),
        ("LayerNorm-shape", lambda: nn.LayerNorm(4)(x),
         ValueError, ["layer_norm", "(*, 4)", "(2, 3)"]),
        ("LayerNorm-zero", lambda: nn.LayerNorm(0), ValueError, ["LayerNorm", "normalized_shape"]),
        ("Dropout-p", lambda: nn.Dropout(1.5), ValueError, ["dropout probability", "1.5"]),
        ("Dropout-p-string", lambda: nn.Dropout("0.5"), ValueError, ["dropout probability", "'0.5'"]),
        ("dropout-list", lambda: F.dropout([1.0, 2.0]), TypeError, ["dropout", "input", "list"]),
        ("Dropout2d-2d-input-accepted-with-warning", lambda: nn.Dropout2d()(x), None, []),
        ("Dropout2d-1d-input", lambda: nn.Dropout2d()(md.ones(3)),
         ValueError, ["dropout2d", "at least 2 dimensions", "(3,)"]),
        ("Embedding-float-indices", lambda: nn.Embedding(3, 2)(md.tensor([0.0, 1.0])),
         TypeError, ["embedding", "input", "integers", "float32"]),
        ("Embedding-out-of-range", lambda: nn.Embedding(3, 2)(ints(3)),
         IndexError, ["embedding", "index 3", "3 embeddings"]),
        ("Embedding-padding-idx", lambda: nn.Embedding(3, 2, padding_idx=3),
         ValueError, ["Embedding", "padding_idx=3"]),
        ("one-hot-range", lambda: F.one_hot(ints(0, 4), 3),
         ValueError, ["one_hot", "[0, 3)", "max 4"]),
        ("Flatten-float-dim", lambda: nn.Flatten(1.5), TypeError, ["Flatten", "start_dim", "1.5"]),
        ("Unflatten-size", lambda: nn.Unflatten(1, (2, 2))(x),
         ValueError, ["Unflatten", "(2, 2)", "3", "(2, 3)"]),
        ("Unflatten-not-tuple", lambda: nn.Unflatten(1, 6), TypeError, ["Unflatten", "unflattened_size", "6"]),
        ("PReLU-channels", lambda: nn.PReLU(4)(x), ValueError, ["prelu", "weight", "(4,)", "(2, 3)"]),
        ("PReLU-zero", lambda: nn.PReLU(0), ValueError, ["PReLU", "num_parameters", "0"]),
        ("GELU-approximate", lambda: nn.GELU("fast"), ValueError, ["GELU", "approximate", "'fast'"]),
        ("silu-int", lambda: F.silu(ints(1, 2)), TypeError, ["silu", "floating-point", "int64"]),
        ("ZeroPad2d-negative", lambda: nn.ZeroPad2d(-1), ValueError, ["ZeroPad2d", "padding", "-1"]),
        ("ZeroPad2d-triple", lambda: nn.ZeroPad2d((1, 2, 3)), ValueError, ["ZeroPad2d", "tuple of 4"]),
        ("ZeroPad2d-2d-input", lambda: nn.ZeroPad2d(1)(x),
         ValueError, ["ZeroPad2d", "3-D", "4-D", "(2, 3)"]),
        ("ReflectionPad2d-too-wide", lambda: nn.ReflectionPad2d(5)(img),
         ValueError, ["pad", "reflect", "smaller than the dimension"]),
        ("pad-odd-length", lambda: F.pad(img, (1, 2, 3)), ValueError, ["pad", "even length"]),
        ("pad-mode", lambda: F.pad(img, (1, 1), mode="wrap"), ValueError, ["pad", "mode", "'wrap'"]),
        ("Upsample-both", lambda: nn.Upsample(size=3, scale_factor=2),
         ValueError, ["Upsample", "exactly one of `size` and `scale_factor`"]),
        ("Upsample-mode", lambda: nn.Upsample(scale_factor=2, mode="bicubic"),
         ValueError, ["Upsample", "mode", "'bicubic'"]),
        ("interpolate-align-corners-nearest",
         lambda: F.interpolate(img, scale_factor=2, align_corners=True),
         ValueError, ["interpolate", "align_corners", "linear | bilinear", "'nearest'"]),
        ("interpolate-bilinear-3d", lambda: F.interpolate(seq, scale_factor=2, mode="bilinear"),
         ValueError, ["interpolate", "'bilinear'", "4-D", "(1, 2, 6)"]),
        ("interpolate-scale-negative", lambda: F.interpolate(img, scale_factor=-2),
         ValueError, ["interpolate", "scale_factor", "-2"]),
        ("interpolate-size-length", lambda: F.interpolate(img, size=(2, 3, 4)),
         ValueError, ["interpolate", "size", "(2, 3, 4)"]),
        ("RNN-nonlinearity", lambda: nn.RNN(3, 4, nonlinearity="sigmoid"),
         ValueError, ["RNN", "nonlinearity", "'sigmoid'"]),
        ("RNNCell-nonlinearity", lambda: nn.RNNCell(3, 4, nonlinearity="gelu"),
         ValueError, ["RNNCell", "nonlinearity", "'gelu'"]),
        ("GRU-dropout", lambda: nn.GRU(3, 4, dropout=2.0), ValueError, ["GRU", "dropout=2.0"]),
        ("GRU-bidirectional-string", lambda: nn.GRU(3, 4, bidirectional="yes"),
         TypeError, ["GRU", "bidirectional", "bool", "'yes'"]),
        ("LSTM-bidirectional-h0-shape",
         lambda: nn.LSTM(3, 4, bidirectional=True)(md.randn(5, 2, 3), (md.zeros(1, 2, 4),) * 2),
         ValueError, ["LSTM", "h_0", "(2, 2, 4)", "(1, 2, 4)"]),
        ("GRU-input-size", lambda: nn.GRU(3, 4)(md.randn(5, 2, 2)),
         ValueError, ["GRU(3, 4)", "(L, N, 3)", "(5, 2, 2)"]),
        ("GRU-h0-shape", lambda: nn.GRU(3, 4)(md.randn(5, 2, 3), md.zeros(1, 3, 4)),
         ValueError, ["GRU", "h_0", "(1, 2, 4)", "(1, 3, 4)"]),
        ("LSTM-hx-not-tuple", lambda: nn.LSTM(3, 4)(md.randn(5, 2, 3), md.zeros(1, 2, 4)),
         TypeError, ["LSTM", "hx", "(h_0, c_0)"]),
        ("LSTMCell-input", lambda: nn.LSTMCell(3, 4)(md.randn(2, 5)),
         ValueError, ["LSTMCell(3, 4)", "(N, 3)", "(2, 5)"]),
        ("GRUCell-state-shape", lambda: nn.GRUCell(3, 4)(md.randn(2, 3), md.zeros(2, 5)),
         ValueError, ["GRUCell", "hx", "(2, 4)", "(2, 5)"]),
        ("LSTMCell-int-input", lambda: nn.LSTMCell(3, 4)(md.tensor(np.array([[1, 2, 3]]))),
         TypeError, ["LSTMCell", "floating-point", "int64"]),
        ("Softmax-int", lambda: nn.Softmax(dim=1)(md.tensor(np.array([[1, 2]]))),
         TypeError, ["softmax", "int64"]),
        # --- Module ----------------------------------------------------------------------------
        ("Module-to-cuda", lambda: nn.Linear(2, 2).to("cuda"),
         RuntimeError, ["minidl runs on the CPU only", "'cuda'"]),
        ("Module-to-int-dtype", lambda: nn.Linear(2, 2).to(md.int64),
         TypeError, ["floating point dtypes", "int64"]),
        ("Module-to-cpu-accepted", lambda: nn.Linear(2, 2).to("cpu"), None, []),
        ("Module-train-mode", lambda: nn.Linear(2, 2).train("yes"),
         ValueError, ["train", "mode", "bool", "'yes'"]),
        ("Module-hook-not-callable", lambda: nn.Linear(2, 2).register_forward_hook(None),
         TypeError, ["hook", "callable", "None"]),
        ("Module-load-shape", lambda: nn.Linear(2, 2).load_state_dict({"weight": np.zeros((3, 2)), "bias": np.zeros(2)}),
         RuntimeError, ["size mismatch for weight", "(3, 2)", "(2, 2)"]),
        ("Sequential-non-module", lambda: nn.Sequential(nn.Linear(2, 2), F.relu),
         TypeError, ["Sequential", "argument 1", "function", "not a Module"]),
        ("clip-grad-module", lambda: nn.utils.clip_grad_norm_(nn.Linear(2, 2), 1.0),
         TypeError, ["clip_grad_norm_", "model.parameters()", "Module"]),
        ("clip-grad-negative", lambda: nn.utils.clip_grad_norm_([md.zeros(1, requires_grad=True)], -1.0),
         ValueError, ["clip_grad_norm_", "max_norm", "-1.0"]),
        ("init-kaiming-mode", lambda: nn.init.kaiming_uniform_(md.zeros(2, 2), mode="fan"),
         ValueError, ["Mode 'fan'", "fan_in", "fan_out"]),
        # --- optimizers -------------------------------------------------------------------------
        ("SGD-negative-lr", lambda: optim.SGD([md.zeros(1, requires_grad=True)], lr=-0.1),
         ValueError, ["SGD", "Invalid learning rate", "-0.1"]),
        ("SGD-string-lr", lambda: optim.SGD([md.zeros(1, requires_grad=True)], lr="0.1"),
         TypeError, ["SGD", "lr", "real number", "str"]),
        ("SGD-empty", lambda: optim.SGD([], lr=0.1), ValueError, ["SGD", "empty parameter list"]),
        ("SGD-no-grad-param", lambda: optim.SGD([md.zeros(1)], lr=0.1),
         ValueError, ["SGD", "does not require grad"]),
        ("SGD-nesterov", lambda: optim.SGD([md.zeros(1, requires_grad=True)], lr=0.1, nesterov=True),
         ValueError, ["SGD", "Nesterov", "momentum > 0"]),
        ("SGD-set-of-params", lambda: optim.SGD({md.zeros(1, requires_grad=True)}, lr=0.1),
         TypeError, ["SGD", "set", "ordered"]),
        ("Adam-beta", lambda: optim.Adam([md.zeros(1, requires_grad=True)], betas=(0.9, 1.0)),
         ValueError, ["Adam", "beta", "index 1", "1.0"]),
        ("Adam-foreach-string", lambda: optim.Adam([md.zeros(1, requires_grad=True)], foreach="yes"),
         TypeError, ["Adam", "foreach", "bool or None", "str"]),
        ("Adam-fused-accepted", lambda: optim.Adam([md.zeros(1, requires_grad=True)], fused=True),
         None, []),
        ("RAdam-eps", lambda: optim.RAdam([md.zeros(1, requires_grad=True)], eps=-1.0),
         ValueError, ["RAdam", "epsilon", "-1.0"]),
        ("Adamax-weight-decay", lambda: optim.Adamax([md.zeros(1, requires_grad=True)], weight_decay=-1),
         ValueError, ["Adamax", "weight_decay", "-1"]),
        ("LBFGS-history", lambda: optim.LBFGS([md.zeros(1, requires_grad=True)], history_size=0),
         ValueError, ["LBFGS", "history_size", "0"]),
        ("LBFGS-line-search", lambda: optim.LBFGS([md.zeros(1, requires_grad=True)], line_search_fn="wolfe"),
         ValueError, ["LBFGS", "line_search_fn", "'wolfe'"]),
        ("LBFGS-no-closure", lambda: optim.LBFGS([md.zeros(1, requires_grad=True)]).step(),
         TypeError, ["LBFGS.step", "closure is required"]),
        ("RMSprop-alpha", lambda: optim.RMSprop([md.zeros(1, requires_grad=True)], alpha=-0.5),
         ValueError, ["RMSprop", "alpha", "-0.5"]),
        ("Adagrad-lr-decay", lambda: optim.Adagrad([md.zeros(1, requires_grad=True)], lr_decay=-1.0),
         ValueError, ["Adagrad", "lr_decay", "-1.0"]),
        ("Adadelta-rho", lambda: optim.Adadelta([md.zeros(1, requires_grad=True)], rho=1.5),
         ValueError, ["Adadelta", "rho", "1.5"]),
        ("NAdam-momentum-decay", lambda: optim.NAdam([md.zeros(1, requires_grad=True)], momentum_decay=-1),
         ValueError, ["NAdam", "momentum_decay", "-1"]),
        ("load-state-dict-junk", lambda: opt().load_state_dict({"state": {}}),
         ValueError, ["load_state_dict", "'state' and 'param_groups'"]),
        # --- schedulers --------------------------------------------------------------------------
        ("StepLR-step-size", lambda: S.StepLR(opt(), step_size=0),
         ValueError, ["StepLR", "step_size", "0"]),
        ("StepLR-not-optimizer", lambda: S.StepLR(nn.Linear(2, 2), step_size=2),
         TypeError, ["StepLR", "optimizer", "Linear"]),
        ("ExponentialLR-gamma", lambda: S.ExponentialLR(opt(), gamma="0.9"),
         TypeError, ["ExponentialLR", "gamma", "str"]),
        ("CosineAnnealingLR-T-max", lambda: S.CosineAnnealingLR(opt(), T_max=0),
         ValueError, ["CosineAnnealingLR", "T_max", "0"]),
        ("OneCycleLR-total", lambda: S.OneCycleLR(opt(), max_lr=0.1),
         ValueError, ["OneCycleLR", "total_steps", "epochs", "steps_per_epoch"]),
        ("ReduceLROnPlateau-mode", lambda: S.ReduceLROnPlateau(opt(), mode="lowest"),
         ValueError, ["ReduceLROnPlateau", "mode", "'lowest'"]),
        ("ReduceLROnPlateau-factor", lambda: S.ReduceLROnPlateau(opt(), factor=1.0),
         ValueError, ["ReduceLROnPlateau", "factor", "1.0"]),
        ("LambdaLR-not-callable", lambda: S.LambdaLR(opt(), lr_lambda=0.5),
         TypeError, ["LambdaLR", "lr_lambda", "float"]),
        ("MultiStepLR-string", lambda: S.MultiStepLR(opt(), milestones="3,6"),
         TypeError, ["MultiStepLR", "milestones", "'3,6'"]),
        ("CyclicLR-scale-fn", lambda: S.CyclicLR(opt(), 0.01, 0.1, scale_fn=0.5),
         TypeError, ["CyclicLR", "scale_fn", "0.5"]),
        ("OneCycleLR-momentum-string", lambda: S.OneCycleLR(opt(), 0.1, total_steps=5, base_momentum="a"),
         TypeError, ["OneCycleLR", "base_momentum", "str"]),
        # --- found by sweeping every constructor and forward with bad values ---------------------
        ("BatchNorm2d-list-input", lambda: nn.BatchNorm2d(3)([[1.0]]),
         TypeError, ["BatchNorm2d", "input", "Tensor", "list"]),
        ("BatchNorm1d-int-input", lambda: nn.BatchNorm1d(3)(md.tensor(np.ones((4, 3), np.int64))),
         TypeError, ["BatchNorm1d", "floating-point", "int64"]),
        ("batch-norm-none", lambda: F.batch_norm(None, None, None, training=True),
         TypeError, ["batch_norm", "input", "NoneType"]),
        ("LayerNorm-numpy-input", lambda: nn.LayerNorm(3)(np.ones((2, 3))),
         TypeError, ["layer_norm", "Tensor", "ndarray"]),
        ("LayerNorm-float-shape", lambda: nn.LayerNorm(2.5),
         TypeError, ["LayerNorm", "normalized_shape", "2.5"]),
        ("Flatten-none", lambda: nn.Flatten()(None), TypeError, ["Flatten", "Tensor", "NoneType"]),
        ("ReLU-list", lambda: nn.ReLU()([1.0, -1.0]), TypeError, ["ReLU", "Tensor", "list"]),
        ("ReLU-int-accepted", lambda: nn.ReLU()(ints(1, -1)), None, []),
        ("dropout-int-input", lambda: F.dropout(ints(1, 2)), TypeError, ["dropout", "floating-point"]),
        ("ce-unbatched-target-shape", lambda: F.cross_entropy(md.randn(3), ints(0, 1)),
         ValueError, ["cross_entropy", "unbatched", "(3,)", "scalar target", "(2,)"]),
        ("LeakyReLU-string-slope", lambda: nn.LeakyReLU("0.1"),
         TypeError, ["LeakyReLU", "negative_slope", "'0.1'", "real number"]),
        ("ELU-tuple-alpha", lambda: nn.ELU((1, 2)), TypeError, ["ELU", "alpha", "(1, 2)"]),
        ("Softplus-beta-string", lambda: nn.Softplus("2"), TypeError, ["Softplus", "beta", "'2'"]),
        ("Softmax-dim-string", lambda: nn.Softmax("1"), TypeError, ["Softmax", "dim", "'1'"]),
        ("PReLU-init-string", lambda: nn.PReLU(1, "0.25"), TypeError, ["PReLU", "init", "'0.25'"]),
        ("HuberLoss-delta-string", lambda: nn.HuberLoss(delta="1"), TypeError, ["HuberLoss", "delta", "'1'"]),
        ("smooth-l1-beta-none", lambda: F.smooth_l1_loss(x, x, beta=None),
         TypeError, ["smooth_l1_loss", "beta", "None"]),
        ("CrossEntropyLoss-ignore-index", lambda: nn.CrossEntropyLoss(ignore_index="pad"),
         TypeError, ["CrossEntropyLoss", "ignore_index", "'pad'"]),
        ("CrossEntropyLoss-weight-string", lambda: nn.CrossEntropyLoss(weight="balanced"),
         TypeError, ["CrossEntropyLoss", "weight", "str"]),
        ("ce-label-smoothing-none", lambda: F.cross_entropy(x, labels, label_smoothing=None),
         TypeError, ["cross_entropy", "label_smoothing", "None"]),
        ("BCELoss-weight-2d", lambda: nn.BCELoss(weight=[[1.0, 2.0]]),
         TypeError, ["BCELoss", "weight", "1-D", "(1, 2)"]),
        ("ConstantPad2d-value-string", lambda: nn.ConstantPad2d(1, "0"),
         TypeError, ["ConstantPad2d", "value", "'0'"]),
        ("Upsample-scale-string", lambda: nn.Upsample(scale_factor="2"),
         ValueError, ["Upsample", "scale_factor", "'2'"]),
        ("Upsample-size-zero", lambda: nn.Upsample(size=0), ValueError, ["Upsample", "size", "0"]),
    ]  # fmt: skip


ROWS = rows()


@pytest.mark.parametrize("call, error, words", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_bad_input_gives_an_actionable_error(call, error, words):
    if error is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch's deprecation warnings, where it warns
            call()  # accepted, as PyTorch accepts it
        return
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    missing = [w for w in words if w not in message]
    assert not missing, f"message {message!r} lacks {missing}"


def test_the_table_is_large_and_mostly_errors():
    errors = [r for r in ROWS if r[2] is not None]
    assert len(ROWS) >= 140 and len(errors) >= 0.95 * len(ROWS)
    assert len({r[0] for r in ROWS}) == len(ROWS)  # one id per case
