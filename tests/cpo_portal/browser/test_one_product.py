"""One product in a real browser: the admin and the dashboards share the header, colours,
name and navigation; the home shows each link once; "All models" lists what the role works
with; at 390 px no page scrolls sideways and tables become cards with a "more" toggle.
Screenshots of the ROI page and a what-if result at 1366 and 390 px."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from analytics.services.whatif.run import execute
from analytics.services.whatif.start import new_run
from tests.analytics.conftest import DAY
from tests.cpo_portal.browser.conftest import WIDTHS, log_in, shoot, sideways_scroll
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db(transaction=True)
MACHINERY = ("Daily rollups", "Hourly rollups", "Outbox", "Delivery attempts")


def header(page) -> dict:
    return page.evaluate(
        """() => {
        const bar = document.querySelector('#header, header.top');
        const brand = bar.querySelector('#site-name a, a.brand');
        const links = [...document.querySelectorAll('nav.staff-nav a')]
            .map(a => a.textContent.trim());
        return {bg: getComputedStyle(bar).backgroundColor, brand: brand.textContent.trim(), links};
    }"""
    )


def test_admin_and_dashboards_are_one_product(page, live_server, network, month):
    log_in(page, live_server, network.pricing_a.username)
    home = header(page)
    page.goto(f"{live_server.url}{reverse('analytics:roi')}")
    dashboard = header(page)
    assert home == dashboard  # same colour, name and links
    assert home["brand"] == "CPO offers portal"
    assert "ROI dashboard" in home["links"] and "Change log" in home["links"]
    assert page.inner_text("h1").startswith("ROI dashboard")


def test_the_home_shows_each_link_once_and_only_the_roles_tables(page, live_server, network):
    log_in(page, live_server, network.pricing_a.username)
    hrefs = page.eval_on_selector_all(
        "nav.staff-nav a, .home-actions a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(hrefs) == len(set(hrefs)), hrefs
    listed = page.inner_text(".home-models")
    page.goto(live_server.url + reverse("admin:offers_offer_changelist"))
    listed += page.inner_text("#nav-sidebar")
    for name in MACHINERY:
        assert name not in listed, name
    assert "Offers" in listed and "Tariffs" in listed
    page.context.clear_cookies()
    log_in(page, live_server, network.admin_a.username)
    assert "Outbox" in page.inner_text(".home-models")  # the operator admin runs it


def test_no_page_scrolls_sideways_on_a_phone(page, live_server, network, month):
    run, _ = new_run(
        month, user=network.pricing_a, date_from=DAY, date_to=DAY + dt.timedelta(days=2)
    )
    execute(run.pk)
    OfferFactory(operator=network.op_a, code="budgeted", title="Budgeted", budget=Decimal("9"))
    log_in(page, live_server, network.pricing_a.username)
    page.set_viewport_size(WIDTHS["390"])
    pages = {
        "home": reverse("admin:index"),
        "offers": reverse("admin:offers_offer_changelist"),
        "tariffs": reverse("admin:pricing_tariff_changelist"),
        "week": reverse("admin:pricing_surgerule_week"),
        "changes": reverse("change-log"),
        "price": reverse("admin:offers_offer_simulate")
        + f"?charger={network.charger_a.pk}&start=2025-03-03T19:00&kwh=10",
        "whatif": reverse("admin:analytics_whatifrun_change", args=[run.pk]),
        "roi": reverse("analytics:roi") + "?date_from=2025-03-01&date_to=2025-03-31",
    }
    wide = {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        wide[name] = sideways_scroll(page)
    assert wide == dict.fromkeys(pages, 0)

    page.goto(live_server.url + pages["offers"])
    row = page.locator("#result_list tbody tr", has_text="Budgeted")
    hidden = row.locator("td[data-label^='Budget used']")  # "Budget used (all time)"
    assert not hidden.is_visible()
    row.locator("button.portal-more").click()
    assert hidden.is_visible() and "₹0.00 of ₹9.00" in hidden.inner_text()
    page.set_viewport_size(WIDTHS["1366"])
    assert not row.locator("button.portal-more").is_visible()

    page.goto(live_server.url + pages["roi"])
    # on a phone the ROI tables are the portal's cards too: labelled cells, a "more" toggle
    page.set_viewport_size(WIDTHS["390"])
    cards = page.locator("table.answer.portal-cards")
    assert cards.count() > 0
    row = cards.first.locator("tbody tr").first
    assert row.locator("td").first.get_attribute("data-label")
    assert not row.locator("td").nth(3).is_visible()
    row.locator("button.portal-more").click()
    assert row.locator("td").nth(3).is_visible()
    shoot(page, "roi")
    page.goto(live_server.url + pages["whatif"])
    page.wait_for_selector("table.whatif-summary")
    shoot(page, "whatif-result")
