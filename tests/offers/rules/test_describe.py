"""What an offer gives, in the words of the offers list (offers.rules.describe, read by
offers.services.offer_words): every kind of benefit has its own phrase, and a cap follows
it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from offers.rules import benefit_types as b
from offers.rules import describe

D = Decimal


WORDED = [
    (b.PercentOff(D("12.50")), "12.5% off energy"),
    (b.PercentOff(D("10"), b.Base.SERVICE_FEE), "10% off the service fee"),
    (b.FixedOff(D("50")), "₹50 off the session"),
    (b.RateOverride(D("14.00")), "energy at ₹14.00/kWh"),
    (b.FreeKwh(D("5.0")), "first 5 kWh free"),
    (b.BuyXGetY(D("20"), D("2")), "buy 20 kWh, get 2 kWh free"),
    (
        b.Slabs((b.Slab(D("0"), D("10"), D("5")), b.Slab(D("10"), None, D("10")))),
        "bulk prices in 2 kWh slabs",
    ),
    (b.ServiceFeeWaiver(), "service fee waived"),
    (b.ServiceFeeWaiver(D("50")), "50% off the service fee"),
    (b.CreditDrawdown("fleet-7"), "paid from prepaid credit (fleet-7)"),
    (b.EnergyTradeTerms(b.PricingModel.TIME_OF_DAY), "energy trade terms (time of day)"),
]


@pytest.mark.parametrize("benefit, words", WORDED, ids=[w for _, w in WORDED])
def test_each_benefit_is_worded(benefit, words):
    assert describe.value_text(benefit, None, "INR") == words
    assert describe.value_text(benefit, D("100"), "INR") == f"{words}, cap ₹100"


def test_no_kind_of_benefit_is_left_to_its_code_name():
    assert {benefit.kind for benefit, _ in WORDED} == set(b.BenefitKind)
    for benefit, words in WORDED:
        assert words != str(benefit.kind)  # the fallback for a kind with no phrase


def test_slabs_are_worded_one_by_one_as_the_benefit_each_gives():
    slabs = (
        b.Slab(D("0"), D("10.5"), percent=D("5")),
        b.Slab(D("10.5"), D("40"), rate_per_kwh=D("14.25")),
        b.Slab(D("40"), None, percent=D("12.50")),
    )
    assert describe.slabs_text(slabs, "INR") == (
        "0\u201310.5 kWh: 5% off energy; 10.5\u201340 kWh: energy at ₹14.25/kWh; "
        "from 40 kWh: 12.5% off energy"
    )


def test_time_of_day_rates_are_worded_by_window_each_in_its_currency():
    rates = (
        b.TimeOfDayRate(dt.time(22), dt.time(6), D("9"), "INR"),
        b.TimeOfDayRate(dt.time(10), dt.time(16), D("0.20"), "EUR"),
    )
    assert describe.tod_rates_text(rates) == (
        "22:00\u201306:00: energy at ₹9.00/kWh; 10:00\u201316:00: energy at €0.20/kWh"
    )
    all_day = b.TimeOfDayRate(dt.time(6), dt.time(6), D("11"), "INR")
    assert describe.tod_rates_text((all_day,)) == "all day: energy at ₹11.00/kWh"
