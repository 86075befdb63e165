"""A realistic offer book (1,000 active offers over a network of stations) and a small
timing run: index + evaluate + select against a naive scan of every offer.

    /work/venv/bin/python -m bench.offers_scenario [--offers 1000] [--sessions 300]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from offers.rules.facts import CreditBalance, CustomerFacts, OfferFacts, StationFacts
from offers.rules.index import OfferIndex
from offers.rules.outcome import OfferResult
from offers.rules.select import best_offers
from offers.rules.types import (
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
    Offer,
    PercentOff,
    Qualifier,
    RateOverride,
    ServiceFeeWaiver,
    Slab,
    Slabs,
)
from pricing.engine import price_session
from pricing.engine.types import (
    Conditions,
    Customer,
    PricedSession,
    SessionRequest,
    Site,
    Tariff,
    TimeWindow,
)

D = Decimal
IST = ZoneInfo("Asia/Kolkata")
OPERATOR = "cpo1.com"
EPOCH = dt.datetime(2025, 9, 1, tzinfo=IST)  # every offer is active through September 2025
REGIONS = tuple(f"R{i:02d}" for i in range(10))
CITIES = tuple(f"std:{i:03d}" for i in range(30))
KINDS = ("urban", "highway", "rural", "mall", "fleet-depot")
CATEGORIES = ("promotional-offer", "fleet", "premium", "green", "night-owl")
SEGMENTS = ("retail", "fleet", "taxi")
TIERS = ("silver", "gold", "platinum")
WEEKEND = frozenset({5, 6})
WINDOWS = (
    TimeWindow(dt.time(14), dt.time(17)),  # happy hour
    TimeWindow(dt.time(0), dt.time(0), WEEKEND),  # weekend
    TimeWindow(dt.time(22), dt.time(6)),  # night
    TimeWindow(dt.time(6), dt.time(9), frozenset(range(5))),  # early bird, weekdays
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
        site = Site(
            station_code=f"ST{i:04d}",
            charger_code=f"ST{i:04d}-C{rng.randrange(1, 5)}",
            time_zone="Asia/Kolkata",
            power_kw=D(rng.choice(["7.4", "22", "30", "60", "120"])),
            site_kind=rng.choice(KINDS),
            region_code=REGIONS[city % len(REGIONS)],
            city_code=CITIES[city],
            category_codes=frozenset(rng.sample(CATEGORIES, rng.randrange(0, 3))),
        )
        lat = 8 + (city % 6) * 4 + rng.uniform(-0.3, 0.3)
        lon = 70 + (city // 6) * 5 + rng.uniform(-0.3, 0.3)
        opened = dt.date(2025, 9, 30) - dt.timedelta(days=rng.randrange(0, 900))
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
        return Slabs(
            (
                Slab(D(0), D(10), percent=D(5)),
                Slab(D(10), D(30), percent=D(10)),
                Slab(D(30), None, percent=D(15)),
            )
        )
    if pick < 0.93:
        return ServiceFeeWaiver(D(rng.choice([50, 100])))
    return CreditDrawdown(rng.choice(["wallet", "monthly-pack"]))


def _applicability(
    rng: random.Random, network: Sequence[Station], start: dt.datetime
) -> Applicability:
    scope = rng.random()
    some = rng.sample
    fields: dict[str, object] = {
        "valid_from": start,
        "valid_until": start + dt.timedelta(days=rng.randrange(40, 200)),
    }
    if scope < 0.40:
        fields["station_codes"] = frozenset(
            s.site.station_code for s in some(network, rng.randrange(1, 6))
        )
    elif scope < 0.55:
        fields["region_codes"] = frozenset(some(REGIONS, rng.randrange(1, 3)))
    elif scope < 0.65:
        fields["city_codes"] = frozenset(some(CITIES, rng.randrange(1, 4)))
    elif scope < 0.75:
        fields["site_kinds"] = frozenset({rng.choice(KINDS)})
    elif scope < 0.85:
        centre = rng.choice(network)
        fields["circles"] = (GeoCircle(centre.lat, centre.lon, rng.uniform(2, 40)),)
    elif scope < 0.90:
        fields["charger_codes"] = frozenset({rng.choice(network).site.charger_code})
    elif scope < 0.97:
        fields["category_codes"] = frozenset({rng.choice(CATEGORIES)})
    if rng.random() < 0.35:
        fields["windows"] = (rng.choice(WINDOWS),)
    if rng.random() < 0.05:
        fields["holidays"] = HolidayRule.HOLIDAYS_ONLY
    if rng.random() < 0.05:
        fields["launch_days"] = 30
    return Applicability(**fields)  # type: ignore[arg-type]


def _qualifier(rng: random.Random) -> Qualifier:
    pick = rng.random()
    if pick < 0.30:
        return Qualifier(min_session_value=D(rng.choice([50, 100, 200])))
    if pick < 0.40:
        return Qualifier(segments=frozenset({rng.choice(SEGMENTS)}))
    if pick < 0.50:
        return Qualifier(tiers=frozenset(rng.sample(TIERS, 2)))
    if pick < 0.55:
        return Qualifier(members_only=True)
    if pick < 0.58:
        return Qualifier(first_session_only=True)
    if pick < 0.60:
        return Qualifier(anniversary_days=7)
    return Qualifier()


def build_offers(
    n: int = 1000, seed: int = 11, network: Sequence[Station] | None = None
) -> list[Offer]:
    """`n` offers, all active in September 2025, over `network` (build_network() if None)."""
    rng = random.Random(seed)
    stations = list(network) if network is not None else build_network()
    offers = []
    for i in range(n):
        start = EPOCH - dt.timedelta(days=rng.randrange(0, 30))
        additive = rng.random() < 0.25
        offers.append(
            Offer(
                id=f"offer-{i:04d}",
                operator_code=OPERATOR,
                title=f"Offer {i}",
                benefit=_benefit(rng),
                type_label=rng.choice(["WEEKEND_SPECIAL", "HAPPY_HOUR", "LOYALTY", "LAUNCH"]),
                applicability=_applicability(rng, stations, start),
                qualifier=_qualifier(rng),
                meta=Meta(auto=rng.random() < 0.8, additive=additive, priority=rng.randrange(5)),
                holdout=Holdout(D("0.1")) if rng.random() < 0.1 else None,
                max_discount=D(rng.choice([50, 100, 150])) if rng.random() < 0.5 else None,
            )
        )
    return offers


def build_sessions(
    network: Sequence[Station], k: int = 300, seed: int = 13
) -> list[tuple[PricedSession, OfferFacts]]:
    rng = random.Random(seed)
    tariff = Tariff(code="T1", currency="INR", energy_rate_per_kwh=D(18), service_fee=D(10))
    out = []
    for i in range(k):
        station = rng.choice(network)
        start = EPOCH + dt.timedelta(days=rng.randrange(30), minutes=rng.randrange(24 * 60))
        customer = Customer(key=f"cust-{i}", segment=rng.choice(SEGMENTS), tier=rng.choice(TIERS))
        request = SessionRequest(
            site=station.site, start=start, kwh=D(rng.randrange(2, 60)), customer=customer
        )
        priced = price_session(request, tariff, [], Conditions())
        facts = OfferFacts(
            customer=CustomerFacts(
                key=customer.key,
                segment=customer.segment,
                tier=customer.tier,
                member=rng.random() < 0.5,
                credits=(CreditBalance("wallet", amount=D(rng.randrange(0, 300))),),
            ),
            station=StationFacts(station.lat, station.lon, station.opened_on),
            operator_code=OPERATOR,
        )
        out.append((priced, facts))
    return out


def _median_us(run: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        run()
        samples.append(time.perf_counter_ns() - t0)
    return statistics.median(samples) / 1000


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offers", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    network = build_network()
    offers = build_offers(args.offers, network=network)
    t0 = time.perf_counter()
    index = OfferIndex.build(offers)
    build_ms = (time.perf_counter() - t0) * 1000
    sessions = build_sessions(network, args.sessions)
    counts, indexed, naive, applied = [], [], [], []
    for priced, facts in sessions:
        counts.append(len(index.for_session(priced, facts)))
        fast: OfferResult = best_offers(index.for_session(priced, facts), priced, facts)
        slow: OfferResult = best_offers(offers, priced, facts)
        assert fast.lines == slow.lines, "the index lost an offer"
        applied.append(len(fast.applied_ids()))
        indexed.append(
            _median_us(
                lambda p=priced, f=facts: best_offers(index.for_session(p, f), p, f), args.repeat
            )
        )
        naive.append(_median_us(lambda p=priced, f=facts: best_offers(offers, p, f), args.repeat))
    q = statistics.quantiles
    print(f"offers: {len(offers)}  stations: {len(network)}  sessions: {len(sessions)}")
    print(f"index build: {build_ms:.1f} ms")
    print(
        f"candidates per session: median {statistics.median(counts):.0f}, "
        f"p95 {q(counts, n=20)[-1]:.0f}, max {max(counts)}; "
        f"offers applied: median {statistics.median(applied):.0f}, max {max(applied)}"
    )
    print(
        f"index+evaluate+select: median {statistics.median(indexed):.0f} µs, "
        f"p95 {q(indexed, n=20)[-1]:.0f} µs"
    )
    print(
        f"naive scan of all {len(offers)}: median {statistics.median(naive):.0f} µs, "
        f"p95 {q(naive, n=20)[-1]:.0f} µs"
    )
    print(f"speed-up (median): {statistics.median(naive) / statistics.median(indexed):.1f}x")


if __name__ == "__main__":
    main()
