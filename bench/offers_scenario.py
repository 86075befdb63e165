"""Offers alone: the live book of tests/support/scenarios/offer_mix.py
(sessions: tests/support/scenarios/offer_sessions.py) against sessions priced without
surges; index + evaluation + select against a naive scan of every offer.

    .venv/bin/python -m bench.offers_scenario [--offers 1000] [--sessions 300]

"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence

from offers.rules.choose import quote_offers
from offers.rules.index import OfferIndex
from offers.rules.session_view import QuoteContext
from tests.support.offers import best_offers
from tests.support.scenarios.offer_mix import build_network, build_offers, describe_mix
from tests.support.scenarios.offer_sessions import build_sessions


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
    index = OfferIndex(offers)
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
