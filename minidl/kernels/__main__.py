"""`python -m minidl.kernels`: which backends are built, the C code's instruction set, the thread count,
and where "auto" moves matrix products to C (`--calibrate`: measure that again, see calibrate.py)."""

import sys

from . import calibrate, dispatch, reference
from .threads import get_num_threads, wait_policy


def main() -> None:
    print(f"backends built:   {', '.join(dispatch.available_backends())}")
    for name, reason in dispatch._missing.items():
        print(f"  {name} missing: {reason}")
    if "c" in dispatch._missing:
        print(f"  To get the C backend: {dispatch.HOW_TO_GET_C}.")
    print(f"backend setting:  {dispatch.get_backend()}")
    measured = dispatch.get_backend() == "auto" and "c" in dispatch.available_backends()
    for kernel in dispatch.AUTO_ORDER:
        if kernel == "gemm" and measured:
            from . import c_backend

            again = "--calibrate" in sys.argv[1:]
            macs = calibrate.gemm_threshold(c_backend, reference, recalibrate=again)
            where = "never" if macs == calibrate.NEVER else f"from {macs:.3g} multiply-adds on"
            print(f"  gemm    runs on numpy, and on c {where} ({get_num_threads()} threads;")
            print(f"          measured on this machine, saved in {calibrate.cache_dir()})")
        else:
            print(f"  {kernel:7s} runs on {dispatch.backend_name_for(kernel)}")
    if "c" in dispatch.available_backends():
        from . import c_backend

        print(
            f"C instruction set: {c_backend.isa()} (this CPU supports: {', '.join(c_backend.supported_isas())})"
        )
        print(f"C build:          {c_backend.build_info()}")
    if "numba" in dispatch.available_backends():
        import numba

        print(
            f"numba:            {numba.__version__}, threading layer {numba.config.THREADING_LAYER}"
        )
    print(f"threads:          {get_num_threads()}")
    print(f"OpenMP waiting:   {wait_policy()}")


if __name__ == "__main__":
    main()
