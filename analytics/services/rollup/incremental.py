"""The live rollup: whatever the ledger gained since the last run, incrementally by id.

The run reads the rows with id > watermark (rollup.new_rows), which picks up late rows
(an old occurred_at, inserted today) as well as new ones, and moves the watermark.
PostgreSQL applies the new rows as deltas (rollup.delta); other databases (SQLite for
`make run`) rebuild the partitions they touched (rollup.partitions).

Ids that were missing below the new watermark (a transaction still open while we read)
are remembered for an hour; if they appear later they are rolled up too.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from analytics.models import RollupCursor
from analytics.services.rollup import delta as d
from analytics.services.rollup import sql as q
from analytics.services.rollup.new_rows import NEW, Window, gaps_sql, new_rows_sql
from analytics.services.rollup.partitions import (
    CURSOR,
    SOURCES,
    date_runs,
    derive,
    locked,
    names,
    partition,
    rebuild,
    touched,
)
from cpo_portal.models import Operator

GAP_TTL = dt.timedelta(hours=1)
INCREMENTAL_CHUNK_DAYS = 31


@dataclass(frozen=True, slots=True)
class RunResult:
    rows: int
    partitions: int
    last_id: int
    seconds: float


def run_incremental() -> RunResult:
    """Roll up whatever the ledger gained since the last run. Safe to run at any time.
    PostgreSQL applies the new rows as deltas (services.rollup.delta); other databases
    (SQLite for `make run`) rebuild the partitions the new rows touched."""
    began = time.perf_counter()
    now = timezone.now()
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        cursors = {name: locked(name) for name in SOURCES}  # always in this order
        n = names()
        windows = {}
        for name, cursor in cursors.items():
            high = SOURCES[name].objects.order_by().aggregate(m=Max("id"))["m"] or 0
            gaps = tuple((int(lo), int(hi)) for lo, hi, _ in cursor.pending_gaps)
            windows[name] = Window(cursor.last_id, max(high, cursor.last_id), gaps)
        with connection.cursor() as sql:
            temps = d.TEMPS if postgres else (NEW,)
            if postgres:
                # Sorts and hashes of a million rows stay in memory; no JIT compiling (up
                # to half a second a statement, for statements that run once).
                sql.execute("SET LOCAL work_mem = '256MB'")
                sql.execute("SET LOCAL jit = off")
            sql.execute(f"DROP TABLE IF EXISTS {', '.join(temps)}")
            sql.execute(new_rows_sql(n, windows[CURSOR], windows["sessions"]))
            rows = 0
            for name, cursor in cursors.items():
                rows += _move_watermark(sql, name, cursor, windows[name], now)
            if postgres:
                work = _apply_deltas(sql, n, windows)
            else:  # the partitions the new rows touched are rebuilt
                work = touched(f"SELECT order_ref FROM {NEW}")  # noqa: S608 (a table name)
            by_pk = Operator.objects.in_bulk(list(work))
            for operator_id, dates in work.items():
                for first, last in date_runs(dates, INCREMENTAL_CHUNK_DAYS):
                    if postgres:  # the coarser tables of the days the deltas touched
                        derive(sql, n, partition(by_pk[operator_id], first, last), periods=False)
                    else:
                        rebuild(by_pk[operator_id], first, last)
            partitions = sum(len(dates) for dates in work.values())
            sql.execute(f"DROP TABLE IF EXISTS {', '.join(temps)}")
        seconds = time.perf_counter() - began
        for cursor in cursors.values():
            cursor.runs += 1
            cursor.last_run_at = now
            cursor.last_duration_ms = int(seconds * 1000)
            cursor.last_partitions = partitions
            cursor.save()
    return RunResult(rows, partitions, cursors[CURSOR].last_id, seconds)


def _apply_deltas(sql, n: q.Names, windows: dict[str, Window]) -> dict[int, set[dt.date]]:
    """PostgreSQL: apply the new rows as deltas; returns the days they touched."""
    work: dict[int, set[dt.date]] = defaultdict(set)
    sql.execute(f"SELECT count(*) FROM {NEW} WHERE kind IN ({q.KIND_LIST})")  # noqa: S608
    if sql.fetchone()[0]:
        operators = connection.ops.quote_name(Operator._meta.db_table)
        for statement in (
            *d.source_sql(n, operators, windows[CURSOR], windows["sessions"]),
            *d.delta_sql(n),
            *d.periods_sql(n),
        ):
            sql.execute(statement)
        sql.execute(d.touched_days_sql())
        for operator_id, day in sql.fetchall():
            work[operator_id].add(day)
    return work


def _move_watermark(sql, name: str, cursor: RollupCursor, window: Window, now: dt.datetime) -> int:
    """Count the source's new rows, remember the ids still missing, move the cursor
    (unsaved). Returns the number of new rows."""
    source = "L" if name == CURSOR else "S"
    sql.execute(f"SELECT count(*) FROM {NEW} WHERE source = %s", [source])  # noqa: S608
    rows = int(sql.fetchone()[0])
    gaps: list = []
    for lo, hi, seen in cursor.pending_gaps:
        if now - dt.datetime.fromisoformat(seen) > GAP_TTL:
            continue  # rolled back long ago: never coming
        sql.execute(*gaps_sql(source, lo - 1, hi))
        gaps += [[int(a), int(b), seen] for a, b in sql.fetchall()]
    if window.high > window.last_id:
        sql.execute(*gaps_sql(source, window.last_id, window.high))
        gaps += [[int(a), int(b), now.isoformat()] for a, b in sql.fetchall()]
    cursor.pending_gaps = gaps
    cursor.last_id = window.high
    cursor.last_rows = rows
    return rows
