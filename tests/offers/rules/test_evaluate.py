"""Every rejection reason, with the message a person reads; and the matching passes."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal as D

import pytest

from offers.rules.conditions import is_anniversary
from offers.rules.construct import (
    Applicability,
    BudgetPolicy,
    EnergyTradeTerms,
    GeoCircle,
    Holdout,
    HolidayRule,
    OfferRule,
    PricingModel,
    Qualifier,
    TimeOfDayRate,
)
from offers.rules.evaluate import evaluate
from offers.rules.facts import CustomerFacts, Limits, OfferFacts, PresentedCode, StationFacts
from offers.rules.outcome import Eligible, Reason, Rejected
from pricing.engine.types import PricedSession, TimeWindow

from .helpers import IST, SUNDAY_10, deg_weekend_offer, facts, offer, priced_slot, site

UTC = dt.UTC


def rejected(
    o: OfferRule, session: PricedSession | None = None, f: OfferFacts | None = None
) -> Rejected:
    outcome = evaluate(o, session or priced_slot(), f or facts())
    assert isinstance(outcome, Rejected), outcome
    return outcome


def passes(o: OfferRule, session: PricedSession | None = None, f: OfferFacts | None = None) -> None:
    assert isinstance(evaluate(o, session or priced_slot(), f or facts()), Eligible)


def test_below_min_value_message() -> None:
    r = rejected(deg_weekend_offer(), priced_slot(kwh="2", rate="15", fee="10"))
    assert r.reason is Reason.BELOW_MIN_VALUE
    assert r.message == (
        "Offer weekend-discount-25 needs a session value of at least ₹50.00; this one is ₹40.00"
    )
    passes(deg_weekend_offer(), priced_slot(kwh="2", rate="20", fee="10"))  # exactly 50


def test_not_started_and_expired() -> None:
    app = Applicability(
        valid_from=dt.datetime(2025, 9, 21, tzinfo=UTC),
        valid_until=dt.datetime(2025, 9, 22, 23, 59, 59, tzinfo=UTC),
    )
    o = offer("w", applicability=app)
    early = rejected(o, priced_slot(start=dt.datetime(2025, 9, 21, 5, 0, tzinfo=IST)))  # 23:30Z
    assert early.reason is Reason.NOT_STARTED
    assert early.message == "Offer w starts 2025-09-21T00:00:00+00:00"
    late = rejected(o, priced_slot(start=dt.datetime(2025, 9, 23, 5, 30, tzinfo=IST)))  # 00:00Z
    assert late.reason is Reason.EXPIRED
    assert late.message == "Offer w ended 2025-09-22T23:59:59+00:00"
    passes(o, priced_slot(start=dt.datetime(2025, 9, 23, 5, 29, 59, tzinfo=IST)))  # inclusive end
    quoted_too_late = facts(now=dt.datetime(2025, 9, 23, tzinfo=UTC))
    assert rejected(o, priced_slot(), quoted_too_late).reason is Reason.EXPIRED


@pytest.mark.parametrize(
    ("app", "message"),
    [
        (Applicability(station_codes=frozenset({"ST-X"})), "at station ST-CP"),
        (Applicability(charger_codes=frozenset({"c9"})), "on charger pe-charging-01"),
        (Applicability(region_codes=frozenset({"KA"})), "in region DL"),
        (Applicability(city_codes=frozenset({"std:080"})), "in city std:011"),
        (Applicability(site_kinds=frozenset({"highway"})), "at urban sites"),
        (Applicability(category_codes=frozenset({"fleet"})), "for this charger's categories"),
        (
            Applicability(circles=(GeoCircle(12.97, 77.59, 25.0),)),  # Bengaluru
            "this far from its area",
        ),
    ],
)
def test_not_valid_here(app: Applicability, message: str) -> None:
    r = rejected(offer("p", applicability=app))
    assert r.reason is Reason.NOT_VALID_HERE
    assert r.message == f"Offer p is not valid {message}"


def test_places_are_unions_within_and_intersections_across() -> None:
    app = Applicability(
        station_codes=frozenset({"ST-CP", "ST-X"}),
        region_codes=frozenset({"DL", "KA"}),
        circles=(GeoCircle(12.97, 77.59, 25.0), GeoCircle(28.63, 77.22, 5.0)),
    )
    passes(offer("p", applicability=app))
    elsewhere = replace(app, region_codes=frozenset({"KA"}))
    assert rejected(offer("p", applicability=elsewhere)).reason is Reason.NOT_VALID_HERE


def test_geo_needs_station_coordinates() -> None:
    app = Applicability(circles=(GeoCircle(28.63, 77.22, 5.0),))
    no_coordinates = facts(station=StationFacts())
    assert rejected(offer("g", applicability=app), f=no_coordinates).reason is Reason.NOT_VALID_HERE


def test_other_operator_and_other_currency() -> None:
    r = rejected(offer("x"), f=facts(operator_code="cpo2.com"))
    assert (r.reason, r.message) == (
        Reason.NOT_VALID_HERE,
        "Offer x is not valid at cpo2.com stations",
    )
    usd = EnergyTradeTerms(
        PricingModel.TIME_OF_DAY,
        time_of_day_rates=(TimeOfDayRate(dt.time(9), dt.time(17), D("0.15"), "USD"),),
    )
    r = rejected(offer("t", usd, currency="USD"))
    assert r.reason is Reason.NOT_VALID_HERE
    assert r.message == "Offer t is priced in USD; this station charges in INR"


HAPPY_HOUR = TimeWindow(dt.time(14), dt.time(17))
FRIDAY_NIGHT = TimeWindow(dt.time(22), dt.time(6), frozenset({4}))


def test_outside_the_happy_hour() -> None:
    o = offer("hh", applicability=Applicability(windows=(HAPPY_HOUR,)))
    r = rejected(o)
    assert (r.reason, r.message) == (Reason.NOT_VALID_NOW, "Offer hh is not valid at Sun 10:00")
    passes(o, priced_slot(start=SUNDAY_10.replace(hour=14)))


def test_a_wrapping_window_belongs_to_the_day_it_starts() -> None:
    o = offer("night", applicability=Applicability(windows=(FRIDAY_NIGHT,)))
    passes(o, priced_slot(start=dt.datetime(2025, 9, 20, 1, 0, tzinfo=IST)))  # Saturday 01:00
    saturday_night = dt.datetime(2025, 9, 20, 23, 0, tzinfo=IST)
    assert rejected(o, priced_slot(start=saturday_night)).reason is Reason.NOT_VALID_NOW


def test_holidays() -> None:
    holiday = facts(holidays=frozenset({SUNDAY_10.date()}))
    only = offer("h", applicability=Applicability(holidays=HolidayRule.HOLIDAYS_ONLY))
    r = rejected(only)
    assert r.message == "Offer h is not valid on 2025-09-21: holidays only"
    passes(only, f=holiday)
    never = offer("n", applicability=Applicability(holidays=HolidayRule.EXCEPT_HOLIDAYS))
    assert rejected(never, f=holiday).reason is Reason.NOT_VALID_NOW
    passes(never)


def test_new_station_launch_window() -> None:
    launch = offer("new", applicability=Applicability(launch_days=30))
    opened = facts(station=StationFacts(opened_on=dt.date(2025, 8, 23)))  # day 29 on the 21st
    passes(launch, f=opened)
    late = facts(station=StationFacts(opened_on=dt.date(2025, 8, 22)))  # day 30
    r = rejected(launch, f=late)
    assert r.reason is Reason.NOT_VALID_NOW
    assert r.message == (
        "Offer new is not valid: only in the first 30 days after the station opened"
        " (opened 22 Aug 2025)"
    )
    assert rejected(launch, f=facts(station=StationFacts())).reason is Reason.NOT_VALID_NOW


def test_kwh_bounds() -> None:
    o = offer("k", qualifier=Qualifier(min_kwh=D("10"), max_kwh=D("40")))
    low = rejected(o)
    assert (low.reason, low.message) == (
        Reason.BELOW_MIN_KWH,
        "Offer k needs at least 10 kWh; this session is 5 kWh",
    )
    high = rejected(o, priced_slot(kwh="41"))
    assert (high.reason, high.message) == (
        Reason.ABOVE_MAX_KWH,
        "Offer k allows at most 40 kWh; this session is 41 kWh",
    )
    passes(o, priced_slot(kwh="40"))


def who(**changes: object) -> OfferFacts:
    return facts(customer=replace(CustomerFacts(key="cust-1"), **changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("qualifier", "reason", "message", "good"),
    [
        (Qualifier(segments=frozenset({"fleet"})), Reason.SEGMENT,
         "Offer q is for fleet customers only", {"segment": "fleet"}),
        (Qualifier(tiers=frozenset({"gold", "platinum"})), Reason.TIER,
         "Offer q is for gold or platinum tier members only", {"tier": "gold"}),
        (Qualifier(members_only=True), Reason.MEMBERS_ONLY,
         "Offer q is for members only", {"member": True}),
        (Qualifier(first_session_only=True), Reason.FIRST_SESSION_ONLY,
         "Offer q is for a customer's first session only", {"first_session": True}),
        (Qualifier(referred_only=True), Reason.REFERRAL_ONLY,
         "Offer q is for referred customers only", {"referred": True}),
        (Qualifier(anniversary_days=3), Reason.NOT_ANNIVERSARY,
         "Offer q is valid within 3 days of the customer's joining anniversary",
         {"joined_on": dt.date(2023, 9, 18)}),
    ],
)  # fmt: skip
def test_customer_qualifiers(
    qualifier: Qualifier, reason: Reason, message: str, good: dict[str, object]
) -> None:
    o = offer("q", qualifier=qualifier)
    r = rejected(o)
    assert (r.reason, r.message) == (reason, message)
    passes(o, f=who(**good))


def test_anniversary_dates() -> None:
    joined = dt.date(2020, 2, 29)
    assert is_anniversary(joined, dt.date(2023, 2, 28), 0)
    assert not is_anniversary(joined, dt.date(2023, 3, 1), 0)
    assert is_anniversary(joined, dt.date(2024, 2, 29), 0)
    assert not is_anniversary(joined, joined, 5)  # the day they joined is no anniversary
    assert is_anniversary(dt.date(2021, 1, 2), dt.date(2024, 12, 30), 3)  # across new year
    assert not is_anniversary(dt.date(2021, 1, 2), dt.date(2024, 12, 29), 3)


def test_codes() -> None:
    opt_in = offer("c", auto=False)
    r = rejected(opt_in)
    assert (r.reason, r.message) == (Reason.CODE_REQUIRED, "Offer c applies only with its code")
    wrong = facts(codes={"c": PresentedCode("SUMMER", matched=False)})
    r = rejected(opt_in, f=wrong)
    assert (r.reason, r.message) == (Reason.CODE_UNKNOWN, "Code SUMMER is not valid for offer c")
    passes(opt_in, f=facts(codes={"c": PresentedCode("WINTER", matched=True)}))


@pytest.mark.parametrize(
    ("limits", "reason", "message"),
    [
        (Limits(remaining_uses=0), Reason.LIMIT_REACHED, "Offer l has been fully redeemed"),
        (Limits(remaining_customer_uses=0), Reason.CUSTOMER_LIMIT_REACHED,
         "Offer l has already been used as often as allowed by this customer"),
        (Limits(remaining_budget=D("0")), Reason.BUDGET_EXHAUSTED, "Offer l has no budget left"),
    ],
)  # fmt: skip
def test_limits(limits: Limits, reason: Reason, message: str) -> None:
    r = rejected(offer("l"), f=facts(limits={"l": limits}))
    assert (r.reason, r.message) == (reason, message)


def test_budget_cut_or_refuse() -> None:
    low = facts(limits={"l": Limits(remaining_uses=5, remaining_budget=D("3.50"))})
    cut = evaluate(offer("l"), priced_slot(), low)  # 10 % of 90 = 9.00
    assert isinstance(cut, Eligible) and cut.discount == D("3.50")
    refuse = replace(offer("l"), budget_policy=BudgetPolicy.REFUSE)
    r = rejected(refuse, f=low)
    assert (r.reason, r.message) == (
        Reason.BUDGET_EXHAUSTED,
        "Offer l has ₹3.50 of budget left; this discount needs ₹9.00",
    )


def test_held_out_customer_keeps_what_they_would_have_had() -> None:
    everyone = replace(offer("h"), holdout=Holdout(D("1")))
    r = rejected(everyone)
    assert (r.reason, r.message) == (
        Reason.HELD_OUT,
        "Offer h is withheld from this customer (holdout group)",
    )
    assert r.would_be is not None and r.would_be.discount == D("9.00")
    passes(everyone, f=facts(customer=CustomerFacts()))  # anonymous: never held out


def test_first_failure_wins_in_a_fixed_order() -> None:
    o = offer(
        "f",
        applicability=Applicability(station_codes=frozenset({"ST-X"})),
        qualifier=Qualifier(members_only=True),
    )
    assert rejected(o).reason is Reason.NOT_VALID_HERE
    assert rejected(o, priced_slot(where=site(station_code="ST-X"))).reason is Reason.MEMBERS_ONLY
