"""The Numba backend: the C kernels' algorithms (im2col + blocked GEMM, direct pooling loops) in
Python syntax, compiled by Numba. Same functions and signatures as `reference.py`.

Importing this module raises ImportError when Numba is missing, and the dispatcher reports it. The
compiled code is cached on disk (cache=True), so only the first run of a fresh checkout pays the JIT
compile. `fastmath` lets LLVM reorder the sums into SIMD lanes, but only the reordering flags: full
fastmath also assumes that no value is NaN or inf, which folds the max-pool's `v != v` NaN test to
False and let a NaN vanish from its window. `parallel` kernels split the images (conv) or planes
(pooling) or row blocks (GEMM) over the threads set by `set_num_threads`; every output element is
computed by one thread, and the one sum across threads (conv weight gradient) uses a fixed partition,
so results do not depend on scheduling or on the thread count.
"""

import numba
import numpy as np
from numba import njit, prange

_JIT = dict(cache=True, fastmath={"reassoc", "contract", "arcp", "nsz"}, nogil=True)
# the conv weight gradient's images are summed in this many fixed chunks (see conv2d_backward_weight)
CHUNKS = 8
# GEMM blocks: summed dimension, rows (threads), columns. KB is long because every 4 x 2 tile ends
# each KB slice with 8 horizontal vector sums and 8 updates of c, about as long as 256 steps of its k
# loop: KB = 1024 cut that overhead (n = 1024..2048: 1.3x faster than 256); 4 rows of a (16 KB) stay
# in L1 and NBT = 32 rows of bt (128 KB) in L2.
KB, MB, JB, NBT = 1024, 32, 512, 32


# --------------------------------------------------------------------------------------------- GEMM
@njit(**_JIT)
def _gemm_nt(a, bt, c, i0, i1, accumulate):
    """c[i0:i1] (+)= a[i0:i1] @ bt.T, one thread: every c[i, j] is a dot product of two contiguous
    rows, a[i, :] and bt[j, :]. A 4 x 2 tile of c is computed at once, so each loaded element serves
    2 or 4 multiply-adds; LLVM (fastmath) vectorises the k loop, keeping 8 vector accumulators.
    Plain 2-D indexing c[i, j] in the inner loop would stop it: row views (a0 = a[i]) are what let
    LLVM see unit-stride loads."""
    kdim = a.shape[1]
    n = bt.shape[0]
    if not accumulate:
        c[i0:i1, :] = 0
    zero = c.dtype.type(0)
    for k0 in range(0, kdim, KB):  # KB-long slices: 4 rows of a stay in L1 ...
        k1 = min(k0 + KB, kdim)
        for j0 in range(0, n, NBT):  # ... and NBT rows of bt in L2, across all rows of a
            j1 = min(j0 + NBT, n)
            for i in range(i0, i1, 4):
                rows = min(4, i1 - i)
                # row slices that start at 0, looped over range(k1 - k0): LLVM then knows every
                # index is >= 0 and drops the negative-index wrap-around from the k loop (it was
                # 7 integer ops beside the 8 FMAs of each step). Past the last row (or column):
                # repeat it, and store nothing for it.
                a0, a1 = a[i, k0:k1], a[i + min(1, rows - 1), k0:k1]
                a2, a3 = a[i + min(2, rows - 1), k0:k1], a[i + min(3, rows - 1), k0:k1]
                for j in range(j0, j1, 2):
                    b0, b1 = bt[j, k0:k1], bt[min(j + 1, n - 1), k0:k1]
                    s00 = s01 = s10 = s11 = s20 = s21 = s30 = s31 = zero
                    for k in range(k1 - k0):
                        x0, x1 = b0[k], b1[k]
                        s00 += a0[k] * x0
                        s01 += a0[k] * x1
                        s10 += a1[k] * x0
                        s11 += a1[k] * x1
                        s20 += a2[k] * x0
                        s21 += a2[k] * x1
                        s30 += a3[k] * x0
                        s31 += a3[k] * x1
                    sums = ((s00, s01), (s10, s11), (s20, s21), (s30, s31))
                    for r in range(rows):
                        c[i + r, j] += sums[r][0]
                        if j + 1 < n:
                            c[i + r, j + 1] += sums[r][1]


