"""Benchmark: the rollups' backfill of 90 days, in one task and in parts (a script).

    python -m bench.rollup_backfill                    # build, then time
    python -m bench.rollup_backfill build [sessions]   # a database of its own, filled afresh
    python -m bench.rollup_backfill time [parts]       # single task, then parts on 1 and 2
                                                       # worker processes
    python -m bench.rollup_backfill cpu [parts]        # where the CPU goes, in this process

A PostgreSQL database of its own (`<DATABASE_URL's name>_bench_rollup_backfill`): two
operators of 50 stations each, 20 live offers each, and a generated history
(tests.support.rollup_history) of 100,000 sessions over 90 days, rolled up once by the
live rollup (so its watermark is at the top, as in production).

`time` runs, each from the same state: analytics.services.rollup.backfill in this
process (the command without --parts), then analytics.services.rollup.backfill_parts
(the command with --parts) on real Celery workers against Redis, first one worker
process, then two. For each: wall time; the CPU time of the database's server processes
for this database (from /proc: the work the parts share out), and of the parts' worker
processes; for the parts, how long the serial merge took; whether the rollup rows are
identical to the single task's. The machine's load average before and after.

`cpu` runs the same in this process, one step after the other, and prints the CPU time
of this process and of its database server process for each: the single task, each
part, the merge; the merge three times, meeting the range's rollups right (as the parts
computed them), empty, and with other figures in every row (STATES). On a shared machine
these are the figures that do not depend on what else runs; the wall time of N free CPUs
follows from them (the parts at once, then the merge).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import time
import uuid
from decimal import Decimal

from bench import pgdb

D = Decimal
DAYS = 90
FIRST = dt.date(2025, 6, 1)
LAST = FIRST + dt.timedelta(days=DAYS - 1)
TICK = os.sysconf("SC_CLK_TCK")


def _database_url() -> str:
    base = os.environ.get("DATABASE_URL", "")
    name = base.rsplit("/", 1)[-1] if base.startswith("postgres") else "cpo"
    return pgdb.url_for(f"{name}_bench_rollup_backfill")


def build(sessions: int) -> None:
    from analytics.services.rollup import run_incremental
    from cpo_portal.models import Charger, Operator, Station
    from offers.models import Offer
    from tests.support.rollup_history import generate

    stations, offers = [], []
    for o in range(2):
        op = Operator.objects.create(
            code=f"bench{o}.example", name=f"Bench CPO {o}", time_zone="Asia/Kolkata"
        )
        mine = Station.objects.bulk_create(
            Station(operator=op, code=f"st-{o}-{i:03d}", name=f"Station {i}", address="MG Road",
                    city="Bengaluru", city_code="std:080", region_code=["KA", "TN"][i % 2],
                    latitude=D("12.97") + D(i) / 1000, longitude=D("77.59"), site_kind="urban")
            for i in range(50)
        )  # fmt: skip
        Charger.objects.bulk_create(
            Charger(operator=op, station=s, code=f"{s.code}-c0", name="Charger",
                    power_kw=D("30"), power_type="AC_3_PHASE", charging_speed="FAST")
            for s in mine
        )  # fmt: skip
        stations += mine
        offers += Offer.objects.bulk_create(
            Offer(operator=op, code=f"offer-{o}-{i}", title=f"Offer {i}", status="active",
                  type_label="HAPPY_HOUR", benefit_kind="percent", percent=D("10"),
                  base="energy")
            for i in range(20)
        )  # fmt: skip
    stations = list(Station.objects.select_related("operator").order_by("pk"))
    rows = generate(stations, offers, FIRST, DAYS, sessions, customers=20000, prefix="b")
    began = time.perf_counter()
    run_incremental()
    print(f"{rows:,} rows; the live rollup read them in {time.perf_counter() - began:.0f} s")


def _backends(database: str) -> dict[int, float]:
    """CPU seconds so far of the server processes connected to `database`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])
        pids = [row[0] for row in cursor.fetchall()]
    return {pid: _cpu(pid) for pid in pids}


def _cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _spent(database: str, before: dict[int, float]) -> float:
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in _backends(database).items())


