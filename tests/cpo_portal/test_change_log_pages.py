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
    assert "₹71.00/kWh → ₹72.00/kWh" in first  # the newest
    second = as_pricing_a.get("/admin/changes/?kind=pricing.tariff&p=2").content.decode()
    assert rows(second) == 5
    assert "Created" in second and "₹71.00/kWh → ₹72.00/kWh" not in second


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


def test_the_whole_log_is_read_in_as_many_queries_whatever_the_kinds_and_rows(
    as_pricing_a, network
):
    """Counting, paging and listing who changed what each take one statement across every
    kind of object (a UNION), not one per kind; a row's name, operator and currency come
    with the page, not a query per row, offers included (whose history leaves a field
    out that simple-history would read from the live row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cpo_portal.changes import tracked
    from tests.factories import ChargerFactory, ConnectorFactory
    from tests.offers.factories import OfferFactory

    def queries_for_the_page() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = as_pricing_a.get("/admin/changes/")
        assert response.status_code == 200
        return len(captured), response.content.decode()

    def changes_of_four_kinds(n: int) -> None:
        for i in range(n):
            charger = ChargerFactory(station=network.station_a, code=f"c{n}-{i}")
            ConnectorFactory(charger=charger)
            offer = OfferFactory(operator=network.op_a, code=f"o{n}-{i}")
            offer.stations.set([network.station_a])  # a change of its stations
            offer.title = f"Renamed {n}-{i}"
            offer.save()

    changes_of_four_kinds(2)
    few, page = queries_for_the_page()
    assert "Renamed 2-1" in page and "c2-1#" in page  # an offer's and a connector's rows
    assert "none → Station of A" in page  # an offer's stations, named
    assert rows(page) < PER_PAGE
    changes_of_four_kinds(20)
    many, page = queries_for_the_page()
    assert rows(page) == PER_PAGE and "Renamed 20-19" in page
    assert many <= few  # fewer kinds on the page may mean fewer, more rows never more
    assert len(tracked.tenant_models()) > 15
    assert many < len(tracked.tenant_models())  # three per kind before
