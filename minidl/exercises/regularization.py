"""Exercises on regularisation: the L2 penalty's gradient (lesson 13), inverted dropout (lesson 14)
and gradient clipping by the global norm (lesson 19). References: minidl.nn.utils (l2_penalty,
clip_grad_norm_) and minidl.nn.functional.dropout."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minidl.nn.functional as F
from minidl.autograd import Tensor
from minidl.exercises._common import FLOAT_DTYPES, as_numpy, float_arrays, grad_of_loss
from minidl.exercises.exercise import Exercise, register
from minidl.exercises.report import Failure
from minidl.nn.utils import clip_grad_norm_, l2_penalty
from minidl.testing import strategies as mds


# ---------------------------------------------------------------------------------------- L2
@st.composite
def _l2_cases(draw):
    dtype, shape = draw(FLOAT_DTYPES), draw(mds.shapes(min_dims=0, max_dims=3))
    lam = draw(st.floats(0.0, 2.0, allow_subnormal=False))
    return {"w": draw(float_arrays(shape, dtype)), "lam": lam}


def _l2_reference(w, lam):
    return grad_of_loss(lambda t: l2_penalty(t, lam), [w])[1][0]


l2_penalty_grad = Exercise(
    name="l2_penalty_grad",
    topic="regularization",
    difficulty=1,
    lesson=13,
    source="minidl/nn/utils.py (l2_penalty)",
    signature="def l2_penalty_grad(w, lam):",
    doc="""Gradient of the L2 penalty λ‖w‖² = λ Σ_i w_i² (Keras's l2(λ)) with respect to w.

    d/dw λ Σ w² = 2 λ w.  (PyTorch's weight_decay=λ adds λ w, the gradient of (λ/2)‖w‖²:
    a factor of 2 between the two conventions.)

    Args:
        w: any shape (also 0-d), float32 or float64.  lam: λ ≥ 0, a Python float.
    Returns:
        grad: the shape and dtype of w.
    """,
    reference=_l2_reference,
    cases=_l2_cases(),
    outputs=(("grad", "gradient"),),
    mistakes={
        "d/dw λ‖w‖² = 2λw: the factor 2 is missing (λw is the gradient of (λ/2)‖w‖², PyTorch's "
        "weight_decay convention)": lambda w, lam: lam * w,
        "that is the L1 gradient λ·sign(w); L2's is 2λw": lambda w, lam: lam * np.sign(w),
        "the penalty is λ‖w‖², squared: its gradient is 2λw, not λw/‖w‖": (
            lambda w, lam: lam * w / max(float(np.sqrt(np.sum(w * w))), 1e-12)
        ),
    },
)


# ------------------------------------------------------------------------------ clip_grad_norm
@st.composite
def _clip_cases(draw):
    dtype = draw(FLOAT_DTYPES)
    shapes = draw(st.lists(mds.shapes(min_dims=0, max_dims=2, max_side=4), min_size=1, max_size=3))
    grads = [draw(float_arrays(s, dtype)) for s in shapes]
    return {"grads": grads, "max_norm": draw(st.sampled_from([1.0, 0.5, 3.0, 10.0, 0.01]))}


def _clip_reference(grads, max_norm):
    params = []
    for g in grads:  # give each parameter the gradient g, the way training does: by backward
        p = Tensor(np.zeros_like(g), requires_grad=True)
        (p * Tensor(g)).sum().backward()
        params.append(p)
    total = clip_grad_norm_(params, max_norm)
    return [as_numpy(p.grad).copy() for p in params], as_numpy(total)


def _clip(coef_of, total_of=None):
    def wrong(grads, max_norm):
        norms = [float(np.sqrt(np.sum(g.astype(np.float64) ** 2))) for g in grads]
        total = float(np.sqrt(np.sum(np.square(norms)))) if total_of is None else total_of(norms)
        return [g * g.dtype.type(coef_of(max_norm, total, n)) for g, n in zip(grads, norms)], total

    return wrong


def _norm_after_clipping(grads, max_norm):
    clipped, total = _clip(lambda m, t, n: min(1.0, m / (t + 1e-6)))(grads, max_norm)
    return clipped, min(total, max_norm)


clip_grad_norm = Exercise(
    name="clip_grad_norm",
    topic="regularization",
    difficulty=2,
    lesson=19,
    source="minidl/nn/utils.py (clip_grad_norm_)",
    signature="def clip_grad_norm(grads, max_norm):",
    doc="""Clip gradients by their global L2 norm, PyTorch's clip_grad_norm_ without the in-place.

    total = √(Σ_k ‖g_k‖²) over ALL the arrays together (one norm, not one per array);
    coef = max_norm / (total + 1e-6)  (PyTorch's ε);  if coef < 1 every g_k becomes g_k · coef,
    otherwise the gradients are returned unchanged.

    Args:
        grads: a list of arrays (any shapes), all float32 or all float64.
        max_norm: a positive float.
    Returns:
        (clipped, total_norm): a list of new arrays (the shapes and dtype of grads) and the total
        norm before clipping (a float). Don't change the arrays in `grads`.
    """,
    reference=_clip_reference,
    cases=_clip_cases(),
    outputs=(("clipped", "gradient"), ("total_norm", "forward value")),
    tol={np.dtype(np.float64): (1e-9, 1e-12), np.dtype(np.float32): (1e-5, 1e-6)},
    mistakes={
        "clip by the GLOBAL norm √(Σ_k ‖g_k‖²) of all gradients together, not each array by its own "
        "norm": _clip(lambda m, t, n: min(1.0, m / (n + 1e-6))),
        "only clip when the norm is too large: coef = min(1, max_norm / (total + 1e-6))": _clip(
            lambda m, t, n: m / (t + 1e-6)
        ),
        "the global norm is √(Σ_k ‖g_k‖²), not the sum of the norms Σ_k ‖g_k‖": _clip(
            lambda m, t, n: min(1.0, m / (t + 1e-6)), total_of=sum
        ),
        "return the total norm BEFORE clipping (what clip_grad_norm_ returns, to log it)": (
            _norm_after_clipping
        ),
        "PyTorch's coefficient is max_norm / (total + 1e-6), with the ε": _clip(
            lambda m, t, n: min(1.0, m / t) if t > 0 else 1.0
        ),
    },
)


# ------------------------------------------------------------------------------------ dropout
@st.composite
def _dropout_cases(draw):
    dtype, shape = draw(FLOAT_DTYPES), draw(mds.shapes(min_dims=1, max_dims=3))
    return {
        "x": draw(float_arrays(shape, dtype, 0.5, 3.0)),  # nonzero: a dropped unit shows as 0
        "p": draw(st.sampled_from([0.5, 0.0, 0.2, 0.8])),
        "seed": draw(st.integers(0, 2**16)),
    }


def _with_rng(impl, case: dict):
    """dropout_forward(x, p, rng) with a fresh Generator from the case's seed."""
    return impl(case["x"], case["p"], np.random.default_rng(case["seed"]))


def _dropout_reference(x, p, rng):
    # minidl's F.dropout on ones gives 1/(1 − p) where kept and 0 where dropped: its mask
    kept = F.dropout(Tensor(np.ones_like(x)), p, training=True, generator=rng)
    mask = as_numpy(kept) != 0
    return x * mask / x.dtype.type(1 - p), mask


def _mask_values(y, mask, x, p) -> dict:
    """What y would be for the mask, under the right rule and under known wrong ones."""
    m = mask.astype(x.dtype)
    return {
        None: x * m / x.dtype.type(1 - p),
        "inverted dropout rescales the kept units by 1/(1 − p) during training (so that E[y] = x "
        "and evaluation is the identity); you returned x · mask": x * m,
        "inverted dropout divides the kept units by (1 − p); you multiplied by (1 − p)": (
            x * m * x.dtype.type(1 - p)
        ),
    }


def _dropout_judge(fn, case: dict, got) -> Failure | None:
    """Judge a dropout result by its properties: types, mask in {0, 1}, y = x·mask/(1 − p),
    and the same result again for the same seed."""
    x, p = case["x"], case["p"]
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return Failure("return type", f"expected a tuple (y, mask); got {type(got).__name__}")
    y, mask = got
    for name, a in (("y", y), ("mask", mask)):
        if not isinstance(a, np.ndarray):
            return Failure(
                "return type", f"`{name}` should be a numpy array; got {type(a).__name__}"
            )
        if a.shape != x.shape:
            return Failure("shape", f"`{name}` has shape {a.shape}; expected x's shape {x.shape}")
    if y.dtype != x.dtype:
        return Failure("dtype", f"`y` has dtype {y.dtype}; expected x's dtype {x.dtype}")
    if mask.dtype != np.bool_ and not np.isin(mask, (0, 1)).all():
        return Failure("forward value", "`mask` must hold only 0/1 (or True/False)")
    options = _mask_values(y, mask, x, p)
    if not np.allclose(y, options[None], rtol=1e-5, atol=0):
        worst = np.unravel_index(int(np.argmax(np.abs(y - options[None]))), y.shape)
        hints = [h for h, v in options.items() if h and np.allclose(y, v, rtol=1e-5, atol=0)]
        return Failure(
            "forward value",
            f"y ≠ x · mask / (1 − p) at index {tuple(int(i) for i in worst)}: expected "
            f"{options[None][worst]:.8g} from your mask, got {y[worst]:.8g}",
            hints=hints,
        )
    y2, mask2 = _with_rng(fn, case)
    if not (np.array_equal(y, y2) and np.array_equal(mask, mask2)):
        return Failure(
            "determinism",
            "two calls with generators made from the same seed gave different masks",
            hints=[
                "draw the mask from the `rng` argument (rng.random(x.shape) >= p), not from "
                "np.random's global state or a new generator"
            ],  # fmt: skip
        )
    return None


def _dropout_statistics(fn) -> Failure | None:
    """the fraction kept is 1 − p (within 5σ on 20 000 units), and seeds differ.

    Checked for p = 0.2, 0.5, 0.7; seeds 1 and 2 must give different masks."""
    x = np.ones(20_000)
    for p in (0.2, 0.5, 0.7):
        try:
            _, mask = fn(x, p, np.random.default_rng(1))
            _, other = fn(x, p, np.random.default_rng(2))
        except Exception as e:
            return Failure("exception", f"your function raised {type(e).__name__}: {e}")
        kept = float(np.mean(np.asarray(mask) != 0))
        sd = np.sqrt(p * (1 - p) / x.size)
        if abs(kept - (1 - p)) > 5 * sd:
            hints = []
            if abs(kept - p) <= 5 * sd:
                hints.append("p is the probability of DROPPING a unit (PyTorch's p, Keras's rate): "
                             "keep a unit with probability 1 − p")  # fmt: skip
            return Failure(
                "statistics",
                f"with p={p} the mask kept {kept:.4f} of 20000 units; expected 1 − p = {1 - p} "
                f"(± {5 * sd:.4f}, 5 standard deviations)",
                hints=hints,
            )
        if np.array_equal(mask, other):
            return Failure("statistics", "seeds 1 and 2 gave the same mask: is the mask random?")
    return None


def _dropout_mistake(kind):
    def wrong(x, p, rng):
        if kind == "keep_p":
            mask = rng.random(x.shape) < p
        elif kind == "global":
            mask = np.random.random(x.shape) >= p
        else:
            mask = rng.random(x.shape) >= p
        m = mask.astype(x.dtype)
        scale = {"no_rescale": 1.0, "times": 1 - p}.get(kind, 1 / (1 - p))
        return x * m * x.dtype.type(scale), mask

    return wrong


dropout_forward = Exercise(
    name="dropout_forward",
    topic="regularization",
    difficulty=1,
    lesson=14,
    source="minidl/nn/functional.py (dropout)",
    signature="def dropout_forward(x, p, rng):",
    doc="""Inverted dropout at training time: drop each unit with probability p, rescale the rest.

    mask_i ~ Bernoulli(1 − p) (1 = kept), y = x ⊙ mask / (1 − p), so that E[y] = x and the
    layer is the identity at evaluation time (no rescaling there).

    Args:
        x: any shape, float32 or float64.  p: the drop probability, 0 ≤ p < 1.
        rng: a numpy Generator; draw the mask from it (e.g. rng.random(x.shape) >= p) so the
            same seed gives the same mask.
    Returns:
        (y, mask): y of x's shape and dtype; mask of x's shape, bool or 0/1 of x's dtype.
    """,
    reference=_dropout_reference,
    call=_with_rng,
    cases=_dropout_cases(),
    outputs=(("y", "forward value"), ("mask", "forward value")),
    judge=_dropout_judge,
    extra_checks=[_dropout_statistics],
    mistakes={
        "inverted dropout rescales the kept units by 1/(1 − p) during training (so that E[y] = x "
        "and evaluation is the identity); you returned x · mask": _dropout_mistake("no_rescale"),
        "inverted dropout divides the kept units by (1 − p); you multiplied by (1 − p)": (
            _dropout_mistake("times")
        ),
        "p is the probability of DROPPING a unit (PyTorch's p, Keras's rate): keep a unit with "
        "probability 1 − p": _dropout_mistake("keep_p"),
        "draw the mask from the `rng` argument (rng.random(x.shape) >= p), not from np.random's "
        "global state or a new generator": _dropout_mistake("global"),
    },
)

register(l2_penalty_grad, dropout_forward, clip_grad_norm)
