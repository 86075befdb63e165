"""Playwright for Python driving Debian's Chromium (never a downloaded browser).

Tests here are marked `browser` and skipped, with the reason, when /usr/bin/chromium is
missing. Pages are served by pytest-django's live_server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import CHROMIUM

PASSWORD = "pw-for-tests-only"  # tests.factories.UserFactory


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is not installed"))


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page, live_server, username: str, then: str = "/admin/") -> None:
    page.goto(f"{live_server.url}/admin/login/?next={then}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
