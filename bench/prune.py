"""Benchmark: pruning Beckn messages (beckn.services.retention) against the ORM's delete().

    .venv/bin/python -m bench.prune [--rows 20000] [--keep-rows 100000] [--rounds 3]

Fills a PostgreSQL database of its own (<DATABASE_URL's server>/cpo_bench_prune) with
--keep-rows recent requests and their callbacks (kept) and, per round, --rows requests
whose window closed long ago, each with a delivered callback of no order, one delivery
attempt and the callback's history record, the shapes processing and delivery write.
Each round times two ways of deleting the old ones, taking turns to go first:

- prune: `retention.prune` as beat runs it (batches of 1,000, plain DELETE statements);
- ORM: the plain alternative, the same batches through `QuerySet.delete()` (the callbacks,
  whose attempts cascade, then the requests), which loads every row to send the delete
  signals, and to which django-simple-history answers with a "deleted" record per
  callback and attempt.

Prints rows per second for each, wall time and the PostgreSQL backends' CPU, after a
VACUUM before each timing (the machine's autovacuum may be off).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
import uuid

from bench import pgdb
from bench.ack_messages import select_body

CALLBACK = {"message": {"order": {"id": "o", "items": [{"id": "charger-01"}]}}}


def fill(old: int, now: dt.datetime, recent: bool) -> None:
    """`old` requests whose window closed 60 days ago (or, `recent`, that closes tomorrow),
    each with a delivered callback, one attempt and the callback's history record."""
    from simple_history.utils import bulk_create_with_history

    from beckn.models import DeliveryAttempt, InboundMessage, InboundState, Outbox, OutboxState
    from beckn.services import outbox

    closed = now + dt.timedelta(days=1) if recent else now - dt.timedelta(days=60)
    for start in range(0, old, 2000):
        requests = []
        for _ in range(min(2000, old - start)):
            body = select_body(str(uuid.uuid4()))
            ctx = body["context"]
            requests.append(
                InboundMessage(
                    bap_id=ctx["bap_id"],
                    message_id=ctx["message_id"],
                    action="select",
                    transaction_id=ctx["transaction_id"],
                    body=body,
                    body_digest="x" * 88,
                    received_at=closed - dt.timedelta(seconds=30),
                    expires_at=closed,
                    state=InboundState.DONE,
                    processed_at=closed,
                )
            )
        requests = InboundMessage.objects.bulk_create(requests)
        rows = [outbox.build(r, CALLBACK["message"], None, None, closed) for r in requests]
        for row in rows:
            row.state, row.delivered_at = OutboxState.DELIVERED, closed
        rows = bulk_create_with_history(rows, Outbox)
        DeliveryAttempt.objects.bulk_create(
            DeliveryAttempt(
                outbox=row,
                number=1,
                started_at=closed,
                target_url="https://bap.example/on_select",
                status_code=200,
                outcome=OutboxState.DELIVERED,
                duration_ms=12,
            )
            for row in rows
        )


def orm_delete(now: dt.datetime, keep: dt.timedelta) -> int:
    """The plain alternative: the same batches, deleted by the ORM."""
    from beckn.models import InboundMessage, Outbox
    from beckn.services import retention

    cutoff, deleted = now - keep, 0
    while ids := retention.batch_of(retention.old_callbacks(cutoff), retention.PRUNE_BATCH):
        Outbox.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    while ids := retention.batch_of(retention.old_requests(cutoff), retention.PRUNE_BATCH):
        InboundMessage.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted


def prune(now: dt.datetime, keep: dt.timedelta) -> int:
    from beckn.services import retention

    total = retention.Pruned()
    while pruned := retention.prune(now, keep):
        total += pruned
    return total.requests + total.callbacks


def timed(way, now: dt.datetime, keep: dt.timedelta) -> tuple[int, float, float]:
    pgdb.vacuum()
    cpu = pgdb.backend_cpu() or 0.0
    start = time.perf_counter()
    rows = way(now, keep)
    return rows, time.perf_counter() - start, (pgdb.backend_cpu() or 0.0) - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="old requests per timing")
    parser.add_argument("--keep-rows", type=int, default=100_000, help="recent ones, kept")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = pgdb.url_for("cpo_bench_prune")
    pgdb.recreate(url)
    pgdb.setup(url)
    from django.utils import timezone

    from beckn.models import InboundMessage, Outbox

    now, keep = timezone.now(), dt.timedelta(days=30)
    fill(args.keep_rows, now, recent=True)
    ways = {"prune": prune, "ORM delete()": orm_delete}
    figures: dict[str, list[tuple[int, float, float]]] = {name: [] for name in ways}
    for round_ in range(args.rounds):
        order = list(ways) if round_ % 2 == 0 else list(reversed(ways))
        for name in order:
            fill(args.rows, now, recent=False)
            figures[name].append(timed(ways[name], now, keep))
    assert InboundMessage.objects.count() == args.keep_rows == Outbox.objects.count()
    print(f"\n{args.rows:,} old requests + {args.rows:,} callbacks per timing, beside "
          f"{args.keep_rows:,} recent ones kept; {args.rounds} rounds, taking turns")  # fmt: skip
    print("| way | rows/s (median) | wall s per timing | PostgreSQL CPU s |")
    print("| --- | --- | --- | --- |")
    for name, runs in figures.items():
        rates = [rows / wall for rows, wall, _ in runs]
        walls = " / ".join(f"{wall:.2f}" for _, wall, _ in runs)
        cpus = " / ".join(f"{cpu:.2f}" for _, _, cpu in runs)
        print(f"| {name} | {statistics.median(rates):,.0f} | {walls} | {cpus} |")


if __name__ == "__main__":
    main()
