"""The kernels' public entry points: validate once, allocate the output, call the chosen backend.

Everything a backend may trust is established here: float32 or float64 arrays of one dtype, the right
ranks and shapes, aligned C-contiguous buffers where a backend needs them (copying only when they are
not: a view into a byte buffer at an odd offset is valid NumPy but not a valid C `float *`), sizes that
fit in 64 bits, index arrays that point inside the image, and a freshly allocated output. Errors name
the function, the argument, what it got and what it expected.

Names and argument orders follow PyTorch: `conv2d`, `conv2d_input` and `conv2d_weight` mirror
`torch.nn.functional.conv2d` and `torch.nn.grad.conv2d_input/conv2d_weight`.
"""

import math

import numpy as np

from .dispatch import backend_for, gemm_backend

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
# strides, paddings, dilations and kernel sizes above this are surely mistakes, and keep every size
# the C code computes (OH = (H + 2*ph - ...) // sh + 1, and products of them) far from overflowing
_MAX_GEOMETRY = 2**31 - 1

IntPair = int | tuple[int, int]


# --------------------------------------------------------------------------------------------- checks
def _array(fn: str, name: str, a: object, ndim: int) -> np.ndarray:
    if not isinstance(a, np.ndarray):
        raise TypeError(
            f"{fn}: Argument `{name}` must be a numpy.ndarray. Received: {type(a).__name__}"
        )
    if a.dtype not in _FLOATS:
        raise TypeError(
            f"{fn}: Argument `{name}` must have dtype float32 or float64. Received: dtype={a.dtype}"
        )
    if a.ndim != ndim:
        raise ValueError(
            f"{fn}: Argument `{name}` must be {ndim}-D. Received: {name}.ndim={a.ndim}, "
            f"{name}.shape={a.shape}"
        )
    return a


def _same_dtype(fn: str, **arrays: np.ndarray) -> None:
    dtypes = {name: a.dtype for name, a in arrays.items()}
    if len(set(dtypes.values())) > 1:
        got = ", ".join(f"{name}.dtype={dt}" for name, dt in dtypes.items())
        raise TypeError(f"{fn}: arguments must share one dtype. Received: {got}")


def _pair(fn: str, name: str, v: object, minimum: int) -> tuple[int, int]:
    pair = (v, v) if isinstance(v, int | np.integer) else v
    if (
        not isinstance(pair, tuple | list)
        or len(pair) != 2
        or not all(isinstance(e, int | np.integer) and not isinstance(e, bool) for e in pair)
        or min(pair) < minimum
        or max(pair) > _MAX_GEOMETRY
    ):
        raise ValueError(
            f"{fn}: Argument `{name}` must be an int or a pair of ints >= {minimum} (and < 2**31). "
            f"Received: {name}={v!r}"
        )
    return int(pair[0]), int(pair[1])


def _contiguous(a: np.ndarray) -> np.ndarray:
    """`a` itself when it is C-contiguous and aligned (what the C and Numba kernels read), else a
    copy that is (np.ascontiguousarray keeps a misaligned contiguous array as it is)."""
    if a.flags.c_contiguous and a.flags.aligned:
        return a
    return np.array(a, order="C", copy=True)


def _aligned(a: np.ndarray) -> np.ndarray:
    """`a`, or an aligned copy when its data pointer or strides are not multiples of its item size."""
    return a if a.flags.aligned else np.array(a, order="C", copy=True)


def _out_size(fn, size, kernel, stride, padding, dilation, shapes: str) -> int:
    """OH = (H + 2*ph - dh*(KH - 1) - 1) // sh + 1, or a clear error when the kernel does not fit."""
    span = dilation * (kernel - 1) + 1
    if size + 2 * padding < span:
        raise ValueError(
            f"{fn}: the kernel (extent {span}) is larger than the padded input "
            f"({size} + 2*{padding} = {size + 2 * padding}); {shapes}"
        )
    return (size + 2 * padding - span) // stride + 1


