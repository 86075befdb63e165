"""The benchmark scripts' own checks: each runs at a tiny size and its figures read back.

They live beside the scripts (the product's tests in tests/ import nothing from bench/) and
run in `make test` with the rest; the suite's PostgreSQL set-up is the one of tests/.
"""

from tests.conftest import django_db_modify_db_settings  # noqa: F401  (one migrated template)