@njit(**_JIT)
def _gemm_nn(a, b, c, accumulate):
    """c (+)= a @ b, one thread, as row updates c[i, :] += a[i, k] * b[k, :]: the form for a short
    summed dimension k (a convolution's F or C*KH*KW) and long rows (its OH*OW). One row of c at a
    time: with a single output row LLVM can prove the loop safe to vectorise (with several it can
    not, and falls back to scalar code); JB-wide blocks of it stay in L1 while b streams by."""
    m, kdim = a.shape
    n = b.shape[1]
    if not accumulate:
        c[:, :] = 0
    k4 = kdim - kdim % 4
    for j0 in range(0, n, JB):
        j1 = min(j0 + JB, n)
        for i in range(m):
            ci = c[i, j0:j1]  # views that start at 0: loops over range(n) vectorise, over
            # range(j0, j1) they do not (negative-index checks remain). Four rows of b per pass
            # over ci: one load and store of c for four multiply-adds (the store was the limit).
            for k in range(0, k4, 4):
                a0, a1, a2, a3 = a[i, k], a[i, k + 1], a[i, k + 2], a[i, k + 3]
                b0, b1, b2, b3 = b[k, j0:j1], b[k + 1, j0:j1], b[k + 2, j0:j1], b[k + 3, j0:j1]
                for j in range(j1 - j0):
                    ci[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j]
            for k in range(k4, kdim):
                aik = a[i, k]
                bk = b[k, j0:j1]
                for j in range(j1 - j0):
                    ci[j] += aik * bk[j]


