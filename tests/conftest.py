"""Shared test configuration: hypothesis profiles.

`dev` (the default) is quick for development; `ci` is derandomized with more examples and is what
.ci/run selects with `--hypothesis-profile=ci`.
"""

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
