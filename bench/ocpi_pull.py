"""An eMSP's full pull of 10,000 OCPI Tariffs and 10,000 Locations: time and queries per
page of 100, first pages against last pages.

    python bench/ocpi_pull.py [--stations 10000] [--db ocpi_bench] [--reuse]

A PostgreSQL database of its own (the name must contain "bench"; dropped and created
afresh unless --reuse) gets one operator with `--stations` stations, each with a charger,
a connector and a station tariff (bulk-inserted), and a registered partner. Each page is
requested through Django's test client (the whole middleware stack, the token lookup,
the envelope), tariffs and locations pages interleaved so that both see the same load.
Printed: per module, the whole pull's time, the median and 95th percentile page, the
first ten and the last ten pages (OFFSET grows), queries per page, and the load average.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import pgdb

PAGE = 100


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--db", default="ocpi_bench", help="database name (with 'bench')")
    parser.add_argument("--reuse", action="store_true", help="keep the database if filled")
    return parser.parse_args()


def fill(stations: int) -> str:
    """The network, bulk-inserted (no signals); returns the partner's token."""
    from cpo_portal.models import Charger, Connector, Operator, Station
    from pricing.models import Tariff
    from roaming.models import Partner
    from roaming.services import credentials

    partner = Partner.objects.filter(name="bench eMSP").first()
    if partner is not None and Station.objects.count() >= stations:
        return credentials.issue_registration_token(partner)
    operator = Operator.objects.create(code="bench-cpo.example", name="Bench CPO")
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
    partner = Partner.objects.create(operator=operator, name="bench eMSP", state="registered",
                                     country_code="NL", party_id="EMS")  # fmt: skip
    token = credentials.issue_registration_token(partner)
    Partner.objects.filter(pk=partner.pk).update(inbound_token_final=True)
    return token


def pull(stations: int, token: str) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    header = {"Authorization": "Token " + __import__("base64").b64encode(token.encode()).decode()}
    urls = {m: f"/ocpi/2.2.1/{m}" for m in ("tariffs", "locations")}
    times: dict[str, list[float]] = {m: [] for m in urls}
    queries: dict[str, list[int]] = {m: [] for m in urls}
    counts: dict[str, int] = {m: 0 for m in urls}
    pages = -(-(stations + 1) // PAGE)
    for n in range(pages):
        for module, url in urls.items():
            with CaptureQueriesContext(connection) as seen:
                began = time.perf_counter()
                response = client.get(f"{url}?offset={n * PAGE}&limit={PAGE}", headers=header)
                times[module].append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.content[:300]
            counts[module] += len(response.json()["data"])
            queries[module].append(len(seen.captured_queries))
    for module in urls:
        ms, q = times[module], queries[module]
        p95 = statistics.quantiles(ms, n=20)[-1] if len(ms) > 1 else ms[0]
        print(
            f"{module:9} {counts[module]:>6} objects in {len(ms)} pages: {sum(ms) / 1000:6.2f} s; "
            f"page median {statistics.median(ms):6.1f} ms, p95 {p95:6.1f} ms; "
            f"first 10 {statistics.mean(ms[:10]):6.1f} ms, last 10 {statistics.mean(ms[-10:]):6.1f}"
            f" ms; queries per page {min(q)}-{max(q)}"
        )


def main() -> None:
    args = parse()
    url = pgdb.url_for(args.db)
    if "bench" not in args.db:
        raise SystemExit("the database name must contain 'bench'")
    if args.reuse:
        pgdb.ensure(url)
    else:
        pgdb.recreate(url)
    pgdb.setup(url, OCPI_PUBLIC_URL="http://testserver/ocpi")
    print(f"{platform.node()} {platform.processor() or platform.machine()}, "
          f"load before: {pgdb.load_average()}")  # fmt: skip
    began = time.perf_counter()
    token = fill(args.stations)
    print(f"filled {args.stations} stations in {time.perf_counter() - began:.1f} s")
    pull(args.stations, token)
    print(f"load after: {pgdb.load_average()}")


if __name__ == "__main__":
    main()
