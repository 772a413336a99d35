"""Which parameters the default test run leaves to the slow one (``-m slow``, which
``.ci/run`` runs too)."""

import pytest

#: The slowest engine. Its own tests (tests/engines/test_walk.py) check it against the
#: oracles and the split engine in the default run; the tests that run every engine run it
#: with the slow tests.
SLOW_ENGINES = ("walk",)


def engine_marks(engine: str) -> list:
    """The marks of a parameter that runs ``engine``."""
    return [pytest.mark.slow] if engine in SLOW_ENGINES else []


def engines(*names: str) -> list:
    """``names`` as pytest parameters, the slow engines marked ``slow``."""
    return [pytest.param(name, marks=engine_marks(name)) for name in names]
