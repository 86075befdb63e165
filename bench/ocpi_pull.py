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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import pgdb
from bench.cdr_import import fill as fill_network

PAGE = 100


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--db", default="ocpi_bench", help="database name (with 'bench')")
    parser.add_argument("--reuse", action="store_true", help="keep the database if filled")
    return parser.parse_args()


def fill(stations: int) -> str:
    """The network, bulk-inserted (no signals); returns the partner's token."""
    from cpo_portal.models import Station
    from roaming.models import Partner
    from roaming.services import credentials

    partner = Partner.objects.filter(name="bench eMSP").first()
    if partner is not None and Station.objects.count() >= stations:
        return credentials.issue_registration_token(partner)
    operator = fill_network(stations, code="bench-cpo.example")  # the CDR bench's network
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
