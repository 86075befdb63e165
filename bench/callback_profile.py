"""Profile: where a delivered callback's worker CPU goes, in one process.

    .venv/bin/python -m bench.callback_profile [--callbacks 500] [--top 25]

Drops and creates its own PostgreSQL database (--database, default cpo_bench_cbprof),
writes --callbacks on_search replies through the outbox (beckn.services.outbox.add,
queueing nothing), then delivers them to a local ACKing receiver (bench/callbacks_rig.py)
over fresh rows: one at a time through the `beckn.deliver` task's function, once
in batches through `beckn.deliver_batch`'s, each first measured (CPU time of the delivering
thread, the receiver's threads excluded) and then again under cProfile (process CPU, with
the profiler's own overhead), printing the top entries by cumulative and by own time. Celery's
own cost per task message (consume, acknowledge) is not in this profile: bench/callbacks.py
measures whole workers.

Then the draining worker's way, each callback written in a transaction of its own and sent
right after its commit, recorded after each as beckn.tasks' drain does, two ways
in alternating rounds: written leased to this worker and sent as held (`jobs.collecting(held=True)`,
`Courier.send_held`, as the drain does), and written pending, then claimed and sent
(`Courier.send`, the plain alternative); this thread's CPU and the PostgreSQL backend's
per callback, and the statements each sends.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import time

from bench import pgdb
from bench.callbacks import answer, inbound_rows, prepare
from bench.callbacks_rig import NoQueue


def fill(count: int) -> list[int]:
    from django.db import transaction

    from beckn.services import jobs

    ids: list[int] = []
    inbound = inbound_rows(count)
    registered = jobs.publisher()
    jobs.register(NoQueue())  # queue nothing: this process delivers
    try:
        with transaction.atomic():
            for message in inbound:
                ids.append(answer(message).pk)
    finally:
        jobs.register(registered)
    return ids


def measure(label: str, run) -> None:
    """CPU of this thread only (the receiver's threads excluded), without the profiler."""
    cpu0 = time.thread_time()
    count = run()
    cpu = time.thread_time() - cpu0
    print(f"\n{label}: {cpu * 1000 / count:.2f} ms of CPU per callback (no profiler)")


def profile(label: str, run, top: int) -> None:
    profiler = cProfile.Profile(time.process_time)  # CPU, not wall time
    cpu0 = time.process_time()
    profiler.enable()
    count = run()
    profiler.disable()
    cpu = time.process_time() - cpu0
    print(f"\n=== {label}: {count} callbacks, {cpu * 1000 / count:.2f} ms process CPU each "
          "(receiver threads and profiler overhead included) ===")  # fmt: skip
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    print(out.getvalue())
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    print(out.getvalue())


def write_and_send(count: int, held: bool) -> tuple[float, float]:
    """(worker CPU ms, PostgreSQL CPU ms) per callback, written and sent as the drain does:
    `held` leased at the write, else claimed before the send."""
    from django.db import transaction

    from beckn.services import delivery, jobs

    inbound = inbound_rows(count)
    courier = delivery.Courier()
    pg0, cpu0 = pgdb.backend_cpu() or 0.0, time.thread_time()
    for message in inbound:
        with jobs.collecting(held=held) as written, transaction.atomic():
            answer(message)
        if held:
            courier.send_held(written)
        else:
            courier.send([row.pk for row in written])
        courier.record()
    cpu, pg = time.thread_time() - cpu0, (pgdb.backend_cpu() or 0.0) - pg0
    return cpu * 1000 / count, pg * 1000 / count


def statements(held: bool) -> float:
    """Statements per callback, over 16 (Django's query log, outside the timings)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        write_and_send(16, held)
    return len(queries) / 16


def compare_held(count: int, rounds: int = 5) -> None:
    figures: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    write_and_send(20, True)  # warm
    for round_ in range(rounds):
        for held in (True, False) if round_ % 2 == 0 else (False, True):
            figures[held].append(write_and_send(count, held))
    print(f"\nwritten and sent by one worker, {count} callbacks x {rounds} rounds, alternating")
    print("| way | worker CPU ms per callback (median) | PostgreSQL CPU ms | statements |")
    print("| --- | --- | --- | --- |")
    for held, label in ((True, "written leased, sent as held"), (False, "written, claimed, sent")):
        runs = figures[held]
        worker = statistics.median(run[0] for run in runs)
        database = statistics.median(run[1] for run in runs)
        print(f"| {label} | {worker:.2f} | {database:.2f} | {statements(held):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=500)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--batch", type=int, default=0, help="default: tasks.BATCH")
    parser.add_argument("--database", default="cpo_bench_cbprof")
    args = parser.parse_args()
    url = pgdb.url_for(args.database)
    pgdb.recreate(url)
    pgdb.setup(url, BECKN_ALLOW_PRIVATE_CALLBACKS="1")
    from beckn import tasks
    from beckn.models import Outbox, OutboxState

    args.batch = args.batch or tasks.BATCH
    from bench.callbacks_rig import Receiver

    receiver = Receiver()
    prepare(receiver.url)
    try:
        ids = fill(args.callbacks)
        fill(10)  # warm: connections, caches

        def one_by_one() -> int:
            for pk in ids:
                tasks.deliver(pk)
            return len(ids)

        measure("one task per callback (beckn.deliver)", one_by_one)
        ids = fill(args.callbacks)
        profile("one task per callback (beckn.deliver)", one_by_one, args.top)
        ids = fill(args.callbacks)

        def batched() -> int:
            for start in range(0, len(ids), args.batch):
                tasks.deliver_batch(ids[start : start + args.batch])
            return len(ids)

        measure(f"batches of {args.batch} (beckn.deliver_batch)", batched)
        ids = fill(args.callbacks)
        profile(f"batches of {args.batch} (beckn.deliver_batch)", batched, args.top)
        delivered = Outbox.objects.filter(state=OutboxState.DELIVERED).count()
        print(f"delivered rows: {delivered}; POSTs received: {receiver.posts}")
        compare_held(args.callbacks)
    finally:
        receiver.stop()


if __name__ == "__main__":
    main()
