"""Public testing tools, for minidl's own tests and for learners checking their own ops.

from minidl.testing import gradcheck
x = md.randn(3, 4, dtype=md.float64, requires_grad=True)
gradcheck(lambda t: (t * t).sum(axis=1), x)     # raises with the worst element if backward is wrong
"""

from minidl.testing.gradcheck import gradcheck, numerical_grad

__all__ = ["gradcheck", "numerical_grad", "strategies"]


def __getattr__(name: str):
    # `strategies` needs hypothesis, a test-only dependency: import it on first use, so that
    # `import minidl` works without hypothesis installed
    if name == "strategies":
        import importlib

        return importlib.import_module("minidl.testing.strategies")
    raise AttributeError(f"module 'minidl.testing' has no attribute {name!r}")
