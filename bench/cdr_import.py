"""A CDR import of 100,000 OCPI 2.2.1 CDRs (`manage.py import_cdrs`): time, memory peak
and queries per CDR, then the incremental rollup that brings them into the dashboards.

    python bench/cdr_import.py [--cdrs 100000] [--stations 500] [--db cdr_bench]
                               [--pricing both|batch]

A PostgreSQL database of its own (the name must contain "bench"; dropped and created
afresh) gets one operator with `--stations` stations (a charger, a connector and a
station tariff each, bulk-inserted) and a JSON-lines file of `--cdrs` CDRs spread over
them and over 90 days: 1 % with a refusal (an unknown charger), 10 % billed at another
price. The file is imported by the command, in this process, as the admin upload's parts
import theirs (CDR_IMPORT_BATCH CDRs a transaction). Printed: the file's size, the
import's time and CDRs per second, the process's peak resident memory before and after,
queries per CDR (counted by a database execute wrapper), the outcome, and the rollup's
time; with the load average before and after.

`--pricing both` (the default) imports the file twice in the same process and database,
for two operators filled alike: first with each CDR quoted on its own
(tests/support/pricing.py's one_at_a_time, one CDR after the other, as the import priced
before quote_sessions), then, the book memo cleared, with each batch quoted together
(pricing.services.quote_sessions); it prints both and how many stored prices differ
between the two (0: the same money to the paisa). `--pricing batch` imports once, batched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import platform
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import pgdb

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cdrs", type=int, default=100_000)
    parser.add_argument("--stations", type=int, default=500)
    parser.add_argument("--db", default="cdr_bench", help="database name (with 'bench')")
    parser.add_argument("--pricing", choices=["both", "batch"], default="both")
    return parser.parse_args()


def fill(stations: int, code: str = "bench-cdr.example"):
    from cpo_portal.models import Charger, Connector, Operator, Station
    from pricing.models import Tariff

    operator = Operator.objects.create(code=code, name="Bench CPO")
    Tariff.objects.create(operator=operator, code="default", name="Default",
                          energy_rate_per_kwh=Decimal("18"), service_fee=Decimal("10"))  # fmt: skip
    rows = Station.objects.bulk_create(
        Station(operator=operator, code=f"st-{n:05d}", name=f"Station {n}", address="Road 1",
                city="Pune", city_code="std:020", region_code="MH", latitude=Decimal("18.5"),
                longitude=Decimal("73.8"), site_kind="urban")
        for n in range(stations)
    )  # fmt: skip
    chargers = Charger.objects.bulk_create(
        Charger(operator=operator, station=s, code=f"ch-{s.code}", name="DC 60", power_kw=60,
                power_type="DC", charging_speed="FAST")
        for s in rows
    )  # fmt: skip
    Connector.objects.bulk_create(
        Connector(charger=c, power_type="DC", connector_type="CCS2", charging_speed="FAST",
                  power_kw=60)
        for c in chargers
    )  # fmt: skip
    Tariff.objects.bulk_create(
        Tariff(operator=operator, station=s, code=f"t-{s.code}", name=f"Tariff {s.code}",
               energy_rate_per_kwh=Decimal("18") + Decimal(n % 7), service_fee=Decimal("10"))
        for n, s in enumerate(rows)
    )  # fmt: skip
    return operator


def when(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def cdr(n: int, stations: int) -> dict:
    station = n % stations
    start = START + dt.timedelta(minutes=(n * 37) % (90 * 24 * 60))
    end = start + dt.timedelta(minutes=45)
    kwh = Decimal(10 + n % 30)
    excl = kwh * (18 + station % 7) + 10 + (5 if n % 10 == 0 else 0)
    evse = f"ch-st-{station:05d}" if n % 100 else "ch-unknown"
    token = ("NL", "EMS", "RFID") if n % 3 else ("IN", "CPO", "APP_USER")
    return {
        "country_code": "IN", "party_id": "CPO", "id": f"CDR-{n:08d}",
        "start_date_time": when(start), "end_date_time": when(end),
        "cdr_token": {"country_code": token[0], "party_id": token[1], "uid": f"U{n % 5000}",
                      "type": token[2], "contract_id": f"{token[0]}-{token[1]}-{n % 5000}"},
        "auth_method": "WHITELIST",
        "cdr_location": {
            "id": f"st-{station:05d}", "address": "Road 1", "city": "Pune", "country": "IND",
            "coordinates": {"latitude": "18.500000", "longitude": "73.800000"},
            "evse_uid": evse, "evse_id": f"IN*CPO*E{station}", "connector_id": "1",
            "connector_standard": "IEC_62196_T2_COMBO", "connector_format": "CABLE",
            "connector_power_type": "DC",
        },
        "currency": "INR",
        "charging_periods": [{"start_date_time": when(start),
                              "dimensions": [{"type": "ENERGY", "volume": float(kwh)}]}],
        "total_cost": {"excl_vat": float(excl), "incl_vat": float(excl * Decimal("1.18"))},
        "total_energy": float(kwh), "total_time": 0.75, "last_updated": when(end),
    }  # fmt: skip


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    args = parse()
    url = pgdb.url_for(args.db)
    if "bench" not in args.db:
        raise SystemExit("the database name must contain 'bench'")
    pgdb.recreate(url)
    pgdb.setup(url)
    print(f"{platform.node()} {platform.processor() or platform.machine()}, "
          f"load before: {pgdb.load_average()}")  # fmt: skip
    from django.conf import settings

    from analytics.services.rollup import run_incremental

    runs = ["one at a time", "batched"] if args.pricing == "both" else ["batched"]
    operators = {run: fill(args.stations, f"bench-cdr-{n}.example") for n, run in enumerate(runs)}
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as out:
        for n in range(args.cdrs):
            out.write(json.dumps(cdr(n, args.stations)) + "\n")
        path = out.name
    size = Path(path).stat().st_size / 1e6
    print(f"{args.cdrs} CDRs over {args.stations} stations: {size:.1f} MB of JSON lines; "
          f"batch {settings.CDR_IMPORT_BATCH}")  # fmt: skip

    prices = {run: imported(run, operators[run], path, args.cdrs) for run in runs}
    if len(prices) == 2:
        first, second = prices.values()
        differ = sum(1 for key in first.keys() | second.keys() if first.get(key) != second.get(key))
        print(f"stored prices (excl. VAT, incl. VAT, note) differing between the runs: {differ} "
              f"of {len(first)}")  # fmt: skip
    began = time.perf_counter()
    run_incremental()
    print(f"incremental rollup of the new sessions: {time.perf_counter() - began:.1f} s")
    print(f"load after: {pgdb.load_average()}")
    Path(path).unlink()


def imported(run: str, operator, path: str, cdrs: int) -> dict[str, tuple]:
    """Import the file (priced as `run` says); print its figures; the stored prices."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import F

    from analytics.models import NoOfferSession
    from pricing.services import clear_cache
    from roaming.models import ReceivedCdr
    from roaming.services import cdr_intake
    from tests.support.pricing import one_at_a_time

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    clear_cache()
    pricer = one_at_a_time if run == "one at a time" else cdr_intake.quote_sessions
    before = rss_mb()
    began = time.perf_counter()
    patched = mock.patch.object(cdr_intake, "quote_sessions", pricer)
    with patched, connection.execute_wrapper(count):
        call_command("import_cdrs", path, operator=operator.code, stderr=io.StringIO())
    took = time.perf_counter() - began
    taken = ReceivedCdr.objects.filter(operator=operator).count()
    print(f"{run}: import {took:.1f} s, {cdrs / took:.0f} CDRs/s; peak RSS {before:.0f} MB "
          f"before, {rss_mb():.0f} MB after; {queries} queries, "
          f"{queries / cdrs:.2f} per CDR")  # fmt: skip
    priced = ReceivedCdr.objects.filter(operator=operator).exclude(our_excl_vat=None)
    differing = priced.exclude(charged_excl_vat=F("our_excl_vat")).count()
    facts = NoOfferSession.objects.filter(operator=operator).count()
    print(f"  taken {taken}, refused {cdrs - taken}, session facts {facts}, billed at another "
          f"price {differing}; load {pgdb.load_average()}")  # fmt: skip
    rows = ReceivedCdr.objects.filter(operator=operator).values_list(
        "cdr_id", "our_excl_vat", "our_incl_vat", "price_note"
    )
    return {cdr_id: tuple(rest) for cdr_id, *rest in rows}


if __name__ == "__main__":
    main()