# --------------------------------------------------------------------------------------------- GEMM
def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """C = A @ B for 2-D float arrays: C[i, j] = sum_k A[i, k] B[k, j]; (M, K) @ (K, N) -> (M, N).

    Transposed and strided views are fine: the C GEMM reads them in place while it packs.
    """
    ok = (  # one cheap test on the hot path; the checks below say what is wrong when it fails
        type(a) is np.ndarray
        and type(b) is np.ndarray
        and a.ndim == 2
        and b.ndim == 2
        and a.dtype == b.dtype
        and a.dtype in _FLOATS
        and a.shape[1] == b.shape[0]
    )
    if not ok:
        _array("matmul", "a", a, 2)
        _array("matmul", "b", b, 2)
        _same_dtype("matmul", a=a, b=b)
        if a.shape[1] != b.shape[0]:
            raise ValueError(
                f"matmul: inner dimensions differ: a.shape={a.shape} and b.shape={b.shape} "
                f"(expected a.shape[1] == b.shape[0])"
            )
    m, k = a.shape
    n = b.shape[1]
    if k == 0 or m == 0 or n == 0:
        return np.zeros((m, n), dtype=a.dtype)
    if not (a.flags.aligned and b.flags.aligned):
        a, b = _aligned(a), _aligned(b)
    out = np.empty((m, n), dtype=a.dtype)
    gemm_backend(float(m) * n * k).gemm(a, b, out)
    return out


# --------------------------------------------------------------------------------------------- conv2d
def _conv_args(fn, x_shape, w_shape, stride, padding, dilation):
    """Check a convolution's geometry; returns (stride, padding, dilation, (OH, OW))."""
    stride = _pair(fn, "stride", stride, 1)
    padding = _pair(fn, "padding", padding, 0)
    dilation = _pair(fn, "dilation", dilation, 1)
    shapes = f"input.shape={tuple(x_shape)}, weight.shape={tuple(w_shape)}"
    if x_shape[1] != w_shape[1]:
        raise ValueError(
            f"{fn}: input has {x_shape[1]} channels but weight expects {w_shape[1]}; {shapes}"
        )
    oh = _out_size(fn, x_shape[2], w_shape[2], stride[0], padding[0], dilation[0], shapes)
    ow = _out_size(fn, x_shape[3], w_shape[3], stride[1], padding[1], dilation[1], shapes)
    return stride, padding, dilation, (oh, ow)


def conv2d_geometry(
    input_shape: tuple, weight_shape: tuple, stride=1, padding=0, dilation=1, fn: str = "conv2d"
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int, int, int]]:
    """Check a convolution's arguments (errors name `fn`); returns (stride, padding, dilation) as
    pairs and the output shape (N, F, OH, OW). For callers that validate before calling the kernels."""
    for name, shape in (("input", input_shape), ("weight", weight_shape)):
        if len(shape) != 4:
            raise ValueError(
                f"{fn}: Argument `{name}` must be 4-D (N, C, H, W) / (F, C, KH, KW). "
                f"Received: {name}.shape={tuple(shape)}"
            )
    stride, padding, dilation, (oh, ow) = _conv_args(
        fn, input_shape, weight_shape, stride, padding, dilation
    )
    return stride, padding, dilation, (input_shape[0], weight_shape[0], oh, ow)


def conv2d(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
) -> np.ndarray:
    """y[n, f, i, j] = b[f] + sum_{c,p,q} w[f, c, p, q] xpad[n, c, i*sh + p*dh, j*sw + q*dw].

    (N, C, H, W) and (F, C, KH, KW) -> (N, F, OH, OW), OH = (H + 2ph - dh(KH-1) - 1) // sh + 1.
    """
    x = _array("conv2d", "input", input, 4)
    w = _array("conv2d", "weight", weight, 4)
    arrays = {"input": x, "weight": w}
    if bias is not None:
        arrays["bias"] = _array("conv2d", "bias", bias, 1)
        if bias.shape[0] != w.shape[0]:
            raise ValueError(
                f"conv2d: bias has {bias.shape[0]} entries but weight has {w.shape[0]} filters; "
                f"bias.shape={bias.shape}, weight.shape={w.shape}"
            )
    _same_dtype("conv2d", **arrays)
    stride, padding, dilation, (oh, ow) = _conv_args(
        "conv2d", x.shape, w.shape, stride, padding, dilation
    )
    out = np.empty((x.shape[0], w.shape[0], oh, ow), dtype=x.dtype)
    if out.size == 0:
        return out
    b = None if bias is None else _contiguous(bias)
    backend_for("conv2d").conv2d_forward(
        _contiguous(x), _contiguous(w), b, out, stride, padding, dilation
    )
    return out


def _grad_out(fn, grad_output, n, f, oh, ow) -> np.ndarray:
    if grad_output.shape != (n, f, oh, ow):
        raise ValueError(
            f"{fn}: Argument `grad_output` must have the convolution's output shape "
            f"{(n, f, oh, ow)}. Received: grad_output.shape={grad_output.shape}"
        )
    return _contiguous(grad_output)


