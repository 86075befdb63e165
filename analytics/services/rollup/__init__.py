"""Rolling the ledger up: incrementally by ledger id, or a date range at a time.

Idempotent by construction: a partition (operator, local date) is always rebuilt whole
from the ledger (delete, then INSERT ... SELECT ... GROUP BY) inside one transaction, so
running anything twice gives the same rows. The incremental run asks "which partitions
did rows with id > watermark touch?", which picks up late rows (an old occurred_at,
inserted today) as well as new ones, rebuilds those, and moves the watermark.

Ids that were missing below the new watermark (a transaction still open while we read)
are remembered for an hour; if they appear later their partitions are rebuilt too.

Every rebuild holds the cursor row's lock (SELECT ... FOR UPDATE), so the beat task and a
backfill never rebuild the same partition at once.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.utils import timezone
from tqdm import tqdm

from analytics.models import (
    CellCustomer,
    ChannelDaily,
    CustomerKey,
    CustomerSet,
    DailyCustomer,
    DailyRollup,
    HourlyPeriod,
    HourlyRollup,
    NoOfferSession,
    OfferDaily,
    OfferScope,
    OfferScopeDaily,
    RollupCursor,
    StationDaily,
)
from analytics.services import customer_sets, hourly_periods
from analytics.services.rollup import delta as d
from analytics.services.rollup import sql as q
from cpo_portal.models import Operator
from offers.models import Redemption

CURSOR = "ledger"  # its lock is the rollup's mutex: every rebuild takes it first
SOURCES: dict[str, type[Redemption] | type[NoOfferSession]] = {
    CURSOR: Redemption,
    "sessions": NoOfferSession,
}
GAP_TTL = dt.timedelta(hours=1)
INCREMENTAL_CHUNK_DAYS = 31
BACKFILL_CHUNK_DAYS = 7


def names() -> q.Names:
    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    return q.Names(
        ledger=table(Redemption),
        sessions=table(NoOfferSession),
        daily=table(DailyRollup),
        hourly=table(HourlyRollup),
        customers=table(DailyCustomer),
        cell_customers=table(CellCustomer),
        keys=table(CustomerKey),
        offer_daily=table(OfferDaily),
        station_daily=table(StationDaily),
        channel_daily=table(ChannelDaily),
        scope=table(OfferScope),
        scope_daily=table(OfferScopeDaily),
        periods=table(HourlyPeriod),
    )


PARTITIONED = (
    DailyRollup,
    HourlyRollup,
    DailyCustomer,
    CellCustomer,
    CustomerSet,
    OfferDaily,
    StationDaily,
    ChannelDaily,
    OfferScopeDaily,
)


def day_start(day: dt.date, time_zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(time_zone))


def date_runs(dates: Iterable[dt.date], max_days: int) -> list[tuple[dt.date, dt.date]]:
    """Contiguous runs of the dates, each at most max_days long, in order."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(dates)):
        if runs and day - runs[-1][1] == dt.timedelta(days=1):
            first, _ = runs[-1]
            if (day - first).days < max_days:
                runs[-1] = (first, day)
                continue
        runs.append((day, day))
    return runs


def partition(operator: Operator, first: dt.date, last: dt.date) -> q.Partition:
    return q.Partition(
        operator.pk,
        operator.time_zone,
        day_start(first, operator.time_zone),
        day_start(last + dt.timedelta(days=1), operator.time_zone),
        first,
        last,
    )


def rebuild(
    operator: Operator, first: dt.date, last: dt.date, applied: q.Applied | None = None
) -> None:
    """Recompute [first, last] for one operator; with `applied`, from only the rows the
    live rollup has rolled up (a backfill: see q.Applied). Call inside a transaction
    holding the cursor lock (see locked())."""
    part = partition(operator, first, last)
    for model in PARTITIONED:
        model.objects.filter(operator_id=operator.pk, date__range=(first, last)).delete()
    n = names()
    with connection.cursor() as cursor:
        stage_fine(cursor, n, part, applied)
        derive(cursor, n, part, rebuilt=True)


