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
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

from bench import pgdb
from bench.callbacks import inbound_rows, prepare
from bench.callbacks_rig import NoQueue

REPLY = {"catalog": {"descriptor": {"name": "EV charging"}, "providers": []}}


def fill(count: int) -> list[int]:
    from django.db import transaction

    from beckn.services import jobs, outbox

    ids: list[int] = []
    inbound = inbound_rows(count)
    registered = jobs.publisher()
    jobs.register(NoQueue())  # queue nothing: this process delivers
    try:
        with transaction.atomic():
            for message in inbound:
                ids.append(outbox.add(message, REPLY).pk)
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

        if not hasattr(tasks, "deliver_batch"):
            return

        def batched() -> int:
            for start in range(0, len(ids), args.batch):
                tasks.deliver_batch(ids[start : start + args.batch])
            return len(ids)

        measure(f"batches of {args.batch} (beckn.deliver_batch)", batched)
        ids = fill(args.callbacks)
        profile(f"batches of {args.batch} (beckn.deliver_batch)", batched, args.top)
        delivered = Outbox.objects.filter(state=OutboxState.DELIVERED).count()
        print(f"delivered rows: {delivered}; POSTs received: {receiver.posts}")
    finally:
        receiver.stop()


if __name__ == "__main__":
    main()