def time_all(parts: int) -> None:
    from django.conf import settings
    from django.db import connection

    from analytics.services.rollup import backfill, backfill_parts
    from cpo_portal.background import chunked
    from cpo_portal.models import ChunkedJob
    from tests.support.procs import Process
    from tests.support.rollup_history import snapshot

    database = settings.DATABASES["default"]["NAME"]
    print(f"load before: {pgdb.load_average()}", flush=True)
    before = _backends(database)
    began = time.perf_counter()
    backfill(FIRST, LAST, progress=False)
    wall = time.perf_counter() - began
    alone = snapshot()
    print(f"single task: {wall:.1f} s wall, DB CPU {_spent(database, before):.1f} s; "
          f"{len(alone['DailyRollup']):,} daily rollup rows; load {pgdb.load_average()}",
          flush=True)  # fmt: skip
    walls = {}
    for processes in (1, 2):
        prefix = os.environ["CELERY_KEY_PREFIX"]
        argv = [sys.executable, "-m", "celery", "-A", "cpo_portal", "worker",
                "--concurrency", str(processes), "--without-gossip", "--without-mingle",
                "--loglevel", "INFO", "--hostname", f"{prefix}{processes}@%h"]  # fmt: skip
        log = pgdb.ROOT / "var" / f"bench-rollup-backfill-{processes}.log"
        log.parent.mkdir(exist_ok=True)
        worker = Process(f"worker x{processes}", argv, dict(os.environ), log, "ready.").start()
        try:
            worker.wait_ready(180)
            connection.close()  # a fresh server process: its CPU is this run's alone
            before = _backends(database)
            began = time.perf_counter()
            job = backfill_parts.start(FIRST, LAST, None, parts)
            computed = None
            while True:
                status, percent = backfill_parts.progress(job.pk)
                if computed is None and percent == 100:
                    computed = time.perf_counter()
                if status != "running":
                    break
                time.sleep(0.05)
            wall = time.perf_counter() - began
            db_cpu = _spent(database, before)
        finally:
            worker.stop()
        job = ChunkedJob.objects.get(pk=job.pk)
        cpu = chunked.cpu_seconds(job.pk)
        same = snapshot() == alone
        walls[processes] = wall
        merge = wall - ((computed or began) - began)
        print(f"{parts} parts on {processes} worker process(es): {job.status}, {wall:.1f} s "
              f"wall (the serial merge about {merge:.1f} s), DB CPU {db_cpu:.1f} s, worker "
              f"CPU {', '.join(f'{c:.1f}' for c in cpu)} s; identical to the single task: "
              f"{same}; load {pgdb.load_average()}", flush=True)  # fmt: skip
    print(f"speed-up of 2 worker processes over 1: {walls[1] / walls[2]:.2f}x")


# What the rollups of the range hold when the merge meets them (`cpu`): what the parts
# computed (the usual case: a repair check, or a run after the live rollup), nothing (a
# first fill, e.g. of a new table), or other figures in every row (a changed definition).
STATES = ("right", "empty", "different")
FINE = ("DailyRollup", "HourlyRollup", "DailyCustomer", "CellCustomer")


def _prepare(state: str) -> None:
    """Put the four fine rollup tables' rows of the range in `state`."""
    from django.apps import apps
    from django.db.models import F

    for name in FINE:
        rows = apps.get_model("analytics", name).objects.filter(date__range=(FIRST, LAST))
        if state == "empty":
            rows.delete()
        elif state == "different":
            rows.update(sessions=F("sessions") + 1)


def _nothing(done: int) -> None:
    """A checkpoint that never stops the part."""


def _merge(params: dict, chunks: int) -> None:
    from django.db import transaction

    from analytics.services.rollup import backfill_parts

    with transaction.atomic():
        backfill_parts.RUNNER_OBJECT.finish(params, [None] * chunks)


def cpu_split(parts: int) -> None:
    from django.db import connection

    from analytics.services.rollup import backfill, backfill_parts
    from cpo_portal.models import ChunkedJob

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
        cursor.execute("VACUUM ANALYZE")  # every run from tables without earlier runs' dead rows

    def measured(what: str, step) -> None:
        db, own = _cpu(pid), time.process_time()
        step()
        own = time.process_time() - own
        print(f"{what}: DB CPU {_cpu(pid) - db:.1f} s, Python CPU {own:.1f} s", flush=True)

    print(f"load before: {pgdb.load_average()}", flush=True)
    measured("single task", lambda: backfill(FIRST, LAST, progress=False))
    for state in STATES:
        job = backfill_parts.start(FIRST, LAST, None, parts)
        params = ChunkedJob.objects.get(pk=job.pk).params
        for index in range(job.chunks):
            step = functools.partial(
                backfill_parts.RUNNER_OBJECT.run_chunk, params, index, job.chunks, _nothing
            )
            if state == STATES[0]:
                measured(f"part {index}", step)
            else:
                step()
        _prepare(state)
        merge = functools.partial(_merge, params, job.chunks)
        measured(f"merge, the range's rollups {state}", merge)
        ChunkedJob.objects.filter(pk=job.pk).update(status="done")
    print(f"load after: {pgdb.load_average()}")


def main() -> None:
    url = _database_url()
    broker = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    prefix = f"bench-backfill-{uuid.uuid4().hex[:6]}:"
    step = sys.argv[1] if len(sys.argv) > 1 else "all"
    if step in ("build", "all"):
        pgdb.recreate(url)
        pgdb.setup(url, CELERY_BROKER_URL=broker, CELERY_KEY_PREFIX=prefix)
        began = time.perf_counter()
        build(int(sys.argv[2]) if len(sys.argv) > 2 and step == "build" else 100_000)
        print(f"built in {time.perf_counter() - began:.0f} s", flush=True)
    else:
        pgdb.setup(url, migrate=False, CELERY_BROKER_URL=broker, CELERY_KEY_PREFIX=prefix)
    if step in ("time", "all"):
        time_all(int(sys.argv[2]) if len(sys.argv) > 2 and step == "time" else 2)
    if step in ("cpu", "all"):
        cpu_split(int(sys.argv[2]) if len(sys.argv) > 2 and step == "cpu" else 2)


if __name__ == "__main__":
    main()
