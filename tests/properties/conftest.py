"""Hypothesis settings for the property tests: a fixed profile so CI runs the same amount."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "portal",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "100")),
    deadline=None,  # the database and the admin are in the loop; never assert wall-clock time
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
    print_blob=True,
    database=None,  # no example database inside the work tree
)
settings.load_profile("portal")
