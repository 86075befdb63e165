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


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for the whole run, driven by Playwright's sync API.

    Playwright allows one sync driver per thread, so every browser test shares this one.
    Skipped, with the reason, where Chromium or Playwright is missing.
    """
    from tests.browser import ARGS, CHROMIUM

    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    # The sync API runs an event loop in this thread; the ORM calls beside it are plain
    # synchronous code, which Django must be told to allow.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()
