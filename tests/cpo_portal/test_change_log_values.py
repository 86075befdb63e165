"""Each field's value reads in the change log as the product writes it elsewhere: a rate
with its unit, as the tariff pages write it ("₹14.00/kWh"), and a choice by its label
("Highway"), a list of choices too (an offer's site kinds), for every model in the log:
the rule is the field's (its validators, its choices), in cpo_portal.changes.wording."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest

from cpo_portal.changes.wording import value_text
from offers.models import Offer
from pricing.models import SurgeRule, Tariff, TariffBand
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db


def log(client, kind: str) -> str:
    return html.unescape(client.get(f"/admin/changes/?kind={kind}").content.decode())


def test_an_offers_rate_per_kwh_reads_with_its_unit(as_pricing_a, network):
    offer = OfferFactory(
        operator=network.op_a, benefit_kind="rate_override", percent=None, base="",
        rate_per_kwh=Decimal("15"),
    )  # fmt: skip
    offer.rate_per_kwh = Decimal("14")
    offer.save()
    page = log(as_pricing_a, "offers.offer")
    assert "<strong>rate per kWh</strong> ₹15.00/kWh → ₹14.00/kWh" in page
    history = html.unescape(
        as_pricing_a.get(f"/admin/offers/offer/{offer.pk}/history/").content.decode()
    )
    assert "₹15.00/kWh → ₹14.00/kWh" in history


def test_a_stations_kind_reads_by_its_label(as_pricing_a, network):
    station = network.station_a
    station.site_kind = "urban"
    station.save()
    station.site_kind = "fleet"
    station.save()
    page = log(as_pricing_a, "cpo_portal.station")
    assert "<strong>site kind</strong> Urban → Fleet depot" in page
    assert "urban → fleet" not in page


def test_a_list_of_choices_reads_by_their_labels(as_pricing_a, network):
    offer = OfferFactory(operator=network.op_a, site_kinds=["highway"])
    offer.site_kinds = ["highway", "fleet"]
    offer.save()
    page = log(as_pricing_a, "offers.offer")
    assert "<strong>site kinds</strong> Highway → Highway, Fleet depot" in page


@pytest.mark.parametrize(
    ("model", "field", "value", "said"),
    [
        (Offer, "rate_per_kwh", Decimal("14.0000"), "₹14.00/kWh"),
        (Tariff, "energy_rate_per_kwh", Decimal("0.1250"), "₹0.125/kWh"),
        (TariffBand, "rate_per_kwh", Decimal("16"), "₹16.00/kWh"),
        (Tariff, "idle_fee_per_minute", Decimal("2.5"), "₹2.50/min"),
        (Tariff, "service_fee", Decimal("10.00"), "₹10.00"),  # an amount: money alone
    ],
)
def test_every_rate_reads_with_its_unit_and_an_amount_without(model, field, value, said):
    assert value_text(model._meta.get_field(field), value, "INR", {}) == said


def test_a_rate_reads_in_the_rows_currency():
    field = Offer._meta.get_field("rate_per_kwh")
    assert value_text(field, Decimal("0.3"), "EUR", {}) == "€0.30/kWh"


def test_a_surges_lists_of_choices_read_by_their_labels():
    speeds = SurgeRule._meta.get_field("charging_speeds")
    assert value_text(speeds, ["ULTRA_FAST"], "INR", {}) == "Ultra fast"
    kinds = SurgeRule._meta.get_field("site_kinds")
    assert value_text(kinds, ["mall", "airport"], "INR", {}) == "Mall, Airport"
    assert value_text(kinds, ["gone"], "INR", {}) == "gone"  # an old code, as it was stored


@pytest.mark.parametrize("rate", [Decimal("18"), Decimal("0.1250"), Decimal("1500.5")])
def test_a_rate_reads_in_the_log_as_the_tariff_list_writes_it(rate):
    from django.contrib import admin

    from pricing.admin.tariffs import TariffAdmin

    tariff = Tariff(energy_rate_per_kwh=rate, currency="INR")
    listed = TariffAdmin(Tariff, admin.site).energy_rate(tariff)
    assert value_text(Tariff._meta.get_field("energy_rate_per_kwh"), rate, "INR", {}) == listed
