"""cffi build script for the C kernels: `setup.py` names it in `cffi_modules`, so pip builds the
extension `minidl._minidl_c` at install time. Run directly (`python csrc/build_cffi.py`) to build it in
place next to the package.

Flags: MINIDL_CFLAGS replaces the default optimisation flags (e.g. MINIDL_CFLAGS="-O1 -g
-fsanitize=address,undefined" for csrc/sanitize.sh). The defaults stay portable: the GEMM picks its
AVX-512 / AVX2 / generic micro-kernel at run time from what the CPU supports.
"""

import os
import pathlib
import shlex
import shutil
import sys

from cffi import FFI

HERE = pathlib.Path(__file__).resolve().parent
SOURCES = ["gemm.c", "conv.c", "pool.c", "optim.c"]
DEFAULT_CFLAGS = "-O3 -std=gnu11 -ffp-contract=fast -fno-math-errno -Wall"


def _cdef(header: pathlib.Path) -> str:
    """The header's declarations without its preprocessor lines (cffi's parser takes plain C)."""
    lines = header.read_text().splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


def _openmp_flags() -> list[str]:
    # GCC and Clang (with libomp) spell it the same; MSVC would need /openmp, which we do not support
    return [] if os.environ.get("MINIDL_NO_OPENMP") else ["-fopenmp"]


cflags = shlex.split(os.environ.get("MINIDL_CFLAGS", DEFAULT_CFLAGS))
flag_text = " ".join(cflags).replace("\\", "").replace('"', "")

# setuptools wants source paths relative to setup.py's folder (the cwd of a pip build); a direct run
# compiles inside build/cffi/, so it needs absolute ones
prefix = f"{HERE.parent}/" if __name__ == "__main__" else ""

ffibuilder = FFI()
ffibuilder.cdef(_cdef(HERE / "minidl_kernels.h"))
ffibuilder.set_source(
    "minidl._minidl_c",
    '#include "minidl_kernels.h"',
    sources=[f"{prefix}csrc/{name}" for name in SOURCES],
    include_dirs=[f"{prefix}csrc"],
    define_macros=[("MINIDL_CFLAGS_STR", f'"{flag_text}"')],
    extra_compile_args=[*cflags, *_openmp_flags()],
    extra_link_args=[*_openmp_flags(), *[f for f in cflags if f.startswith("-fsanitize")]],
)

if __name__ == "__main__":
    # in-place build for development: compile under build/, then put the .so beside minidl's sources
    os.chdir(HERE.parent)
    built = pathlib.Path(
        ffibuilder.compile(tmpdir=str(HERE.parent / "build" / "cffi"), verbose="-v" in sys.argv)
    )
    for stale in (HERE.parent / "minidl").glob("_minidl_c.*.so"):  # e.g. an abi3 one from pip
        stale.unlink()  # (Python would load the cpython-3XX one first, but keep it unambiguous)
    shutil.copy2(built, HERE.parent / "minidl" / built.name)
    print(f"built {HERE.parent / 'minidl' / built.name}")
