"""Benchmark: what one charger save costs the published catalog's next search and the
change record, at a big network.

    .venv/bin/python -m bench.search_after_change [--chargers 10000] [--changes 15] [--reuse]
        [--no-search]

Seeds `--chargers` chargers of two operators and 200 offers in one city
(bench/on_search_world.py) into a bench database (cpo_bench_after_change; `--reuse` keeps
it when seeded), builds the publication and records the catalog's changes once, then
`--changes` times: saves one charger of the first operator, brings the publication up to
date, and times (this process's CPU) the first warm search 5 km around the city's centre
after it, a second one, and the change record (what the push beat runs). With
`--no-search` the searches are left out, so the record pays for everything a search
would have worked out before it (as in a worker that records and serves no searches).
Prints the medians.
"""

from __future__ import annotations

import argparse
import statistics
import time
from decimal import Decimal

from bench import pgdb

DATABASE = "cpo_bench_after_change"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chargers", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="keep the database if seeded")
    parser.add_argument("--no-search", action="store_true", help="time the record alone")
    args = parser.parse_args()
    url = pgdb.url_for(DATABASE)
    if not args.reuse:
        pgdb.recreate(url)
    pgdb.ensure(url)
    pgdb.setup(url)
    from bench.on_search_world import Scenario, seed
    from cpo_portal.models import Charger, Operator

    scenario = Scenario(0, args.chargers, 200)
    if not Charger.objects.exists():
        seed(scenario)
    from django.utils import timezone

    from beckn.models import Vocabulary
    from beckn.services import catalog_refresh, publication
    from beckn.wire.request_parsing import SearchQuery

    lat, lon = scenario.centre
    query = SearchQuery(lat=Decimal(str(lat)), lon=Decimal(str(lon)), radius_km=Decimal(5))
    publication.published()
    catalog_refresh.record(timezone.now())
    publication.search(query, timezone.now(), Vocabulary.BOTH)
    operator = Operator.objects.get(code=scenario.operator_codes()[0])
    spent: dict[str, list[float]] = {"update": [], "first search": [], "next search": [],
                                     "record": []}  # fmt: skip

    def timed(name: str, call) -> None:
        cpu = time.process_time()
        call()
        spent[name].append((time.process_time() - cpu) * 1000)

    for charger in Charger.objects.filter(operator=operator).order_by("pk")[: args.changes]:
        charger.save()
        timed("update", publication.published)
        if not args.no_search:
            for name in ("first search", "next search"):
                timed(name, lambda: publication.search(query, timezone.now(), Vocabulary.BOTH))
        timed("record", lambda: catalog_refresh.record(timezone.now()))
    figures = ", ".join(
        f"{name} {statistics.median(values):.1f}" for name, values in spent.items() if values
    )
    print(
        f"{args.chargers} chargers, {args.changes} charger saves: {figures} ms of CPU "
        f"(medians); load average {pgdb.load_average()}"
    )


if __name__ == "__main__":
    main()
