from tests.reporting.conftest import rw  # noqa: F401  (the reporting world, re-used)
