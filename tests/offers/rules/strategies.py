"""Hypothesis strategies: random offers over a small network, random sessions on it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import TypeVar

from hypothesis import strategies as st

from offers.rules.construct import (
    Applicability,
    Base,
    Benefit,
    BudgetPolicy,
    BuyXGetY,
    CreditDrawdown,
    EnergyTradeTerms,
    FixedOff,
    FreeKwh,
    GeoCircle,
    Holdout,
    HolidayRule,
    Meta,
    OfferRule,
    PercentOff,
    PricingModel,
    Qualifier,
    RateOverride,
    ServiceFeeWaiver,
    Slab,
    SlabMode,
    Slabs,
    TimeOfDayRate,
    WheelingCharges,
)
from offers.rules.facts import (
    CreditBalance,
    CustomerFacts,
    Limits,
    OfferFacts,
    PresentedCode,
    StationFacts,
)
from pricing.engine.types import PricedSession, TimeWindow

from .helpers import IST, priced_slot, site

STATIONS = ("S1", "S2", "S3", "S4")
CHARGERS = ("C1", "C2", "C3")
REGIONS = ("R1", "R2")
CITIES = ("X1", "X2")
KINDS = ("urban", "highway")
CATEGORIES = ("cat1", "cat2", "cat3")
CENTRES = ((28.6, 77.2), (12.97, 77.59), (19.07, 72.88))
SEGMENTS = ("retail", "fleet")
TIERS = ("silver", "gold")
CURRENCIES = ("INR", "USD")  # offers and tariffs in two currencies: money must never cross
BASE_DAY = dt.datetime(2025, 9, 15, tzinfo=IST)  # a Monday
T = TypeVar("T")

money = st.decimals(min_value=0, max_value=500, places=2)
kwh = st.decimals(min_value=D("0.001"), max_value=60, places=3)
percent = st.decimals(min_value=D("0.5"), max_value=100, places=1)
rate = st.decimals(min_value=0, max_value=30, places=2)


def rarely(strategy: st.SearchStrategy[T], otherwise: T) -> st.SearchStrategy[T]:
    """`strategy` one time in five, else `otherwise`: random offers must often apply.
    (one_of over five branches, not a flatmap: hypothesis draws those much faster.)"""
    return st.one_of(strategy, *[st.just(otherwise)] * 4)


def subset(pool: tuple[str, ...]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(pool), min_size=1, max_size=2)


def some(pool: tuple[str, ...]) -> st.SearchStrategy[frozenset[str]]:
    return rarely(subset(pool), frozenset())


@st.composite
def instants(draw: st.DrawFn) -> dt.datetime:
    return BASE_DAY + dt.timedelta(minutes=draw(st.integers(0, 14 * 24 * 60)))


@st.composite
def windows(draw: st.DrawFn) -> TimeWindow:
    """Mostly on the hour (the index decides those exactly), sometimes at :30."""
    start, end = draw(st.integers(0, 23)), draw(st.integers(0, 23))
    minutes = st.sampled_from([0, 0, 0, 30])
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    return TimeWindow(dt.time(start, draw(minutes)), dt.time(end, draw(minutes)), days)


@st.composite
def circles(draw: st.DrawFn) -> GeoCircle:
    lat, lon = draw(st.sampled_from(CENTRES))
    return GeoCircle(lat + draw(st.floats(-0.5, 0.5)), lon, draw(st.floats(0.5, 80)))


@st.composite
def applicabilities(draw: st.DrawFn) -> Applicability:
    start = draw(rarely(instants(), None))
    length = dt.timedelta(hours=draw(st.integers(0, 24 * 10)))
    until = draw(rarely(st.just(start + length if start else BASE_DAY + length), None))
    return Applicability(
        station_codes=draw(some(STATIONS)),
        region_codes=draw(some(REGIONS)),
        city_codes=draw(some(CITIES)),
        site_kinds=draw(some(KINDS)),
        charger_codes=draw(some(CHARGERS)),
        category_codes=draw(some(CATEGORIES)),
        circles=draw(rarely(st.lists(circles(), min_size=1, max_size=2).map(tuple), ())),
        valid_from=start,
        valid_until=until,
        windows=draw(rarely(st.lists(windows(), min_size=1, max_size=2).map(tuple), ())),
        holidays=draw(rarely(st.sampled_from(HolidayRule), HolidayRule.ANY_DAY)),
        launch_days=draw(rarely(st.integers(1, 60), None)),
    )


def slabs() -> st.SearchStrategy[Slabs]:
    def build(cuts: list[int], pcts: list[D], mode: SlabMode) -> Slabs:
        edges = sorted(set(cuts))
        tiers = [
            Slab(D(a), D(b) if b is not None else None, percent=p)
            for a, b, p in zip(edges, [*edges[1:], None], pcts, strict=False)
        ]
        return Slabs(tuple(tiers), mode)

    return st.builds(
        build,
        st.lists(st.integers(0, 40), min_size=1, max_size=4),
        st.lists(percent, min_size=4, max_size=4),
        st.sampled_from(SlabMode),
    )


def trades() -> st.SearchStrategy[EnergyTradeTerms]:
    """Rates and charges in either currency (a mixed offer is valid nowhere)."""
    currency = st.sampled_from(CURRENCIES)
    tod = st.builds(
        lambda h, r, c: (TimeOfDayRate(dt.time(h), dt.time((h + 6) % 24), r, c),),
        st.integers(0, 23),
        rate,
        currency,
    )
    return st.builds(
        EnergyTradeTerms,
        pricing_model=st.sampled_from(PricingModel),
        rate_per_kwh=rate,
        fixed_price=money,
        time_of_day_rates=tod,
        wheeling=st.none() | st.builds(WheelingCharges, money, currency),
        minimum_quantity=st.none() | st.decimals(0, 5, places=1),
        maximum_quantity=st.none() | st.decimals(20, 80, places=1),
    )


def benefits() -> st.SearchStrategy[Benefit]:
    return st.one_of(
        st.builds(PercentOff, percent, st.sampled_from([Base.ENERGY, Base.GROSS])),
        st.builds(FixedOff, money, st.sampled_from(Base)),
        st.builds(RateOverride, rate),
        st.builds(FreeKwh, kwh),
        st.builds(BuyXGetY, st.decimals(1, 20, places=1), st.decimals(1, 5, places=1)),
        slabs(),
        st.builds(ServiceFeeWaiver, percent),
        st.builds(CreditDrawdown, st.sampled_from(["wallet", "package"]), st.sampled_from(Base)),
        trades(),
    )


@st.composite
def qualifiers(draw: st.DrawFn) -> Qualifier:
    """A minimum session value now and then; one offer in three also names who qualifies."""
    min_value = draw(rarely(st.decimals(0, 200, places=2), None))
    if draw(st.integers(0, 2)):
        return Qualifier(min_session_value=min_value)
    return Qualifier(
        min_session_value=min_value,
        min_kwh=draw(rarely(st.decimals(0, 30, places=1), None)),
        max_kwh=draw(rarely(st.decimals(5, 60, places=1), None)),
        segments=draw(some(SEGMENTS)),
        tiers=draw(some(TIERS)),
        members_only=draw(rarely(st.just(True), False)),
        first_session_only=draw(rarely(st.just(True), False)),
        referred_only=draw(rarely(st.just(True), False)),
        anniversary_days=draw(rarely(st.integers(0, 10), None)),
    )


@st.composite
def customers(draw: st.DrawFn, credits: tuple[CreditBalance, ...]) -> CustomerFacts:
    return CustomerFacts(
        key=draw(st.sampled_from(["", "k1", "k2"])),
        segment=draw(st.sampled_from(("", *SEGMENTS))),
        tier=draw(st.sampled_from(("", *TIERS))),
        member=draw(st.booleans()),
        first_session=draw(st.booleans()),
        referred=draw(st.booleans()),
        joined_on=draw(st.none() | st.dates(dt.date(2022, 9, 1), dt.date(2025, 9, 30))),
        credits=credits,
    )


@st.composite
def limits(draw: st.DrawFn) -> Limits:
    return Limits(
        remaining_uses=draw(rarely(st.integers(0, 3), None)),
        remaining_customer_uses=draw(rarely(st.integers(0, 2), None)),
        remaining_budget=draw(st.none() | st.decimals(0, 100, places=2)),
    )


@st.composite
def offers(draw: st.DrawFn, offer_id: str = "o") -> OfferRule:
    return OfferRule(
        id=offer_id,
        operator_code=draw(rarely(st.just("op2"), "op1")),
        title=f"Offer {offer_id}",
        benefit=draw(benefits()),
        applicability=draw(applicabilities()),
        qualifier=draw(qualifiers()),
        meta=Meta(
            auto=draw(rarely(st.just(False), True)),
            additive=draw(st.booleans()),
            priority=draw(st.integers(0, 3)),
        ),
        holdout=draw(st.none() | st.builds(Holdout, st.decimals(0, 1, places=2))),
        max_discount=draw(st.none() | money),
        budget_policy=draw(st.sampled_from(BudgetPolicy)),
        currency=draw(st.sampled_from(CURRENCIES)),
    )


@st.composite
def offer_lists(draw: st.DrawFn, max_size: int = 8) -> list[OfferRule]:
    n = draw(st.integers(0, max_size))
    return [draw(offers(f"o{i:02d}")) for i in range(n)]


@st.composite
def sessions(draw: st.DrawFn) -> PricedSession:
    where = site(
        station_code=draw(st.sampled_from(STATIONS)),
        charger_code=draw(st.sampled_from(CHARGERS)),
        region_code=draw(st.sampled_from(REGIONS)),
        city_code=draw(st.sampled_from(CITIES)),
        site_kind=draw(st.sampled_from(KINDS)),
        category_codes=draw(subset(CATEGORIES)),
    )
    surges = draw(st.lists(st.tuples(st.just("SURGE"), st.decimals(0, 50, places=2)), max_size=2))
    return priced_slot(
        kwh=str(draw(kwh)),
        rate=str(draw(st.decimals(1, 30, places=2))),
        fee=str(draw(st.decimals(0, 20, places=2))),
        start=draw(instants()),
        minutes=draw(st.integers(1, 300)),
        surges=[(c, str(a)) for c, a in surges],
        where=where,
        currency=draw(st.sampled_from(CURRENCIES)),
    )


@st.composite
def session_facts(draw: st.DrawFn, offer_ids: list[str]) -> OfferFacts:
    lat, lon = draw(st.sampled_from(CENTRES))
    credits = (
        CreditBalance("wallet", amount=draw(money)),
        CreditBalance("package", kwh=draw(st.decimals(0, 30, places=1))),
    )
    presented = draw(st.sets(st.sampled_from(offer_ids))) if offer_ids else set()
    return OfferFacts(
        customer=draw(customers(credits)),
        station=StationFacts(
            lat=lat + draw(st.floats(-1, 1)),
            lon=lon + draw(st.floats(-1, 1)),
            opened_on=draw(st.none() | st.dates(dt.date(2025, 7, 1), dt.date(2025, 9, 30))),
        ),
        operator_code=draw(st.sampled_from(["", "op1"])),
        holidays=draw(st.frozensets(st.dates(dt.date(2025, 9, 15), dt.date(2025, 9, 30)))),
        limits={i: draw(limits()) for i in offer_ids},
        codes={
            i: PresentedCode(f"CODE-{i}", matched=draw(rarely(st.just(False), True)))
            for i in sorted(presented)
        },
        now=draw(rarely(instants(), None)),
    )
