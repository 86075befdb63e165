"""The what-if run page in a real browser: the progress bar follows the run (polled by
static/analytics/whatif.js, no inline script), and when the run ends the page shows its
result and draws its charts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from analytics.services.whatif.run import execute
from analytics.services.whatif.start import new_run
from tests.analytics.browser.conftest import log_in
from tests.analytics.conftest import DAY, at
from tests.offers.factories import OfferFactory
from tests.pricing.factories import TariffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_run_page_follows_the_run_and_draws_the_result(page, live_server, network, ledger_a):
    TariffFactory(operator=network.op_a)
    offer = OfferFactory(operator=network.op_a, code="a-evening", percent=Decimal("20"))
    for day in range(3):
        ledger_a.plain(start=at(DAY + dt.timedelta(days=day), 18), energy="12")
    run, _ = new_run(
        offer, user=network.analyst_a, date_from=DAY, date_to=DAY + dt.timedelta(days=2)
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))  # a script that failed
    log_in(page, live_server, network.analyst_a.username,
           f"/admin/analytics/whatifrun/{run.pk}/change/")  # fmt: skip
    assert page.locator("#whatif-progress").get_attribute("value") == "0"
    execute(run.pk)
    page.wait_for_selector("table.whatif-summary", timeout=20_000)  # reloaded when done
    assert page.locator("#whatif-progress").get_attribute("value") == "100"
    page.wait_for_function("window.cpoCharts && window.cpoCharts['whatif-days']")
    points = page.evaluate("window.cpoCharts['whatif-days'].data.labels.length")
    assert points == 3
    assert "a cheaper price might have brought more sessions" in page.content().lower()
    assert errors == []
