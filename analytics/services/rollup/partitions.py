"""A partition of the rollups (operator, local dates) rebuilt whole from the ledger.

A rebuild deletes the partition's rows and recomputes them (INSERT ... SELECT ... GROUP BY)
inside the caller's transaction, so running it twice gives the same rows. Every rebuild
holds the cursor row's lock (locked()), so the beat task and a backfill never rebuild the
same partition at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDate

from analytics.calc.periods import day_start
from analytics.models import (
    CellCustomer,
    ChannelDaily,
    CustomerKey,
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
from analytics.services.rollup import coarse_sql as c
from analytics.services.rollup import sql as q
from cpo_portal.models import Operator
from offers.models import Redemption

CURSOR = "ledger"  # its lock is the rollup's mutex: every rebuild takes it first
SOURCES: dict[str, type[Redemption] | type[NoOfferSession]] = {
    CURSOR: Redemption,
    "sessions": NoOfferSession,
}


# The tables of the rollup's SQL, by their rollup.sql.Names attribute.
TABLES = {
    "ledger": Redemption,
    "sessions": NoOfferSession,
    "daily": DailyRollup,
    "hourly": HourlyRollup,
    "customers": DailyCustomer,
    "cell_customers": CellCustomer,
    "keys": CustomerKey,
    "offer_daily": OfferDaily,
    "station_daily": StationDaily,
    "channel_daily": ChannelDaily,
    "scope": OfferScope,
    "scope_daily": OfferScopeDaily,
    "periods": HourlyPeriod,
}
# The fine tables a rebuild empties first (derive() empties the coarser ones).
FINE = (DailyRollup, HourlyRollup, DailyCustomer, CellCustomer, ChannelDaily)


def names() -> q.Names:
    quote = connection.ops.quote_name
    return q.Names(**{name: quote(model._meta.db_table) for name, model in TABLES.items()})


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
    for model in FINE:
        model.objects.filter(operator_id=operator.pk, date__range=(first, last)).delete()
    n = names()
    with connection.cursor() as cursor:
        stage_fine(cursor, n, part, applied)
        derive(cursor, n, part)


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
    cursor.execute(q.customer_keys_sql(n, q.STAGE))
    cursor.execute(q.daily_sql(n))
    cursor.execute(q.channel_daily_sql(n))
    cursor.execute(*q.hourly_sql(n))
    cursor.execute(q.customers_sql(n))
    cursor.execute(q.cell_customers_sql(n))
    cursor.execute(f"DROP TABLE {q.STAGE}")


def derive(cursor, n: q.Names, part: q.Partition, periods: bool = True) -> None:
    """The coarser tables of [first, last] from the fresh rollups; HourlyPeriod too
    unless `periods` is False (the delta path applies its deltas instead)."""
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
    cursor.execute(c.offer_daily_sql(n), part.dates)
    cursor.execute(c.station_daily_sql(n), [*part.dates, *part.dates])


def derive_scope(cursor, n: q.Names, part: q.Partition) -> None:
    """The offers' scope cells the partition used, and its days' scope revenue (with
    every scope cell known so far); new cells add theirs to the offers' other days."""
    cursor.execute(c.scope_sql(n), part.dates)
    grown = [int(row[0]) for row in cursor.fetchall()]
    cursor.execute(c.scope_daily_sql(n), part.dates)
    if grown:  # the new cells count on every other day of the offers' history too
        cursor.execute(c.scope_grown_sql(n, grown), part.dates)


def touched(refs: str) -> dict[int, set[dt.date]]:
    """operator id -> local dates of every row, in both sources, of the orders `refs` (SQL
    giving order_refs) names: a new row can change how an older one of its order counts."""
    orders = RawSQL(refs, ())  # noqa: S611 (SQL of this package's)
    out: dict[int, set[dt.date]] = defaultdict(set)
    zones = dict(Operator.objects.values_list("pk", "time_zone"))  # a few rows, read once
    for source in SOURCES.values():
        rows = source.objects.filter(order_ref__in=orders).order_by()
        for operator_id in rows.values_list("operator_id", flat=True).distinct():
            zone = ZoneInfo(zones[operator_id])
            dates = (
                rows.filter(operator_id=operator_id)
                .annotate(day=TruncDate("occurred_at", tzinfo=zone))
                .values_list("day", flat=True)
                .distinct()
            )
            out[operator_id] |= set(dates)
    return out


def locked(name: str = CURSOR) -> RollupCursor:
    """The cursor row, locked until the surrounding transaction ends."""
    RollupCursor.objects.get_or_create(name=name)
    return RollupCursor.objects.select_for_update().get(name=name)