def _shape4(fn: str, name: str, shape: object) -> tuple[int, int, int, int]:
    if (
        not isinstance(shape, tuple | list)
        or len(shape) != 4
        or not all(
            isinstance(s, int | np.integer) and not isinstance(s, bool) and s >= 0 for s in shape
        )
    ):
        raise ValueError(
            f"{fn}: Argument `{name}` must be 4 non-negative ints. Received: {name}={shape!r}"
        )
    shape = tuple(int(s) for s in shape)
    if math.prod(shape) * 8 >= 2**63:
        raise ValueError(
            f"{fn}: Argument `{name}` describes an array of more than 2**60 elements. "
            f"Received: {name}={shape}"
        )
    return shape


def conv2d_input(
    input_size,
    weight,
    grad_output,
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
) -> np.ndarray:
    """dL/dx = col2im(w^T @ dL/dy): the gradient of conv2d with respect to its input, shape `input_size`."""
    input_size = _shape4("conv2d_input", "input_size", input_size)
    w = _array("conv2d_input", "weight", weight, 4)
    gy = _array("conv2d_input", "grad_output", grad_output, 4)
    _same_dtype("conv2d_input", weight=w, grad_output=gy)
    stride, padding, dilation, (oh, ow) = _conv_args(
        "conv2d_input", input_size, w.shape, stride, padding, dilation
    )
    gy = _grad_out("conv2d_input", gy, input_size[0], w.shape[0], oh, ow)
    out = np.zeros(input_size, dtype=w.dtype)
    if gy.size == 0 or out.size == 0:
        return out
    backend_for("conv2d").conv2d_backward_input(gy, _contiguous(w), out, stride, padding, dilation)
    return out


def conv2d_weight(
    input,
    weight_size,
    grad_output,
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
) -> np.ndarray:
    """dL/dw[f, c, p, q] = sum_{n,i,j} dL/dy[n, f, i, j] xpad[n, c, i*sh + p*dh, j*sw + q*dw]."""
    x = _array("conv2d_weight", "input", input, 4)
    weight_size = _shape4("conv2d_weight", "weight_size", weight_size)
    gy = _array("conv2d_weight", "grad_output", grad_output, 4)
    _same_dtype("conv2d_weight", input=x, grad_output=gy)
    stride, padding, dilation, (oh, ow) = _conv_args(
        "conv2d_weight", x.shape, weight_size, stride, padding, dilation
    )
    gy = _grad_out("conv2d_weight", gy, x.shape[0], weight_size[0], oh, ow)
    out = np.zeros(weight_size, dtype=x.dtype)
    if gy.size == 0 or out.size == 0:
        return out
    backend_for("conv2d").conv2d_backward_weight(gy, _contiguous(x), out, stride, padding, dilation)
    return out


def conv2d_bias(grad_output: np.ndarray) -> np.ndarray:
    """dL/db[f] = sum_{n,i,j} dL/dy[n, f, i, j]."""
    gy = _array("conv2d_bias", "grad_output", grad_output, 4)
    out = np.zeros(gy.shape[1], dtype=gy.dtype)
    if gy.size:
        backend_for("conv2d").conv2d_backward_bias(_contiguous(gy), out)
    return out


# --------------------------------------------------------------------------------------------- pooling
def _pool_args(fn, x_shape, kernel_size, stride, padding):
    """PyTorch's rules: stride defaults to the kernel; padding at most half the kernel; a non-empty
    image (so that every window holds at least one real pixel: padding never wins a max)."""
    if x_shape[2] < 1 or x_shape[3] < 1:
        raise ValueError(
            f"{fn}: the input's height and width must be >= 1. Received: input.shape={tuple(x_shape)}"
        )
    kernel_size = _pair(fn, "kernel_size", kernel_size, 1)
    stride = kernel_size if stride is None else _pair(fn, "stride", stride, 1)
    padding = _pair(fn, "padding", padding, 0)
    for k, p in zip(kernel_size, padding, strict=True):
        if 2 * p > k:
            raise ValueError(
                f"{fn}: padding must be at most half the kernel size. Received: "
                f"padding={padding}, kernel_size={kernel_size}"
            )
    shapes = f"input.shape={tuple(x_shape)}, kernel_size={kernel_size}"
    oh = _out_size(fn, x_shape[2], kernel_size[0], stride[0], padding[0], 1, shapes)
    ow = _out_size(fn, x_shape[3], kernel_size[1], stride[1], padding[1], 1, shapes)
    return kernel_size, stride, padding, (oh, ow)


