"""Server-side validation of offers: what each benefit needs, what it must not carry,
and the ONDC types that mean nothing for charging."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from offers.models import Offer
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db


def errors_of(offer: Offer) -> dict[str, list[str]]:
    try:
        offer.full_clean()
    except ValidationError as exc:
        return exc.message_dict
    return {}


@pytest.fixture
def offer(network):
    return OfferFactory.build(operator=network.op_a, code="weekend-discount-25", title="W")


def test_deg_weekend_offer_is_valid(offer):
    offer.days_of_week = [5, 6]
    assert errors_of(offer) == {}


@pytest.mark.parametrize(
    ("kind", "needs"),
    [
        ("percent", ["percent"]),
        ("fixed", ["amount"]),
        ("rate_override", ["rate_per_kwh"]),
        ("free_kwh", ["free_kwh"]),
        ("buy_x_get_y", ["buy_kwh", "get_kwh"]),
        ("slabs", ["slabs"]),
        ("credit_drawdown", ["credit_plan"]),
        ("energy_trade", ["pricing_model"]),
    ],
)
def test_each_benefit_names_the_fields_it_needs(offer, kind, needs):
    offer.benefit_kind, offer.percent, offer.base = kind, None, ""
    errors = errors_of(offer)
    for name in needs:
        assert errors[name] == [
            f"Required for a {Offer(benefit_kind=kind).get_benefit_kind_display().lower()} benefit."
        ]


def test_fields_another_benefit_uses_are_refused_not_ignored(offer):
    offer.benefit_kind, offer.amount = "fixed", Decimal("30")  # percent still filled in
    errors = errors_of(offer)
    assert list(errors) == ["percent"]
    assert errors["percent"][0].startswith("Not used by a fixed amount off benefit (only by: ")
    assert "clear it" in errors["percent"][0]


def test_percent_on_the_service_fee_points_to_the_waiver(offer):
    offer.base = "service_fee"
    assert errors_of(offer)["base"] == [
        "To discount the service fee, use the service fee waiver benefit."
    ]


@pytest.mark.parametrize(
    ("kind", "why"),
    [
        ("exchange", "a charging session has nothing to trade in"),
        ("financing", "a charging session is paid, not financed"),
    ],
)
def test_exchange_and_financing_are_refused_with_the_reason(offer, kind, why):
    offer.ondc_type = kind
    message = errors_of(offer)["ondc_type"][0]
    assert message.startswith("Not available for charging: ")
    assert why in message


def test_exchange_cannot_reach_the_database_either(offer):
    offer.ondc_type = "exchange"
    with pytest.raises(IntegrityError):
        offer.save()


def test_ondc_type_must_match_the_benefit(offer):
    offer.ondc_type = "slab"
    assert errors_of(offer)["ondc_type"] == ["ONDC type slab does not match a percent benefit."]


def test_a_combo_names_its_secondary_add_ons(offer):
    offer.ondc_type = "combo"
    assert errors_of(offer) == {
        "secondary_ids": [
            "A combo needs at least one secondary add-on or item (ONDC qualifier item_id)."
        ],
        "base": ["A combo discounts the session and its add-ons together; clear the base."],
    }


def test_slabs_are_read_and_checked(offer):
    offer.benefit_kind, offer.percent, offer.base = "slabs", None, ""
    offer.slabs = [
        {"from_kwh": "0", "to_kwh": "10", "percent": "5"},
        {"from_kwh": "12", "to_kwh": None, "rate_per_kwh": "14"},
    ]
    assert "contiguous" in str(errors_of(offer))
    offer.slabs = [{"from_kwh": "0", "to_kwh": "10", "pct": "5"}]
    assert errors_of(offer)["slabs"] == ["Slab 1 has unknown keys: pct."]
    offer.slabs = [{"from_kwh": "0", "to_kwh": "10", "percent": "five"}]
    assert errors_of(offer)["slabs"] == ["slab 1 percent must be a number, not 'five'"]
    offer.slabs = [
        {"from_kwh": "0", "to_kwh": "10", "percent": "5"},
        {"from_kwh": "10", "to_kwh": None, "rate_per_kwh": "14"},
    ]
    assert errors_of(offer) == {}


def test_energy_trade_models_need_their_own_fields(offer):
    offer.benefit_kind, offer.percent, offer.base = "energy_trade", None, ""
    offer.pricing_model = "TIME_OF_DAY"
    assert errors_of(offer)["tod_rates"] == ["Required for the TIME_OF_DAY pricing model."]
    offer.tod_rates = [{"timeRange": {"start": "22:00", "end": "06:00"}, "rate": 12}]
    offer.rate_per_kwh = Decimal("10")
    assert errors_of(offer)["rate_per_kwh"] == [
        "Not used by the TIME_OF_DAY pricing model; clear it."
    ]
    offer.rate_per_kwh = None
    offer.wheeling_description = "Grid wheeling"
    assert "wheeling_amount" in errors_of(offer)
    offer.wheeling_amount = Decimal("2.50")
    assert errors_of(offer) == {}
    offer.tod_rates = [{"timeRange": {"start": "9am", "end": "17:00"}, "rate": 12}]
    assert errors_of(offer)["tod_rates"] == ["Rate 1: time '9am' is not HH:MM."]


def test_applicability_shapes(offer):
    offer.days_of_week = [7]
    offer.window_start = dt.time(18)
    offer.geo_lat = Decimal("28.6")
    offer.region_codes = "DL"
    offer.site_kinds = ["moon"]
    errors = errors_of(offer)
    assert errors["days_of_week"] == ["Days must be a list of weekday numbers 0 (Mon) to 6 (Sun)."]
    assert errors["window_end"] == ["Give both ends of the local time window, or neither."]
    assert errors["geo_radius_km"] == ["A geo circle needs a latitude, a longitude and a radius."]
    assert errors["region_codes"] == ["Give a list of codes (text)."]
    assert errors["site_kinds"] == ["Unknown value(s): moon."]


def test_windows_and_amounts_that_contradict_themselves(offer):
    offer.valid_from = dt.datetime(2025, 9, 22, tzinfo=dt.UTC)
    offer.valid_until = dt.datetime(2025, 9, 21, tzinfo=dt.UTC)
    offer.min_kwh, offer.max_kwh = Decimal("10"), Decimal("5")
    errors = errors_of(offer)
    assert errors["valid_until"] == ["The offer would end before it starts."]
    assert errors["max_kwh"] == ["The maximum kWh is below the minimum kWh."]


def test_rules_problems_go_next_to_their_field_or_form_wide(offer):
    offer.percent = Decimal("0")
    assert errors_of(offer)["percent"] == [
        "Percent off must be more than 0% and at most 100%, not 0%."
    ]
    offer.benefit_kind, offer.percent, offer.base = "energy_trade", None, ""
    offer.pricing_model = "TIME_OF_DAY"
    offer.tod_rates = [
        {"timeRange": {"start": "22:00", "end": "06:00"}, "rate": 12},
        {"timeRange": {"start": "05:00", "end": "07:00"}, "rate": 13},
    ]
    assert errors_of(offer)["tod_rates"] == ["Time-of-day window 05:00-07:00 overlaps another."]


def test_new_offers_get_their_usage_counter(offer):
    offer.save()
    assert offer.usage.uses == 0 and offer.usage.budget_spent == 0
