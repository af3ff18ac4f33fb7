"""Exercise on autograd itself (lesson 4): write a `Function` — forward and backward of
SiLU(x) = x·σ(x) — that minidl's engine runs. Checked through the engine against minidl's own
composition x * md.sigmoid(x), and with `minidl.testing.gradcheck` against finite differences."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minidl as md
from minidl.autograd import Function, Tensor
from minidl.exercises._check import learner_traceback
from minidl.exercises._common import FLOAT_DTYPES, as_numpy, float_arrays
from minidl.exercises.exercise import Exercise, register
from minidl.exercises.report import Failure
from minidl.testing import gradcheck
from minidl.testing import strategies as mds


@st.composite
def _cases(draw):
    dtype, shape = draw(FLOAT_DTYPES), draw(mds.shapes(min_dims=1, max_dims=3))
    return {
        "x": draw(float_arrays(shape, dtype, -6.0, 6.0)),
        "grad_out": draw(float_arrays(shape, dtype)),
    }


def _reference(x: Tensor) -> Tensor:
    return x * md.sigmoid(x)


def run_function(impl, case: dict) -> tuple:
    """y = impl.apply(x) and dL/dx for the upstream gradient grad_out, through minidl's engine.

    `impl` is the learner's Function subclass (or, for the reference, a function of Tensors)."""
    if isinstance(impl, type):
        if not issubclass(impl, Function):
            raise TypeError(
                f"{impl.__name__} must be a subclass of minidl.Function (class "
                f"{impl.__name__}(md.Function): ...); its bases are {impl.__bases__}"
            )
        apply = impl.apply
    elif callable(impl) and not isinstance(impl, Function):
        apply = impl
    else:
        raise TypeError(f"expected a Function subclass; received {type(impl).__name__}")
    x = Tensor(case["x"], requires_grad=True)
    y = apply(x)
    y.backward(Tensor(case["grad_out"]))
    return as_numpy(y), as_numpy(x.grad)


def _gradcheck_through_engine(cls) -> Failure | None:
    """gradcheck through minidl's engine.

    minidl.testing.gradcheck(cls.apply, x): float64, a random upstream gradient, central
    differences."""
    x = np.random.default_rng(0).uniform(-4, 4, size=(3, 4))
    apply = cls.apply if isinstance(cls, type) else cls
    try:
        gradcheck(apply, Tensor(x, requires_grad=True))
    except AssertionError as e:
        return Failure("gradient", f"gradcheck through minidl's engine failed: {e}")
    except Exception as e:
        return Failure(
            "exception",
            f"gradcheck raised {type(e).__name__}: {e}",
            traceback=learner_traceback(e),
        )
    return None


def _sig(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def _wrong(forward, backward):
    """A Function subclass with the given forward(x) and backward(x, grad)."""

    class Wrong(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return forward(x)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return backward(x, grad)

    return Wrong


def _silu(x):
    return x * _sig(x)


def _dsilu(x):
    s = _sig(x)
    return s + x * s * (1 - s)


STUB_BODY = """
    @staticmethod
    def forward(ctx, x):
        # x is a numpy array; save what backward needs with ctx.save_for_backward(...)
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        # grad = dL/dy (a numpy array of y's shape); return dL/dx
        raise NotImplementedError
"""

silu_function = Exercise(
    name="silu_function",
    attr="SiLU",
    topic="autograd",
    difficulty=2,
    lesson=4,
    source="minidl/autograd.py (Function) and minidl/ops/activation.py (Sigmoid)",
    signature="class SiLU(Function):",
    doc="""SiLU (swish) as an autograd Function: y = x·σ(x), σ(x) = 1 / (1 + e^(−x)).

    forward(ctx, x) gets a numpy array and returns y (same shape and dtype); it may keep
    arrays for backward with ctx.save_for_backward(...), read back as ctx.saved_tensors.
    backward(ctx, grad) gets grad = dL/dy and returns dL/dx = grad · dy/dx, where
    (product rule)  dy/dx = σ(x) + x·σ(x)(1 − σ(x)).
    Used as SiLU.apply(tensor); the check runs it through minidl's engine (backward with a
    random upstream gradient, and gradcheck against finite differences).
    """,
    stub_imports="import numpy as np\n\nfrom minidl import Function\n",
    stub_body=STUB_BODY,
    reference=_reference,
    call=run_function,
    cases=_cases(),
    outputs=(("y", "forward value"), ("grad_x", "gradient")),
    extra_checks=[_gradcheck_through_engine],
    mistakes={
        "backward returns dL/dx = grad · dy/dx (the chain rule); you returned dy/dx alone": _wrong(
            _silu, lambda x, g: _dsilu(x)
        ),
        "product rule: d/dx [x σ(x)] = σ(x) + x σ(x)(1 − σ(x)); you returned σ'(x) only": _wrong(
            _silu, lambda x, g: g * _sig(x) * (1 - _sig(x))
        ),
        "product rule: the x σ(x)(1 − σ(x)) term is missing (you returned grad · σ(x))": _wrong(
            _silu, lambda x, g: g * _sig(x)
        ),
        "forward is y = x·σ(x), not σ(x)": _wrong(_sig, lambda x, g: g * _dsilu(x)),
    },
)

register(silu_function)
