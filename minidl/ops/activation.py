"""Activation functions: relu, leaky_relu, elu, gelu, sigmoid, tanh, softplus, softmax, log_softmax.

Each is one Function whose backward reuses what forward computed (often the output y itself: σ' = y(1−y),
tanh' = 1−y²). The ones built from exponentials are written so that no exp ever overflows: sigmoid only
evaluates e^(−|x|), softplus uses log1p(e^(−|βx|)), softmax and log_softmax subtract the row maximum.
"""

from __future__ import annotations

import math

import numpy as np

from minidl.autograd import Function
from minidl.ops.elementwise import float_operand
from minidl.ops.shape import as_tensor, normalize_dim
from minidl.tensor import Tensor


def _float_input(x, name: str) -> Tensor:
    """Activations other than relu, sigmoid and tanh refuse integer input, as PyTorch's do."""
    x = as_tensor(x, name)
    if x.dtype.kind != "f":
        raise TypeError(
            f"{name}: needs a floating-point tensor; received dtype {x.dtype} (convert with "
            f".float())"
        )
    return x


class ReLU(Function):
    """y = max(x, 0);  dy/dx = 1 for x > 0, else 0 (0 at the kink x = 0, as in PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        y = np.maximum(x, 0)  # (NaN stays NaN, as in PyTorch)
        ctx.save_for_backward(y)  # y > 0 exactly where x > 0
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (y > 0)


def relu(x) -> Tensor:
    """Rectified linear unit, max(x, 0) (integer tensors stay integer, as in PyTorch)."""
    x = as_tensor(x, "relu")
    if x.dtype == np.bool_:
        raise TypeError("relu: not defined for bool tensors; received dtype bool")
    return ReLU.apply(x)


class LeakyReLU(Function):
    """y = x for x > 0, else a·x;  dy/dx = 1 for x > 0, else a (a = negative_slope)."""

    @staticmethod
    def forward(ctx, x, slope):
        positive = x > 0
        ctx.save_for_backward(positive)
        ctx.slope = slope
        return np.where(positive, x, slope * x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (positive,) = ctx.saved_tensors
        return grad * np.where(positive, 1.0, ctx.slope).astype(grad.dtype, copy=False)


def leaky_relu(x, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, negative_slope·x otherwise."""
    return LeakyReLU.apply(_float_input(x, "leaky_relu"), slope=float(negative_slope))


class ELU(Function):
    """y = x for x > 0, else α(eˣ − 1);  dy/dx = 1 for x > 0, else α·eˣ = y + α."""

    @staticmethod
    def forward(ctx, x, alpha):
        positive = x > 0
        # expm1 keeps accuracy near 0; min(x, 0) keeps exp from overflowing on the unused branch
        y = np.where(positive, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)
        ctx.save_for_backward(positive, y)
        ctx.alpha = alpha
        return y

    @staticmethod
    def backward(ctx, grad):
        positive, y = ctx.saved_tensors
        return grad * np.where(positive, 1, y + ctx.alpha)


