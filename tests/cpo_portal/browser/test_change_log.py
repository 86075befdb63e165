"""The change log in a real browser: a band's edit shows in its tariff's history field by
field, the seeded rows say "demo data", and /admin/changes/ lists every change at the
user's operator, filtered by person, kind and day, never another operator's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cpo_portal.changes.seeding import mark_demo_history
from pricing.models import Tariff, TariffBand
from tests.browser import pick
from tests.cpo_portal.browser.conftest import log_in, shoot
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tariffs(network):
    started = timezone.now() - dt.timedelta(seconds=1)
    own = Tariff.objects.create(
        operator=network.op_a, code="standard", name="Standard", energy_rate_per_kwh=Decimal("18")
    )
    band = TariffBand.objects.create(
        tariff=own,
        code="evening",
        label="evening",
        start=dt.time(18),
        end=dt.time(22),
        days=[0, 1, 2, 3, 4],
        rate_per_kwh=Decimal("16"),
    )
    other = Tariff.objects.create(
        operator=network.op_b, code="secret-b", name="Secret B", energy_rate_per_kwh=Decimal("9")
    )
    mark_demo_history(since=started)  # as seed_demo does
    return own, band, other


def test_a_band_edit_reads_field_by_field_in_its_tariff_history_and_the_change_log(
    page, live_server, network, tariffs
):
    own, _band, other = tariffs
    other.energy_rate_per_kwh = Decimal("10")
    other.save()  # operator B's change, by the system
    log_in(page, live_server, network.pricing_a.username)
    page.goto(f"{live_server.url}/admin/pricing/tariff/{own.pk}/change/")
    page.fill("#id_bands-0-rate_per_kwh", "15")
    page.fill("#id_bands-0-end", "22:30")
    save_and_continue(page)

    page.goto(f"{live_server.url}/admin/pricing/tariff/{own.pk}/history/")
    table = page.inner_text("table.change-log")
    assert "rate (per kWh) ₹16.00/kWh → ₹15.00/kWh" in table
    assert "local end 22:00 → 22:30" in table
    assert network.pricing_a.username in table
    assert "demo data" in table and "None" not in table

    page.goto(f"{live_server.url}/admin/changes/")
    log = page.inner_text("table.change-log")
    assert "rate (per kWh) ₹16.00/kWh → ₹15.00/kWh" in log
    assert "Secret B" not in log and "₹9.00" not in log  # operator B's tariff
    page.select_option("#id_kind", "pricing.tariffband")
    page.select_option("#id_who", network.pricing_a.username)
    apply_filters(page)
    rows = page.locator("table.change-log tbody tr")
    assert rows.count() == 1
    what = "Changed tariff band evening 18:00-22:30 of tariff Standard (standard)"
    assert what in rows.first.inner_text()
    tariff_link = rows.first.locator(".change-parent a")
    assert tariff_link.get_attribute("href") == f"/admin/pricing/tariff/{own.pk}/change/"
    shoot(page, "change-log")

    page.select_option("#id_who", "demo data")
    apply_filters(page)
    assert page.locator("table.change-log tbody tr").count() == 1  # the band, created
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    page.goto(f"{live_server.url}/admin/changes/?day_from={tomorrow}")
    assert page.inner_text(".empty-state") == "No changes match these filters."


def test_an_offer_station_change_shows_in_the_offer_history(page, live_server, network):
    offer = OfferFactory(operator=network.op_a)
    offer.stations.set([network.station_a])
    log_in(page, live_server, network.pricing_a.username)
    offer.stations.set([])
    page.goto(f"{live_server.url}/admin/offers/offer/{offer.pk}/history/")
    assert "stations Station of A → none" in page.inner_text("table.change-log")


def test_creating_an_offer_writes_one_row_and_saving_it_unchanged_none(page, live_server, network):
    log_in(page, live_server, network.pricing_a.username)
    page.goto(f"{live_server.url}/admin/offers/offer/add/")
    page.fill("#id_code", "one-row")
    page.fill("#id_title", "One row")
    page.select_option("#id_benefit_kind", "percent")
    page.fill("#id_percent", "10")
    page.select_option("#id_base", "energy")
    for box in page.query_selector_all("input[name=days_of_week]"):
        box.check()
    pick(page, "id_stations", network.station_a.name)
    save_and_continue(page)
    save_and_continue(page)  # saved again, nothing changed

    open_history(page)
    rows = page.locator("table.change-log tbody tr")
    assert rows.count() == 1
    assert "Created offer One row" in rows.first.inner_text()
    assert "No field changed" not in page.content()

    page.goto(page.url.replace("/history/", "/change/"))
    page.fill("#id_title", "One row only")
    save_and_continue(page)
    open_history(page)
    assert page.locator("table.change-log tbody tr").count() == 2
    log = page.inner_text("table.change-log")
    assert "title One row → One row only" in log
    assert "stations" not in log  # the created row holds the stations it was created with


def save_and_continue(page):
    """Saves the form and waits for the page it lands on: the change form again, whose
    success message would otherwise still be the previous save's."""
    with page.expect_navigation():
        page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")


def apply_filters(page):
    """Submits the change log's filters and waits for the page they load: counting rows
    straight after the click could count the old page's, or a new page not yet parsed."""
    with page.expect_navigation():
        page.click(".change-filters button")
    page.wait_for_selector(".change-filters")


def open_history(page):
    page.click("a.historylink")
    page.wait_for_url("**/history/")
    page.wait_for_selector("table.change-log")
