"""Benchmark: Beckn callback delivery under faults, at scale.

    .venv/bin/python -m bench.faults [--count 500] [--down-seconds 60] [--concurrency 4]
                                    [--only bap_down worker_killed broker_restart]

The scenarios of tests/beckn/test_faults.py (tests/support/faults/scenarios.py) with more
callbacks: a BAP down for a minute (FAULTS_BAP_DOWN_SECONDS), a worker SIGKILLed while its
POSTs are held open, a Redis without persistence crashed and restarted empty. Each runs
real `celery worker` (prefork, --concurrency) and `celery beat` processes against
DATABASE_URL (PostgreSQL; migrated here) and a private redis-server on a free port. The
requests go through the product's intake; their callbacks through the outbox. Prints, per
scenario: callbacks sent, received, lost, exact duplicates, non-identical duplicates, bad
signatures, late (after the ttl), and the time from recovery to the last first arrival.
Exits 1 if anything was lost, changed, unsigned or late. The bench's rows are removed
afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cpo_faults"
SCENARIOS = ("bap_down", "worker_killed", "broker_restart")
BAP_PREFIX = "faults-"


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "1")  # development settings, as the workers get
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpo_portal.settings")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT, env=os.environ, check=True,
    )  # fmt: skip
    import django

    django.setup()
    from django.conf import settings

    settings.BECKN_DEFAULT_RATE_LIMIT = 0  # the feeder sends hundreds a second as one BAP


def signing_key() -> None:
    from beckn.services import keys

    try:
        keys.active_key()
    except keys.NoSigningKey:
        keys.generate()


def forget() -> None:
    """The rows of every BAP the harness made (their ids start with "faults-")."""
    from beckn.models import InboundMessage, Outbox, Subscriber

    Outbox.objects.filter(subscriber_id__startswith=BAP_PREFIX).delete()
    Outbox.history.model.objects.filter(subscriber_id__startswith=BAP_PREFIX).delete()
    InboundMessage.objects.filter(bap_id__startswith=BAP_PREFIX).delete()
    Subscriber.objects.filter(subscriber_id__startswith=BAP_PREFIX).delete()


def run(name: str, args: argparse.Namespace, bpp_id: str):
    from tests.support.faults import scenarios

    if name == "bap_down":
        return scenarios.bap_down(
            bpp_id, args.count, args.down_seconds, args.concurrency, args.ttl_after
        )
    if name == "worker_killed":
        return scenarios.worker_killed(bpp_id, args.count, args.lease, args.concurrency)
    return scenarios.broker_restart(
        bpp_id, args.count, delay=args.delay, concurrency=args.concurrency,
        after=max(3, args.count // 10),
    )  # fmt: skip


def stopped(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500, help="callbacks per scenario")
    parser.add_argument(
        "--down-seconds", type=float,
        default=float(os.environ.get("FAULTS_BAP_DOWN_SECONDS") or 60),
    )  # fmt: skip
    parser.add_argument("--ttl-after", type=float, default=120, help="ttl beyond the outage, s")
    parser.add_argument("--concurrency", type=int, default=4, help="worker processes")
    parser.add_argument("--lease", type=float, default=10, help="BECKN_CALLBACK_LEASE, s")
    parser.add_argument("--delay", type=float, default=0.2, help="BAP answer time, broker case")
    parser.add_argument("--only", nargs="*", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, stopped)  # run_all's timeout: the rigs stop their processes
    if not args.database_url.startswith("postgres"):
        print("skipped: needs DATABASE_URL=postgres://... (workers share the database)")
        return 0
    if shutil.which("redis-server") is None:
        print("skipped: needs redis-server on the PATH (a private Redis is crashed)")
        return 0
    setup(args.database_url)
    signing_key()
    from django.conf import settings

    print(
        f"{args.count} callbacks per scenario; worker --concurrency {args.concurrency}; "
        f"BAP down {args.down_seconds:g} s; lease {args.lease:g} s; beat sweep every 2 s; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs"
    )
    print("scenario | sent | received | lost | exact dup | non-identical dup | bad sig | late "
          "| drain after recovery | wall")  # fmt: skip
    failed = False
    forget()
    for name in args.only:
        started = time.monotonic()
        outcome = run(name, args, settings.BECKN_SUBSCRIBER_ID)
        wall = time.monotonic() - started
        t = outcome.tally
        failed |= not t.clean() or t.received != t.sent
        drain = outcome.drain_seconds
        print(
            f"{outcome.name} | {t.sent} | {t.received} | {len(t.lost)} | {t.exact_duplicates} "
            f"| {len(t.mixed_duplicates)} | {len(t.bad_signatures)} | {len(t.late)} "
            f"| {'n/a' if drain is None else f'{drain:.1f} s'} | {wall:.0f} s",
            flush=True,
        )
        print("   ", ", ".join(f"{k} {v}" for k, v in outcome.facts.items()), flush=True)
        forget()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
