"""Bad input to ops: a clear ValueError/TypeError/IndexError that names the op, the argument and what it
received (both shapes for a shape mismatch) — never a raw NumPy error from deep inside."""

import re

import numpy as np
import pytest

import minidl as md

X = md.zeros(2, 3)
X3 = md.zeros(2, 3, 4)
INTS = md.tensor(np.arange(6).reshape(2, 3))

BAD_CALLS = [
    # (what, call, error type, a regex the message must match)
    ("reshape to another size", lambda: X.reshape(4, 2), ValueError,
     r"reshape: .*shape \(2, 3\) \(6 elements\) to \(4, 2\)"),
    ("reshape with two -1", lambda: X.reshape(-1, -1), ValueError, r"reshape: at most one .*-1"),
    ("reshape with a float size", lambda: X.reshape(2.0, 3), TypeError, r"reshape: sizes must be ints"),
    ("view to another size", lambda: X.view(5), ValueError, r"reshape: .*\(2, 3\).*\(5,\)"),
    ("permute too few dims", lambda: X3.permute(1, 0), ValueError,
     r"permute: argument `dims` .*shape \(2, 3, 4\); received \(1, 0\)"),
    ("permute a dim out of range", lambda: X3.permute(0, 1, 5), ValueError,
     r"permute: .*shape \(2, 3, 4\); received \(0, 1, 5\)"),
    ("permute a repeated dim", lambda: X3.permute(0, 0, 1), ValueError,
     r"permute: .*received \(0, 0, 1\)"),
    ("transpose dim out of range", lambda: X.transpose(0, 2), ValueError,
     r"transpose: dim1=2 is out of range .*2 dimensions"),
    ("flatten start after end", lambda: md.flatten(X3, 2, 1), ValueError,
     r"flatten: start_dim \(2\) .*end_dim \(1\).*\(2, 3, 4\)"),
    ("unsqueeze out of range", lambda: X.unsqueeze(3), ValueError, r"unsqueeze: dim=3 is out of range for a tensor with 2 dimensions \(expected -3 <= dim < 3\)"),
    ("squeeze out of range", lambda: X.squeeze(-3), ValueError, r"squeeze: dim=-3 is out of range"),
    ("expand a non-1 dimension", lambda: X.expand(2, 5), ValueError,
     r"broadcast_to: .*shape \(2, 3\) can't be broadcast to \(2, 5\)"),
    ("expand to fewer dims", lambda: X3.expand(3, 4), ValueError,
     r"expand: the number of sizes \(2\) .*\(3\)"),
    ("broadcast_to a smaller shape", lambda: md.broadcast_to(X, (3,)), ValueError,
     r"broadcast_to: .*\(2, 3\).*\(3,\)"),
    ("concatenate mismatched shapes", lambda: md.concatenate([X, md.zeros(2, 4)], axis=0), ValueError,
     r"concatenate: .*axis 0; tensor 0 has shape \(2, 3\) but tensor 1 has shape \(2, 4\)"),
    ("concatenate different ranks", lambda: md.cat([X, md.zeros(3)]), ValueError,
     r"concatenate: .*\(2, 3\).*\(3,\)"),
    ("concatenate axis out of range", lambda: md.concatenate([X, X], axis=2), ValueError,
     r"concatenate: axis=2 is out of range"),
    ("concatenate nothing", lambda: md.concatenate([]), TypeError,
     r"concatenate: argument `tensors` must be a non-empty list"),
    ("concatenate a tensor", lambda: md.concatenate(X), TypeError,
     r"concatenate: argument `tensors` .*received Tensor"),
    ("stack mismatched shapes", lambda: md.stack([X, X3]), ValueError,
     r"stack: .*tensor 0 has shape \(2, 3\) but tensor 1 has shape \(2, 3, 4\)"),
    ("split sections not adding up", lambda: md.split(X, [1, 3], dim=1), ValueError,
     r"split: section sizes \[1, 3\] .*dimension 1 \(3\).*\(2, 3\)"),
    ("split size 0", lambda: md.split(X, 0), ValueError, r"split: .*must be > 0; received 0"),
    ("pad of odd length", lambda: md.pad(X, (1, 2, 3)), ValueError,
     r"pad: argument `pad` must have an even length .*\(2, 3\); received \(1, 2, 3\)"),
    ("pad negative", lambda: md.pad(X, (-1, 0)), ValueError, r"pad: pads must be >= 0"),
    ("pad reflect too wide", lambda: md.pad(X, (3, 0), mode="reflect"), ValueError,
     r"pad: reflect padding .*\(3, 0\) on a dimension of size 3"),
    ("pad unknown mode", lambda: md.pad(X, (1, 1), mode="mirror"), ValueError,
     r"pad: argument `mode` .*received 'mirror'"),
    ("sum axis out of range", lambda: X.sum(axis=2), ValueError,
     r"sum: axis 2 is out of range for a tensor with 2 dimensions"),
    ("max axis out of range", lambda: X.max(dim=-3), ValueError, r"max: dim=-3 is out of range"),
    ("var repeated axis", lambda: X.var(axis=(0, 0)), ValueError, r"var: argument `axis` repeats"),
    ("axis and dim together", lambda: md.logsumexp(X, axis=0, dim=1), TypeError,
     r"logsumexp: give `axis` or `dim`, not both"),
    ("argmax over two axes", lambda: md.argmax(X, axis=(0, 1)), TypeError,
     r"argmax: argument `axis` must be a single int"),
    ("max of an empty tensor", lambda: md.max(md.zeros(0, 3)), ValueError,
     r"max: the tensor is empty \(shape \(0, 3\)\)"),
    ("softmax dim out of range", lambda: md.softmax(X, dim=2), ValueError,
     r"softmax: dim=2 is out of range for a tensor with 2 dimensions"),
    ("log_softmax of integers", lambda: md.log_softmax(INTS), TypeError,
     r"log_softmax: needs a floating-point tensor; received dtype int64"),
    ("relu of bools", lambda: md.relu(INTS > 0), TypeError, r"relu: not defined for bool tensors"),
    ("var of integers", lambda: md.var(INTS), TypeError, r"var: needs a floating-point tensor"),
    ("gelu unknown approximation", lambda: md.gelu(X, approximate="erf"), ValueError,
     r"gelu: argument `approximate` must be 'none' or 'tanh'; received 'erf'"),
    ("softplus beta 0", lambda: md.softplus(X, beta=0), ValueError, r"softplus: argument `beta`"),
    ("index out of range", lambda: X[2], IndexError, r"getitem: can't index a tensor of shape \(2, 3\)"),
    ("too many indices", lambda: X[0, 0, 0], IndexError, r"getitem: .*shape \(2, 3\) with \[0, 0, 0\]"),
    ("float tensor as index", lambda: X[md.tensor([0.0, 1.0])], TypeError,
     r"getitem: index arrays must hold integers .*float32"),
    ("float index array", lambda: X[np.array([0.0, 1.0])], TypeError,
     r"getitem: index arrays must hold integers or booleans; received dtype float64"),
    ("index with a string", lambda: X["a"], TypeError, r"getitem: can't index with str"),
    ("mask of the wrong shape", lambda: X[np.ones((3,), dtype=bool)], IndexError,
     r"getitem: .*\(2, 3\) with \[array\(shape=\(3,\), dtype=bool\)\]"),
    ("index_put value too big", lambda: md.index_put(X, 0, md.zeros(4)), ValueError,
     r"index_put: value of shape \(4,\) can't be broadcast to the indexed region of shape \(3,\)"),
    ("add unbroadcastable shapes", lambda: X + md.zeros(4), ValueError,
     r"add: shapes \(2, 3\) and \(4,\) can't be broadcast"),
    ("matmul inner dimensions", lambda: X @ md.zeros(4, 5), ValueError,
     r"matmul: a.shape\[-1\] \(3\) != b.shape\[-2\] \(4\); a.shape=\(2, 3\), b.shape=\(4, 5\)"),
]  # fmt: skip


@pytest.mark.parametrize(
    "call, error, pattern", [c[1:] for c in BAD_CALLS], ids=[c[0] for c in BAD_CALLS]
)
def test_bad_input_gets_a_clear_error(call, error, pattern):
    with pytest.raises(error) as info:
        call()
    assert re.search(pattern, str(info.value)), str(info.value)
    assert type(info.value).__module__ == "builtins", "a library-specific exception leaked out"


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients.*int64"):
        md.tensor(np.arange(3), requires_grad=True)
    with pytest.raises(TypeError, match="requires_grad_: only floating-point.*int64"):
        INTS.detach().requires_grad_()


def test_argmax_result_has_no_gradient_path():
    x = md.tensor([1.0, 3.0, 2.0], requires_grad=True)
    idx = md.argmax(x)
    assert idx.dtype == np.int64 and not idx.requires_grad and idx.grad_fn is None
