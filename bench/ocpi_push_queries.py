"""What the OCPI pushes of one transaction cost: the queries made after its commit, and
the send_due messages it queues, for a transaction that saves 2 and one that saves 20
chargers (each at its own station), with one registered partner. Queries are SELECT,
INSERT and UPDATE; PostgreSQL's debug cursor also logs BEGIN and COMMIT, counted apart.

    python bench/ocpi_push_queries.py [--db ocpi_push_bench] [--before DIR]

A PostgreSQL database of its own (the name must contain "bench"; dropped and created
afresh for each checkout measured) gets one operator with 20 stations, each with a
charger, a connector and a station tariff (bulk-inserted), and a partner registered with
tariffs and locations receivers. send_due messages are counted, not sent. `--before DIR`
measures another checkout of the project first (e.g. a worktree of main), in the same run
and the same way: each checkout in a process of its own, its code imported first.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import pgdb

SIZES = (2, 20)
CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="ocpi_push_bench", help="database name (with 'bench')")
    parser.add_argument("--before", help="another checkout of the project, measured first")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the checkout of this process
    return parser.parse_args()


def fill() -> list:
    """The network (no signals: bulk-inserted) and its partner; the chargers, by code."""
    from bench.cdr_import import fill as fill_network
    from cpo_portal.models import Charger
    from roaming.models import Partner

    operator = fill_network(max(SIZES), code="bench-cpo.example")
    base = "http://127.0.0.1:9/ocpi/2.2.1"  # never called: the sends are counted only
    endpoints = [{"identifier": m, "role": "RECEIVER", "url": f"{base}/{m}"}
                 for m in ("tariffs", "locations")]  # fmt: skip
    Partner.objects.create(operator=operator, name="bench eMSP", state="registered",
                           country_code="NL", party_id="EMS", endpoints=endpoints)  # fmt: skip
    return list(Charger.objects.filter(operator=operator).order_by("code"))


def measure(label: str) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from roaming import signals, tasks

    sent: list[int] = []
    tasks.send_due.delay = sent.append
    chargers = fill()
    print(f"{label}: {Path(signals.__file__).parent.parent}")
    for n in SIZES:
        sent.clear()
        with CaptureQueriesContext(connection) as seen, transaction.atomic():
            for charger in chargers[:n]:
                charger.save()
            inside = len(seen.captured_queries)
        after = [q["sql"] for q in seen.captured_queries[inside:]]
        work = [sql for sql in after if not sql.startswith(CONTROL)]
        print(f"{label}: {n:>2} chargers saved in one transaction: {inside:>3} statements in it; "
              f"after the commit {len(work):>2} queries ({len(after):>3} statements with "
              f"BEGIN and COMMIT), {len(sent):>2} send_due messages")  # fmt: skip


def main() -> None:
    args = parse()
    if "bench" not in args.db:
        raise SystemExit("the database name must contain 'bench'")
    url = pgdb.url_for(args.db)
    if args.measure:
        sys.path.insert(0, args.measure)  # this checkout's code, before the bench's own
        pgdb.recreate(url)
        pgdb.setup(url)
        measure("before" if args.measure != str(pgdb.ROOT) else "after")
        return
    print(f"{platform.node()} {platform.processor() or platform.machine()}, "
          f"load before: {pgdb.load_average()}")  # fmt: skip
    for checkout in [args.before, str(pgdb.ROOT)]:
        if checkout:
            command = [sys.executable, __file__, "--db", args.db, "--measure", checkout]
            subprocess.run(command, check=True)
    print(f"load after: {pgdb.load_average()}")


if __name__ == "__main__":
    main()
