"""Offers alone: the live book of bench/offer_mix.py against sessions priced without
surges; index + evaluation + select against a naive scan of every offer.

    .venv/bin/python -m bench.offers_scenario [--offers 1000] [--sessions 300]

The customers, codes and limits built here are shared with bench/full_quote.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable, Sequence
from decimal import Decimal

from bench.offer_mix import (
    EPOCH,
    MONTH,
    OPERATOR,
    SEGMENTS,
    TIERS,
    Station,
    build_network,
    build_offers,
    describe_mix,
)
from bench.scenario import HOLIDAYS
from offers.rules.context import QuoteContext
from offers.rules.facts import (
    CreditBalance,
    CustomerFacts,
    Limits,
    OfferFacts,
    PresentedCode,
    StationFacts,
)
from offers.rules.index import OfferIndex
from offers.rules.select import best_offers, quote_offers
from offers.rules.types import Offer
from pricing.engine import price_session
from pricing.engine.types import Conditions, Customer, PricedSession, SessionRequest, Tariff

__all__ = ["EPOCH", "build_facts", "build_network", "build_offers", "build_sessions"]

D = Decimal


def build_customer(rng: random.Random, number: int) -> CustomerFacts:
    wallet = (CreditBalance("wallet", amount=D(rng.randrange(0, 300))),)
    return CustomerFacts(
        key=f"cust-{number}",
        segment=rng.choices(("", *SEGMENTS), (50, 30, 12, 8))[0],
        tier=rng.choices(("", *TIERS), (40, 30, 20, 10))[0],
        member=rng.random() < 0.4,
        first_session=rng.random() < 0.03,
        referred=rng.random() < 0.08,
        joined_on=dt.date(2025, 9, 30) - dt.timedelta(days=rng.randrange(0, 1000)),
        credits=wallet if rng.random() < 0.25 else (),
    )


def build_limits(offers: Sequence[Offer], seed: int = 17) -> dict[str, Limits]:
    """What is left of the limits of one offer in ten (a few used up), as loaded per quote."""
    rng = random.Random(seed)
    return {
        o.id: Limits(
            remaining_uses=rng.choice((0, 40, 500, None)),
            remaining_customer_uses=rng.choice((0, 1, 3, None)),
            remaining_budget=rng.choice((D(0), D(150), D(5000), None)),
        )
        for o in offers
        if rng.random() < 0.1
    }


def build_facts(
    rng: random.Random,
    station: Station,
    customer: CustomerFacts,
    opt_in: Sequence[str],
    limits: dict[str, Limits],
) -> OfferFacts:
    """One session in ten brings a code: mostly an offer's (a few no longer valid for this
    buyer), sometimes one that matches nothing."""
    codes: dict[str, PresentedCode] = {}
    unmatched: tuple[str, ...] = ()
    if rng.random() < 0.1:
        if opt_in and rng.random() < 0.85:
            offer_id = rng.choice(opt_in)
            codes[offer_id] = PresentedCode(f"CODE-{offer_id}", matched=rng.random() < 0.95)
        else:
            unmatched = ("SAVE50X",)
    return OfferFacts(
        customer=customer,
        station=StationFacts(station.lat, station.lon, station.opened_on),
        operator_code=OPERATOR,
        holidays=HOLIDAYS,
        codes=codes,
        unmatched_codes=unmatched,
        limits=limits,
    )


def session_start(rng: random.Random) -> dt.datetime:
    return EPOCH + dt.timedelta(minutes=rng.randrange(int(MONTH.total_seconds()) // 60))


def build_sessions(
    network: Sequence[Station],
    k: int = 300,
    seed: int = 13,
    offers: Sequence[Offer] = (),
) -> list[tuple[PricedSession, OfferFacts]]:
    rng = random.Random(seed)
    tariff = Tariff(code="T1", currency="INR", energy_rate_per_kwh=D(18), service_fee=D(10))
    opt_in = [o.id for o in offers if not o.meta.auto]
    limits = build_limits(offers)
    out = []
    for i in range(k):
        station = rng.choice(network)
        who = build_customer(rng, i)
        customer = Customer(key=who.key, segment=who.segment, tier=who.tier)
        request = SessionRequest(
            site=station.site,
            start=session_start(rng),
            kwh=D(rng.randrange(2, 60)),
            customer=customer,
        )
        priced = price_session(request, tariff, [], Conditions(holidays=HOLIDAYS))
        out.append((priced, build_facts(rng, station, who, opt_in, limits)))
    return out


def _median_us(run: Callable[..., object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.thread_time_ns()
        run()
        samples.append(time.thread_time_ns() - t0)
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
    sessions = build_sessions(network, args.sessions, offers=offers)
    counts, indexed, naive, applied = [], [], [], []
    for priced, facts in sessions:
        counts.append(len(index.candidates_for(QuoteContext.of(priced, facts))))
        fast = quote_offers(index, priced, facts)
        slow = best_offers(offers, priced, facts)
        assert (fast.lines, fast.applied) == (slow.lines, slow.applied), "the index lost one"
        applied.append(len(fast.applied_ids()))
        indexed.append(_median_us(lambda p=priced, f=facts: quote_offers(index, p, f), args.repeat))
        naive.append(_median_us(lambda p=priced, f=facts: best_offers(offers, p, f), args.repeat))
    q = statistics.quantiles
    print(f"offers: {len(offers)}  stations: {len(network)}  sessions: {len(sessions)}")
    print("the book (an offer counts under each feature it has):", *describe_mix(offers), sep="\n")
    print(f"index build: {build_ms:.1f} ms")
    print(
        f"candidates per session: median {statistics.median(counts):.0f}, "
        f"p95 {q(counts, n=20)[-1]:.0f}, max {max(counts)}; "
        f"offers applied: median {statistics.median(applied):.0f}, max {max(applied)}"
    )
    print("CPU time per session (this thread):")
    print(
        f"quote_offers (index + evaluate + select): median "
        f"{statistics.median(indexed):.0f} µs, p95 {q(indexed, n=20)[-1]:.0f} µs"
    )
    print(
        f"naive scan of all {len(offers)}: median {statistics.median(naive):.0f} µs, "
        f"p95 {q(naive, n=20)[-1]:.0f} µs"
    )
    print(f"speed-up (median): {statistics.median(naive) / statistics.median(indexed):.1f}x")


if __name__ == "__main__":
    main()
