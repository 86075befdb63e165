"""Benchmark: the compiled PriceBook against slower paths (a script; run by hand).

    .venv/bin/python -m bench.quote [sessions]

Times price + finalize per quote for two paths over the same random sessions: compiled
(PriceBook.quote, the one production path) and naive (every rule, every condition, every
slice). Prints quotes per second, median and
p99 microseconds, the speedups, and how many quotes differ between paths (must be 0).
Then the whole quote with offers as Beckn prices it, against the explaining path (admin,
command) and a naive one (bench/full_quote.py).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from bench import full_quote
from bench.naive import price_naively
from pricing.engine import compile_book, finalize
from pricing.engine.types import Conditions, LineKind, Quote, SessionRequest
from tests.support.scenarios.pricing import Operator, build_operator, build_sessions

Quoter = Callable[[SessionRequest, Conditions], Quote]
Sessions = list[tuple[SessionRequest, Conditions]]


def timed(quoter: Quoter, sessions: Sessions) -> tuple[list[int], list[int]]:
    """Nanoseconds per quote, by the wall clock and by this thread's CPU clock.

    On a shared machine the wall clock's tail is mostly the scheduler (a preempted quote
    takes a whole time slice, ~4 ms); CPU time shows what pricing itself costs.
    """
    wall_clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    walls, cpus = [], []
    for request, conditions in sessions:
        began, began_cpu = wall_clock(), cpu_clock()
        quoter(request, conditions)
        cpus.append(cpu_clock() - began_cpu)
        walls.append(wall_clock() - began)
    return walls, cpus


def figures(took: list[int]) -> tuple[float, float, float]:
    """(quotes per second, median µs, p99 µs)"""
    ordered = sorted(took)
    return (
        len(took) / (sum(took) / 1e9),
        statistics.median(ordered) / 1000,
        ordered[int(len(ordered) * 0.99)] / 1000,
    )


def quoters(operator: Operator) -> dict[str, Quoter]:
    tariff, surges = operator.tariff, operator.surges
    book = compile_book(tariff, surges)

    def compiled(request: SessionRequest, conditions: Conditions) -> Quote:
        return finalize(book.price(request, conditions))

    def naive(request: SessionRequest, conditions: Conditions) -> Quote:
        return finalize(price_naively(request, tariff, surges, conditions))

    return {"compiled": compiled, "naive": naive}


def main(count: int = 20_000) -> None:
    operator = build_operator()
    sessions = build_sessions(operator, count)
    print(
        f"{len(sessions):,} sessions, {len(operator.surges)} surge rules, "
        f"{len(operator.tariff.bands)} rate bands, {len(operator.sites)} stations"
    )
    paths = quoters(operator)
    took = {}
    for name, quoter in paths.items():
        timed(quoter, sessions[:500])  # warm caches
        took[name] = timed(quoter, sessions)
    for clock, column in (("wall clock", 0), ("CPU time", 1)):
        print(f"-- {clock}")
        base_rate, base_median, _ = figures(took["compiled"][column])
        for name in paths:
            rate, median, p99 = figures(took[name][column])
            print(
                f"{name:<10} {rate:>9,.0f} quotes/s  median {median:>7.1f} µs"
                f"  p99 {p99:>7.1f} µs  compiled is x{base_rate / rate:.1f} faster"
                f" (median x{median / base_median:.1f})"
            )
    differ = sum(
        paths["naive"](request, conditions) != paths["compiled"](request, conditions)
        for request, conditions in sessions
    )
    print(f"quotes where naive differs from compiled: {differ}")
    surged = sum(
        bool(paths["compiled"](request, conditions).lines_of(LineKind.SURGE))
        for request, conditions in sessions
    )
    print(f"quotes with at least one surge line: {surged:,} of {len(sessions):,}")
    print("\n== the whole quote: pricing, 1,000 live offers, finalize (bench/full_quote.py)")
    full_quote.main(min(count, 2_000))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
