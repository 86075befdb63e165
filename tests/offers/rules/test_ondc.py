"""The ONDC offer construct: offers described in its qualifier / benefit / meta groups, the
template table's mandatory and not-applicable columns, and reversals that never give back
more than was given (a property over any sequence of partial reversals)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offers.rules.construct import (
    BuyXGetY,
    ComboTerms,
    CreditDrawdown,
    FixedOff,
    FreeKwh,
    OndcOfferType,
    PercentOff,
    Qualifier,
    RateOverride,
    ServiceFeeWaiver,
    Slab,
    Slabs,
)
from offers.rules.ondc import TEMPLATE, Need, ondc_description, template_problems
from offers.rules.settle import reversal_amount
from tests.offers.rules.helpers import offer

D = Decimal


def test_the_template_table_is_the_specs():
    combo = TEMPLATE[OndcOfferType.COMBO]
    assert [c for c, need in combo.items() if need is Need.M] == [
        "item_id",
        "value",
        "value_type",
        "value_cap",
        "additive",
        "auto",
    ]
    assert TEMPLATE[OndcOfferType.BUY_X_GET_Y]["benefit_item_id"] is Need.O
    assert TEMPLATE[OndcOfferType.DISCOUNT]["value_cap"] is Need.O


def test_combo_published_like_the_ondc_example():
    combo1 = offer(
        "combo1",
        PercentOff(D("50")),
        combo=ComboTerms(frozenset({"I4", "I5"})),
        max_discount=D("200"),
    )
    assert ondc_description(combo1).groups == (
        ("qualifier", (("item_id", "I4,I5"),)),
        ("benefit", (("value_type", "percent"), ("value", "-50.00"), ("value_cap", "-200.00"))),
        ("meta", (("additive", "no"), ("auto", "yes"))),
    )
    assert template_problems(combo1) == []


def test_discount_delivery_buyxgety_freebie_and_slab():
    weekend = offer(
        "w", PercentOff(D("25")), qualifier=Qualifier(min_session_value=D("50")),
        max_discount=D("100"), additive=True, auto=False,
    )  # fmt: skip
    assert ondc_description(weekend).groups == (
        ("qualifier", (("min_value", "50.00"),)),
        ("benefit", (("value_type", "percent"), ("value", "-25.00"), ("value_cap", "-100.00"))),
        ("meta", (("additive", "yes"), ("auto", "no"))),
    )
    assert ondc_description(offer("f", FixedOff(D("15")))).groups[0] == (
        "benefit",
        (("value_type", "amount"), ("value", "-15.00")),
    )
    assert ondc_description(offer("d", ServiceFeeWaiver())).groups[0] == (
        "benefit",
        (("value_type", "percent"), ("value", "-100.00")),
    )
    buy = ondc_description(offer("b", BuyXGetY(D("10"), D("2")), max_discount=D("40")))
    assert buy.groups[:2] == (
        ("qualifier", (("item_count", "10"),)),
        ("benefit", (("item_count", "2"), ("item_value", "0.00"))),  # the cap is N/A here
    )
    free = ondc_description(offer("r", FreeKwh(D("3"))), item_ids=["pe-01", "pe-02"])
    assert free.groups[0] == ("benefit", (("item_count", "3"), ("item_id", "pe-01,pe-02")))
    slabs = Slabs((Slab(D("20"), D("50"), percent=D("10")), Slab(D("50"), None, percent=D("15"))))
    bulk = ondc_description(offer("s", slabs, max_discount=D("300")))
    assert bulk.groups[:4] == (
        ("qualifier", (("item_count", "20"), ("item_count_upper", "50"))),
        ("benefit", (("value_type", "percent"), ("value", "-10.00"), ("value_cap", "-300.00"))),
        ("qualifier", (("item_count", "50"), ("item_count_upper", ""))),  # open, as ONDC sends
        ("benefit", (("value_type", "percent"), ("value", "-15.00"), ("value_cap", "-300.00"))),
    )


@pytest.mark.parametrize(
    ("an_offer", "problems"),
    [
        (
            offer("s", Slabs((Slab(D("0"), D("10"), percent=D("5")),))),
            [("value_cap", "Slab offers need a value cap (benefit value_cap)")],
        ),
        (
            offer("c", PercentOff(D("10")), combo=ComboTerms(frozenset({"valet"}))),
            [("value_cap", "Combo offers need a value cap (benefit value_cap)")],
        ),
        (offer("b", BuyXGetY(D("10"), D("2"))), []),
        (offer("f", FreeKwh(D("3")), max_discount=D("40")), []),  # the cap stays DEG-only
        (
            offer("g", Slabs((Slab(D("0"), D("10"), rate_per_kwh=D("14")),)), ondc_type=None),
            [],  # a rate slab is outside the template, like a rate override
        ),
        (
            offer("x", RateOverride(D("12")), ondc_type=OndcOfferType.DISCOUNT),
            [
                ("value", "Discount offers need a benefit value (benefit value)"),
                ("value_type", "Discount offers need a percent or an amount (benefit value_type)"),
            ],
        ),
        (offer("y", RateOverride(D("12"))), []),  # outside the template
        (offer("z", CreditDrawdown("prepaid")), []),
    ],
)
def test_template_problems_name_the_column(an_offer, problems):
    assert template_problems(an_offer) == problems


GIVEN = st.decimals(min_value="0.01", max_value="5000", places=2)
REQUESTS = st.lists(st.decimals(min_value="0.01", max_value="6000", places=2), max_size=12)


@given(given=GIVEN, requests=REQUESTS)
def test_partial_reversals_never_exceed_the_discount_given(given, requests):
    back = D("0")
    for requested in requests:
        taken = reversal_amount(given, back, requested)
        assert D("0") <= taken <= requested
        back += taken
        assert back <= given
    assert reversal_amount(given, back, D("1e6")) == given - back
