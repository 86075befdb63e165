"""Benchmark: warm searches in a loop, one network of a seeded bench database, the worker's
answer alone timed.

    python -m bench.search_loop [--database cpo_bench_search] [--network 0] [--searches 300]

Uses the database `bench/on_search.py` leaves behind (`--demo` seeds the demo network;
each `--sizes` entry is a city, numbered from 0 in the order given) on DATABASE_URL's
server, migrated first if this code's migrations ask it, and searches one network of it
(`demo`, or a city's number) as that bench does: a signed search through intake, then
the worker's answer (`tasks.answer_next`'s path, the send left out). Ten searches warm
the process; then `--searches` are answered one at a time, each timed alone (this
process's CPU), and the median, tenth percentile and least are printed. Nothing is seeded
and no run is cold, so two versions of the code can be run in turn against one database,
and under `valgrind --tool=callgrind` at two counts of searches, whose difference is the
instructions of the searches alone (bench/results/on_search.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

from bench import pgdb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="cpo_bench_search", help="read and answered")
    parser.add_argument("--network", default="0", help="a city's number, or demo")
    parser.add_argument("--searches", type=int, default=300)
    args = parser.parse_args()
    if not (args.network == "demo" or args.network.isdigit()):
        parser.error(f"--network: {args.network!r} is neither demo nor a city's number")
    if args.searches < 1:
        parser.error("--searches: at least 1")
    os.environ.setdefault("BECKN_ADMIT_WITHOUT_WORKERS", "1")  # the answer is timed here
    os.environ.setdefault("BECKN_MAX_PENDING_PER_BAP", "0")  # nothing sends the callbacks
    pgdb.setup(pgdb.url_for(args.database))

    from beckn.services import outbox

    outbox._queue = lambda rows: None  # no broker: delivery is bench/callbacks.py's
    scenario = network(args.network)
    spent = sorted(timed(scenario, args.searches))
    print(
        f"{scenario.label}: {args.searches} warm searches, CPU per answer: median "
        f"{statistics.median(spent):.2f} ms, p10 {spent[len(spent) // 10]:.2f} ms, "
        f"least {spent[0]:.2f} ms"
    )


def network(name: str) -> Any:
    """The demo network, or the city numbered `name` (its chargers counted)."""
    from bench.on_search import DemoScenario
    from bench.on_search_world import Scenario
    from cpo_portal.models import Charger

    if name == "demo":
        return DemoScenario()
    code = Scenario(int(name), 0, 0).city_code
    return Scenario(int(name), Charger.objects.filter(station__city_code=code).count(), 0)


def timed(scenario: Any, searches: int) -> list[float]:
    """The CPU of each of `searches` warm answers (ms), after ten that warm the process."""
    from bench.on_search import Searcher, answer_next

    searcher = Searcher()
    for _ in range(10):
        searcher.run(scenario, cold=False, count=False)
    spent = []
    for _ in range(searches):
        searcher.accept(scenario)
        cpu0 = time.process_time()
        answer_next()
        spent.append((time.process_time() - cpu0) * 1000)
    return spent


if __name__ == "__main__":
    main()
