#!/usr/bin/env bash
# Build the C kernels with AddressSanitizer + UndefinedBehaviorSanitizer and run the kernel tests on
# the C backend: the parity tests, the bad-input tests (tests/test_kernels_bad_input.py: indices
# outside the image, zero channels, misaligned views, allocation failure, absurd thread counts), a
# hypothesis fuzz of every entry point with random shapes, layouts and corrupted index arrays
# (tests/test_kernels_fuzz.py) and the determinism tests. About a minute on 2 cores.
# Run it before every change to csrc/ is committed:   bash csrc/sanitize.sh [pytest args]
#
# It works on a scratch copy of the checkout, so the normal (optimised) extension stays as it is.
# Python itself is not built with ASan, so the ASan runtime is preloaded and leak checking is off
# (CPython keeps memory until exit on purpose). Any out-of-bounds access, use-after-free, signed
# overflow or misaligned load in csrc/ aborts the run with a report.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python}"
cc="${CC:-gcc}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

cp -r "$repo/minidl" "$repo/csrc" "$repo/tests" "$repo/pyproject.toml" "$scratch/"
find "$scratch" \( -name '*.so' -o -name '__pycache__' \) -prune -exec rm -rf {} +

export MINIDL_CFLAGS="-O1 -g -std=gnu11 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
(cd "$scratch" && CC="$cc" "$python" csrc/build_cffi.py)

asan_lib="$("$cc" -print-file-name=libasan.so)"
ubsan_lib="$("$cc" -print-file-name=libubsan.so)"
cd "$scratch"
export LD_PRELOAD="$asan_lib $ubsan_lib"
# allocator_may_return_null: a request ASan cannot serve returns NULL (as malloc would), so that the
# test of the C kernels' MemoryError path sees it instead of ASan stopping the process
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# make sure the tests will load the sanitized build of this scratch copy, not an installed minidl
"$python" -c "
import minidl, minidl.kernels.c_backend as c
assert minidl.__file__.startswith('$scratch'), minidl.__file__
assert 'sanitize' in c.build_info(), c.build_info()
print('testing', minidl.__file__, '|', c.build_info())"

# the CPU's own micro-kernels on everything; then the fuzz and determinism tests once more on each
# other instruction set this CPU can run (the GEMM's AVX2 and generic paths)
MINIDL_TEST_BACKENDS=c MINIDL_FUZZ_EXAMPLES="${MINIDL_FUZZ_EXAMPLES:-1000}" "$python" -m pytest -q -p no:cacheprovider \
    tests/test_kernels_gemm.py tests/test_kernels_conv.py tests/test_kernels_pool.py tests/test_conv_ops.py \
    tests/test_kernels_bad_input.py tests/test_kernels_fuzz.py tests/test_determinism.py \
    tests/test_kernels_adam.py "$@"
best="$("$python" -c "from minidl.kernels import c_backend as c; print(c.isa())")"
for isa in $("$python" -c "from minidl.kernels import c_backend as c; print(' '.join(c.supported_isas()))"); do
    [ "$isa" = "$best" ] && continue
    echo "--- instruction set $isa"
    MINIDL_C_ISA="$isa" MINIDL_TEST_BACKENDS=c MINIDL_FUZZ_EXAMPLES=300 "$python" -m pytest -q \
        -p no:cacheprovider tests/test_kernels_fuzz.py tests/test_determinism.py "$@"
done
