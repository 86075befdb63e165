"""A realistic operator for benchmarks: stations, a three-band tariff, 50 surge rules and
random sessions, all from a fixed seed so runs compare. Extend it (offers, more rules) by
calling these builders and adding to what they return."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

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
IST = ZoneInfo("Asia/Kolkata")
REGIONS = ("KA", "DL", "MH", "TN")
SITE_KINDS = ("mall", "airport", "highway", "office", "residential")
CHARGERS = ((D("7.4"), "SLOW"), (D("22"), "MEDIUM"), (D("60"), "FAST"), (D("120"), "ULTRA"))
FIRST_DAY = dt.date(2025, 10, 1)
DAYS = 61
HOLIDAYS = frozenset({dt.date(2025, 10, 2), dt.date(2025, 10, 20), dt.date(2025, 11, 5)})
WEEKEND = frozenset({5, 6})
WEEKDAYS = frozenset(range(5))


@dataclass(frozen=True, slots=True)
class Operator:
    tariff: Tariff
    surges: tuple[SurgeRule, ...]
    sites: tuple[Site, ...]


def _t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def build_tariff() -> Tariff:
    return Tariff(
        code="BLUE-STD",
        currency="INR",
        energy_rate_per_kwh=D("18"),
        bands=(
            RateBand("offpeak", "Off-peak", TimeWindow(_t("22:00"), _t("06:00")), D("14")),
            RateBand("morning", "Morning peak", TimeWindow(_t("07:00"), _t("10:00")), D("20")),
            RateBand("evening", "Evening peak", TimeWindow(_t("18:00"), _t("22:00")), D("22")),
        ),
        service_fee=D("10"),
        idle_fee_per_minute=D("2"),
        idle_grace_minutes=15,
        min_price=D("30"),
        tax_rate=D("0.18"),
    )


def build_sites(rng: random.Random, count: int = 40) -> tuple[Site, ...]:
    sites = []
    for i in range(count):
        power, speed = rng.choice(CHARGERS)
        sites.append(
            Site(
                station_code=f"ST{i:03d}",
                charger_code=f"ST{i:03d}-C1",
                time_zone="Asia/Kolkata",
                power_kw=power,
                site_kind=rng.choice(SITE_KINDS),
                region_code=rng.choice(REGIONS),
                charging_speed=speed,
            )
        )
    return tuple(sites)


_WINDOWS: tuple[tuple[str | None, str | None, frozenset[int] | None], ...] = (
    ("06:00", "10:00", None),
    ("08:00", "11:00", WEEKDAYS),
    ("17:00", "20:00", None),
    ("18:00", "21:00", None),
    ("19:00", "23:00", WEEKDAYS),
    ("22:00", "06:00", None),
    ("23:00", "05:00", WEEKEND),
    ("00:00", "00:00", WEEKEND),
    ("12:00", "15:00", None),
    (None, None, None),
)


def build_surges(
    rng: random.Random, sites: tuple[Site, ...], count: int = 50
) -> tuple[SurgeRule, ...]:
    kinds = list(SurgeKind)
    rules = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        start, end, days = rng.choice(_WINDOWS)
        window = (
            None
            if start is None or end is None
            else TimeWindow(_t(start), _t(end), days or frozenset(range(7)))
        )
        form = rng.choice(
            (ChargeForm.PER_KWH, ChargeForm.PER_KWH, ChargeForm.PERCENT, ChargeForm.FLAT)
        )
        amount = {
            ChargeForm.PER_KWH: D(rng.choice(("0.5", "1", "1.5", "2"))),
            ChargeForm.PERCENT: D(rng.choice(("5", "10", "15", "20"))),
            ChargeForm.FLAT: D(rng.choice(("10", "25", "40"))),
        }[form]
        fields: dict = {}
        if kind is SurgeKind.LOCATION:
            fields["site_kinds"] = frozenset({rng.choice(SITE_KINDS)})
        elif kind is SurgeKind.FAST_CHARGING:
            fields["min_power_kw"] = D("50")
        elif kind is SurgeKind.ENVIRONMENTAL:
            fields["region_codes"] = frozenset({rng.choice(REGIONS)})
        elif kind is SurgeKind.DEMAND:
            fields["occupancy_threshold" if i % 2 else "on_grid_stress"] = (
                D("0.8") if i % 2 else True
            )
        elif kind is SurgeKind.HOLIDAY:
            fields["holidays_only"] = True
        if rng.random() < 0.5:
            fields["station_codes"] = frozenset(s.station_code for s in rng.sample(sites, 4))
        if rng.random() < 0.2:
            fields["valid_from"] = dt.datetime.combine(
                FIRST_DAY + dt.timedelta(days=rng.randrange(30)), dt.time(0), IST
            )
        rules.append(
            SurgeRule(
                code=f"S{i:02d}-{kind}",
                kind=kind,
                name=f"{str(kind).replace('_', ' ').title()} surcharge",
                form=form,
                amount=amount,
                window=window,
                stackable=rng.random() < 0.6,
                priority=rng.randrange(4),
                cap_per_session=D("50") if rng.random() < 0.3 else None,
                exempt_segments=frozenset({"fleet"}) if rng.random() < 0.2 else frozenset(),
                **fields,
            )
        )
    return tuple(rules)


def build_operator(seed: int = 7) -> Operator:
    rng = random.Random(seed)
    sites = build_sites(rng)
    return Operator(tariff=build_tariff(), surges=build_surges(rng, sites), sites=sites)


def build_sessions(
    operator: Operator, count: int = 20_000, seed: int = 11
) -> list[tuple[SessionRequest, Conditions]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        site = rng.choice(operator.sites)
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
        start = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)), IST)
        mode = rng.random()
        kwh = amount = end = None
        if mode < 0.6:
            kwh = D(rng.randrange(2_000, 60_000)) / 1000
        elif mode < 0.8:
            amount = D(rng.randrange(100, 1500))
        else:
            end = start + dt.timedelta(minutes=rng.randrange(15, 240))
        request = SessionRequest(
            site=site,
            start=start,
            end=end,
            kwh=kwh,
            amount=amount,
            idle_minutes=rng.choice((0, 0, 0, 10, 30)),
            customer=Customer(
                key=f"c{rng.randrange(5000)}",
                segment=rng.choice(("", "", "retail", "fleet")),
                tier=rng.choice(("", "silver", "gold")),
            ),
        )
        conditions = Conditions(
            holidays=HOLIDAYS,
            occupancy=D(rng.randrange(0, 101)) / 100,
            grid_stress=rng.random() < 0.1,
        )
        out.append((request, conditions))
    return out