def pool2d_geometry(
    input_shape: tuple, kernel_size, stride=None, padding=0, fn: str = "pool2d"
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int, int, int]]:
    """Check a pooling's arguments (errors name `fn`); returns (kernel_size, stride, padding) as
    pairs and the output shape (N, C, OH, OW)."""
    if len(input_shape) != 4:
        raise ValueError(
            f"{fn}: Argument `input` must be 4-D (N, C, H, W). Received: input.shape={tuple(input_shape)}"
        )
    k, s, p, (oh, ow) = _pool_args(fn, input_shape, kernel_size, stride, padding)
    return k, s, p, (*input_shape[:2], oh, ow)


def max_pool2d(
    input: np.ndarray, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0
) -> tuple[np.ndarray, np.ndarray]:
    """y[n, c, i, j] = max_{p,q} xpad[n, c, i*sh + p, j*sw + q] (padding = -inf).

    Returns (y, indices): indices[n, c, i, j] = h*W + w of the arg-max in x (the first one on ties),
    like PyTorch's return_indices=True.
    """
    x = _array("max_pool2d", "input", input, 4)
    k, s, p, (oh, ow) = _pool_args("max_pool2d", x.shape, kernel_size, stride, padding)
    out = np.empty((*x.shape[:2], oh, ow), dtype=x.dtype)
    indices = np.empty(out.shape, dtype=np.int64)
    if out.size:
        backend_for("pool2d").max_pool2d_forward(_contiguous(x), out, indices, k, s, p)
    return out, indices


def max_pool2d_backward(
    grad_output, indices, input_size, kernel_size, stride=None, padding=0
) -> np.ndarray:
    """dL/dx[n, c, h*W + w] = sum of dL/dy[n, c, i, j] over the windows whose arg-max is (h, w)."""
    fn = "max_pool2d_backward"
    input_size = _shape4(fn, "input_size", input_size)
    gy = _array(fn, "grad_output", grad_output, 4)
    k, s, p, (oh, ow) = _pool_args(fn, input_size, kernel_size, stride, padding)
    if not isinstance(indices, np.ndarray):
        raise TypeError(
            f"{fn}: Argument `indices` must be a numpy.ndarray (the second result of max_pool2d). "
            f"Received: {type(indices).__name__}"
        )
    if gy.shape != (*input_size[:2], oh, ow) or indices.shape != gy.shape:
        raise ValueError(
            f"{fn}: grad_output and indices must have the pooled shape {(*input_size[:2], oh, ow)}. "
            f"Received: grad_output.shape={gy.shape}, indices.shape={indices.shape}"
        )
    if indices.dtype != np.int64:
        raise TypeError(
            f"{fn}: Argument `indices` must have dtype int64. Received: {indices.dtype}"
        )
    out = np.zeros(input_size, dtype=gy.dtype)
    if gy.size == 0:
        return out
    # the fast backends write gx[plane, index] without a bounds check: an index in its window but in
    # the padding, or past the plane, would write into the next plane or past the array. Each backend
    # has its own checker (in C and Numba a loop without divisions, cheaper than the backward itself)
    backend = backend_for("pool2d")
    indices = _contiguous(indices)
    bad = backend.max_pool2d_check_indices(indices, input_size, k, s, p)
    if bad >= 0:
        at = np.unravel_index(bad, indices.shape)
        raise ValueError(
            f"{fn}: Argument `indices` holds positions outside their pooling windows or the image "
            f"(each must be a pixel h*W + w of the {input_size[2]}x{input_size[3]} input inside its "
            f"output position's window). Received: indices{[int(i) for i in at]}={int(indices[at])}"
        )
    backend.max_pool2d_backward(_contiguous(gy), indices, out, k, s, p)
    return out


def avg_pool2d(
    input: np.ndarray, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0
) -> np.ndarray:
    """y[n, c, i, j] = (1 / (KH*KW)) sum_{p,q} xpad[n, c, i*sh + p, j*sw + q] (count_include_pad)."""
    x = _array("avg_pool2d", "input", input, 4)
    k, s, p, (oh, ow) = _pool_args("avg_pool2d", x.shape, kernel_size, stride, padding)
    out = np.empty((*x.shape[:2], oh, ow), dtype=x.dtype)
    if out.size:
        backend_for("pool2d").avg_pool2d_forward(_contiguous(x), out, k, s, p)
    return out


