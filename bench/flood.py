"""Benchmark: every ACK a promise kept? One BAP floods, a quiet one sends a select a second,
one worker host answers both; before and after, in one run.

    .venv/bin/python -m bench.flood [--before ../wt-before] [--seconds 12]
                                    [--only kill flush both neither] [--ttl 30]
                                    [--restart-after 15]

Each scenario is tests/support/faults/flood.py (gunicorn, one Celery worker host of two
prefork processes started again at once after a SIGKILL, beat, a private Redis as broker
and cache, signed requests over HTTP, a receiver checking every callback's signature):
`kill` SIGKILLs the worker host half way (started again at once, or `--restart-after` seconds
later), `flush` flushes the broker a third of the way
in, `both` does both, `neither` neither. It runs the code of the `--before` checkout
first (when given), then this one's, against DATABASE_URL (PostgreSQL; dropped, created and migrated
by each side's own migrations). Prints one markdown row per side and scenario: requests
ACKed and answered within their ttl (flood, quiet), 503 NACKs, and the waits from sending
to the callback's arrival (quiet p50 / p99, flood p50).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cpo_admit_bench"
SCENARIOS = {"kill": (True, False), "flush": (False, True), "both": (True, True),
             "neither": (False, False)}  # fmt: skip


def fresh_database(database_url: str, root: Path) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(root)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=root, env=env, check=True,
    )  # fmt: skip


def row(side: str, scenario: str, outcome) -> str:
    from tests.support.faults.flood import median, p99

    f_acked, f_kept = outcome.answered_in_time(outcome.flood)
    q_acked, q_kept = outcome.answered_in_time(outcome.quiet)
    nacks = sum(s.status == 503 for s in [*outcome.flood, *outcome.quiet])
    quiet, flooded = outcome.waits(outcome.quiet), outcome.waits(outcome.flood)
    return (
        f"| {side} | {scenario} | {f_kept} of {f_acked} | {q_kept} of {q_acked} | {nacks} | "
        f"{median(quiet):.2f} / {p99(quiet):.2f} s | {median(flooded):.2f} s |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="a checkout of the code to compare with")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--seconds", type=float, default=12)
    parser.add_argument("--ttl", type=float, default=30, help="every request's ttl, seconds")
    parser.add_argument("--pending", type=int, default=40, help="BECKN_MAX_PENDING_PER_BAP")
    parser.add_argument("--per-minute", type=int, help="the flooding BAP's rate limit")
    parser.add_argument(
        "--callback-seconds", type=float, default=0.0, help="how long the BAPs take per callback"
    )
    parser.add_argument(
        "--restart-after", type=float, default=0.0,
        help="seconds between the kill and the worker host's start (0: at once)",
    )  # fmt: skip
    parser.add_argument("--only", nargs="*", choices=list(SCENARIOS), default=list(SCENARIOS))
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpo_portal.settings")
    rows = []
    load = os.getloadavg()
    sides = [("before", args.before.resolve())] if args.before else []
    for side, root in [*sides, ("after", ROOT)]:
        fresh_database(args.database_url, root)
        import django

        django.setup()
        from django.conf import settings
        from django.db import connections

        from beckn.services import keys
        from tests.support.faults import flood

        connections.close_all()
        keys.generate(f"bpp-key-flood-{side}")
        for scenario in args.only:
            kill, flush = SCENARIOS[scenario]
            started = time.monotonic()
            outcome = flood.run(
                settings.BECKN_SUBSCRIBER_ID, args.seconds, flush=flush, kill=kill, root=root,
                ttl=dt.timedelta(seconds=args.ttl), pending=args.pending,
                callback_seconds=args.callback_seconds, per_minute=args.per_minute,
                restart_after=args.restart_after,
            )  # fmt: skip
            rows.append(row(side, scenario, outcome))
            print(rows[-1], f"({time.monotonic() - started:.0f} s)", flush=True)
        connections.close_all()
    print(f"\nload average at the start: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}; {args}")
    print("| code | fault | flood: answered in ttl of ACKed | quiet: answered in ttl of ACKed "
          "| 503 NACKs | quiet wait p50 / p99 | flood wait p50 |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
