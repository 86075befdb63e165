"""published_offers: what the Beckn catalog shows at an operator, a station, a charger."""

from __future__ import annotations

import datetime as dt

import pytest

from offers.services.publishing import published_offers
from tests.factories import ChargerFactory
from tests.offers.conftest import SUNDAY_10, weekend_offer
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db


def ids(offers) -> list[str]:
    return [o.id for o in offers]


@pytest.fixture
def catalog(deg):
    deg.second = ChargerFactory(station=deg.station_a, code="a-charger-02")
    OfferFactory(operator=deg.op_a, code="only-b-station", title="x", priority=9).stations.add(
        deg.station_b
    )
    OfferFactory(operator=deg.op_a, code="only-second", title="x", priority=1).chargers.add(
        deg.second
    )
    OfferFactory(
        operator=deg.op_a,
        code="ended",
        title="x",
        valid_until=dt.datetime(2025, 9, 1, tzinfo=dt.UTC),
    )
    OfferFactory(
        operator=deg.op_a,
        code="next-month",
        title="x",
        priority=2,
        valid_from=dt.datetime(2025, 10, 1, tzinfo=dt.UTC),
    )
    OfferFactory(operator=deg.op_a, code="paused", title="x", status="paused")
    OfferFactory(operator=deg.op_a, code="highway", title="x", site_kinds=["highway"])
    weekend_offer(deg.op_b, code="b-weekend")
    return deg


def test_operator_catalog(catalog):
    assert ids(published_offers(catalog.op_a, at=SUNDAY_10)) == [
        "only-b-station",
        "next-month",
        "only-second",
        "highway",
        "weekend-discount-25",
    ]


def test_station_and_charger(catalog):
    at_station = published_offers(catalog.op_a, station=catalog.station_a, at=SUNDAY_10)
    assert ids(at_station) == ["next-month", "only-second", "weekend-discount-25"]
    on_first = published_offers(catalog.op_a, charger=catalog.charger, at=SUNDAY_10)
    assert ids(on_first) == ["next-month", "weekend-discount-25"]
    on_second = published_offers(catalog.op_a, charger=catalog.second, at=SUNDAY_10)
    assert ids(on_second) == ["next-month", "only-second", "weekend-discount-25"]


def test_weekend_offer_is_advertised_on_a_weekday(catalog):
    wednesday = SUNDAY_10 + dt.timedelta(days=3)
    assert "weekend-discount-25" in ids(published_offers(catalog.op_a, at=wednesday))
    rules = {o.id: o for o in published_offers(catalog.op_a, at=wednesday)}
    assert rules["weekend-discount-25"].type_label == "WEEKEND_SPECIAL"
    assert ids(published_offers(catalog.op_b, at=wednesday)) == ["b-weekend"]
