"""Benchmark: the whole quote Beckn asks for, database loads included (a script).

    python -m bench.db_quote [quotes]

A PostgreSQL database of its own (`<DATABASE_URL's name>_bench`, dropped and created
afresh): one operator, 300 stations, a tariff, 50 surge rules and 1,000 live offers (each
at a few stations, a third in a time window, a fifth with a minimum session value), then
offers.services.order_steps.quote_session_with_offers (explain off: what Beckn's select and
init call) on random sessions at one charger. Prints the queries per quote (the same for
every quote: the figure a test pins with django_assert_num_queries) and the median and
p95 by the wall clock, and by this thread's CPU clock.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

from bench import pgdb
from bench.db_pricing import seed_pricing

IST = ZoneInfo("Asia/Kolkata")
D = Decimal


def _database_url() -> str:
    base = os.environ.get("DATABASE_URL", "")
    name = base.rsplit("/", 1)[-1] if base.startswith("postgres") else "cpo"
    return pgdb.url_for(f"{name}_bench")


def build_world(seed: int = 11):
    from cpo_portal.models import Charger, Operator, Station
    from offers.models import Offer

    rng = random.Random(seed)
    op = Operator.objects.create(code="bench.example", name="Bench CPO", time_zone="Asia/Kolkata")
    stations = Station.objects.bulk_create(
        Station(
            operator=op,
            code=f"st-{i:03d}",
            name=f"Station {i}",
            address="MG Road",
            city="Bengaluru",
            city_code="std:080",
            region_code="KA",
            latitude=D("12.97") + D(i) / 1000,
            longitude=D("77.59"),
            site_kind="urban",
        )
        for i in range(300)
    )
    charger = Charger.objects.create(
        operator=op, station=stations[0], code="bench-charger", name="Bench charger",
        power_kw=D("30"), power_type="AC_3_PHASE", charging_speed="FAST",
    )  # fmt: skip
    seed_pricing(op, stations, rng, rules=50, per_rule=3, longest_hours=4)
    offers = Offer.objects.bulk_create(
        Offer(
            operator=op,
            code=f"offer-{i:04d}",
            title=f"Offer {i}",
            status="active",
            benefit_kind="percent",
            percent=D(rng.randrange(5, 40)),
            base="energy",
            max_discount=D(rng.randrange(20, 200)),
            min_session_value=D(rng.randrange(50, 300)) if rng.random() < 0.2 else None,
            window_start=dt.time(h := rng.randrange(24))
            if (windowed := rng.random() < 0.3)
            else None,
            window_end=dt.time((h + 3) % 24) if windowed else None,
            additive=rng.random() < 0.3,
            priority=rng.randrange(5),
            valid_from=dt.datetime(2025, 1, 1, tzinfo=IST),
        )
        for i in range(1000)
    )
    for offer in offers:
        offer.stations.set(rng.sample(stations, rng.randrange(1, 4)))
    return charger


def asks(charger, count: int, seed: int = 5):
    from offers.services import SessionAsk

    rng = random.Random(seed)
    out = []
    for _ in range(count):
        start = dt.datetime(2025, 10, 1, tzinfo=IST) + dt.timedelta(minutes=rng.randrange(43200))
        out.append(
            SessionAsk(charger, start, kwh=D(rng.randrange(2000, 60000)) / 1000, explain=False)
        )
    return out


def main(count: int = 500) -> None:
    url = _database_url()
    pgdb.recreate(url)
    pgdb.setup(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from offers.services import quote_session_with_offers

    charger = build_world()
    from cpo_portal.models import Charger

    charger = Charger.objects.select_related("station", "operator").get(pk=charger.pk)
    sessions = asks(charger, count)
    for ask in sessions[:50]:  # warm the price book and the offer catalog
        quote_session_with_offers(ask)
    queries, walls, cpus, applied = set(), [], [], 0
    for ask in sessions:
        with CaptureQueriesContext(connection) as captured:
            began, began_cpu = time.perf_counter_ns(), time.thread_time_ns()
            oq = quote_session_with_offers(ask)
            cpus.append(time.thread_time_ns() - began_cpu)
            walls.append(time.perf_counter_ns() - began)
        queries.add(len(captured))
        applied += bool(oq.applied)
    print(
        f"{count} quotes at one charger, 1,000 live offers over 300 stations, 50 surge rules "
        f"(PostgreSQL, load {pgdb.load_average()}); {applied} with an offer applied"
    )
    print(f"queries per quote: {sorted(queries)}")
    for name, took in (("wall clock", walls), ("CPU time", cpus)):
        ordered = sorted(took)
        print(
            f"-- {name}: median {statistics.median(ordered) / 1000:.0f} µs, "
            f"p95 {ordered[int(len(ordered) * 0.95)] / 1000:.0f} µs"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
