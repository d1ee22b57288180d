"""The Hypothesis profiles of refgrad's own test suite, registered on import; loaded by no one but the suite's
tests/conftest.py (which loads ``ci`` unless ``--hypothesis-profile`` names another) or a user who opts in:

    import oracle.profiles  # in your conftest.py; then `pytest --hypothesis-profile=ci`, or:
    from hypothesis import settings
    settings.load_profile("ci")

- ``ci``: deterministic and bounded (8 examples, derandomized, no example database; the whole suite in about ten
  minutes on 2 cores);
- ``dev``: 25 examples, random;
- ``thorough``: 300 examples, random.

None of them has a deadline: a check's time depends on its input sizes and the machine, not on a defect."""
from __future__ import annotations

from hypothesis import HealthCheck, settings

PROFILES = ("ci", "dev", "thorough")
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture]

settings.register_profile("ci", max_examples=8, derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=_SLOW_OK, database=None)
settings.register_profile("dev", max_examples=25, deadline=None, print_blob=True, suppress_health_check=_SLOW_OK)
settings.register_profile("thorough", max_examples=300, deadline=None, print_blob=True,
                          suppress_health_check=_SLOW_OK)
