"""Shared test configuration: hypothesis profiles, and a private cache directory.

`dev` (the default) is quick for development; `ci` is derandomized with more examples and is what
.ci/run selects with `--hypothesis-profile=ci`.
"""

import os
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev",
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=40,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("dev")

# "auto"'s GEMM calibration (minidl/kernels/calibrate.py) writes its measurement to a cache file;
# the tests keep theirs in a directory of their own instead of the user's ~/.cache
if "MINIDL_CACHE_DIR" not in os.environ:
    os.environ["MINIDL_CACHE_DIR"] = tempfile.mkdtemp(prefix="minidl-test-cache-")
