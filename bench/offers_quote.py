"""Benchmark: a whole quote with offers, in memory (what quote_with_offers does once the
database facts are loaded): compiled price book with 50 surge rules, then the operator's
1,000 active offers through the index, evaluate, select, and finalize.

    /work/venv/bin/python -m bench.offers_quote [sessions]

Compares with the naive path that evaluates every offer for every quote, checks that both
give the same quote, and prints median and p99 µs per quote (CPU time and wall clock).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from decimal import Decimal

from bench.offers_scenario import EPOCH, OPERATOR, Station, build_network, build_offers
from bench.scenario import build_surges, build_tariff
from offers.rules.bases import SessionView
from offers.rules.evaluate import evaluate_in
from offers.rules.facts import CreditBalance, CustomerFacts, OfferFacts, StationFacts
from offers.rules.index import OfferIndex
from offers.rules.select import select
from offers.rules.types import Offer
from pricing.engine import PriceBook, compile_book, finalize
from pricing.engine.types import Conditions, Customer, PricedSession, Quote, SessionRequest

D = Decimal
HOLIDAYS = frozenset({dt.date(2025, 9, 5), dt.date(2025, 10, 2)})
Session = tuple[SessionRequest, Conditions, OfferFacts]


def build_sessions(network: Sequence[Station], count: int, seed: int = 17) -> list[Session]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        station = rng.choice(network)
        start = EPOCH + dt.timedelta(days=rng.randrange(30), minutes=rng.randrange(24 * 60))
        customer = CustomerFacts(
            key=f"cust-{rng.randrange(5000)}",
            segment=rng.choice(("retail", "fleet", "taxi")),
            tier=rng.choice(("", "silver", "gold", "platinum")),
            member=rng.random() < 0.5,
            first_session=rng.random() < 0.1,
            joined_on=dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(900)),
            credits=(CreditBalance("wallet", amount=D(rng.randrange(0, 300))),),
        )
        kwh = amount = None
        if i % 4:
            kwh = D(rng.randrange(2_000, 60_000)) / 1000
        else:
            amount = D(rng.randrange(100, 1500))
        request = SessionRequest(
            site=station.site,
            start=start,
            kwh=kwh,
            amount=amount,
            customer=Customer(customer.key, customer.segment, customer.tier),
        )
        conditions = Conditions(holidays=HOLIDAYS, occupancy=D(rng.randrange(0, 101)) / 100)
        facts = OfferFacts(
            customer=customer,
            station=StationFacts(station.lat, station.lon, station.opened_on),
            operator_code=OPERATOR,
            holidays=HOLIDAYS,
            now=start - dt.timedelta(minutes=5),
        )
        out.append((request, conditions, facts))
    return out


def quote_with(book: PriceBook, offers_for: Callable) -> Callable[[Session], Quote]:
    def quote(session: Session) -> Quote:
        request, conditions, facts = session
        priced = book.price(request, conditions)
        view = SessionView.of(priced)
        outcomes = [evaluate_in(o, view, facts) for o in offers_for(priced, facts)]
        return finalize(priced, select(outcomes, priced, facts).lines)

    return quote


def offers_stage(offers_for: Callable) -> Callable:
    """Only the offers: candidates, evaluate, select (the session is priced already)."""

    def run(item: tuple[PricedSession, OfferFacts]) -> object:
        priced, facts = item
        view = SessionView.of(priced)
        return select(
            [evaluate_in(o, view, facts) for o in offers_for(priced, facts)], priced, facts
        )

    return run


def timed(quote: Callable, sessions: list) -> tuple[list, list]:
    walls, cpus = [], []
    for session in sessions:
        w, c = time.perf_counter_ns(), time.thread_time_ns()
        quote(session)
        cpus.append(time.thread_time_ns() - c)
        walls.append(time.perf_counter_ns() - w)
    return walls, cpus


def stats(ns: list[int]) -> tuple[float, float]:
    ordered = sorted(ns)
    return statistics.median(ordered) / 1000, ordered[int(len(ordered) * 0.99)] / 1000


def main(count: int = 2_000, offers: int = 1_000, surges: int = 50) -> dict[str, float]:
    network = build_network()
    catalog: list[Offer] = build_offers(offers, network=network)
    rules = build_surges(random.Random(7), tuple(s.site for s in network), surges)
    book = compile_book(build_tariff(), rules)
    index = OfferIndex.build(catalog)
    sessions = build_sessions(network, count)
    indexed = quote_with(book, index.for_session)
    naive = quote_with(book, lambda priced, facts: catalog)
    differ = sum(indexed(s) != naive(s) for s in sessions)
    timed(indexed, sessions[:200])  # warm caches
    timed(naive, sessions[:50])
    fast, slow = timed(indexed, sessions), timed(naive, sessions[: max(count // 4, 1)])
    candidates = [len(index.for_session(book.price(r, c), f)) for r, c, f in sessions[:500]]
    print(
        f"quote with offers: {len(catalog):,} active offers, {len(rules)} surge rules, "
        f"{len(network)} stations, {len(sessions):,} sessions; candidates per quote: median "
        f"{statistics.median(candidates):.0f}, max {max(candidates)}"
    )
    out: dict[str, float] = {"differ": differ}
    for clock, column in (("CPU time", 1), ("wall clock", 0)):
        f_med, f_p99 = stats(fast[column])
        s_med, s_p99 = stats(slow[column])
        print(
            f"-- {clock}: indexed median {f_med:.0f} µs, p99 {f_p99:.0f} µs; naive scan of "
            f"every offer median {s_med:.0f} µs, p99 {s_p99:.0f} µs; speed-up x{s_med / f_med:.1f}"
        )
        if column == 1:
            out.update(median_us=f_med, p99_us=f_p99, naive_median_us=s_med, speedup=s_med / f_med)
    priced = [(book.price(r, c), f) for r, c, f in sessions]
    only_fast = timed(offers_stage(index.for_session), priced)[1]
    only_slow = timed(offers_stage(lambda p, f: catalog), priced[: max(count // 4, 1)])[1]
    f_med, s_med = stats(only_fast)[0], stats(only_slow)[0]
    print(
        f"-- offers stage alone (CPU): indexed median {f_med:.0f} µs, naive {s_med:.0f} µs, "
        f"speed-up x{s_med / f_med:.1f}"
    )
    out.update(offers_median_us=f_med, offers_speedup=s_med / f_med)
    print(f"quotes where the indexed path differs from the naive scan: {differ}")
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000)
