"""Offer definitions: refused ONDC types and inconsistent terms."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal as D

import pytest

from offers.rules.construct import (
    Applicability,
    BuyXGetY,
    EnergyTradeTerms,
    FixedOff,
    GeoCircle,
    Holdout,
    OfferDefinitionError,
    OndcOfferType,
    PercentOff,
    PricingModel,
    Qualifier,
    ServiceFeeWaiver,
    Slab,
    Slabs,
    TimeOfDayRate,
)
from offers.rules.validate import validate_offer

from .helpers import deg_weekend_offer, offer


@pytest.mark.parametrize("kind", [OndcOfferType.EXCHANGE, OndcOfferType.FINANCING])
def test_exchange_and_financing_are_refused(kind: OndcOfferType) -> None:
    with pytest.raises(OfferDefinitionError, match="has no meaning for charging") as caught:
        validate_offer(replace(offer("e"), ondc_type=kind))
    assert caught.value.offer_id == "e"


def test_the_deg_offer_is_valid() -> None:
    assert validate_offer(deg_weekend_offer()) == []


def test_ondc_type_follows_the_benefit() -> None:
    assert offer("a", BuyXGetY(D(1), D(1))).offer_type is OndcOfferType.BUY_X_GET_Y
    assert offer("a", ServiceFeeWaiver()).offer_type is OndcOfferType.DELIVERY
    combo = replace(offer("a"), ondc_type=OndcOfferType.COMBO)
    assert validate_offer(combo) == ["combo needs at least one secondary item or add-on (item_id)"]
    slab = replace(offer("a"), ondc_type=OndcOfferType.SLAB)
    assert validate_offer(slab) == ["ONDC type slab does not match a percent benefit"]


@pytest.mark.parametrize(
    ("benefit", "problem"),
    [
        (PercentOff(D("0")), "percent off must be more than 0% and at most 100%, not 0%"),
        (PercentOff(D("100.5")), "percent off must be more than 0% and at most 100%, not 100.5%"),
        (FixedOff(D("-1")), "fixed discount must be an amount >= 0 in whole paise, not -1"),
        (FixedOff(D("1.005")), "fixed discount must be an amount >= 0 in whole paise, not 1.005"),
        (BuyXGetY(D("0"), D("2")), "buy X get Y needs X > 0 and Y > 0"),
        (BuyXGetY(D("10"), D("0")), "buy X get Y needs X > 0 and Y > 0"),
        (Slabs(()), "slabs need at least one slab"),
        (
            Slabs((Slab(D("0"), D("10"), percent=D("5")), Slab(D("8"), None, percent=D("9")))),
            "slabs 1 and 2 must be contiguous, not overlapping",
        ),
        (
            Slabs((Slab(D("0"), D("10"), percent=D("5")), Slab(D("12"), None, percent=D("9")))),
            "slabs 1 and 2 must be contiguous, not overlapping",
        ),
        (
            Slabs((Slab(D("0"), None, percent=D("5")), Slab(D("10"), None, percent=D("9")))),
            "slabs 1 and 2 must be contiguous, not overlapping",
        ),
        (
            Slabs((Slab(D("5"), D("5"), percent=D("5")),)),
            "slab 1 must run from >= 0 to above its start",
        ),
        (Slabs((Slab(D("0"), None),)), "slab 1 needs exactly one of a percent or a rate"),
        (
            EnergyTradeTerms(PricingModel.PER_KWH),
            "PER_KWH energy trade needs a rate_per_kwh >= 0",
        ),
        (
            EnergyTradeTerms(PricingModel.TIME_OF_DAY),
            "TIME_OF_DAY energy trade needs time_of_day_rates",
        ),
        (
            EnergyTradeTerms(
                PricingModel.TIME_OF_DAY,
                time_of_day_rates=(
                    TimeOfDayRate(dt.time(22), dt.time(6), D("8"), "INR"),
                    TimeOfDayRate(dt.time(5), dt.time(9), D("9"), "INR"),
                ),
            ),
            "time-of-day window 05:00-09:00 overlaps another",
        ),
        (
            EnergyTradeTerms(
                PricingModel.SUBSCRIPTION, minimum_quantity=D("5"), maximum_quantity=D("1")
            ),
            "energy trade maximumQuantity is below minimumQuantity",
        ),
    ],
)
def test_inconsistent_benefits(benefit: object, problem: str) -> None:
    assert validate_offer(offer("b", benefit)) == [problem]  # type: ignore[arg-type]


def test_inconsistent_offer_terms() -> None:
    bad = replace(
        offer("b"),
        max_discount=D("-5"),
        holdout=Holdout(D("1.5")),
        applicability=Applicability(
            valid_from=dt.datetime(2025, 2, 1, tzinfo=dt.UTC),
            valid_until=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            circles=(GeoCircle(95.0, 0.0, 5.0),),
            launch_days=0,
        ),
        qualifier=Qualifier(min_kwh=D("10"), max_kwh=D("5"), anniversary_days=-1),
    )
    assert validate_offer(bad) == [
        "cap (max discount) must be an amount >= 0 in whole paise, not -5",
        "validity window ends before it starts",
        "launch window must be at least one day",
        "geo circles need a valid centre and a radius > 0",
        "maximum kWh is below minimum kWh",
        "anniversary window must be >= 0 days",
        "holdout share must be in [0, 1]",
    ]


def test_naive_validity_times_are_refused() -> None:
    naive = replace(offer("n"), applicability=Applicability(valid_from=dt.datetime(2025, 1, 1)))
    assert validate_offer(naive) == ["validity window times must be timezone-aware"]
