"""The live rollup: whatever the ledger gained since the last run, incrementally by id.

The run asks "which partitions did rows with id > watermark touch?", which picks up late
rows (an old occurred_at, inserted today) as well as new ones, and moves the watermark.
PostgreSQL applies the new rows as deltas (rollup.delta); other databases (SQLite for
`make run`) rebuild the partitions they touched (rollup.partitions).

Ids that were missing below the new watermark (a transaction still open while we read)
are remembered for an hour; if they appear later their partitions are rebuilt too.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from analytics.models import NoOfferSession, RollupCursor
from analytics.services.rollup import delta as d
from analytics.services.rollup import sql as q
from analytics.services.rollup.partitions import (
    CURSOR,
    SOURCES,
    date_runs,
    derive,
    locked,
    names,
    partition,
    rebuild,
)
from cpo_portal.models import Operator
from offers.models import Redemption

GAP_TTL = dt.timedelta(hours=1)
INCREMENTAL_CHUNK_DAYS = 31


def touched(model, after: int, upto: int) -> dict[int, set[dt.date]]:
    """operator id -> local dates of the source rows with after < id <= upto, and of every
    other row of their orders (a new row can change how an older one counts), in SQL."""
    refs = model.objects.filter(id__gt=after, id__lte=upto).order_by().values("order_ref")
    out: dict[int, set[dt.date]] = defaultdict(set)
    for source in (Redemption, NoOfferSession):
        rows = source.objects.filter(order_ref__in=refs).order_by()
        for operator_id in rows.values_list("operator_id", flat=True).distinct():
            zone = ZoneInfo(Operator.objects.get(pk=operator_id).time_zone)
            dates = (
                rows.filter(operator_id=operator_id)
                .annotate(day=TruncDate("occurred_at", tzinfo=zone))
                .values_list("day", flat=True)
                .distinct()
            )
            out[operator_id] |= set(dates)
    return out


def find_gaps(model, after: int, upto: int) -> list[tuple[int, int]]:
    """Id ranges missing from (after, upto]: rows whose transaction had not committed."""
    found = model.objects.filter(id__gt=after, id__lte=upto).order_by()
    found = found.aggregate(n=Count("id"), top=Max("id"))
    if found["n"] == upto - after:
        return []
    if not found["n"]:
        return [(after + 1, upto)]
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"""
        SELECT prev + 1, id - 1 FROM (
            SELECT id, LAG(id, 1, %s) OVER (ORDER BY id) AS prev
            FROM {table} WHERE id > %s AND id <= %s
        ) g WHERE id - prev > 1
    """  # noqa: S608 (table names from models, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [after, after, upto])
        gaps = [(int(lo), int(hi)) for lo, hi in cursor.fetchall()]
    if found["top"] < upto:
        gaps.append((found["top"] + 1, upto))
    return gaps


def _late_rows(model, gaps: list, now: dt.datetime) -> tuple[dict[int, set[dt.date]], list, int]:
    """Rows that have appeared in remembered gaps (their partitions), the gaps still
    open, and how many rows appeared. All in SQL: a gap may span many ids."""
    found: dict[int, set[dt.date]] = defaultdict(set)
    still: list = []
    count = 0
    for lo, hi, seen in gaps:
        appeared = model.objects.filter(id__range=(lo, hi)).order_by().count()
        if appeared:
            count += appeared
            for operator_id, dates in touched(model, lo - 1, hi).items():
                found[operator_id] |= dates
        if now - dt.datetime.fromisoformat(seen) > GAP_TTL:
            continue  # rolled back long ago: never coming
        still += [[a, b, seen] for a, b in find_gaps(model, lo - 1, hi)]
    return found, still, count


@dataclass(frozen=True, slots=True)
class RunResult:
    rows: int
    partitions: int
    last_id: int
    seconds: float


def _advance(model, cursor: RollupCursor, now: dt.datetime, work) -> int:
    """Add the partitions touched since the cursor to `work`; move the cursor (unsaved).
    Returns the number of rows read."""
    late, gaps, rows = _late_rows(model, cursor.pending_gaps, now)
    for operator_id, dates in late.items():
        work[operator_id] |= dates
    high = model.objects.order_by().aggregate(m=Max("id"))["m"] or cursor.last_id
    if high > cursor.last_id:
        for operator_id, dates in touched(model, cursor.last_id, high).items():
            work[operator_id] |= dates
        fresh = find_gaps(model, cursor.last_id, high)
        rows += high - cursor.last_id - sum(hi - lo + 1 for lo, hi in fresh)
        gaps += [[lo, hi, now.isoformat()] for lo, hi in fresh]
        cursor.last_id = high
    cursor.pending_gaps = gaps
    cursor.last_rows = rows
    return rows


def run_incremental() -> RunResult:
    """Roll up whatever the ledger gained since the last run. Safe to run at any time.
    PostgreSQL applies the new rows as deltas (services.rollup.delta); other databases
    (SQLite for `make run`) rebuild the partitions the new rows touched."""
    began = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        cursors = {name: locked(name) for name in SOURCES}  # always in this order
        if connection.vendor == "postgresql":
            rows, partitions = _run_deltas(cursors, now)
        else:
            rows, partitions = _run_rebuilds(cursors, now)
        seconds = time.perf_counter() - began
        for cursor in cursors.values():
            cursor.runs += 1
            cursor.last_run_at = now
            cursor.last_duration_ms = int(seconds * 1000)
            cursor.last_partitions = partitions
            cursor.save()
    return RunResult(rows, partitions, cursors[CURSOR].last_id, seconds)


def _run_rebuilds(cursors: dict[str, RollupCursor], now: dt.datetime) -> tuple[int, int]:
    work: dict[int, set[dt.date]] = defaultdict(set)
    rows = sum(_advance(SOURCES[name], c, now, work) for name, c in cursors.items())
    partitions = 0
    operators = Operator.objects.in_bulk(list(work))
    for operator_id, dates in work.items():
        for first, last in date_runs(dates, INCREMENTAL_CHUNK_DAYS):
            rebuild(operators[operator_id], first, last)
            partitions += (last - first).days + 1
    return rows, partitions


def _run_deltas(cursors: dict[str, RollupCursor], now: dt.datetime) -> tuple[int, int]:
    """PostgreSQL: apply the new rows as deltas; returns (rows read, days touched)."""
    n = names()
    windows = {}
    for name, cursor in cursors.items():
        high = SOURCES[name].objects.order_by().aggregate(m=Max("id"))["m"] or 0
        gaps = tuple((int(lo), int(hi)) for lo, hi, _ in cursor.pending_gaps)
        windows[name] = d.Window(cursor.last_id, max(high, cursor.last_id), gaps)
    rows, partitions = 0, 0
    with connection.cursor() as sql:
        # Sorts and hashes of a million rows stay in memory; no JIT compiling (up to half
        # a second a statement, for statements that run once).
        sql.execute("SET LOCAL work_mem = '256MB'")
        sql.execute("SET LOCAL jit = off")
        sql.execute(f"DROP TABLE IF EXISTS {', '.join(d.TEMPS)}")
        sql.execute(d.new_rows_sql(n, windows[CURSOR], windows["sessions"]))
        for name, cursor in cursors.items():
            rows += _move_watermark(sql, name, cursor, windows[name], now)
        sql.execute(f"SELECT count(*) FROM {d.NEW} WHERE kind IN ({q.KIND_LIST})")  # noqa: S608
        if sql.fetchone()[0]:
            operators = connection.ops.quote_name(Operator._meta.db_table)
            for statement in d.source_sql(n, operators, windows[CURSOR], windows["sessions"]):
                sql.execute(statement)
            for statement in d.delta_sql(n):
                sql.execute(statement)
            for statement in d.periods_sql(n):
                sql.execute(statement)
            sql.execute(d.touched_days_sql())
            work: dict[int, set[dt.date]] = defaultdict(set)
            for operator_id, day in sql.fetchall():
                work[operator_id].add(day)
            by_pk = Operator.objects.in_bulk(list(work))
            for operator_id, dates in work.items():
                partitions += len(dates)
                for first, last in date_runs(dates, INCREMENTAL_CHUNK_DAYS):
                    part = partition(by_pk[operator_id], first, last)
                    derive(sql, n, part, periods=False)
        sql.execute(f"DROP TABLE IF EXISTS {', '.join(d.TEMPS)}")
    return rows, partitions


def _move_watermark(sql, name: str, cursor: RollupCursor, window, now: dt.datetime) -> int:
    """Count the source's new rows, remember the ids still missing, move the cursor
    (unsaved). Returns the number of new rows."""
    source = "L" if name == CURSOR else "S"
    sql.execute(f"SELECT count(*) FROM {d.NEW} WHERE source = %s", [source])  # noqa: S608
    rows = int(sql.fetchone()[0])
    gaps: list = []
    for lo, hi, seen in cursor.pending_gaps:
        if now - dt.datetime.fromisoformat(seen) > GAP_TTL:
            continue  # rolled back long ago: never coming
        sql.execute(*d.gaps_sql(source, lo - 1, hi))
        gaps += [[int(a), int(b), seen] for a, b in sql.fetchall()]
    if window.high > window.last_id:
        sql.execute(*d.gaps_sql(source, window.last_id, window.high))
        gaps += [[int(a), int(b), now.isoformat()] for a, b in sql.fetchall()]
    cursor.pending_gaps = gaps
    cursor.last_id = window.high
    cursor.last_rows = rows
    return rows
