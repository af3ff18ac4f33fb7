"""Build script. Package metadata lives in pyproject.toml; this file builds the C kernels with cffi.

`cffi_modules` compiles csrc/ into the extension `minidl._minidl_c` (see csrc/build_cffi.py). When that
fails (no C compiler, no OpenMP) the install still succeeds with a warning and minidl runs on its NumPy
and Numba backends, unless MINIDL_REQUIRE_C=1, which turns the failure into an error (CI sets it).
"""

import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext


def _require_c() -> bool:
    return os.environ.get("MINIDL_REQUIRE_C", "") not in ("", "0")


class OptionalBuildExt(build_ext):
    """build_ext that reports a failed C build instead of failing the install."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as err:  # the compiler is missing or broken: distutils raises many kinds
            self._warn(err)

    def build_extension(self, ext) -> None:
        try:
            super().build_extension(ext)
        except Exception as err:
            self._warn(err)

    def _warn(self, err: Exception) -> None:
        if _require_c():
            raise err
        bar = "=" * 78
        print(
            f"\n{bar}\nWARNING: minidl's C kernels could not be built ({type(err).__name__}: {err}).\n"
            "minidl will work without them (backends 'numpy' and 'numba'); install a C compiler\n"
            "with OpenMP (e.g. gcc) and reinstall to get the 'c' backend.\n"
            f"{bar}\n",
            file=sys.stderr,
        )


setup(
    cffi_modules=["csrc/build_cffi.py:ffibuilder"],
    cmdclass={"build_ext": OptionalBuildExt},
)