def stage_fine(cursor, n: q.Names, part: q.Partition, applied: q.Applied | None) -> None:
    """The fine tables of the partition (n.daily, n.channel_daily, n.hourly, n.customers,
    n.cell_customers:
    the rollups, or a backfill part's own tables) from the ledger, through the stage."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL work_mem = '64MB'")  # sorts stay in memory
    cursor.execute(f"DROP TABLE IF EXISTS {q.STAGE}")
    cursor.execute(*q.stage_sql(n, part, applied))
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {q.STAGE}")  # a fresh table has no statistics
    cursor.execute(q.customer_keys_sql(n))
    cursor.execute(q.daily_sql(n))
    cursor.execute(q.channel_daily_sql(n))
    cursor.execute(*q.hourly_sql(n))
    cursor.execute(q.customers_sql(n))
    cursor.execute(q.cell_customers_sql(n))
    cursor.execute(f"DROP TABLE {q.STAGE}")


def derive(
    cursor, n: q.Names, part: q.Partition, rebuilt: bool = False, periods: bool = True
) -> None:
    """The coarser tables of [first, last] from the fresh rollups; HourlyPeriod too
    unless `periods` is False (the delta path applies its deltas instead)."""
    if not rebuilt:
        for model in (OfferDaily, StationDaily, OfferScopeDaily):
            model.objects.filter(
                operator_id=part.operator_id, date__range=(part.first, part.last)
            ).delete()
    derive_days(cursor, n, part)
    derive_scope(cursor, n, part)
    customer_sets.refresh(part.operator_id, part.first, part.last)
    if periods:
        hourly_periods.refresh(part.operator_id, part.first, part.last)


def derive_days(cursor, n: q.Names, part: q.Partition) -> None:
    """OfferDaily and StationDaily of the partition's days from its DailyRollup and
    HourlyRollup rows (n's tables: the rollups, or a backfill part's own)."""
    cursor.execute(q.offer_daily_sql(n), part.dates)
    cursor.execute(q.station_daily_sql(n), [*part.dates, *part.dates])


def derive_scope(cursor, n: q.Names, part: q.Partition) -> None:
    """The offers' scope cells the partition used, and its days' scope revenue (with
    every scope cell known so far); new cells add theirs to the offers' other days."""
    cursor.execute(q.scope_sql(n), part.dates)
    grown = [int(row[0]) for row in cursor.fetchall()]
    cursor.execute(q.scope_daily_sql(n), part.dates)
    if grown:  # the new cells count on every other day of the offers' history too
        cursor.execute(q.scope_grown_sql(n, grown), part.dates)


def locked(name: str = CURSOR) -> RollupCursor:
    """The cursor row, locked until the surrounding transaction ends."""
    RollupCursor.objects.get_or_create(name=name)
    return RollupCursor.objects.select_for_update().get(name=name)


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


Marks = dict[str, list]  # cursor name -> [watermark, gaps]: what the live rollup has read


def watermarks() -> Marks:
    """Where the live rollup stands: per source, its watermark and the ids it still waits
    on below it."""
    marks: Marks = {}
    for name in SOURCES:
        cursor, _ = RollupCursor.objects.get_or_create(name=name)
        marks[name] = [cursor.last_id, [[int(lo), int(hi)] for lo, hi, _ in cursor.pending_gaps]]
    return marks


def applied_of(marks: Marks) -> q.Applied:
    """The rows rolled up at `marks`, as conditions a rebuild reads with (q.Applied)."""

    def window(name: str) -> d.Window:
        last_id, gaps = marks[name]
        return d.Window(int(last_id), int(last_id), tuple((int(a), int(b)) for a, b in gaps))

    return q.Applied(window(CURSOR).applied_sql("id"), window("sessions").applied_sql("id"))


def backfill_units(
    first: dt.date, last: dt.date, operators: Iterable[Operator] | None = None
) -> list[tuple[Operator, dt.date, dt.date]]:
    """The backfill's units of work, in the order one task rebuilds them: per operator
    (default: all), a week at a time."""
    if last < first:
        raise ValueError("the end date is before the start date")
    chosen = list(operators if operators is not None else Operator.objects.order_by("pk"))
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return [(op, a, b) for op in chosen for a, b in date_runs(days, BACKFILL_CHUNK_DAYS)]


def backfill(
    first: dt.date,
    last: dt.date,
    operators: Iterable[Operator] | None = None,
    progress: bool = True,
    out=None,
) -> int:
    """Rebuild [first, last] (local dates) for the operators given (default: all), a week
    per transaction. Returns the number of partitions rebuilt.

    The live rollup first catches up (so every row committed by now counts); each week is
    then rebuilt from the rows the live rollup has read, under its lock, so rows that
    arrive meanwhile are added once, by the live rollup's next run (q.Applied)."""
    chunks = backfill_units(first, last, operators)
    run_incremental()
    bar = tqdm(chunks, desc="rollup", unit="week", disable=not progress, file=out)
    for operator, a, b in bar:
        bar.set_postfix_str(f"{operator.code} {a:%Y-%m-%d}")
        with transaction.atomic():
            locked()
            rebuild(operator, a, b, applied_of(watermarks()))
    return ((last - first).days + 1) * len({op.pk for op, _, _ in chunks})
