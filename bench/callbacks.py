"""Benchmark: callback deliveries per second by real Celery workers to a local BAP.

    .venv/bin/python -m bench.callbacks [--callbacks 2000] [--workers 1 2] [--concurrency 2]
        [--batch N] [--prefill] [--broker redis://127.0.0.1:6379/4] [--database cpo_bench_cb]

Drops and creates its own PostgreSQL database (--database, default cpo_bench_cb, on
DATABASE_URL's server) and uses the Redis broker --broker (default db 4; only the Celery
queue's keys are removed, before and after). A threaded HTTP server on 127.0.0.1 plays
the BAP: it answers every POST with an ACK and notes when each message_id arrived (it does
not verify signatures). For each entry of --workers, that many `celery -A cpo_portal
worker` processes (threads, as deployed, --concurrency each, BECKN_ALLOW_PRIVATE_CALLBACKS=1)
are started and waited for; then --callbacks on_search replies are written through the
product's outbox service (beckn.services.outbox.add, in transactions of 50), whose
on-commit hook queues beckn.deliver for each, exactly as processing does, and the run
ends when no row is pending or sending any more.

callbacks/s = delivered / (first POST received -> last POST received). By default the
outbox is filled while the workers run, as a burst (or --rate per second): the latency
created -> received then includes the wait behind the burst, and on a small machine the
filling competes with the workers for CPU. With --prefill the outbox and the queue are
filled before the workers start: the rate is the workers' pure drain rate (the latency
then only says how long the rows waited for the workers). Worker CPU is the workers' own
(main and pool processes, from /proc); PostgreSQL's and Redis's are not counted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import signal
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench import pgdb
from bench.callbacks_rig import Receiver, Workers, cpu_seconds

BAP_ID = "bench-cb-bap.example"
CHUNK = 50


# -- the outbox ----------------------------------------------------------------------------


def prepare(receiver_url: str) -> None:
    from beckn.models import SigningKey, Subscriber
    from beckn.protocol.signing import generate_keypair
    from beckn.services import keys

    if not SigningKey.objects.filter(is_active=True).exists():
        keys.generate()
    _, public = generate_keypair()
    Subscriber.objects.update_or_create(
        subscriber_id=BAP_ID, key_id="bench-1",
        defaults={"type": "BAP", "url": receiver_url, "signing_public_key": public,
                  "rate_limit": 0},
    )  # fmt: skip


def inbound_rows(count: int) -> list:
    """`count` processed search messages from the bench BAP, to be answered."""
    from django.utils import timezone

    from beckn import conf
    from beckn.models import InboundMessage, InboundState

    now = timezone.now()
    rows = []
    for _ in range(count):
        message_id = str(uuid.uuid4())
        context = {
            "domain": "deg:ev-charging", "action": "search", "version": "1.1.0",
            "location": {"country": {"code": "IND"}, "city": {"code": "std:080"}},
            "bap_id": BAP_ID, "bap_uri": "http://bench-cb-bap.example/beckn",
            "bpp_id": conf.bpp_id(), "bpp_uri": conf.bpp_uri(),
            "transaction_id": message_id, "message_id": message_id,
            "timestamp": now.isoformat(), "ttl": "PT15M",
        }  # fmt: skip
        rows.append(
            InboundMessage(
                bap_id=BAP_ID, message_id=message_id, action="search", transaction_id=message_id,
                body={"context": context, "message": {"intent": {}}}, body_digest="bench",
                received_at=now, expires_at=now + dt.timedelta(minutes=15),
                state=InboundState.DONE, processed_at=now, attempts=1,
            )
        )  # fmt: skip
    return InboundMessage.objects.bulk_create(rows)


REPLY = {"catalog": {"descriptor": {"name": "EV charging"}, "providers": []}}


def answer(message):
    """An on_search answering `message`, written as a worker writes one (outbox.answer)."""
    from django.utils import timezone

    from beckn.models import InboundState
    from beckn.services import outbox

    done = {"state": InboundState.DONE}
    return outbox.answer(message, [(REPLY, None, None)], timezone.now(), done)[0]


def fill(inbound: list, rate: float, batch: int = 1) -> list[int]:
    """One on_search per inbound message through outbox.add, committed in chunks of CHUNK
    (each commit queues its rows' delivery: one beckn.deliver task each, or with `batch`
    > 1 one beckn.deliver_batch task per `batch` rows, as the sweep queues them); paced to
    `rate` per second when given."""
    from django.db import transaction

    from beckn import tasks
    from beckn.services import jobs

    ids: list[int] = []
    began = time.monotonic()
    for start in range(0, len(inbound), CHUNK):
        collect: contextlib.AbstractContextManager[list] = (
            jobs.collecting() if batch > 1 else contextlib.nullcontext([])
        )
        with collect as written, transaction.atomic():
            for message in inbound[start : start + CHUNK]:
                ids.append(answer(message).pk)
        for first in range(0, len(written), batch):
            tasks.deliver_batch.delay([row.pk for row in written[first : first + batch]])
        if rate:  # paced: the latency is then the system's, not the backlog's
            ahead = began + len(ids) / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    return ids


def wait_done(ids: list[int], timeout: float) -> dict[str, int]:
    from django.db.models import Count

    from beckn.models import Outbox, OutboxState

    deadline = time.monotonic() + timeout
    while True:
        states = dict(
            Outbox.objects.filter(pk__in=ids)
            .values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
        open_ = states.get(OutboxState.PENDING, 0) + states.get(OutboxState.SENDING, 0)
        if not open_ or time.monotonic() > deadline:
            return states
        time.sleep(0.25)


def clear_queue(broker: str) -> None:
    import redis

    client = redis.Redis.from_url(broker)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")


# -- one run -------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(args, workers: int, receiver: Receiver, env: dict[str, str], logs: Path) -> dict:
    from beckn.models import DeliveryAttempt, Outbox

    receiver.reset()
    inbound = inbound_rows(args.callbacks)
    began = time.time()
    ids = fill(inbound, args.rate, args.batch) if args.prefill else []
    filled = time.time()
    pool = Workers(workers, args.concurrency, env, logs)
    try:
        pool.wait_ready()
        cpu_before = cpu_seconds(pool.pids)
        load_before = os.getloadavg()[0]
        if not args.prefill:
            time.sleep(1)  # let the pool children settle before the clock starts
            began = time.time()
            ids = fill(inbound, args.rate, args.batch)
            filled = time.time()
        states = wait_done(ids, args.timeout)
        cpu = cpu_seconds(pool.pids) - cpu_before
    finally:
        pool.stop()
    rows = list(Outbox.objects.filter(pk__in=ids).values("message_id", "created_at", "attempts"))
    created = {r["message_id"]: r["created_at"].timestamp() for r in rows}
    latencies = [
        (receiver.arrived[m] - t) * 1000 for m, t in created.items() if m in receiver.arrived
    ]
    arrived = sorted(receiver.arrived.values()) or [filled, filled]
    first, last = arrived[0], arrived[-1]
    durations = list(
        DeliveryAttempt.objects.filter(outbox_id__in=ids).values_list("duration_ms", flat=True)
    )
    delivered = states.get("delivered", 0)
    return {
        "workers": workers,
        "concurrency": args.concurrency,
        "callbacks": len(ids),
        "delivered": delivered,
        "states": states,
        "mode": ("prefilled" if args.prefill else "live") + f", {args.batch} per task",
        "seconds": last - first,
        "fill_seconds": filled - began,
        "rate": delivered / (last - first) if last > first else 0.0,
        "p50": statistics.median(latencies) if latencies else 0.0,
        "p99": percentile(latencies, 0.99) if latencies else 0.0,
        "attempts": sum(r["attempts"] for r in rows) / len(rows),
        "posts": receiver.posts,
        "post_ms": statistics.median(durations) if durations else 0.0,
        "cpu": cpu,
        "cpu_ms": cpu * 1000 / max(delivered, 1),
        "load": load_before,
    }


def line(r: dict) -> str:
    return (
        f"| {r['mode']} | {r['workers']} x {r['concurrency']} | "
        f"{r['delivered']}/{r['callbacks']} | "
        f"{r['rate']:.0f} | {r['p50']:.0f} | {r['p99']:.0f} | {r['attempts']:.2f} | "
        f"{r['posts']} | {r['post_ms']:.0f} | {r['cpu']:.1f} s ({r['cpu_ms']:.1f} ms each) | "
        f"{r['seconds']:.1f} s | {r['fill_seconds']:.1f} s | {r['load']:.1f} |"
    )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=2000, help="per run")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="one run each")
    parser.add_argument("--concurrency", type=int, default=2, help="prefork children each")
    parser.add_argument(
        "--batch", type=int, default=0,
        help="callbacks per task message (1: beckn.deliver each; more: beckn.deliver_batch; "
        "default: as many as the sweep puts in one, tasks.BATCH)",
    )  # fmt: skip
    parser.add_argument("--rate", type=float, default=0, help="fill pace per second (0: burst)")
    parser.add_argument(
        "--prefill", action="store_true",
        help="fill the outbox (and queue) before the workers start: the pure drain rate",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=300, help="seconds per run")
    parser.add_argument("--database", default="cpo_bench_cb", help="dropped and created")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/4")
    args = parser.parse_args(argv)
    if args.callbacks < 1 or min(args.workers) < 1 or args.concurrency < 1:
        parser.error("--callbacks, --workers and --concurrency must be at least 1")
    return args


def interrupted(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    signal.signal(signal.SIGTERM, interrupted)  # stop the workers on the way out
    url = pgdb.url_for(args.database)
    pgdb.recreate(url)
    extra = {"CELERY_BROKER_URL": args.broker, "BECKN_ALLOW_PRIVATE_CALLBACKS": "1"}
    env = pgdb.django_env(url, **extra)
    pgdb.setup(url, **extra)
    if not args.batch:
        from beckn import tasks

        args.batch = tasks.BATCH
    clear_queue(args.broker)
    receiver = Receiver()
    prepare(receiver.url)
    logs = Path(tempfile.mkdtemp(prefix="bench-callbacks-"))
    results = []
    try:
        for workers in args.workers:
            result = run(args, workers, receiver, env, logs)
            results.append(result)
            print(line(result), flush=True)
    finally:
        receiver.stop()
        clear_queue(args.broker)
        with contextlib.suppress(OSError):
            logs.rmdir()
    print_figures(results, args)


def print_figures(results: list[dict], args: argparse.Namespace) -> None:
    pace = f"{args.rate:g}/s" if args.rate else "a burst"
    if args.prefill:
        pace += ", before the workers started"
    print()
    print("=== callbacks figures ===")
    print(
        f"{args.callbacks} on_search callbacks per run through outbox.add ({pace}), "
        f"delivered by `celery worker` prefork to a local ACKing receiver; "
        f"{os.cpu_count()} CPUs; PostgreSQL and Redis on loopback"
    )
    print()
    print("| fill | workers x children | delivered | callbacks/s | created -> received p50 ms "
          "| p99 ms | attempts each | POSTs received | POST ms (median) | worker CPU "
          "| first -> last received | fill took | load before |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        print(line(result))
    if len(results) > 1 and results[0]["rate"]:
        base = results[0]
        for other in results[1:]:
            print(
                f"scaling: {other['workers']} workers / {base['workers']}: "
                f"{other['rate'] / base['rate']:.2f}x callbacks/s"
            )
    print(f"load average: {pgdb.load_average()} ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
