"""A CPO network and a realistic book of live offers for the benchmarks (fixed seeds).

A big operator's book is mostly narrow offers: a station's launch discount, a city's happy
hour, gold-tier members in one state, a promo code on a poster. Few offers are
network-wide. The mix below is what build_offers() draws; describe_mix() recounts it from
the offers themselves, and the benchmarks print that count. Every offer is live during
the benchmark month (October 2025); some are short campaigns inside it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from offers.rules.construct import (
    Applicability,
    Base,
    Benefit,
    BuyXGetY,
    CreditDrawdown,
    FixedOff,
    FreeKwh,
    GeoCircle,
    Holdout,
    HolidayRule,
    Meta,
    OfferRule,
    PercentOff,
    Qualifier,
    RateOverride,
    ServiceFeeWaiver,
    Slab,
    Slabs,
)
from pricing.engine.types import Site, TimeWindow
from tests.support.scenarios.pricing import CHARGERS, REGIONS, SITE_KINDS

D = Decimal
IST = ZoneInfo("Asia/Kolkata")
OPERATOR = "cpo1.com"
EPOCH = dt.datetime(2025, 10, 1, tzinfo=IST)  # the benchmark month starts
MONTH = dt.timedelta(days=31)
CENTRES = {"KA": (12.97, 77.59), "DL": (28.61, 77.21), "MH": (19.08, 72.88), "TN": (13.08, 80.27)}
CITIES = tuple(f"{region}-{i}" for region in REGIONS for i in range(6))
CATEGORIES = ("fleet", "premium", "green", "night-owl", "public")
SEGMENTS = ("retail", "fleet", "taxi")
TIERS = ("silver", "gold", "platinum")
WEEKDAYS = frozenset(range(5))
WINDOWS = (
    TimeWindow(dt.time(14), dt.time(17)),  # happy hour
    TimeWindow(dt.time(0), dt.time(0), frozenset({5, 6})),  # weekend
    TimeWindow(dt.time(22), dt.time(6)),  # night
    TimeWindow(dt.time(6), dt.time(9), WEEKDAYS),  # early bird
    TimeWindow(dt.time(12), dt.time(14), WEEKDAYS),  # lunch
)

# (place scope, share of the book): what an offer is aimed at
SCOPES = (
    ("stations", 0.42),  # one to three named stations
    ("charger", 0.05),  # one named charger
    ("cities", 0.12),  # one or two cities
    ("state", 0.02),  # one region
    ("site kind in a state", 0.08),
    ("geo radius", 0.12),  # 2-15 km around a station
    ("category in a city", 0.04),
    ("customer group", 0.04),  # a segment/tier/members/referred/first; half in one state
    ("promo code", 0.105),  # opt-in, network-wide or in one state
    ("network-wide", 0.005),  # auto, for everyone: a handful
)


@dataclass(frozen=True, slots=True)
class Station:
    site: Site
    lat: float
    lon: float
    opened_on: dt.date


def build_network(stations: int = 300, seed: int = 7) -> list[Station]:
    rng = random.Random(seed)
    out = []
    for i in range(stations):
        city = rng.randrange(len(CITIES))
        region = CITIES[city].split("-")[0]
        power, speed = rng.choice(CHARGERS)
        site = Site(
            station_code=f"ST{i:04d}",
            charger_code=f"ST{i:04d}-C{rng.randrange(1, 5)}",
            time_zone="Asia/Kolkata",
            power_kw=power,
            site_kind=rng.choice(SITE_KINDS),
            region_code=region,
            city_code=CITIES[city],
            charging_speed=speed,
            category_codes=frozenset(rng.sample(CATEGORIES, rng.randrange(0, 3))),
        )
        lat, lon = CENTRES[region]
        lat += (city % 6 - 2.5) * 0.8 + rng.uniform(-0.15, 0.15)
        lon += (city % 3 - 1) * 0.8 + rng.uniform(-0.15, 0.15)
        opened = dt.date(2025, 10, 31) - dt.timedelta(days=rng.randrange(0, 900))
        out.append(Station(site, lat, lon, opened))
    return out


def _benefit(rng: random.Random) -> Benefit:
    pick = rng.random()
    if pick < 0.35:
        return PercentOff(D(rng.choice([5, 10, 15, 20, 25, 30])), rng.choice(list(Base)[::2]))
    if pick < 0.50:
        return FixedOff(D(rng.choice([10, 20, 25, 50, 100])))
    if pick < 0.60:
        return RateOverride(D(rng.choice(["12", "14", "15.50", "16"])))
    if pick < 0.68:
        return FreeKwh(D(rng.choice([1, 2, 5])))
    if pick < 0.75:
        return BuyXGetY(D(rng.choice([10, 20])), D(rng.choice([1, 2, 5])))
    if pick < 0.83:
        tiers = (
            Slab(D(0), D(10), percent=D(5)),
            Slab(D(10), D(30), percent=D(10)),
            Slab(D(30), None, percent=D(15)),
        )
        return Slabs(tiers)
    if pick < 0.93:
        return ServiceFeeWaiver(D(rng.choice([50, 100])))
    return CreditDrawdown(rng.choice(["wallet", "monthly-pack"]))


def _customer_group(rng: random.Random) -> Qualifier:
    pick = rng.random()
    if pick < 0.35:
        return Qualifier(segments=frozenset({rng.choice(SEGMENTS)}))
    if pick < 0.70:
        return Qualifier(tiers=frozenset(rng.sample(TIERS, rng.randrange(1, 3))))
    if pick < 0.85:
        return Qualifier(members_only=True)
    if pick < 0.93:
        return Qualifier(referred_only=True)
    return Qualifier(first_session_only=True)


def _place(rng: random.Random, scope: str, network: Sequence[Station]) -> dict[str, object]:
    station = rng.choice(network)
    if scope == "stations":
        picks = rng.sample(network, rng.randrange(1, 4))
        return {"station_codes": frozenset(s.site.station_code for s in picks)}
    if scope == "charger":
        return {"charger_codes": frozenset({station.site.charger_code})}
    if scope == "cities":
        return {"city_codes": frozenset(rng.sample(CITIES, rng.randrange(1, 3)))}
    if scope == "state" or (scope in ("promo code", "customer group") and rng.random() < 0.5):
        return {"region_codes": frozenset({rng.choice(REGIONS)})}
    if scope == "site kind in a state":
        return {
            "site_kinds": frozenset({rng.choice(SITE_KINDS)}),
            "region_codes": frozenset({rng.choice(REGIONS)}),
        }
    if scope == "geo radius":
        return {"circles": (GeoCircle(station.lat, station.lon, rng.uniform(2, 15)),)}
    if scope == "category in a city":
        return {
            "category_codes": frozenset({rng.choice(CATEGORIES)}),
            "city_codes": frozenset({station.site.city_code}),
        }
    return {}  # customer group, promo code, network-wide


def _offer(rng: random.Random, i: int, scope: str, network: Sequence[Station]) -> OfferRule:
    targeted = scope not in ("customer group", "promo code", "network-wide")
    fields = _place(rng, scope, network)
    if rng.random() < 0.15:  # a short campaign inside the month
        start = EPOCH + dt.timedelta(days=rng.randrange(0, 24))
        fields["valid_until"] = start + dt.timedelta(days=rng.randrange(7, 15))
    else:
        start = EPOCH - dt.timedelta(days=rng.randrange(0, 60))
        fields["valid_until"] = EPOCH + MONTH + dt.timedelta(days=rng.randrange(0, 120))
    fields["valid_from"] = start
    if rng.random() < 0.40:
        fields["windows"] = (rng.choice(WINDOWS),)
    if targeted and rng.random() < 0.02:
        fields["holidays"] = HolidayRule.HOLIDAYS_ONLY
    if scope == "stations" and rng.random() < 0.06:
        fields["launch_days"] = 60
    qualifier = Qualifier()
    if scope == "customer group" or (targeted and rng.random() < 0.25):
        qualifier = _customer_group(rng)
    elif rng.random() < 0.35:
        qualifier = Qualifier(min_session_value=D(rng.choice([50, 100, 200])))
    opt_in = scope == "promo code" or (targeted and rng.random() < 0.05)
    return OfferRule(
        id=f"offer-{i:04d}",
        operator_code=OPERATOR,
        title=f"Offer {i}",
        benefit=_benefit(rng),
        type_label=rng.choice(["WEEKEND_SPECIAL", "HAPPY_HOUR", "LOYALTY", "LAUNCH"]),
        applicability=Applicability(**fields),  # type: ignore[arg-type]
        qualifier=qualifier,
        meta=Meta(auto=not opt_in, additive=rng.random() < 0.15, priority=rng.randrange(5)),
        holdout=Holdout(D("0.1")) if rng.random() < 0.05 else None,
        max_discount=D(rng.choice([50, 100, 150])) if rng.random() < 0.5 else None,
    )


def build_offers(
    n: int = 1000, seed: int = 11, network: Sequence[Station] | None = None
) -> list[OfferRule]:
    """`n` offers in the SCOPES mix, all live in October 2025, over `network`."""
    rng = random.Random(seed)
    stations = list(network) if network is not None else build_network()
    scopes = [name for name, share in SCOPES for _ in range(max(1, round(share * n)))]
    scopes = (scopes + ["stations"] * n)[:n]
    rng.shuffle(scopes)
    return [_offer(rng, i, scope, stations) for i, scope in enumerate(scopes)]


def _open_place(o: OfferRule) -> bool:
    a = o.applicability
    named = (a.station_codes, a.charger_codes, a.city_codes, a.region_codes, a.site_kinds)
    return not (any(named) or a.circles or a.category_codes)


def _customer_group_of(o: OfferRule) -> bool:
    q = o.qualifier
    return bool(q.segments or q.tiers or q.members_only or q.referred_only or q.first_session_only)


def _occasional(o: OfferRule) -> bool:
    a = o.applicability
    return a.launch_days is not None or a.holidays is HolidayRule.HOLIDAYS_ONLY


def _short_campaign(o: OfferRule) -> bool:
    start = o.applicability.valid_from
    return start is not None and start > EPOCH


FEATURES: tuple[tuple[str, Callable[[OfferRule], object]], ...] = (
    ("named stations", lambda o: o.applicability.station_codes),
    ("a named charger", lambda o: o.applicability.charger_codes),
    ("cities", lambda o: o.applicability.city_codes and not o.applicability.category_codes),
    ("a state", lambda o: o.applicability.region_codes and not o.applicability.site_kinds),
    ("a site kind in a state", lambda o: o.applicability.site_kinds),
    ("a geo radius (2-15 km)", lambda o: o.applicability.circles),
    ("a charger category in a city", lambda o: o.applicability.category_codes),
    (
        "network-wide, auto, for everyone",
        lambda o: _open_place(o) and o.meta.auto and not _customer_group_of(o),
    ),
    ("opt-in: needs its code", lambda o: not o.meta.auto),
    ("a customer group: segment/tier/member/referred/first", _customer_group_of),
    ("local time windows (happy hour, night, weekend ...)", lambda o: o.applicability.windows),
    ("a minimum session value", lambda o: o.qualifier.min_session_value is not None),
    ("holidays only, or a station's first 60 days", _occasional),
    ("short campaigns (7-14 days of the month)", _short_campaign),
    ("additive (stack with others)", lambda o: o.meta.additive),
    ("with a holdout group", lambda o: o.holdout is not None),
)


def count_features(offers: Sequence[OfferRule]) -> dict[str, int]:
    """How many offers have each feature (an offer has several: a place, maybe a window,
    maybe a customer group ...)."""
    return {label: sum(1 for o in offers if has(o)) for label, has in FEATURES}


def describe_mix(offers: Sequence[OfferRule]) -> list[str]:
    """The book recounted from the offers themselves, one line per feature."""
    n = len(offers)
    return [
        f"  {count:>5} ({100 * count / n:4.1f} %)  {label}"
        for label, count in count_features(offers).items()
    ]
