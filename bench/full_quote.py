"""Benchmark: the WHOLE quote, fast path against naive path (a script; run by hand).

    .venv/bin/python -m bench.full_quote [sessions]

One operator: a three-band tariff with 50 surge rules (tests/support/scenarios/pricing.py)
and 1,000 live offers (tests/support/scenarios/offer_mix.py, the mix is printed) over 300
stations; random sessions by kWh, rupee amount or time slot, random customers, codes and
limits (tests/support/scenarios/offer_sessions.py).

- fast:    PriceBook.price (compiled surges) -> offers.rules.choose.quote_offers (the
           index's candidates through the evaluator, on what the index left open ->
           select) -> finalize (offers.rules.composition.compose): the pure
           functions Beckn's quote calls (offers.services.quoting with explain off)
- explain: the same composition, Compete(explain=True): every offer of the place and day,
           and those only their dates keep away, through the same evaluator, as the admin
           and the command do to give a reason for each offer not applied
- scan:    the same price, every offer through the same evaluator (no index) -> select
- naive:   every surge rule on every slice (bench/naive.py) -> evaluate every offer
           (best_offers) -> finalize

The quotes and their applied offers must be identical on every session; the script
stops if one differs. bench/db_quote.py times the whole call with its database loads.
Times are per quote, by this thread's CPU clock (what the quote itself costs) and by the
wall clock (on a shared machine its tail is mostly the scheduler).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bench.naive import price_naively
from offers.rules.choose import quote_offers, select_in
from offers.rules.composition import Compete, ToPrice, compose
from offers.rules.evaluate import assess
from offers.rules.facts import Limits, OfferFacts
from offers.rules.index import OfferIndex
from offers.rules.outcome import OfferResult
from offers.rules.session_view import QuoteContext
from pricing.engine import compile_book, finalize
from pricing.engine.types import Conditions, Customer, Quote, SessionRequest
from tests.support.offers import best_offers
from tests.support.scenarios.offer_mix import Station, build_network, build_offers, describe_mix
from tests.support.scenarios.offer_sessions import (
    build_customer,
    build_facts,
    build_limits,
    session_start,
)
from tests.support.scenarios.pricing import HOLIDAYS, build_surges, build_tariff

D = Decimal
Result = tuple[Quote, OfferResult]


@dataclass(frozen=True, slots=True)
class Session:
    request: SessionRequest
    conditions: Conditions
    facts: OfferFacts


def build_quotes(
    network: Sequence[Station],
    offer_ids: Sequence[str],
    limits: dict[str, Limits],
    count: int,
    seed: int = 23,
) -> list[Session]:
    rng = random.Random(seed)
    out = []
    for number in range(count):
        station = rng.choice(network)
        start = session_start(rng)
        mode, kwh, amount, end = rng.random(), None, None, None
        if mode < 0.6:
            kwh = D(rng.randrange(2_000, 60_000)) / 1000
        elif mode < 0.8:
            amount = D(rng.randrange(100, 1500))
        else:
            end = start + dt.timedelta(minutes=rng.randrange(15, 240))
        who = build_customer(rng, number % 5000)
        request = SessionRequest(
            site=station.site,
            start=start,
            end=end,
            kwh=kwh,
            amount=amount,
            idle_minutes=rng.choice((0, 0, 0, 10, 30)),
            customer=Customer(key=who.key, segment=who.segment, tier=who.tier),
        )
        conditions = Conditions(
            holidays=HOLIDAYS,
            occupancy=D(rng.randrange(0, 101)) / 100,
            grid_stress=rng.random() < 0.1,
        )
        out.append(Session(request, conditions, build_facts(rng, station, who, offer_ids, limits)))
    return out


def timed(run: Callable[..., object], sessions: Sequence[Session]) -> tuple[list, list]:
    """Nanoseconds per quote: (wall clock, this thread's CPU clock)."""
    walls, cpus = [], []
    wall, cpu = time.perf_counter_ns, time.thread_time_ns
    for s in sessions:
        began, began_cpu = wall(), cpu()
        run(s)
        cpus.append(cpu() - began_cpu)
        walls.append(wall() - began)
    return walls, cpus


def figures(took: Sequence[int]) -> tuple[float, float, float]:
    """(quotes per second, median µs, p99 µs)"""
    ordered = sorted(took)
    return (
        len(took) / (sum(took) / 1e9),
        statistics.median(ordered) / 1000,
        ordered[int(len(ordered) * 0.99)] / 1000,
    )


def main(count: int = 2_000, offers_count: int = 1_000, surge_count: int = 50) -> dict[str, float]:
    """Run the benchmark and print it; the figures (CPU time) come back for tests."""
    network = build_network()
    sites = tuple(s.site for s in network)
    tariff, surges = build_tariff(), build_surges(random.Random(7), sites, surge_count)
    offers = build_offers(offers_count, network=network)
    book, index = compile_book(tariff, surges), OfferIndex(offers)
    opt_in = [o.id for o in offers if not o.meta.auto]
    sessions = build_quotes(network, opt_in, build_limits(offers), count)

    def fast(s: Session) -> Result:
        composed = compose(ToPrice(book, s.request, s.conditions), Compete(index), s.facts)
        return composed.quote, composed.result

    def explain(s: Session) -> Result:
        asked = Compete(index, explain=True)
        composed = compose(ToPrice(book, s.request, s.conditions), asked, s.facts)
        return composed.quote, composed.result

    def scan(s: Session) -> Result:
        priced = book.price(s.request, s.conditions)
        ctx = QuoteContext.of(priced, s.facts)
        result = select_in(assess(index.prepared, ctx), ctx.view, s.facts)
        return finalize(priced, result.lines), result

    def naive(s: Session) -> Result:
        priced = price_naively(s.request, tariff, surges, s.conditions)
        result = best_offers(offers, priced, s.facts)
        return finalize(priced, result.lines), result

    print(
        f"{len(sessions):,} sessions; {len(surges)} surge rules, {len(tariff.bands)} rate bands; "
        f"{len(offers):,} live offers over {len(network)} stations:"
    )
    print(*describe_mix(offers), sep="\n")
    candidates, applied = [], []
    for s in sessions:
        (quote, result), (slow_quote, slow_result) = fast(s), naive(s)
        if quote != slow_quote or result.applied != slow_result.applied:
            sys.exit(f"fast and naive paths differ on {s.request}")
        for name, other in (("explain", explain), ("scan", scan)):
            other_quote, other_result = other(s)
            if quote != other_quote or result.applied != other_result.applied:
                sys.exit(f"fast and {name} paths differ on {s.request}")
        priced = book.price(s.request, s.conditions)
        candidates.append(len(index.candidates_for(QuoteContext.of(priced, s.facts))))
        applied.append(len(result.applied_ids()))
    print(
        f"quotes identical on the fast, explain, scan and naive paths: "
        f"{len(sessions):,} of {len(sessions):,}"
    )
    q = statistics.quantiles
    print(
        f"offer candidates per session: median {statistics.median(candidates):.0f}, "
        f"p95 {q(candidates, n=20)[-1]:.0f}, max {max(candidates)} (of {len(offers):,}); "
        f"offers applied: median {statistics.median(applied):.0f}, max {max(applied)}"
    )
    timed(fast, sessions[:300])  # warm the caches
    took = {
        "fast": timed(fast, sessions),
        "explain": timed(explain, sessions),
        "scan": timed(scan, sessions),
        "naive": timed(naive, sessions),
    }
    fast_cpu, naive_cpu = figures(took["fast"][1]), figures(took["naive"][1])
    explain_cpu = figures(took["explain"][1])
    out = {
        "identical": float(len(sessions)),
        "median_us": fast_cpu[1],
        "p99_us": fast_cpu[2],
        "naive_median_us": naive_cpu[1],
        "speedup": fast_cpu[0] / naive_cpu[0],
        "naive_over_fast_median": naive_cpu[1] / fast_cpu[1],
        "explain_median_us": explain_cpu[1],
        "explain_over_fast_median": explain_cpu[1] / fast_cpu[1],
        "candidates_median": statistics.median(candidates),
    }
    for clock, column in (("CPU time", 1), ("wall clock", 0)):
        print(f"-- whole quote, {clock}")
        fast_rate, fast_median, _ = figures(took["fast"][column])
        for name in took:
            rate, median, p99 = figures(took[name][column])
            print(
                f"{name:<7} {rate:>8,.0f} quotes/s  median {median:>8.1f} µs  p99 {p99:>8.1f} µs"
                f"  fast is x{fast_rate / rate:.1f} faster (median x{median / fast_median:.1f})"
            )
    priced_all = [book.price(s.request, s.conditions) for s in sessions]
    offers_all = [
        quote_offers(index, p, s.facts) for p, s in zip(priced_all, sessions, strict=True)
    ]
    parts = {
        "price (PriceBook)": timed(lambda s: book.price(s.request, s.conditions), sessions)[1],
        "offers (quote_offers)": [
            timed(lambda _s, p=p, f=s.facts: quote_offers(index, p, f), [s])[1][0]
            for p, s in zip(priced_all, sessions, strict=True)
        ],
        "finalize": [
            timed(lambda _s, p=p, r=r: finalize(p, r.lines), [s])[1][0]
            for p, r, s in zip(priced_all, offers_all, sessions, strict=True)
        ],
    }
    print("-- the fast path by stage, CPU time (means add up to the whole; medians do not):")
    for name, took_ns in parts.items():
        print(
            f"   {name:<24} median {figures(took_ns)[1]:>6.1f} µs"
            f"  mean {statistics.mean(took_ns) / 1000:>6.1f} µs"
        )
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000)
