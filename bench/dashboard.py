"""Analytics at scale: 5 million ledger rows on PostgreSQL, the rollup, then 1 million new
rows rolled up incrementally, then the dashboard pages and the API, timed.

    createdb cpo_analytics_bench   # a database of its own: this fills it
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpo_analytics_bench \\
        .venv/bin/python -m bench.dashboard [--rows 5000000] [--new-rows 1000000]

Targets: the rollup of 1M new rows under 60 s; every page and API call under 300 ms.
Re-running reuses the loaded rows (pass --fresh to start over). Results are printed and
written to bench/results/<YYYY-MM-DD-HHMM>-dashboard.json (gitignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="ledger rows to load")
    parser.add_argument("--new-rows", type=int, default=1_000_000, help="then add these")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--stations", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page")
    parser.add_argument("--fresh", action="store_true", help="empty the database first")
    parser.add_argument("--load-only", action="store_true", help="stop after loading rows")
    parser.add_argument(
        "--increment-only",
        action="store_true",
        help="keep the existing rollups (no full rollup): add --new-rows, roll them up, pages",
    )
    parser.add_argument(
        "--pages-only", action="store_true", help="no loading or rollup: time the pages"
    )
    return parser.parse_args()


def main() -> None:
    args = parse()
    url = os.environ.get("DATABASE_URL", "")
    if "postgres" not in url or "bench" not in url.rsplit("/", 1)[-1]:
        print(
            "skipped: set DATABASE_URL to a PostgreSQL database of its own whose name "
            "contains 'bench' (it gets filled with millions of rows; --fresh empties it)."
        )
        return
    import django

    django.setup()
    from bench.dashboard_setup import Bench

    bench = Bench(args)
    results = bench.run()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = f"{dt.datetime.now():%Y-%m-%d-%H%M}"
    (out / f"{stamp}-dashboard.json").write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"done in {time.perf_counter() - started:.0f}s")
