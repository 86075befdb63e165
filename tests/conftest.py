"""Suite-wide fixtures and the PostgreSQL gate.

Tests marked `postgres` need real concurrent transactions; on SQLite they are skipped with
a visible reason. With REQUIRE_POSTGRES=1 (CI) the run fails unless PostgreSQL is in use.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings


def _vendor() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgresql" in engine else engine.rsplit(".", 1)[-1]


def pytest_report_header(config):
    return [f"database: {_vendor()}; broker: {settings.CELERY_BROKER_URL.split(':')[0]}"]


def pytest_collection_modifyitems(config, items):
    if os.environ.get("REQUIRE_POSTGRES") == "1" and _vendor() != "postgresql":
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL.")
    if _vendor() == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def network(db):
    """Two operators with a station, a charger and staff in every role each."""
    from tests.factories import build_network

    return build_network()