def elu(x, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit: x for x > 0, alpha·(eˣ − 1) otherwise."""
    return ELU.apply(_float_input(x, "elu"), alpha=float(alpha))


# --- the error function, for the exact GELU ---------------------------------------------------------
# NumPy has no erf, and minidl depends on NumPy alone here (math.erf through np.frompyfunc is exact but
# runs a Python call per element, several times slower). Two classical expansions cover the real line
# to ~1e-15:
#   |z| < 2.5:  erf(z) = (2/√π) e^(−z²) · z · Σ_n c_n z^(2n),  c_n = 2^n / (1·3·5···(2n+1))
#               (all terms one sign: no cancellation; ≤ 45 terms, summed by Horner's rule)
#   z ≥ 2.5:    erfc(z) = e^(−z²) / (√π K),  K = z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + ...))))
#               (Laplace's continued fraction, 50 levels evaluated from the tail)

_ERF_SWITCH = 2.5
_CF_DEPTH = 50
_SERIES_COEF = np.cumprod([1.0] + [2.0 / (2 * n + 1) for n in range(1, 60)])  # c_0, c_1, ...


def _series_terms(m: float) -> int:
    """How many terms of the series reach 1e-17 relative accuracy at |z| = m (the worst case)."""
    powers = _SERIES_COEF * (m * m) ** np.arange(_SERIES_COEF.size)
    return int(np.argmax(powers <= 1e-17 * np.cumsum(powers))) + 1


def _erf_series(z: np.ndarray) -> np.ndarray:
    z2 = z * z
    n = _series_terms(float(np.max(np.abs(z)))) if z.size else 1
    acc = np.full_like(z, _SERIES_COEF[n - 1])
    for c in _SERIES_COEF[n - 2 :: -1]:  # Horner: ((c_{n-1} z² + c_{n-2}) z² + ...) + c_0
        acc *= z2
        acc += c
    # e^(−z²) here carries z²'s rounding, ≤ 6.25·1.1e-16 relative: within the ~1e-15 target
    return (2 / math.sqrt(math.pi)) * np.exp(-z2) * z * acc


def _erfc_fraction(z: np.ndarray) -> np.ndarray:
    """erfc(z) for z ≥ 2.5, relatively accurate even where erfc(z) is tiny."""
    k = z.copy()
    for level in range(_CF_DEPTH, 0, -1):
        k = z + (level / 2) / k
    # e^(−z²) without the rounding of z² (~z²·1e-16 relative): split z = h + l with h short
    # enough that h² is exact, then z² = h² + l(z + h); l is set to 0 at z = inf
    h = np.round(z * 4096) / 4096
    with np.errstate(invalid="ignore"):  # inf − inf at z = inf, where e^(−h²) = 0 decides anyway
        low = np.where(np.isfinite(z), (z - h) * (z + h), 0.0)
    return np.exp(-h * h) * np.exp(-low) / (math.sqrt(math.pi) * k)


def erfc(z: np.ndarray) -> np.ndarray:
    """Complementary error function erfc(z) = 1 − erf(z) = (2/√π) ∫_z^∞ e^(−t²) dt, elementwise
    (float64 arithmetic; accurate to ~1e-15 absolute, and relative in the right tail)."""
    z = np.asarray(z, dtype=np.float64)
    out = np.full_like(z, np.nan)  # NaN in, NaN out (it falls in none of the ranges below)
    near = np.abs(z) < _ERF_SWITCH
    out[near] = 1 - _erf_series(z[near])
    right = z >= _ERF_SWITCH
    out[right] = _erfc_fraction(z[right])
    left = z <= -_ERF_SWITCH
    out[left] = 2 - _erfc_fraction(-z[left])  # erfc(−z) = 2 − erfc(z)
    return out


def erf(z: np.ndarray) -> np.ndarray:
    """Error function erf(z) = (2/√π) ∫_0^z e^(−t²) dt, elementwise (float64; ~1e-15 absolute)."""
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    near = np.abs(z) < _ERF_SWITCH
    out[near] = _erf_series(z[near])
    far = ~near
    out[far] = np.sign(z[far]) * (1 - _erfc_fraction(np.abs(z[far])))
    return out


_TANH_C = math.sqrt(2 / math.pi)


class GELU(Function):
    """Gaussian error linear unit.

    exact:  y = x·Φ(x), Φ(x) = ½ erfc(−x/√2) (the standard normal CDF);  dy/dx = Φ(x) + x·φ(x),
            φ(x) = e^(−x²/2)/√(2π).
    tanh:   y = ½x(1 + t), t = tanh(c(x + 0.044715x³)), c = √(2/π);
            dy/dx = ½(1 + t) + ½x(1 − t²)·c(1 + 3·0.044715x²).
    """

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            t = np.tanh(_TANH_C * (x + 0.044715 * x**3))
            return (0.5 * x * (1 + t)).astype(x.dtype, copy=False)
        return (x * 0.5 * erfc(-x / math.sqrt(2))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            t = np.tanh(_TANH_C * (x + 0.044715 * x**3))
            d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _TANH_C * (1 + 3 * 0.044715 * x * x)
        else:
            x64 = x.astype(np.float64)
            cdf = 0.5 * erfc(-x64 / math.sqrt(2))
            pdf = np.exp(-0.5 * x64 * x64) / math.sqrt(2 * math.pi)
            d = cdf + x64 * pdf
        return grad * d.astype(grad.dtype, copy=False)


def gelu(x, approximate: str = "none") -> Tensor:
    """x·Φ(x), with Φ the standard normal CDF; approximate="tanh" uses the tanh formula instead."""
    if approximate not in ("none", "tanh"):
        raise ValueError(
            f"gelu: argument `approximate` must be 'none' or 'tanh'; received {approximate!r}"
        )
    return GELU.apply(_float_input(x, "gelu"), approximate=approximate)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1/(1 + e^(−x)), evaluated through e^(−|x|) ≤ 1 so nothing overflows:
    σ(x) = 1/(1 + e) for x ≥ 0 and e/(1 + e) for x < 0, with e = e^(−|x|)."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


class Sigmoid(Function):
    """y = σ(x) = 1/(1 + e^(−x));  dy/dx = y(1 − y)."""

    @staticmethod
    def forward(ctx, x):
        y = _sigmoid(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y * (1 - y)


def sigmoid(x) -> Tensor:
    """The logistic function 1/(1 + e^(−x)), stable for large |x|."""
    return Sigmoid.apply(float_operand(x, "sigmoid"))  # ints promote, as torch.sigmoid


class Tanh(Function):
    """y = tanh x;  dy/dx = 1 − y²."""

    @staticmethod
    def forward(ctx, x):
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 - y * y)


def tanh(x) -> Tensor:
    """Hyperbolic tangent."""
    return Tanh.apply(float_operand(x, "tanh"))  # ints promote, as torch.tanh


class Softplus(Function):
    """y = (1/β) ln(1 + e^(βx)), and y = x where βx > threshold (PyTorch);
    dy/dx = σ(βx), and 1 where βx > threshold.

    Computed as (max(βx, 0) + ln(1 + e^(−|βx|)))/β, which never overflows."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        bx = beta * x
        linear = bx > threshold
        ctx.save_for_backward(bx, linear)
        y = np.where(linear, x, (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        bx, linear = ctx.saved_tensors
        return grad * np.where(linear, 1, _sigmoid(bx))


def softplus(x, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """A smooth relu, (1/beta)·ln(1 + e^(beta·x)); linear above beta·x > threshold."""
    if beta == 0:
        raise ValueError("softplus: argument `beta` must be nonzero; received beta=0")
    return Softplus.apply(_float_input(x, "softplus"), beta=float(beta), threshold=float(threshold))


def _along_dim(fn: type[Function], name: str, x, dim) -> Tensor:
    """Apply a Function that normalises along one dimension (a 0-d x counts as one element)."""
    x = _float_input(x, name)
    if x.ndim == 0:
        normalize_dim(name, dim, 0, extra=1)  # PyTorch accepts dim 0 or -1 here
        return fn.apply(x.reshape(1), dim=0).reshape(())
    return fn.apply(x, dim=normalize_dim(name, dim, x.ndim))


class Softmax(Function):
    """y_i = e^(x_i − m) / Σ_j e^(x_j − m) along `dim` (m = max_j x_j, which cancels but keeps every
    exponent ≤ 0);  dL/dx = y ⊙ (g − Σ_j g_j y_j)  with g = dL/dy."""

    @staticmethod
    def forward(ctx, x, dim):
        e = np.exp(x - np.max(x, axis=dim, keepdims=True))
        y = e / np.sum(e, axis=dim, keepdims=True)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * (grad - np.sum(grad * y, axis=ctx.dim, keepdims=True))


def softmax(x, dim: int = -1) -> Tensor:
    """Normalised exponentials along `dim`: each slice is positive and sums to 1."""
    return _along_dim(Softmax, "softmax", x, dim)


class LogSoftmax(Function):
    """y_i = x_i − m − ln Σ_j e^(x_j − m) along `dim` (m = max_j x_j);
    dL/dx = g − softmax(x) ⊙ Σ_j g_j  with g = dL/dy, and softmax(x) = e^y."""

    @staticmethod
    def forward(ctx, x, dim):
        shifted = x - np.max(x, axis=dim, keepdims=True)
        y = shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad - np.exp(y) * np.sum(grad, axis=ctx.dim, keepdims=True)


def log_softmax(x, dim: int = -1) -> Tensor:
    """log(softmax(x)) along `dim`, computed directly so that it stays finite for large inputs."""
    return _along_dim(LogSoftmax, "log_softmax", x, dim)
