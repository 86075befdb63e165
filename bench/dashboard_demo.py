"""The dashboard pages at the demo's size, timed the way people meet them: the first view
after a pricing change (surge rules edited: every cached price book and surge window is
stale), then the median of repeated views, with the number of SQL queries of each.

    manage.py seed_demo      # into a database of its own
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<that database> \\
        .venv/bin/python -m bench.dashboard_demo [--repeat 7]

Target: every page at most 300 ms, the first view after a pricing change included.
The pricing change is `Stamp.bump(Stamp.Kind.PRICING, ...)`, what every surge rule,
tariff or band save does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpo_portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("BEHIND_TLS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "0")

TARGET_MS = 300


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed views per page")
    parser.add_argument("--operator", default="cpo1.com")
    parser.add_argument("--user", default="cpo1-analyst")
    return parser.parse_args()


def urls(operator) -> dict[str, str]:
    from cpo_portal.models import Station
    from offers.models import Offer

    offers = Offer.objects.filter(operator=operator).order_by("pk")
    plain = offers.filter(holdout_percent__isnull=True).first()
    held = offers.filter(holdout_percent__gt=0).first()
    station = Station.objects.filter(operator=operator, region_code="DL").order_by("pk").first()
    out = {
        "ROI dashboard": "/analytics/",
        "ROI, region DL": "/analytics/?region=DL",
        "ROI, one station": f"/analytics/?station={station.pk}" if station else "",
        "ROI CSV (offers)": "/analytics/?export=offers",
        "offer drill-down (baseline)": f"/analytics/offers/{plain.pk}/" if plain else "",
        "offer drill-down (holdout)": f"/analytics/offers/{held.pk}/" if held else "",
        "surge impact": "/analytics/surge/",
        "surge impact, region DL": "/analytics/surge/?region=DL",
        "surge impact, one station": f"/analytics/surge/?station={station.pk}" if station else "",
        "surge CSV (stations)": "/analytics/surge/?export=stations",
        "API offer ROI": "/api/analytics/offer-roi/",
    }
    return {name: url for name, url in out.items() if url}


def main() -> None:
    args = parse()
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cpo_portal.models import Operator, Stamp

    if not settings.DEBUG:
        call_command("collectstatic", "--noinput", verbosity=0)  # the manifest, as deployed
    operator = Operator.objects.get(code=args.operator)
    client = Client()
    client.force_login(get_user_model().objects.get(username=args.user))

    def view(url: str) -> tuple[float, float, int, float]:
        """Wall and this process's CPU milliseconds, the SQL queries and their wall ms."""
        connection.queries_log.clear()  # the log keeps 9,000: count each view's own
        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            ms = (time.perf_counter() - started) * 1000
            cpu_ms = (time.process_time() - cpu) * 1000
        assert response.status_code == 200, (url, response.status_code)
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        return ms, cpu_ms, len(queries), sql_ms

    pages = urls(operator)
    for url in pages.values():  # a running server: imports and templates already loaded
        view(url)
    print(
        f"load average {os.getloadavg()[0]:.1f}; "
        "wall ms (CPU ms of this process / wall ms in SQL), queries"
    )
    print(f"{'page':28} {'first after a pricing change':>30} {'median of the next':>26}")
    worst = 0.0
    for name, url in pages.items():
        Stamp.bump(Stamp.Kind.PRICING, operator.pk)
        first, first_cpu, first_queries, first_sql = view(url)
        samples = [view(url) for _ in range(args.repeat)]
        median = statistics.median(s[0] for s in samples)
        median_cpu = statistics.median(s[1] for s in samples)
        median_sql = statistics.median(s[3] for s in samples)
        worst = max(worst, first, median)
        print(
            f"{name:28} {first:6.0f} ({first_cpu:4.0f} / {first_sql:4.0f}) {first_queries:3} q "
            f"{median:9.0f} ({median_cpu:4.0f} / {median_sql:4.0f}) {samples[-1][2]:3} q"
        )
    verdict = "met" if worst <= TARGET_MS else "missed"
    print(f"worst {worst:.0f} ms wall against a target of {TARGET_MS} ms: {verdict}")


if __name__ == "__main__":
    main()
