"""What an offer gives, in the words of the offers list (offers.rules.describe, read by
offers.services.offer_words): every kind of benefit has its own phrase, and a cap follows
it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from offers.rules import describe
from offers.rules.benefit_types import (
    Base,
    BenefitKind,
    BuyXGetY,
    CreditDrawdown,
    EnergyTradeTerms,
    FixedOff,
    FreeKwh,
    PercentOff,
    PricingModel,
    RateOverride,
    ServiceFeeWaiver,
    Slab,
    Slabs,
)

D = Decimal


def money(amount: Decimal) -> str:
    return f"₹{amount}"


WORDED = [
    (PercentOff(D("12.50")), "12.5 % off energy"),
    (PercentOff(D("10"), Base.SERVICE_FEE), "10 % off the service fee"),
    (FixedOff(D("50")), "₹50 off the session"),
    (RateOverride(D("14.00")), "energy at ₹14.00/kWh"),
    (FreeKwh(D("5.0")), "first 5 kWh free"),
    (BuyXGetY(D("20"), D("2")), "buy 20 kWh, get 2 kWh free"),
    (
        Slabs((Slab(D("0"), D("10"), D("5")), Slab(D("10"), None, D("10")))),
        "bulk prices in 2 kWh slabs",
    ),
    (ServiceFeeWaiver(), "service fee waived"),
    (ServiceFeeWaiver(D("50")), "50 % off the service fee"),
    (CreditDrawdown("fleet-7"), "paid from prepaid credit (fleet-7)"),
    (EnergyTradeTerms(PricingModel.TIME_OF_DAY), "energy trade terms (time of day)"),
]


@pytest.mark.parametrize("benefit, words", WORDED, ids=[w for _, w in WORDED])
def test_each_benefit_is_worded(benefit, words):
    assert describe.value_text(benefit, None, money) == words
    assert describe.value_text(benefit, D("100"), money) == f"{words}, cap ₹100"


def test_no_kind_of_benefit_is_left_to_its_code_name():
    assert {benefit.kind for benefit, _ in WORDED} == set(BenefitKind)
    for benefit, words in WORDED:
        assert words != str(benefit.kind)  # the fallback for a kind with no phrase
