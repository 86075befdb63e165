"""The change log is paged as the admin's lists are (?p=), newest first, on the log and
on an object's history; a band's change names its tariff and links to it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cpo_portal.changes import PER_PAGE
from pricing.models import Tariff, TariffBand

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(network):
    tariff = Tariff.objects.create(
        operator=network.op_a, code="standard", name="Standard", energy_rate_per_kwh=Decimal("18")
    )
    for n in range(PER_PAGE + 4):  # with its creation: PER_PAGE + 5 rows
        tariff.energy_rate_per_kwh = Decimal("18") + n + 1
        tariff.save()
    return tariff


def rows(html: str) -> int:
    return html.count('<tr data-kind="')


def test_the_log_shows_one_page_at_a_time(as_pricing_a, edited):
    first = as_pricing_a.get("/admin/changes/?kind=pricing.tariff").content.decode()
    assert rows(first) == PER_PAGE
    assert f"{PER_PAGE + 5} changes, newest first" in first
    assert "₹71.00 → ₹72.00" in first  # the newest
    second = as_pricing_a.get("/admin/changes/?kind=pricing.tariff&p=2").content.decode()
    assert rows(second) == 5
    assert "Created" in second and "₹71.00 → ₹72.00" not in second


def test_an_objects_history_is_paged_and_keeps_the_filters_in_its_links(as_pricing_a, edited):
    page = as_pricing_a.get(f"/admin/pricing/tariff/{edited.pk}/history/").content.decode()
    assert rows(page) == PER_PAGE and '<a href="?p=2">2</a>' in page
    log = as_pricing_a.get("/admin/changes/?kind=pricing.tariff").content.decode()
    assert "?kind=pricing.tariff&amp;p=2" in log


def test_a_bands_change_names_its_tariff_and_links_to_it(as_pricing_a, network):
    tariff = Tariff.objects.create(
        operator=network.op_a, code="night", name="Night", energy_rate_per_kwh=Decimal("12")
    )
    TariffBand.objects.create(tariff=tariff, code="late", label="late", start=dt.time(22),
                              end=dt.time(23), days=[0], rate_per_kwh=Decimal("10"))  # fmt: skip
    page = as_pricing_a.get("/admin/changes/?kind=pricing.tariffband").content.decode()
    link = f'<a href="/admin/pricing/tariff/{tariff.pk}/change/">Night (night)</a>'
    assert f"of tariff {link}" in page


def test_a_page_of_changes_costs_as_many_queries_with_fifty_rows_as_with_six(as_pricing_a, network):
    """Each change's previous version is read with the page (one query per kind of
    object), not one query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tariff = Tariff.objects.create(
        operator=network.op_a, code="standard", name="Standard", energy_rate_per_kwh=Decimal("18")
    )

    def queries_for_the_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = as_pricing_a.get("/admin/changes/?kind=pricing.tariff")
        assert response.status_code == 200
        return len(captured)

    for n in range(5):
        tariff.energy_rate_per_kwh = Decimal("18") + n + 1
        tariff.save()
    six = queries_for_the_page()
    for n in range(44):
        tariff.energy_rate_per_kwh = Decimal("30") + n + 1
        tariff.save()
    assert queries_for_the_page() == six
