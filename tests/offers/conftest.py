"""Offer fixtures: operator A priced like the DEG examples (₹18/kWh, ₹10 service fee,
18 % GST on top) and DEG's weekend-discount-25 offer with its code WEEKEND25."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cpo_portal.models import Charger
from offers.models import OfferCode
from offers.services.catalog import forget_catalog
from pricing.models import Tariff
from tests.offers.factories import OfferFactory

IST = ZoneInfo("Asia/Kolkata")
SUNDAY_10 = dt.datetime(2025, 9, 21, 10, 0, tzinfo=IST)
WEDNESDAY_10 = dt.datetime(2025, 9, 24, 10, 0, tzinfo=IST)


@pytest.fixture(autouse=True)
def _fresh_catalog():
    forget_catalog()
    yield
    forget_catalog()


def deg_tariff(operator, **extra) -> Tariff:
    values = {
        "operator": operator,
        "code": "standard",
        "name": "Standard",
        "energy_rate_per_kwh": Decimal("18"),
        "service_fee": Decimal("10"),
        "tax_rate": Decimal("0.18"),
    }
    return Tariff.objects.create(**{**values, **extra})


def weekend_offer(operator, **extra):
    values = {
        "operator": operator,
        "code": "weekend-discount-25",
        "title": "Weekend Special - 25% Off",
        "short_desc": "Get 25% off on all charging sessions this weekend",
        "type_label": "WEEKEND_SPECIAL",
        "days_of_week": [5, 6],
    }
    offer = OfferFactory(**{**values, **extra})
    OfferCode.objects.create(offer=offer, code="WEEKEND25")
    return offer


@pytest.fixture
def deg(network):
    """network + DEG tariffs for both operators + the weekend offer at A."""
    deg_tariff(network.op_a)
    deg_tariff(network.op_b)
    network.weekend = weekend_offer(network.op_a)
    network.charger = Charger.objects.select_related("station", "operator").get(
        pk=network.charger_a.pk
    )
    return network