@njit(parallel=True, **_JIT)
def _gemm_parallel(a, bt, c):
    m = a.shape[0]
    for blk in prange((m + MB - 1) // MB):
        _gemm_nt(a, bt, c, blk * MB, min(blk * MB + MB, m), False)


def gemm(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out = a @ b, as dot products of rows of a and of b.T (one contiguous copy each, if needed)."""
    _gemm_parallel(np.ascontiguousarray(a), np.ascontiguousarray(b.T), out)


# --------------------------------------------------------------------------------------------- conv2d
@njit(**_JIT)
def _im2col(x, col, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, patches):
    """x (C, H, W) -> col (C*KH*KW, OH*OW), or its transpose (OH*OW, C*KH*KW) when `patches`
    (one receptive field per row); zero where a window covers padding."""
    c_in, h, w = x.shape
    for c in range(c_in):
        for p in range(kh):
            for q in range(kw):
                row = (c * kh + p) * kw + q
                for i in range(oh):
                    hh = i * sh + p * dh - ph
                    for j in range(ow):
                        ww = j * sw + q * dw - pw
                        v = x[c, hh, ww] if (0 <= hh < h and 0 <= ww < w) else 0.0
                        if patches:
                            col[i * ow + j, row] = v
                        else:
                            col[row, i * ow + j] = v


@njit(**_JIT)
def _col2im(col, gx, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw):
    """gx (C, H, W) += the windows of col (C*KH*KW, OH*OW); the adjoint of _im2col."""
    c_in, h, w = gx.shape
    for c in range(c_in):
        for p in range(kh):
            for q in range(kw):
                row = (c * kh + p) * kw + q
                for i in range(oh):
                    hh = i * sh + p * dh - ph
                    if 0 <= hh < h:
                        for j in range(ow):
                            ww = j * sw + q * dw - pw
                            if 0 <= ww < w:
                                gx[c, hh, ww] += col[row, i * ow + j]


# The conv kernels get their scratch memory (one im2col buffer per chunk of images) from the Python
# wrappers: np.empty raises a clean MemoryError there, whereas a failed allocation inside a parallel
# Numba region surfaces as a SystemError. Chunk t is the fixed run of images
# [t*N // T, (t+1)*N // T): every image's result is computed by one thread, whichever it is.
@njit(parallel=True, **_JIT)
def _conv_forward(x, w2, bias, y, scratch, kh, kw, sh, sw, ph, pw, dh, dw, row_updates):
    n_img, f = x.shape[0], w2.shape[0]
    oh, ow = y.shape[2], y.shape[3]
    chunks = scratch.shape[0]
    for t in prange(chunks):
        for n in range(t * n_img // chunks, (t + 1) * n_img // chunks):
            yn = y[n].reshape(f, oh * ow)
            if row_updates:
                col = scratch[t].reshape(w2.shape[1], oh * ow)
                _im2col(x[n], col, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, False)
                for k in range(f):
                    yn[k, :] = bias[k]  # the bias first, then the product accumulates onto it
                _gemm_nn(w2, col, yn, True)  # (F, CKK) @ (CKK, OH*OW)
            else:
                patches = scratch[t].reshape(oh * ow, w2.shape[1])
                _im2col(x[n], patches, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, True)
                _gemm_nt(w2, patches, yn, 0, f, False)  # (F, CKK) @ (OH*OW, CKK)^T
                for k in range(f):
                    yn[k, :] += bias[k]


@njit(parallel=True, **_JIT)
def _conv_backward_input(gy, w2t, gx, scratch, kh, kw, sh, sw, ph, pw, dh, dw):
    n_img, f, oh, ow = gy.shape
    chunks = scratch.shape[0]
    for t in prange(chunks):
        dcol = scratch[t].reshape(w2t.shape[0], oh * ow)
        for n in range(t * n_img // chunks, (t + 1) * n_img // chunks):
            _gemm_nn(w2t, gy[n].reshape(f, oh * ow), dcol, False)  # (CKK, F) @ (F, OH*OW)
            gx[n, :, :, :] = 0
            _col2im(dcol, gx[n], kh, kw, oh, ow, sh, sw, ph, pw, dh, dw)


@njit(parallel=True, **_JIT)
def _conv_backward_weight(gy, x, partial, scratch, kh, kw, sh, sw, ph, pw, dh, dw):
    """partial[t] = sum over the images of chunk t of gy_n @ col_n^T; the caller adds the chunks."""
    n_img, f, oh, ow = gy.shape
    chunks = partial.shape[0]
    ckk = partial.shape[2]
    for t in prange(chunks):
        col = scratch[t].reshape(ckk, oh * ow)
        partial[t, :, :] = 0
        for n in range(t * n_img // chunks, (t + 1) * n_img // chunks):
            _im2col(x[n], col, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, False)
            # (F, OH*OW) @ (CKK, OH*OW)^T
            _gemm_nt(gy[n].reshape(f, oh * ow), col, partial[t], 0, f, True)


def _scratch(n_img: int, ckk: int, ohw: int, dtype, chunks: int | None = None) -> np.ndarray:
    """One (CKK * OH*OW) im2col buffer per chunk of images: one chunk per thread by default."""
    if chunks is None:
        chunks = max(1, min(numba.get_num_threads(), n_img))
    return np.empty((chunks, ckk * ohw), dtype=dtype)


def conv2d_forward(x, w, bias, out, stride, padding, dilation) -> None:
    """y = w * x + b (see reference.conv2d_forward)."""
    f, _, kh, kw = w.shape
    b = np.zeros(f, dtype=x.dtype) if bias is None else bias
    # Two forms of the per-image product (F, CKK) @ col (CKK, OH*OW). Row updates, vectorised along
    # the long OH*OW, when col fits in half of L2 (256 KB), so that every row of w reuses it from
    # there: dot products of length CKK (25 on LeNet's first layer) end each 4 x 2 tile with 8
    # horizontal sums after three vector steps (1.8x slower there). A larger col would stream from
    # L3 once per row of w (64@3x3 on 32x32x32: 1.4x slower), so there the dot-product form.
    ohw = out.shape[2] * out.shape[3]
    row_updates = w[0].size * ohw * x.itemsize <= 256 * 1024
    scratch = _scratch(x.shape[0], w[0].size, ohw, x.dtype)
    _conv_forward(
        x, w.reshape(f, -1), b, out, scratch, kh, kw, *stride, *padding, *dilation, row_updates
    )


def conv2d_backward_input(grad_out, w, out, stride, padding, dilation) -> None:
    """dL/dx = col2im(w^T @ dL/dy) (see reference.conv2d_backward_input)."""
    f, _, kh, kw = w.shape
    w2t = np.ascontiguousarray(w.reshape(f, -1).T)  # (CKK, F), small
    scratch = _scratch(out.shape[0], w[0].size, grad_out.shape[2] * grad_out.shape[3], w.dtype)
    _conv_backward_input(grad_out, w2t, out, scratch, kh, kw, *stride, *padding, *dilation)


def conv2d_backward_weight(grad_out, x, out, stride, padding, dilation) -> None:
    """dL/dw = sum_n dL/dy_n @ col_n^T: each of CHUNKS fixed runs of images summed in order, then
    the chunks in order, whichever thread ran each one (the same bits for every thread count)."""
    f, c, kh, kw = out.shape
    chunks = max(1, min(CHUNKS, x.shape[0]))
    partial = np.empty((chunks, f, c * kh * kw), dtype=x.dtype)
    scratch = _scratch(
        x.shape[0], c * kh * kw, grad_out.shape[2] * grad_out.shape[3], x.dtype, chunks
    )
    _conv_backward_weight(grad_out, x, partial, scratch, kh, kw, *stride, *padding, *dilation)
    out[...] = partial.sum(axis=0).reshape(out.shape)


def conv2d_backward_bias(grad_out, out) -> None:
    """dL/db[f] = sum_{n,i,j} dL/dy[n, f, i, j] (a reduction NumPy already does at memory speed)."""
    out[...] = grad_out.sum(axis=(0, 2, 3))


# --------------------------------------------------------------------------------------------- pooling
@njit(parallel=True, **_JIT)
def _max_pool_forward(x, y, idx, kh, kw, sh, sw, ph, pw):
    nc, h, w = x.shape
    oh, ow = y.shape[1], y.shape[2]
    for plane in prange(nc):
        for i in range(oh):
            h0, h1 = max(i * sh - ph, 0), min(i * sh - ph + kh, h)
            for j in range(ow):
                w0, w1 = max(j * sw - pw, 0), min(j * sw - pw + kw, w)
                bh, bw = h0, w0
                for hh in range(h0, h1):
                    for ww in range(w0, w1):
                        v, best = x[plane, hh, ww], x[plane, bh, bw]
                        # strictly greater: ties keep the first; a NaN wins once, like argmax
                        if v > best or (v != v and best == best):
                            bh, bw = hh, ww
                y[plane, i, j] = x[plane, bh, bw]
                idx[plane, i, j] = bh * w + bw


@njit(parallel=True, **_JIT)
def _max_pool_backward(gy, idx, gx):
    nc, oh, ow = gy.shape
    for plane in prange(nc):
        gx[plane, :] = 0
        for i in range(oh):
            for j in range(ow):
                gx[plane, idx[plane, i, j]] += gy[plane, i, j]


@njit(**_JIT)
def _check_indices(idx, h, w, kh, kw, sh, sw, ph, pw):
    """The flat position of the first index outside the image or its window, or -1 (see C's
    minidl_max_pool2d_check_indices: no division, one range test per window row)."""
    nc, oh, ow = idx.shape
    for plane in range(nc):
        for i in range(oh):
            top = i * sh - ph
            h0, h1 = max(top, 0), min(top + kh, h)
            for j in range(ow):
                left = j * sw - pw
                w0, w1 = max(left, 0), min(left + kw, w)
                k = idx[plane, i, j]
                ok = False
                for hh in range(h0, h1):
                    ok = ok or (hh * w + w0 <= k < hh * w + w1)
                if not ok:
                    return (plane * oh + i) * ow + j
    return -1


@njit(parallel=True, **_JIT)
def _avg_pool(src, dst, kh, kw, sh, sw, ph, pw, backward):
    """forward: dst = window means of src; backward: dst (the input's gradient) = shared-out src."""
    scale = 1.0 / (kh * kw)
    nc = src.shape[0]
    h, w = (dst.shape[1], dst.shape[2]) if backward else (src.shape[1], src.shape[2])
    oh, ow = (src.shape[1], src.shape[2]) if backward else (dst.shape[1], dst.shape[2])
    for plane in prange(nc):
        if backward:
            dst[plane, :, :] = 0
        for i in range(oh):
            h0, h1 = max(i * sh - ph, 0), min(i * sh - ph + kh, h)
            for j in range(ow):
                w0, w1 = max(j * sw - pw, 0), min(j * sw - pw + kw, w)
                if backward:
                    share = src[plane, i, j] * scale
                    for hh in range(h0, h1):
                        for ww in range(w0, w1):
                            dst[plane, hh, ww] += share
                else:
                    total = src.dtype.type(0)
                    for hh in range(h0, h1):
                        for ww in range(w0, w1):
                            total += src[plane, hh, ww]
                    dst[plane, i, j] = total * scale


def _planes(a: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> (N*C, H, W), a view."""
    return a.reshape(-1, *a.shape[2:])


def max_pool2d_forward(x, out, indices, kernel_size, stride, padding) -> None:
    """Window maxima and the flat positions of their (first) arg-max."""
    _max_pool_forward(_planes(x), _planes(out), _planes(indices), *kernel_size, *stride, *padding)


def max_pool2d_backward(grad_out, indices, out, kernel_size, stride, padding) -> None:
    """Route each output gradient to its window's arg-max."""
    _max_pool_backward(
        _planes(grad_out), _planes(indices), _planes(out).reshape(out.shape[0] * out.shape[1], -1)
    )


def max_pool2d_check_indices(indices, input_shape, kernel_size, stride, padding) -> int:
    """-1 if every index is a pixel of the image inside its window, else the first bad position."""
    return _check_indices(_planes(indices), *input_shape[2:], *kernel_size, *stride, *padding)


def avg_pool2d_forward(x, out, kernel_size, stride, padding) -> None:
    """Window means (zeros of the padding included)."""
    _avg_pool(_planes(x), _planes(out), *kernel_size, *stride, *padding, False)


def avg_pool2d_backward(grad_out, out, kernel_size, stride, padding) -> None:
    """Each window's gradient shared equally among its KH*KW positions."""
    _avg_pool(_planes(grad_out), _planes(out), *kernel_size, *stride, *padding, True)


@njit(cache=True, nogil=True)  # no fastmath: the same IEEE operations, in order, as the reference
def _adam_step(p, g, m, v, b1, c1, b2, c2, step, s2, eps, tiny):
    zero = b1 - b1  # +0 in the arrays' type
    for i in range(p.size):
        gi = g[i]
        mi = m[i] * b1 + c1 * gi
        vi = v[i] * b2 + c2 * (gi * gi)
        if abs(mi) < tiny:  # subnormal: flushed to zero (see csrc/optim.c)
            mi = zero
        if vi < tiny:
            vi = zero
        m[i] = mi
        v[i] = vi
        p[i] -= mi / (np.sqrt(vi) / s2 + eps) * step


def adam_step(p, g, m, v, beta1, beta2, step_size, sqrt_bc2, eps) -> None:
    t = p.dtype.type  # the scalars rounded to the arrays' type, as NumPy does with Python floats
    flat = [a.reshape(-1) for a in (p, g, m, v)]
    _adam_step(*flat, t(beta1), t(1 - beta1), t(beta2), t(1 - beta2), t(step_size), t(sqrt_bc2),
               t(eps), np.finfo(p.dtype).tiny)  # fmt: skip
