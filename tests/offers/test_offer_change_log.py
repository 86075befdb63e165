"""An offer's slabs, time-of-day rates and declared qualifiers read in the change log (the
log and the offer's history page) in the words the offer is described in elsewhere
(offers.rules.describe, each qualifier's own words), not as a printout of their JSON."""

from __future__ import annotations

import html
import json

import pytest

from offers.models import Offer
from tests.support.admin import admin_urls, offer_post

pytestmark = pytest.mark.django_db
url = admin_urls("offers")

SLABS = [
    {"from_kwh": "0", "to_kwh": "20", "percent": "5"},
    {"from_kwh": "20", "to_kwh": None, "rate_per_kwh": "14"},
]
SLABS_AFTER = [
    {"from_kwh": "0", "to_kwh": "25", "percent": "7.5"},
    {"from_kwh": "25", "to_kwh": None, "rate_per_kwh": "13.50"},
]
TOD = [{"timeRange": {"start": "09:00", "end": "17:00"}, "rate": 12, "currency": "INR"}]
TOD_AFTER = [
    {"timeRange": {"start": "09:00", "end": "17:00"}, "rate": 11.5, "currency": "INR"},
    {"timeRange": {"start": "22:00", "end": "06:00"}, "rate": 9, "currency": "INR"},
]
SLAB_OFFER = {"benefit_kind": "slabs", "percent": "", "base": "", "slab_mode": "whole"}
TRADE_OFFER = {"benefit_kind": "energy_trade", "percent": "", "base": "",
               "pricing_model": "TIME_OF_DAY"}  # fmt: skip


def add_then_edit(client, operator, before: dict, after: dict) -> Offer:
    """The offer added through the admin with `before`, then saved again with `after`."""
    response = client.post(url("offer", "add"), offer_post(operator, **before))
    assert response.status_code == 302, response.content.decode()[:3000]
    offer = Offer.objects.get(code="happy-hour")
    response = client.post(url("offer", "change", offer.pk), offer_post(operator, **after))
    assert response.status_code == 302, response.content.decode()[:3000]
    return offer


def pages(client, offer) -> list[str]:
    """The change log and the offer's own history page, as text."""
    return [
        html.unescape(client.get(page).content.decode())
        for page in ("/admin/changes/?kind=offers.offer", url("offer", "history", offer.pk))
    ]


def test_slabs_read_as_the_offer_describes_them(as_pricing_a, network):
    offer = add_then_edit(
        as_pricing_a, network.op_a,
        {**SLAB_OFFER, "slabs": json.dumps(SLABS)},
        {**SLAB_OFFER, "slabs": json.dumps(SLABS_AFTER)},
    )  # fmt: skip
    before = "0\u201320 kWh: 5% off energy; from 20 kWh: energy at ₹14.00/kWh"
    after = "0\u201325 kWh: 7.5% off energy; from 25 kWh: energy at ₹13.50/kWh"
    for page in pages(as_pricing_a, offer):
        assert f"<strong>slabs</strong> {before} → {after}" in page
        assert "from_kwh" not in page


def test_time_of_day_rates_read_as_windows_and_rates(as_pricing_a, network):
    offer = add_then_edit(
        as_pricing_a, network.op_a,
        {**TRADE_OFFER, "tod_rates": json.dumps(TOD)},
        {**TRADE_OFFER, "tod_rates": json.dumps(TOD_AFTER)},
    )  # fmt: skip
    before = "09:00\u201317:00: energy at ₹12.00/kWh"
    after = "09:00\u201317:00: energy at ₹11.50/kWh; 22:00\u201306:00: energy at ₹9.00/kWh"
    for page in pages(as_pricing_a, offer):
        assert f"<strong>time-of-day rates</strong> {before} → {after}" in page
        assert "timeRange" not in page


def test_a_declared_qualifier_reads_in_its_own_words(as_pricing_a, network):
    offer = add_then_edit(
        as_pricing_a, network.op_a, {"more_chargers_than": "4"}, {"more_chargers_than": "6"}
    )
    for page in pages(as_pricing_a, offer):
        assert (
            "<strong>declared qualifiers</strong> at stations with more than 4 chargers"
            " → at stations with more than 6 chargers"
        ) in page
        assert "more_chargers_than" not in page
