"""Hypothesis profiles, chosen with PLAUDIT_HYPOTHESIS (docs/development.md).

- `standard` (the default, for developers and CI): Hypothesis's own active profile (its `ci`
  profile when a CI variable such as CI=true is set: derandomised, no example database) with
  no per-example deadline. The suite runs on parallel workers on busy machines, where a
  deadline measures the machine, not the code; correctness is what every property asserts.
- `thorough` (a nightly-style run): THOROUGH_FACTOR times the examples, both for the
  profile's default and for every property that states its count with `examples()`, drawn at
  random (never derandomised) so that each night explores new ones.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

ENVIRONMENT_VARIABLE = "PLAUDIT_HYPOTHESIS"
STANDARD = "standard"
THOROUGH = "thorough"
THOROUGH_FACTOR = 10


def chosen() -> str:
    name = os.environ.get(ENVIRONMENT_VARIABLE, "").strip() or STANDARD
    if name not in (STANDARD, THOROUGH):
        raise ValueError(
            f"{ENVIRONMENT_VARIABLE}={name!r} is not a profile: use {STANDARD!r} (the default) "
            f"or {THOROUGH!r}"
        )
    return name


def examples(standard: int) -> int:
    """The `max_examples` of a property that sets its own: `standard` in the standard profile,
    THOROUGH_FACTOR times as many in the thorough one."""
    return standard * THOROUGH_FACTOR if chosen() == THOROUGH else standard


BASE = settings()
"""Hypothesis' active profile when this module is first imported: its `default`, or its `ci`
when it detected a CI."""


def load() -> None:
    """Register both profiles on top of BASE and load the chosen one."""
    settings.register_profile(STANDARD, BASE, deadline=None)
    settings.register_profile(
        THOROUGH,
        BASE,
        deadline=None,
        derandomize=False,
        max_examples=BASE.max_examples * THOROUGH_FACTOR,
        suppress_health_check=sorted(
            {*BASE.suppress_health_check, HealthCheck.too_slow}, key=lambda check: check.value
        ),
    )
    settings.load_profile(chosen())
