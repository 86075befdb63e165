"""Hypothesis strategies: random tariffs, surge rule sets and sessions, biased toward the
awkward places (DST days, window edges, midnight, overlapping rules)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from pricing.engine.types import (
    ChargeForm,
    Conditions,
    Customer,
    RateBand,
    SessionRequest,
    Site,
    SurgeKind,
    SurgeRule,
    Tariff,
    TimeWindow,
)

D = Decimal
UTC = dt.UTC
# Zones with the days their clocks change (and a DST-free zone): where splitting is hardest.
PLACES = (
    ("Asia/Kolkata", "2025-06-14"),
    ("Europe/Berlin", "2025-03-30"),
    ("Europe/Berlin", "2025-10-26"),
    ("America/New_York", "2025-03-09"),
    ("America/New_York", "2025-11-02"),
    ("America/Santiago", "2024-09-08"),  # DST starts at midnight: the day begins at 01:00
    ("America/Santiago", "2025-04-06"),  # and ends at midnight: 23:00-24:00 happens twice
    ("Australia/Lord_Howe", "2025-04-06"),  # a 30-minute shift
    ("Australia/Lord_Howe", "2025-10-05"),
)

times = st.builds(
    dt.time,
    st.sampled_from([0, 1, 2, 2, 2, 3, 6, 18, 22, 23]),
    st.sampled_from([0, 0, 15, 30, 30]),
)
day_sets = st.one_of(
    st.just(frozenset(range(7))), st.frozensets(st.integers(0, 6), min_size=1, max_size=6)
)
windows = st.builds(TimeWindow, times, times, day_sets)
money_values = st.sampled_from([D("0"), D("0.5"), D("1"), D("2.75"), D("12"), D("16"), D("18.5")])
stations = st.sampled_from(["ST1", "ST2", "ST3"])
kinds = st.sampled_from(["mall", "airport", "highway"])
regions = st.sampled_from(["KA", "DL", "BE"])
speeds = st.sampled_from(["SLOW", "FAST", "ULTRA"])
segments_ = st.sampled_from(["", "fleet", "staff"])
tiers = st.sampled_from(["", "gold", "silver"])


@st.composite
def tariffs(draw: st.DrawFn) -> Tariff:
    bands = tuple(
        RateBand(f"b{i}", f"Band {i}", draw(windows), draw(money_values))
        for i in range(draw(st.integers(0, 3)))
    )
    return Tariff(
        code="T",
        currency="INR",
        energy_rate_per_kwh=draw(st.sampled_from([D("16"), D("18"), D("0.3")])),
        bands=bands,
        service_fee=draw(st.sampled_from([D("0"), D("10"), D("2.5")])),
        idle_fee_per_minute=draw(st.sampled_from([D("0"), D("2")])),
        idle_grace_minutes=draw(st.sampled_from([0, 15])),
        min_price=draw(st.sampled_from([None, D("50")])),
        max_price=draw(st.sampled_from([None, D("400")])),
        tax_included=draw(st.booleans()),
    )


def _instants(base: dt.date) -> st.SearchStrategy[dt.datetime]:
    origin = dt.datetime.combine(base, dt.time(0), tzinfo=UTC) - dt.timedelta(days=1)
    instants = st.integers(0, 4 * 24 * 4).map(lambda q: origin + dt.timedelta(minutes=15 * q))
    written_in = st.sampled_from([UTC, ZoneInfo("Asia/Kolkata"), ZoneInfo("Europe/Berlin")])
    return st.builds(dt.datetime.astimezone, instants, written_in)


def _rarely(strategy: st.SearchStrategy, empty: object) -> st.SearchStrategy:
    """A condition present one time in four, so that most random rules can still match."""
    return st.one_of(st.just(empty), st.just(empty), st.just(empty), strategy)


@st.composite
def rule_sets(draw: st.DrawFn, base: dt.date) -> list[SurgeRule]:
    rules = []
    for i in range(draw(st.integers(0, 7))):
        valid_from = draw(st.one_of(st.none(), _instants(base)))
        valid_until = draw(st.one_of(st.none(), _instants(base)))
        if valid_from is not None and valid_until is not None and valid_from >= valid_until:
            valid_from, valid_until = None, valid_until
        rules.append(
            SurgeRule(
                code=draw(st.sampled_from(["a", "b", "c"])) + str(i),
                kind=draw(st.sampled_from(list(SurgeKind))),
                name=f"Rule {i}",
                form=draw(st.sampled_from(list(ChargeForm))),
                amount=draw(st.sampled_from([D("0"), D("1"), D("2.5"), D("20"), D("12.5")])),
                window=draw(st.one_of(st.none(), windows)),
                valid_from=valid_from,
                valid_until=valid_until,
                holidays_only=draw(_rarely(st.just(True), False)),
                station_codes=draw(_rarely(st.frozensets(stations, max_size=2), frozenset())),
                site_kinds=draw(_rarely(st.frozensets(kinds, max_size=2), frozenset())),
                region_codes=draw(_rarely(st.frozensets(regions, max_size=2), frozenset())),
                min_power_kw=draw(_rarely(st.sampled_from([D("22"), D("50")]), None)),
                charging_speeds=draw(_rarely(st.frozensets(speeds, max_size=2), frozenset())),
                occupancy_threshold=draw(_rarely(st.sampled_from([D("0.5"), D("0.8")]), None)),
                on_grid_stress=draw(_rarely(st.just(True), False)),
                stackable=draw(st.booleans()),
                priority=draw(st.integers(0, 2)),
                cap_per_session=draw(st.sampled_from([None, D("5"), D("0.99")])),
                exempt_segments=draw(
                    _rarely(st.frozensets(segments_.filter(bool), max_size=1), frozenset())
                ),
                exempt_tiers=draw(
                    _rarely(st.frozensets(tiers.filter(bool), max_size=1), frozenset())
                ),
            )
        )
    return rules


@st.composite
def requests(draw: st.DrawFn, zone: str, base: dt.date) -> SessionRequest:
    site = Site(
        station_code=draw(stations),
        charger_code="C1",
        time_zone=zone,
        power_kw=draw(st.sampled_from([D("3.3"), D("7.4"), D("22"), D("60"), D("150")])),
        site_kind=draw(kinds),
        region_code=draw(regions),
        charging_speed=draw(speeds),
    )
    origin = dt.datetime.combine(base, dt.time(0), tzinfo=UTC) - dt.timedelta(hours=14)
    start = origin + dt.timedelta(minutes=draw(st.integers(0, 48 * 60)))
    mode = draw(st.sampled_from(["kwh", "amount", "slot", "kwh+slot"]))
    minutes = dt.timedelta(minutes=draw(st.integers(1, 30 * 60)))
    kwh = D(draw(st.integers(1, 90_000))) / 1000
    return SessionRequest(
        site=site,
        start=start,
        end=start + minutes if "slot" in mode else None,
        kwh=kwh if "kwh" in mode else None,
        amount=D(draw(st.integers(1100, 200_000))) / 100 if mode == "amount" else None,
        idle_minutes=draw(st.sampled_from([0, 10, 45])),
        customer=Customer(key="k", segment=draw(segments_), tier=draw(tiers)),
    )


@st.composite
def conditions(draw: st.DrawFn, base: dt.date) -> Conditions:
    near = [base + dt.timedelta(days=d) for d in (-1, 0, 1)]
    return Conditions(
        holidays=draw(st.frozensets(st.sampled_from(near))),
        occupancy=draw(st.sampled_from([D("0"), D("0.5"), D("0.9")])),
        grid_stress=draw(st.booleans()),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[SessionRequest, Tariff, list[SurgeRule], Conditions]:
    zone, day = draw(st.sampled_from(PLACES))
    base = dt.date.fromisoformat(day)
    return (
        draw(requests(zone, base)),
        draw(tariffs()),
        draw(rule_sets(base)),
        draw(conditions(base)),
    )
