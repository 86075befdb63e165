"""Benchmark: warm searches in a loop, one network of a seeded bench database, the worker's
answer alone timed.

    python -m bench.search_loop [--database cpo_bench_search] [--network 0] [--searches 300]
                                [--parts]

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

`--parts` also prints the mean CPU of each part of an answer, timed around the functions
the worker calls (a few microseconds of timing each): taking the message, the search
handler (and, in it, laying the catalog out), and writing the reply (and, in it, its
schema check, its encoding and the statement that writes it with its history).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time
from collections.abc import Iterator
from typing import Any

from bench import pgdb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="cpo_bench_search", help="read and answered")
    parser.add_argument("--network", default="0", help="a city's number, or demo")
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--parts", action="store_true", help="the CPU of each part, too")
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
    parts: dict[str, float] = {}
    with timed_parts(parts) if args.parts else contextlib.nullcontext():
        spent = sorted(timed(scenario, args.searches, parts if args.parts else None))
    print(
        f"{scenario.label}: {args.searches} warm searches, CPU per answer: median "
        f"{statistics.median(spent):.2f} ms, p10 {spent[len(spent) // 10]:.2f} ms, "
        f"least {spent[0]:.2f} ms"
    )
    if args.parts:
        print(f"mean {statistics.mean(spent):.2f} ms, of which (mean per answer):")
        for name, total in parts.items():
            print(f"  {name}: {total / args.searches:.2f} ms")


def network(name: str) -> Any:
    """The demo network, or the city numbered `name` (its chargers counted)."""
    from bench.on_search import DemoScenario
    from bench.on_search_world import Scenario
    from cpo_portal.models import Charger

    if name == "demo":
        return DemoScenario()
    code = Scenario(int(name), 0, 0).city_code
    return Scenario(int(name), Charger.objects.filter(station__city_code=code).count(), 0)


# An answer's parts: (label, module, function) timed where the worker calls them.
PARTS = (
    ("taking the message", "beckn.processing", "_next_waiting"),
    ("the search handler", "beckn.processing", "_handled"),
    ("  laying the catalog out", "beckn.wire.catalog_parts", "laid_out_catalogs"),
    ("writing the reply", "beckn.processing", "_written"),
    ("  its schema check", "beckn.services.fastschema", "issues"),
    ("  its encoding", "beckn.services.outbox", "encoded"),
    ("  the statement (the row, its history, the message marked)",
     "cpo_portal.db.joint_writes", "create_with_history"),
)  # fmt: skip


@contextlib.contextmanager
def timed_parts(into: dict[str, float]) -> Iterator[None]:
    """While open, the CPU (ms) spent in each of PARTS is added up in `into`, by label
    (timed() counts the timed answers' only: not the warm-up's, not the intake's)."""
    import importlib

    originals = []
    for label, module_name, name in PARTS:
        module = importlib.import_module(module_name)
        function = getattr(module, name)
        originals.append((module, name, function))
        into[label] = 0.0

        def clocked(*args: Any, _f: Any = function, _label: str = label, **kwargs: Any) -> Any:
            cpu0 = time.process_time()
            try:
                return _f(*args, **kwargs)
            finally:
                into[_label] += (time.process_time() - cpu0) * 1000

        setattr(module, name, clocked)
    try:
        yield
    finally:
        for module, name, function in originals:
            setattr(module, name, function)


def timed(scenario: Any, searches: int, parts: dict[str, float] | None = None) -> list[float]:
    """The CPU of each of `searches` warm answers (ms), after ten that warm the process;
    `parts`: the sums of timed_parts(), set to what the timed answers alone spent."""
    from bench.on_search import Searcher, answer_next

    searcher = Searcher()
    for _ in range(10):
        searcher.run(scenario, cold=False, count=False)
    counted = {} if parts is None else parts
    for label in counted:
        counted[label] = 0.0  # the warm-up's not counted
    spent = []
    for _ in range(searches):
        before = dict(counted)
        searcher.accept(scenario)
        counted.update(before)  # the intake's schema check is not the answer's
        cpu0 = time.process_time()
        answer_next()
        spent.append((time.process_time() - cpu0) * 1000)
    return spent


if __name__ == "__main__":
    main()