def avg_pool2d_backward(grad_output, input_size, kernel_size, stride=None, padding=0) -> np.ndarray:
    """dL/dx[n, c, h, w] = sum over the windows holding (h, w) of dL/dy[n, c, i, j] / (KH*KW)."""
    fn = "avg_pool2d_backward"
    input_size = _shape4(fn, "input_size", input_size)
    gy = _array(fn, "grad_output", grad_output, 4)
    k, s, p, (oh, ow) = _pool_args(fn, input_size, kernel_size, stride, padding)
    if gy.shape != (*input_size[:2], oh, ow):
        raise ValueError(
            f"{fn}: Argument `grad_output` must have the pooled shape {(*input_size[:2], oh, ow)}. "
            f"Received: grad_output.shape={gy.shape}"
        )
    out = np.zeros(input_size, dtype=gy.dtype)
    if gy.size:
        backend_for("pool2d").avg_pool2d_backward(_contiguous(gy), out, k, s, p)
    return out


# ----------------------------------------------------------------------------------------------- Adam
def adam_step(
    param: np.ndarray,
    grad: np.ndarray,
    exp_avg: np.ndarray,
    exp_avg_sq: np.ndarray,
    *,
    beta1: float,
    beta2: float,
    step_size: float,
    sqrt_bias_correction2: float,
    eps: float,
) -> None:
    """One Adam step, in place on param, exp_avg (m) and exp_avg_sq (v), all of one shape and dtype:

        m = beta1*m + (1-beta1)*g,   v = beta2*v + (1-beta2)*g*g,
        param -= step_size * m / (sqrt(v) / sqrt_bias_correction2 + eps)

    with step_size = lr / (1 - beta1**t) and sqrt_bias_correction2 = sqrt(1 - beta2**t) at step t.
    Every backend gives the same bits (the same IEEE operations in the same order)."""
    ok = (  # one cheap test on the hot path (an optimizer calls this per parameter per step)
        type(param) is np.ndarray
        and type(grad) is np.ndarray
        and type(exp_avg) is np.ndarray
        and type(exp_avg_sq) is np.ndarray
        and param.dtype in _FLOATS
        and param.dtype == grad.dtype == exp_avg.dtype == exp_avg_sq.dtype
        and param.shape == grad.shape == exp_avg.shape == exp_avg_sq.shape
        and _in_place(param)
        and _in_place(exp_avg)
        and _in_place(exp_avg_sq)
    )
    if not ok:
        _adam_args(param, grad, exp_avg, exp_avg_sq)
    scalars = (beta1, beta2, step_size, sqrt_bias_correction2, eps)
    backend_for("optim").adam_step(param, _contiguous(grad), exp_avg, exp_avg_sq,
                                   *(float(x) for x in scalars))  # fmt: skip


def _in_place(a: np.ndarray) -> bool:
    flags = a.flags
    return flags.c_contiguous and flags.aligned and flags.writeable


def _adam_args(param, grad, exp_avg, exp_avg_sq) -> None:
    """Says what is wrong with adam_step's arrays."""
    fn = "adam_step"
    arrays = {"param": param, "grad": grad, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
    for name, a in arrays.items():
        if not isinstance(a, np.ndarray) or a.dtype not in _FLOATS:
            raise TypeError(
                f"{fn}: Argument `{name}` must be a float32 or float64 numpy.ndarray. Received: "
                f"{type(a).__name__}"
                + (f" of dtype {a.dtype}" if isinstance(a, np.ndarray) else "")
            )
        if a.shape != param.shape:
            raise ValueError(
                f"{fn}: Argument `{name}` must have param's shape {param.shape}. "
                f"Received: {name}.shape={a.shape}"
            )
    _same_dtype(fn, **arrays)
    for name in ("param", "exp_avg", "exp_avg_sq"):  # updated in place: no copies allowed
        a = arrays[name]
        if not (a.flags.c_contiguous and a.flags.aligned and a.flags.writeable):
            raise ValueError(
                f"{fn}: Argument `{name}` is updated in place and must be a writeable, aligned, "
                f"C-contiguous array. Received: flags c_contiguous={a.flags.c_contiguous}, "
                f"aligned={a.flags.aligned}, writeable={a.flags.writeable}"
            )
