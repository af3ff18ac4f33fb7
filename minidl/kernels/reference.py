"""NumPy reference kernels: the readable version of every kernel and the oracle the fast ones are tested against.

Every function here has a twin with the same signature in `numba_kernels.py` and `c_backend.py`. The
dispatcher (`dispatch.py`) has already validated the arguments and allocated `out` (C-contiguous, the
right shape and dtype) before any of them runs, so none of them checks anything.

Notation (NCHW, as in PyTorch): input x has shape (N, C, H, W), weight w has shape (F, C, KH, KW), output
y has shape (N, F, OH, OW) with

    OH = (H + 2*ph - dh*(KH - 1) - 1) // sh + 1          (likewise OW)

and the convolution (a cross-correlation, as in every deep-learning library) is

    y[n, f, i, j] = b[f] + sum_{c, p, q} w[f, c, p, q] * xpad[n, c, i*sh + p*dh, j*sw + q*dw].
"""

import numpy as np


def gemm(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out = a @ b for 2-D arrays: out[i, j] = sum_k a[i, k] * b[k, j]."""
    np.matmul(a, b, out=out)


# --------------------------------------------------------------------------------------------- im2col
def _window(size: int, stride: int, dilation: int, offset: int) -> slice:
    """The input rows (or columns) that kernel offset `offset` touches, one per output position."""
    start = offset * dilation
    return slice(start, start + stride * (size - 1) + 1, stride)


def im2col(xpad, kh, kw, oh, ow, stride, dilation):
    """Gather every receptive field: (N, C, Hp, Wp) -> (N, C, KH, KW, OH, OW).

    cols[n, c, p, q, i, j] = xpad[n, c, i*sh + p*dh, j*sw + q*dw]; one strided slice per kernel offset
    (KH*KW slices) instead of one gather per output pixel.
    """
    n, c = xpad.shape[:2]
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=xpad.dtype)
    for p in range(kh):
        rows = _window(oh, stride[0], dilation[0], p)
        for q in range(kw):
            cols[:, :, p, q] = xpad[:, :, rows, _window(ow, stride[1], dilation[1], q)]
    return cols


def col2im(cols, hp, wp, stride, dilation):
    """The adjoint of im2col: scatter-add (N, C, KH, KW, OH, OW) back onto (N, C, Hp, Wp).

    Overlapping windows add up. One strided slice-add per kernel offset: within one offset the
    targets never collide, so a plain `+=` is exact (no `np.add.at` needed).
    """
    n, c, kh, kw, oh, ow = cols.shape
    xpad = np.zeros((n, c, hp, wp), dtype=cols.dtype)
    for p in range(kh):
        rows = _window(oh, stride[0], dilation[0], p)
        for q in range(kw):
            xpad[:, :, rows, _window(ow, stride[1], dilation[1], q)] += cols[:, :, p, q]
    return xpad


def _pad(x, padding, value=0.0):
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _unpad(xpad, padding):
    ph, pw = padding
    return xpad[:, :, ph : xpad.shape[2] - ph, pw : xpad.shape[3] - pw]


# --------------------------------------------------------------------------------------------- conv2d
def conv2d_forward(x, w, bias, out, stride, padding, dilation) -> None:
    """y = w * x + b (cross-correlation), as an im2col followed by one contraction (a GEMM in BLAS).

    (N, C, Hp, Wp) -> cols (N, C, KH, KW, OH, OW); y[n, f] = sum_{c,p,q} w[f, c, p, q] cols[n, c, p, q].
    """
    f, c, kh, kw = w.shape
    oh, ow = out.shape[2:]
    cols = im2col(_pad(x, padding), kh, kw, oh, ow, stride, dilation)
    # (F, C*KH*KW) @ (N, C*KH*KW, OH*OW) -> (N, F, OH*OW): a batched GEMM
    y = np.matmul(w.reshape(f, -1), cols.reshape(x.shape[0], c * kh * kw, oh * ow))
    if bias is not None:
        y += bias[:, None]
    out[...] = y.reshape(out.shape)


def conv2d_backward_input(grad_out, w, out, stride, padding, dilation) -> None:
    """dL/dx = col2im(w^T @ dL/dy): each output gradient flows back to the inputs it was made from.

    dcols[n, c, p, q, i, j] = sum_f w[f, c, p, q] * gy[n, f, i, j], then col2im adds the windows up.
    """
    f, c, kh, kw = w.shape
    n, _, oh, ow = grad_out.shape
    ph, pw = padding
    hp, wp = out.shape[2] + 2 * ph, out.shape[3] + 2 * pw
    # (C*KH*KW, F) @ (N, F, OH*OW) -> (N, C*KH*KW, OH*OW)
    # (a contiguous W^T: NumPy hands contiguous stacks to BLAS, strided ones to a slow loop)
    dcols = np.matmul(np.ascontiguousarray(w.reshape(f, -1).T), grad_out.reshape(n, f, oh * ow))
    gxpad = col2im(dcols.reshape(n, c, kh, kw, oh, ow), hp, wp, stride, dilation)
    out[...] = _unpad(gxpad, padding)


def conv2d_backward_weight(grad_out, x, out, stride, padding, dilation) -> None:
    """dL/dw[f, c, p, q] = sum_{n, i, j} gy[n, f, i, j] * cols[n, c, p, q, i, j]."""
    f, c, kh, kw = out.shape
    n, _, oh, ow = grad_out.shape
    cols = im2col(_pad(x, padding), kh, kw, oh, ow, stride, dilation)
    # sum over n of (F, OH*OW) @ (OH*OW, C*KH*KW): one GEMM with K = N*OH*OW
    gy = grad_out.reshape(n, f, oh * ow).transpose(1, 0, 2).reshape(f, n * oh * ow)
    cols = cols.reshape(n, c * kh * kw, oh * ow).transpose(0, 2, 1).reshape(n * oh * ow, -1)
    out[...] = (gy @ cols).reshape(out.shape)


def conv2d_backward_bias(grad_out, out) -> None:
    """dL/db[f] = sum_{n, i, j} gy[n, f, i, j] (each bias is added to every output pixel of its map)."""
    out[...] = grad_out.sum(axis=(0, 2, 3))


# --------------------------------------------------------------------------------------------- pooling
def max_pool2d_forward(x, out, indices, kernel_size, stride, padding) -> None:
    """y[n, c, i, j] = max over the window of xpad; indices = flat position (h*W + w) of the arg-max in x.

    Padding counts as -inf, and never wins, not even a tie with an all -inf window (the dispatcher
    ensures padding <= kernel/2, so every window holds at least one real input). Ties go to the first
    position in row-major order; a NaN propagates (the first NaN of the window is the arg-max).
    """
    n, c, h, w = x.shape
    kh, kw = kernel_size
    oh, ow = out.shape[2:]
    xpad = _pad(x, padding, value=-np.inf)
    win = im2col(xpad, kh, kw, oh, ow, stride, (1, 1)).reshape(n, c, kh * kw, oh, ow)
    # which window positions are real pixels (1) and which are padding (0): (1, 1, KH*KW, OH, OW)
    inside = im2col(_pad(np.ones((1, 1, h, w)), padding), kh, kw, oh, ow, stride, (1, 1)) > 0
    inside = inside.reshape(1, 1, kh * kw, oh, ow)
    best = win.max(axis=2, keepdims=True)  # a NaN in the window makes the max NaN
    # the arg-max is the first real pixel equal to the max (or the first NaN): on a window whose
    # pixels are all -inf, the padding's -inf ties with them and must not be chosen
    hit = ((win == best) | (np.isnan(win) & np.isnan(best))) & inside
    k = hit.argmax(axis=2)  # argmax of booleans: the first True
    out[...] = best[:, :, 0]
    # window offset (p, q) of output (i, j) sits at input row i*sh + p - ph, column j*sw + q - pw
    p, q = np.divmod(k, kw)
    rows = np.arange(oh)[:, None] * stride[0] + p - padding[0]
    cols = np.arange(ow)[None, :] * stride[1] + q - padding[1]
    indices[...] = rows * w + cols


def max_pool2d_backward(grad_out, indices, out, kernel_size, stride, padding) -> None:
    """dL/dx[n, c, k] = sum of gy[n, c, i, j] over the windows whose arg-max is k (others get 0).

    Recover each window's arg-max offset (p, q) from the flat index, put gy at that offset of a
    (N, C, KH, KW, OH, OW) array of zeros and col2im it: overlapping windows add up, no scatter needed.
    """
    n, c, oh, ow = grad_out.shape
    kh, kw = kernel_size
    (sh, sw), (ph, pw) = stride, padding
    h, w = out.shape[2:]
    p = indices // w - (
        np.arange(oh)[:, None] * sh - ph
    )  # (N, C, OH, OW) kernel row of the arg-max
    q = indices % w - (np.arange(ow)[None, :] * sw - pw)
    onehot = (p * kw + q)[:, :, None] == np.arange(kh * kw)[None, None, :, None, None]
    dcols = np.where(onehot, grad_out[:, :, None], 0).astype(grad_out.dtype, copy=False)
    gxpad = col2im(dcols.reshape(n, c, kh, kw, oh, ow), h + 2 * ph, w + 2 * pw, stride, (1, 1))
    out[...] = _unpad(gxpad, padding)


def max_pool2d_check_indices(indices, input_shape, kernel_size, stride, padding) -> int:
    """-1 if every index is a pixel h*W + w of the image inside its output position's window, else
    the flat position (in `indices`) of the first one that is not."""
    h, w = input_shape[2:]
    oh, ow = indices.shape[2:]
    rows, cols = np.divmod(indices, w)
    top = (
        np.arange(oh)[:, None] * stride[0] - padding[0]
    )  # each window's first row (may be padding)
    left = np.arange(ow)[None, :] * stride[1] - padding[1]
    bad = (indices < 0) | (rows >= h) | (rows < top) | (rows >= top + kernel_size[0])
    bad |= (cols < left) | (cols >= left + kernel_size[1])
    return int(np.argmax(bad)) if bad.any() else -1


def avg_pool2d_forward(x, out, kernel_size, stride, padding) -> None:
    """y[n, c, i, j] = (1 / (KH*KW)) * sum over the window of xpad (zeros count: count_include_pad)."""
    kh, kw = kernel_size
    oh, ow = out.shape[2:]
    win = im2col(_pad(x, padding), kh, kw, oh, ow, stride, (1, 1))
    out[...] = win.sum(axis=(2, 3)) / (kh * kw)


def avg_pool2d_backward(grad_out, out, kernel_size, stride, padding) -> None:
    """dL/dx = col2im(gy / (KH*KW)): every input in a window receives an equal share of its gradient."""
    n, c, oh, ow = grad_out.shape
    kh, kw = kernel_size
    # col2im only reads its input, so a broadcast view (no copy) of the shares will do
    share = np.broadcast_to((grad_out / (kh * kw))[:, :, None, None], (n, c, kh, kw, oh, ow))
    hp, wp = out.shape[2] + 2 * padding[0], out.shape[3] + 2 * padding[1]
    out[...] = _unpad(col2im(share, hp, wp, stride, (1, 1)), padding)


def flush_subnormals(a: np.ndarray) -> None:
    """a[|a| < smallest normal number] = 0, in place (see csrc/optim.c for why Adam needs it)."""
    np.copyto(a, 0, where=np.abs(a) < np.finfo(a.dtype).tiny)


def adam_moments(g, m, v, beta1, beta2) -> None:
    """Adam's moment estimates in place: m = beta1*m + (1-beta1)*g, v = beta2*v + (1-beta2)*g*g,
    each flushed to zero below the smallest normal number (csrc/optim.c says why)."""
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * (g * g)
    flush_subnormals(m)
    flush_subnormals(v)


def adam_apply(p, m, v, step_size, sqrt_bc2, eps) -> None:
    """p -= step_size * m / (sqrt(v) / sqrt_bc2 + eps), in place: Adam's bias-corrected step
    α m̂ / (√v̂ + ε) with the two corrections folded into the scalars step_size = α / (1 - β1^t)
    and sqrt_bc2 = √(1 - β2^t), instead of two more passes over the arrays."""
    denom = np.sqrt(v, out=np.empty_like(v))  # an array even for a 0-d parameter
    denom /= sqrt_bc2
    denom += eps
    np.divide(m, denom, out=denom)
    denom *= step_size
    p -= denom


def adam_step(p, g, m, v, beta1, beta2, step_size, sqrt_bc2, eps) -> None:
    """One Adam step in place (minidl/optim/adam.py gives the rule): the moments, then the step."""
    adam_moments(g, m, v, beta1, beta2)
    adam_apply(p, m, v, step_size, sqrt_bc2, eps)
