"""EnergyTradeOffer terms: JSON in the schema's shape, pricing models, quantity limits."""

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal as D

from offers.rules.construct import (
    EnergyTradeTerms,
    PricingModel,
    SettlementType,
    TimeOfDayRate,
    WheelingCharges,
)
from offers.rules.energy_trade import energy_trade_json
from offers.rules.evaluate import evaluate
from offers.rules.outcome import Eligible, Reason, Rejected
from pricing.engine.types import PricedSession

from .helpers import IST, SUNDAY_10, facts, offer, priced_segments, priced_slot

SCHEMA_EXAMPLE = """{
  "@context": "./context.jsonld",
  "@type": "EnergyTradeOffer",
  "pricingModel": "TIME_OF_DAY",
  "settlementType": "DAILY",
  "wheelingCharges": {
    "amount": 2.5,
    "currency": "USD",
    "description": "PG&E Grid Services wheeling charge"
  },
  "minimumQuantity": 1.0,
  "maximumQuantity": 100.0,
  "validityWindow": {
    "start": "2024-10-04T00:00:00Z",
    "end": "2024-10-04T23:59:59Z"
  },
  "timeOfDayRates": [
    {
      "timeRange": {
        "start": "09:00",
        "end": "17:00"
      },
      "rate": 0.15,
      "currency": "USD"
    }
  ]
}"""


def test_json_reproduces_the_schema_example() -> None:
    terms = EnergyTradeTerms(
        PricingModel.TIME_OF_DAY,
        settlement_type=SettlementType.DAILY,
        wheeling=WheelingCharges(D("2.5"), "USD", "PG&E Grid Services wheeling charge"),
        minimum_quantity=D("1.0"),
        maximum_quantity=D("100.0"),
        valid_from=dt.datetime(2024, 10, 4, tzinfo=dt.UTC),
        valid_until=dt.datetime(2024, 10, 4, 23, 59, 59, tzinfo=dt.UTC),
        time_of_day_rates=(TimeOfDayRate(dt.time(9), dt.time(17), D("0.15"), "USD"),),
    )
    exported = energy_trade_json(terms)
    assert exported == json.loads(SCHEMA_EXAMPLE)
    assert json.dumps(exported, indent=2) == SCHEMA_EXAMPLE  # key order and number form


def test_json_leaves_out_what_is_not_set() -> None:
    assert energy_trade_json(EnergyTradeTerms(PricingModel.SUBSCRIPTION)) == {
        "@context": "./context.jsonld",
        "@type": "EnergyTradeOffer",
        "pricingModel": "SUBSCRIPTION",
    }


def trade_discount(terms: EnergyTradeTerms, session: PricedSession) -> D:
    outcome = evaluate(offer("t", terms), session, facts())
    assert isinstance(outcome, Eligible), outcome
    return outcome.discount


TEN = priced_slot(kwh="10", rate="18")  # energy 180


def test_per_kwh_fixed_and_subscription() -> None:
    assert trade_discount(EnergyTradeTerms(PricingModel.PER_KWH, rate_per_kwh=D("12")), TEN) == D(
        "60.00"
    )
    assert trade_discount(EnergyTradeTerms(PricingModel.FIXED, fixed_price=D("99")), TEN) == D(
        "81.00"
    )
    assert trade_discount(EnergyTradeTerms(PricingModel.SUBSCRIPTION), TEN) == D("180.00")


def tod(*rates: tuple[int, int, int, int, str]) -> EnergyTradeTerms:
    return EnergyTradeTerms(
        PricingModel.TIME_OF_DAY,
        time_of_day_rates=tuple(
            TimeOfDayRate(dt.time(h1, m1), dt.time(h2, m2), D(rate), "INR")
            for h1, m1, h2, m2, rate in rates
        ),
    )


def test_time_of_day_rates_apply_to_the_part_of_the_session_inside_them() -> None:
    start = SUNDAY_10.replace(hour=8)
    session = priced_slot(kwh="10", rate="18", start=start, minutes=120)  # 08:00-10:00
    # half the session (5 kWh) falls in 09:00-17:00 at ₹10: 5 x (18 - 10)
    assert trade_discount(tod((9, 0, 17, 0, "10"), (22, 0, 6, 0, "8")), session) == D("40.00")


def test_time_of_day_across_segments_and_midnight() -> None:
    s = SUNDAY_10.replace(hour=8)
    nine, ten = s + dt.timedelta(hours=1), s + dt.timedelta(hours=2)
    two = priced_segments([(s, nine, "5", "18"), (nine, ten, "5", "20")])
    # only 09:30-10:00 is inside: 2.5 kWh of the ₹20 segment down to ₹10
    assert trade_discount(tod((9, 30, 17, 0, "10")), two) == D("25.00")
    night = priced_slot(kwh="4", rate="18", start=dt.datetime(2025, 9, 21, 23, 0, tzinfo=IST))
    assert trade_discount(tod((22, 0, 6, 0, "9")), night) == D("36.00")


def test_dearer_trade_rate_saves_nothing() -> None:
    outcome = evaluate(offer("t", tod((0, 0, 0, 0, "25"))), TEN, facts())
    assert isinstance(outcome, Rejected) and outcome.reason is Reason.NO_BENEFIT


def test_quantity_and_validity_of_the_trade_terms() -> None:
    terms = EnergyTradeTerms(
        PricingModel.PER_KWH,
        rate_per_kwh=D("12"),
        minimum_quantity=D("6"),
        maximum_quantity=D("20"),
    )
    small = evaluate(offer("t", terms), priced_slot(kwh="5"), facts())
    assert isinstance(small, Rejected)
    assert (small.reason, small.message) == (
        Reason.BELOW_MIN_KWH,
        "Offer t needs at least 6 kWh; this session is 5 kWh",
    )
    big = evaluate(offer("t", terms), priced_slot(kwh="21"), facts())
    assert isinstance(big, Rejected) and big.reason is Reason.ABOVE_MAX_KWH
    assert isinstance(evaluate(offer("t", terms), TEN, facts()), Eligible)
    ended = replace(terms, valid_until=dt.datetime(2025, 9, 21, 4, 29, tzinfo=dt.UTC))
    late = evaluate(offer("t", ended), TEN, facts())  # the session starts 04:30Z
    assert isinstance(late, Rejected) and late.reason is Reason.EXPIRED


def test_a_segment_of_no_duration_is_inside_a_window_by_its_start() -> None:
    """A segment that starts and ends at once (its energy counted at one instant) has no
    part of its time to share out: all of its kWh are inside a window or none are."""
    ten_thirty = SUNDAY_10.replace(minute=30)
    instant = priced_segments([(ten_thirty, ten_thirty, "4", "18")])
    assert trade_discount(tod((9, 0, 17, 0, "10")), instant) == D("32.00")  # 4 x (18 - 10)
    outcome = evaluate(offer("t", tod((22, 0, 6, 0, "10"))), instant, facts())
    assert isinstance(outcome, Rejected) and outcome.reason is Reason.NO_BENEFIT
