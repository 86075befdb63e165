"""Tables on a phone: at 390 px every table of the product becomes cards or scrolls inside
its own box (portal.css), so no word is broken across lines (one letter per line) and no
page scrolls sideways; at 1366 px the same. The pages: the price tool, the price audit, a
what-if's result, the surge week view and the ROI dashboard. Screenshots of each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from analytics.services.whatif.run import execute
from analytics.services.whatif.start import new_run
from cpo_portal.models import Role
from roaming.services import cdr_imports
from roaming.tasks import audit_received
from tests.analytics.conftest import DAY
from tests.cpo_portal.browser.conftest import WIDTHS, log_in, resized, shoot, sideways_scroll
from tests.factories import staff
from tests.pricing.factories import SurgeFactory
from tests.roaming.cdr_data import cdr, dumps
from tests.roaming.conftest import network as roaming_network

pytestmark = pytest.mark.django_db(transaction=True)

# Words (letters and digits, three or more) whose characters lie on more than one line.
BROKEN_WORDS = """() => {
  const broken = [];
  const places = 'table, .kpi, .kpis, .cards, caption, figcaption';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const host = node.parentElement;
    if (!host || !host.closest(places) || !host.getClientRects().length) continue;
    for (const m of node.textContent.matchAll(/[\\p{L}\\p{N}]{3,}/gu)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
        .map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""


def broken_words(page) -> list[str]:
    return page.evaluate(BROKEN_WORDS)


@pytest.fixture
def pages(network, month):
    SurgeFactory(operator=network.op_a, form="per_kwh", amount=Decimal("1"),
                 window_start=dt.time(9), window_end=dt.time(12))  # fmt: skip
    run, _ = new_run(
        month, user=network.pricing_a, date_from=DAY, date_to=DAY + dt.timedelta(days=2)
    )
    execute(run.pk)
    return {
        "price-tool": reverse("admin:offers_offer_simulate")
        + f"?charger={network.charger_a.pk}&start=2025-03-03T19:00&kwh=10",
        "whatif-per-day": reverse("admin:analytics_whatifrun_change", args=[run.pk]),
        "week-view": reverse("admin:pricing_surgerule_week"),
        "roi-cards": reverse("analytics:roi") + "?date_from=2025-03-01&date_to=2025-03-31",
    }


@pytest.fixture
def audit_page(settings):
    settings.OCPI_COUNTRY_CODE = "IN"
    operator = roaming_network(stations=2)
    bills = []
    for n, excl in enumerate(("190.00", "171.00", "250.00")):
        data = cdr(f"CDR-{n}", "cpo1-st-000", "cpo1-ch-000", excl=excl, incl=None)
        data["charging_periods"][0]["tariff_id"] = "cpo1-default"
        bills.append(dumps(data))
    assert cdr_imports.import_file(operator, bills).refused == 0
    audit_received(operator.pk)  # as the task their receipt queues
    staff(operator, Role.ANALYST, "audit-analyst")
    return "audit-analyst", reverse("admin:roaming_receivedcdr_audit") + "?cause=all"


def faults(page, url: str, name: str) -> dict[str, object]:
    """What does not fit at each width: the sideways scroll and the words broken."""
    page.goto(url)
    page.wait_for_load_state("load")
    found: dict[str, object] = {}
    for label, size in WIDTHS.items():
        resized(page, size)
        if scroll := sideways_scroll(page):
            found[f"{name} {label} scrolls sideways"] = scroll
        if words := broken_words(page):
            found[f"{name} {label} breaks"] = sorted(set(words))
    shoot(page, f"phone-tables-{name}")
    return found


def test_no_table_breaks_a_word_or_widens_the_page(page, live_server, network, pages):
    log_in(page, live_server, network.pricing_a.username)
    found = {}
    for name, path in pages.items():
        found |= faults(page, live_server.url + path, name)
    assert found == {}


def test_the_price_audit_fits_a_phone(page, live_server, audit_page):
    username, path = audit_page
    log_in(page, live_server, username)
    assert faults(page, live_server.url + path, "price-audit") == {}
