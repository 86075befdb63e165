"""Benchmark: the cyclic garbage collector's full collections in a worker that keeps the
published catalog, with CPython's default thresholds and with the project's
(cpo_portal.apps.GC_THRESHOLD).

    .venv/bin/python -m bench.gc_pauses [--chargers 10000] [--changes 40] [--runs 2]

Seeds `--chargers` chargers of two operators and 200 offers in one city
(bench/on_search_world.py) into a bench database, then, for each setting in turn
(alternating, `--runs` times each, a fresh process each), builds the publication and
records the catalog's changes once, and `--changes` times: saves one charger of the
first operator, brings the publication up to date, times the change record (what the
push beat runs, process CPU) and one warm search 5 km around the city's centre (wall
clock: a collection stops the whole process). Prints, per run, the full collections,
the records' median and max and the searches' median, p95 and max.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench import pgdb

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "cpo_bench_gc"
DEFAULT = (700, 10, 10)  # CPython's


def run(chargers: int, changes: int, threshold: tuple[int, ...]) -> str:
    """One process: the publication built, then `changes` saves, records and searches."""
    import gc
    import time
    from decimal import Decimal

    pgdb.setup(pgdb.url_for(DATABASE), migrate=False)
    gc.set_threshold(*threshold)  # after django.setup(), which sets the project's
    from django.utils import timezone

    from beckn.models import Vocabulary
    from beckn.services import catalog_refresh, publication
    from beckn.wire.request_parsing import SearchQuery
    from bench.on_search_world import Scenario
    from cpo_portal.models import Charger, Operator

    scenario = Scenario(0, chargers, 200)
    lat, lon = scenario.centre
    query = SearchQuery(lat=Decimal(str(lat)), lon=Decimal(str(lon)), radius_km=Decimal(5))
    publication.published()
    catalog_refresh.record(timezone.now())
    full = [0]
    gc.callbacks.append(lambda phase, info: full.__setitem__(0, full[0] + (
        phase == "stop" and info["generation"] == 2)))  # fmt: skip
    operator = Operator.objects.get(code=scenario.operator_codes()[0])
    records, searches = [], []
    for charger in Charger.objects.filter(operator=operator).order_by("pk")[:changes]:
        charger.save()
        publication.published()
        cpu = time.process_time()
        catalog_refresh.record(timezone.now())
        records.append((time.process_time() - cpu) * 1000)
        wall = time.perf_counter()
        publication.search(query, timezone.now(), Vocabulary.BOTH)
        searches.append((time.perf_counter() - wall) * 1000)
    searches.sort()
    return (
        f"thresholds {threshold}: {full[0]} full collections; records median "
        f"{statistics.median(records):.0f} ms, max {max(records):.0f} ms CPU; searches median "
        f"{statistics.median(searches):.0f} ms, p95 {searches[int(len(searches) * 0.95)]:.0f} "
        f"ms, max {max(searches):.0f} ms wall"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chargers", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a run's own process
    args = parser.parse_args()
    if args.one:
        print(run(args.chargers, args.changes, tuple(map(int, args.one.split(",")))))
        return
    from cpo_portal.apps import GC_THRESHOLD

    url = pgdb.url_for(DATABASE)
    pgdb.recreate(url)
    pgdb.setup(url)
    from bench.on_search_world import Scenario, seed

    seed(Scenario(0, args.chargers, 200))
    print(f"seeded {args.chargers} chargers; load average {pgdb.load_average()}", flush=True)
    for _ in range(args.runs):
        for threshold in (DEFAULT, GC_THRESHOLD):
            one = ",".join(map(str, threshold))
            argv = [sys.executable, "-m", "bench.gc_pauses", "--one", one,
                    "--chargers", str(args.chargers), "--changes", str(args.changes)]  # fmt: skip
            out = subprocess.run(argv, cwd=ROOT, env={**os.environ}, capture_output=True,
                                 text=True, check=True)  # fmt: skip
            print(out.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
