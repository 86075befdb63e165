"""What an offer gives, in the words of the offers list (offers.rules.describe, read by
offers.services.offer_words): every kind of benefit has its own phrase, and a cap follows
it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from offers.rules import benefit_types as b
from offers.rules import describe

D = Decimal


def money(amount: Decimal) -> str:
    return f"₹{amount}"


WORDED = [
    (b.PercentOff(D("12.50")), "12.5 % off energy"),
    (b.PercentOff(D("10"), b.Base.SERVICE_FEE), "10 % off the service fee"),
    (b.FixedOff(D("50")), "₹50 off the session"),
    (b.RateOverride(D("14.00")), "energy at ₹14.00/kWh"),
    (b.FreeKwh(D("5.0")), "first 5 kWh free"),
    (b.BuyXGetY(D("20"), D("2")), "buy 20 kWh, get 2 kWh free"),
    (
        b.Slabs((b.Slab(D("0"), D("10"), D("5")), b.Slab(D("10"), None, D("10")))),
        "bulk prices in 2 kWh slabs",
    ),
    (b.ServiceFeeWaiver(), "service fee waived"),
    (b.ServiceFeeWaiver(D("50")), "50 % off the service fee"),
    (b.CreditDrawdown("fleet-7"), "paid from prepaid credit (fleet-7)"),
    (b.EnergyTradeTerms(b.PricingModel.TIME_OF_DAY), "energy trade terms (time of day)"),
]


@pytest.mark.parametrize("benefit, words", WORDED, ids=[w for _, w in WORDED])
def test_each_benefit_is_worded(benefit, words):
    assert describe.value_text(benefit, None, money) == words
    assert describe.value_text(benefit, D("100"), money) == f"{words}, cap ₹100"


def test_no_kind_of_benefit_is_left_to_its_code_name():
    assert {benefit.kind for benefit, _ in WORDED} == set(b.BenefitKind)
    for benefit, words in WORDED:
        assert words != str(benefit.kind)  # the fallback for a kind with no phrase
