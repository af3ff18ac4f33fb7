"""The C backend: thin cffi calls into the compiled kernels of csrc/ (extension `minidl._minidl_c`).

Same functions and signatures as `reference.py`. The dispatcher has already checked dtypes, shapes and
contiguity and allocated the outputs; this module only translates NumPy arrays into pointers and sizes,
and turns the C functions' status codes into exceptions (MINIDL_ERR_NOMEM -> MemoryError).
Importing it raises ImportError when the extension was not built, which the dispatcher reports.

The GEMM's instruction set is the best this CPU has; `set_isa` or the environment variable
MINIDL_C_ISA ("generic", "avx2+fma", "avx512f"; read at import) forces another, so that tests and
csrc/sanitize.sh can drive every micro-kernel on one machine.
"""

import os
import zlib

import numpy as np

from minidl._minidl_c import ffi, lib

from .threads import get_num_threads

_ARRAYS = {
    np.dtype(np.float32): "float[]",
    np.dtype(np.float64): "double[]",
    np.dtype(np.int64): "int64_t[]",
}
_POINTERS = {
    np.dtype(np.float32): "float *",
    np.dtype(np.float64): "double *",
    np.dtype(np.int64): "int64_t *",
}
_SUFFIX = {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64"}
ISAS = ("generic", "avx2+fma", "avx512f")


def _ptr(a: np.ndarray | None):
    """A typed pointer to a's first element (NULL for None); `a` must outlive the call.

    ffi.from_buffer takes a contiguous array in well under a microsecond; a transposed one is the
    contiguous a.T seen backwards, with the same first element. Other strided views go through
    a.ctypes.data, which is several times slower.
    """
    if a is None:
        return ffi.NULL
    if a.flags.c_contiguous:
        return ffi.from_buffer(_ARRAYS[a.dtype], a)
    if a.flags.f_contiguous:
        return ffi.from_buffer(_ARRAYS[a.dtype], a.T)
    return ffi.cast(_POINTERS[a.dtype], a.ctypes.data)


def _fn(name: str, dtype: np.dtype):
    """The C function `minidl_<name>_f32` or `_f64` for this dtype."""
    return getattr(lib, f"minidl_{name}_{_SUFFIX[dtype]}")


def _check(status: int, name: str) -> None:
    """Raise MemoryError when a C kernel could not allocate its scratch memory."""
    if status == lib.MINIDL_ERR_NOMEM:
        raise MemoryError(f"{name}: the C kernel could not allocate its scratch memory")
    if status != lib.MINIDL_OK:
        raise RuntimeError(f"{name}: the C kernel failed with status {status}")


# --------------------------------------------------------------------------------------------- GEMM
def gemm(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out = a @ b. Any element strides (transposed or sliced views) are passed on as they are."""
    size = a.itemsize
    (ra, ca), (rb, cb) = a.strides, b.strides
    if ra % size or ca % size or rb % size or cb % size:  # strides that split elements: copy
        a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
        (ra, ca), (rb, cb) = a.strides, b.strides
    m, k = a.shape
    n = b.shape[1]
    gemm_fn = lib.minidl_sgemm if size == 4 else lib.minidl_dgemm
    status = gemm_fn(
        m, n, k, _ptr(a), ra // size, ca // size, _ptr(b), rb // size, cb // size,
        _ptr(out), n, 0, get_num_threads(),
    )  # fmt: skip
    _check(status, "matmul")


# --------------------------------------------------------------------------------------------- conv2d
def _conv_shape(x_shape, w_shape, y_shape, stride, padding, dilation):
    return ffi.new(
        "minidl_conv_shape *",
        (*x_shape, w_shape[0], *w_shape[2:], *y_shape[2:], *stride, *padding, *dilation),
    )


def conv2d_forward(x, w, bias, out, stride, padding, dilation) -> None:
    """y = w * x + b (see reference.conv2d_forward)."""
    s = _conv_shape(x.shape, w.shape, out.shape, stride, padding, dilation)
    fn = _fn("conv2d_forward", x.dtype)
    _check(fn(s, _ptr(x), _ptr(w), _ptr(bias), _ptr(out), get_num_threads()), "conv2d")


def conv2d_backward_input(grad_out, w, out, stride, padding, dilation) -> None:
    """dL/dx = col2im(w^T @ dL/dy) (see reference.conv2d_backward_input)."""
    s = _conv_shape(out.shape, w.shape, grad_out.shape, stride, padding, dilation)
    fn = _fn("conv2d_backward_input", w.dtype)
    _check(fn(s, _ptr(grad_out), _ptr(w), _ptr(out), get_num_threads()), "conv2d_input")


def conv2d_backward_weight(grad_out, x, out, stride, padding, dilation) -> None:
    """dL/dw = sum_n dL/dy_n @ col_n^T (see reference.conv2d_backward_weight)."""
    s = _conv_shape(x.shape, out.shape, grad_out.shape, stride, padding, dilation)
    fn = _fn("conv2d_backward_weight", x.dtype)
    _check(fn(s, _ptr(grad_out), _ptr(x), _ptr(out), get_num_threads()), "conv2d_weight")


def conv2d_backward_bias(grad_out, out) -> None:
    """dL/db[f] = sum_{n,i,j} dL/dy[n, f, i, j]."""
    n, f, oh, ow = grad_out.shape
    s = ffi.new("minidl_conv_shape *", {"n": n, "f": f, "oh": oh, "ow": ow})
    _check(_fn("conv2d_backward_bias", out.dtype)(s, _ptr(grad_out), _ptr(out)), "conv2d_bias")


# --------------------------------------------------------------------------------------------- pooling
def _pool_shape(x_shape, y_shape, kernel_size, stride, padding):
    n, c, h, w = x_shape
    return ffi.new(
        "minidl_pool_shape *", (n * c, h, w, *y_shape[2:], *kernel_size, *stride, *padding)
    )


def max_pool2d_forward(x, out, indices, kernel_size, stride, padding) -> None:
    """Window maxima and the flat positions of their (first) arg-max."""
    s = _pool_shape(x.shape, out.shape, kernel_size, stride, padding)
    fn = _fn("max_pool2d_forward", x.dtype)
    _check(fn(s, _ptr(x), _ptr(out), _ptr(indices), get_num_threads()), "max_pool2d")


def max_pool2d_backward(grad_out, indices, out, kernel_size, stride, padding) -> None:
    """Route each output gradient to its window's arg-max."""
    s = _pool_shape(out.shape, grad_out.shape, kernel_size, stride, padding)
    fn = _fn("max_pool2d_backward", out.dtype)
    _check(
        fn(s, _ptr(grad_out), _ptr(indices), _ptr(out), get_num_threads()), "max_pool2d_backward"
    )


def max_pool2d_check_indices(indices, input_shape, kernel_size, stride, padding) -> int:
    """-1 if every index is a pixel of the image inside its window, else the first bad position."""
    s = _pool_shape(input_shape, indices.shape, kernel_size, stride, padding)
    return lib.minidl_max_pool2d_check_indices(s, _ptr(indices), get_num_threads())


def avg_pool2d_forward(x, out, kernel_size, stride, padding) -> None:
    """Window means (zeros of the padding included)."""
    s = _pool_shape(x.shape, out.shape, kernel_size, stride, padding)
    fn = _fn("avg_pool2d_forward", x.dtype)
    _check(fn(s, _ptr(x), _ptr(out), get_num_threads()), "avg_pool2d")


def avg_pool2d_backward(grad_out, out, kernel_size, stride, padding) -> None:
    """Each window's gradient shared equally among its KH*KW positions."""
    s = _pool_shape(out.shape, grad_out.shape, kernel_size, stride, padding)
    fn = _fn("avg_pool2d_backward", out.dtype)
    _check(fn(s, _ptr(grad_out), _ptr(out), get_num_threads()), "avg_pool2d_backward")


# --------------------------------------------------------------------------------------------- info
def isa() -> str:
    """The instruction set of the GEMM micro-kernel in use ("avx512f", "avx2+fma" or "generic")."""
    return ISAS[lib.minidl_get_isa()]


def build_id() -> str:
    """Eight hex digits that change whenever the extension is rebuilt (its file's size and time):
    a measurement of these kernels (calibrate.py) is not reused for other ones."""
    import minidl._minidl_c as extension

    info = os.stat(extension.__file__)
    return f"{zlib.crc32(f'{info.st_size}:{info.st_mtime_ns}'.encode()):08x}"


def supported_isas() -> list[str]:
    """The micro-kernels this CPU can run."""
    return [name for i, name in enumerate(ISAS) if lib.minidl_isa_supported(i)]


def set_isa(name: str) -> None:
    """Force one micro-kernel (for tests and benchmarks); raises ValueError if the CPU lacks it."""
    if name not in ISAS or lib.minidl_set_isa(ISAS.index(name)) != 0:
        raise ValueError(
            f"set_isa: Argument `name` must be one of {supported_isas()} on this CPU. "
            f"Received: name={name!r}"
        )


def build_info() -> str:
    """Compiler, OpenMP and flags the extension was built with."""
    return ffi.string(lib.minidl_build_info()).decode()


_env_isa = os.environ.get("MINIDL_C_ISA", "").strip()
if _env_isa:
    if _env_isa not in supported_isas():
        raise ValueError(
            f"MINIDL_C_ISA must be one of {supported_isas()} on this CPU. Received: {_env_isa!r}"
        )
    set_isa(_env_isa)


# -------------------------------------------------------------------------------------------- Adam
def adam_step(p, g, m, v, beta1, beta2, step_size, sqrt_bc2, eps) -> None:
    fn = _fn("adam_step", p.dtype)
    _check(fn(p.size, _ptr(p), _ptr(g), _ptr(m), _ptr(v), beta1, beta2, step_size, sqrt_bc2, eps),
           "adam_step")  # fmt: skip
