"""The SQL that rebuilds one (operator, local date range) partition from the ledger.

The partition's ledger rows are read once into a temporary table (`stage`), with the
window functions that decide how each row counts, and every rollup table is then one
INSERT ... SELECT ... GROUP BY over it: the database aggregates, Python never loops over
rows. The same text runs on PostgreSQL and SQLite; the only vendor-specific pieces (local
date of a timestamp, day of week) come from Django's own backend operations, the ones
TruncDate and ExtractIsoWeekDay use.

How ledger rows count (see docs/analytics.md):
- `latest` picks the last of repeated steps per (order, offer, kind): a re-sent step is
  not counted twice.
- `live` marks the delivered session's rows (kind settled, latest), one per offer; among
  them `pos` 1 is the order's *primary* row (not held out, largest discount), which
  carries the order-level figures (energy, gross, surge, net, tax) so that they count
  once per session. Sessions without offers arrive as settled rows of offer None; one
  billed in another currency than its operator's counts nowhere (OTHER_CURRENCY).
- a live row is a *use* of its offer when offers' one definition says so (USE_SQL: not
  held out, a discount given); quoted and confirmed rows are steps, never counted as
  uses. Reversed rows count reversals and the discount recovered, held_out rows the
  sessions of customers withheld from the offer.

What each row adds to each measure is declared once, in analytics.models.measures; the
statements here are written from that list, and the delta rollup (rollup.delta) runs the
same ones over its stage of signed rows (the *_select functions, cell_facts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection

from analytics.calc.hour_bands import sql_case
from analytics.models.measures import CELL, HOUR, kept_in, stored
from analytics.models.sessions import IN_OPERATOR_CURRENCY_SQL

KINDS = ("settled", "redeemed", "reversed", "held_out")
STAGE = "analytics_rollup_stage"
MEASURES = ", ".join(stored(CELL))  # the measures of a cell (DailyRollup, ChannelDaily)
SUMS = ", ".join(f"SUM({m})" for m in stored(CELL))
HOUR_MEASURES = ", ".join(stored(HOUR))


@dataclass(frozen=True, slots=True)
class Names:
    """Table names, read from the models so that a rename is followed."""

    ledger: str
    sessions: str
    daily: str
    hourly: str
    customers: str
    cell_customers: str
    keys: str
    offer_daily: str
    station_daily: str
    channel_daily: str
    scope: str
    scope_daily: str
    periods: str


@dataclass(frozen=True, slots=True)
class Partition:
    """One operator's ledger rows with occurred_at in [start, end): whole local days."""

    operator_id: int
    time_zone: str
    start: dt.datetime  # aware
    end: dt.datetime
    first: dt.date
    last: dt.date

    @property
    def window(self) -> list[Any]:
        """operator id, start, end as raw SQL parameters (SQLite stores naive UTC text)."""
        adapt = connection.ops.adapt_datetimefield_value
        return [self.operator_id, adapt(self.start), adapt(self.end)]

    @property
    def dates(self) -> list[Any]:
        return [self.operator_id, self.first, self.last]


@dataclass(frozen=True, slots=True)
class Applied:
    """The rows the live (incremental) rollup has rolled up, as SQL conditions on `id` of
    the ledger and of the sessions without offers: at or below its watermark and not in a
    gap it is still waiting on. A rebuild that reads only these leaves the rollup tables
    as the live rollup believes them to be, so its next run adds the newer rows once."""

    ledger: str
    sessions: str


SOURCE_COLUMNS = (
    "id, operator_id, order_ref, kind, seq, offer_id, offer_type, station_id, region_code, "
    "customer_key, held_out, session_start_hour, energy_kwh, gross_amount, surge_amount, "
    "discount, tax_amount, net_amount, finder_fee_amount, buffer_amount, occurred_at, channel"
)
# A session counts only in its operator's currency (models.sessions, the one rule): one in
# another currency is read with kind OTHER_CURRENCY, which no statement counts (KINDS), so
# every path that reads the sessions (the rebuild's stage, the live rollup's new rows and
# the delta's older rows) leaves it out of every table, and its order's other rows count.
OTHER_CURRENCY = "other_currency"
SESSION_AS_SOURCE = (
    "id, operator_id, order_ref, "
    f"CASE WHEN {IN_OPERATOR_CURRENCY_SQL} THEN 'settled' ELSE '{OTHER_CURRENCY}' END, "
    "0, NULL, '', station_id, region_code, "
    "customer_key, FALSE, session_start_hour, energy_kwh, gross_amount, surge_amount, 0, "
    "tax_amount, net_amount, finder_fee_amount, buffer_amount, occurred_at, channel"
)
KIND_LIST = ", ".join(f"'{k}'" for k in KINDS)


def ranked_sql(source: str, date_sql: str, by: str = "") -> str:
    """CTEs ranked, flagged, staged: the window functions over `source` rows
    (SOURCE_COLUMNS; `d` is added, the local date): `latest`, `live`, `pos` and `band`,
    per order over all its rows (whatever their dates), partitioned further by the
    columns `by` (e.g. "s.sign, ")."""
    return f"""
    ranked AS (
        SELECT s.*, {date_sql} AS d,
               ROW_NUMBER() OVER (
                   PARTITION BY {by}s.order_ref, s.offer_id, s.kind
                   ORDER BY s.seq DESC, s.id DESC
               ) AS latest
        FROM {source} s
    ),
    flagged AS (
        SELECT r.*, CASE WHEN r.kind = 'settled' AND r.latest = 1 THEN 1 ELSE 0 END AS live
        FROM ranked r
    ),
    staged AS (
        SELECT f.*, {sql_case("f.session_start_hour")} AS band,
               ROW_NUMBER() OVER (
                   PARTITION BY {by.replace("s.", "f.")}f.order_ref, f.live
                   ORDER BY CASE WHEN f.held_out THEN 1 ELSE 0 END, f.discount DESC, f.offer_id
               ) AS pos
        FROM flagged f
    )
    """  # noqa: S608 (names from models)


def stage_sql(
    names: Names, part: Partition, applied: Applied | None = None
) -> tuple[str, list[Any]]:
    """CREATE TEMP TABLE stage: the partition's ledger rows, ranked once. The windows see
    every row of the partition's orders (a re-sent step or a settlement on another day
    counts once, on its own day); only the partition's own rows are kept, each with `sign`
    1 (rows of the delta rollup's stage take their contribution away with -1). With
    `applied`, only the rows the live rollup has rolled up (see Applied)."""
    date_sql, date_params = connection.ops.datetime_cast_date_sql(
        "s.occurred_at", (), part.time_zone
    )
    mine, theirs = (applied.ledger, applied.sessions) if applied else ("TRUE", "TRUE")
    where = "operator_id = %s AND occurred_at >= %s AND occurred_at < %s"
    adapt = connection.ops.adapt_datefield_value
    sql = f"""
    CREATE TEMPORARY TABLE {STAGE} AS
    WITH orders AS (
        SELECT order_ref FROM {names.ledger}
        WHERE {where} AND kind IN ({KIND_LIST}) AND ({mine})
        UNION
        SELECT order_ref FROM {names.sessions} WHERE {where} AND ({theirs})
    ),
    src AS (
        SELECT {SOURCE_COLUMNS} FROM {names.ledger}
        WHERE kind IN ({KIND_LIST}) AND order_ref IN (SELECT order_ref FROM orders)
          AND ({mine})
        UNION ALL
        SELECT {SESSION_AS_SOURCE} FROM {names.sessions}
        WHERE order_ref IN (SELECT order_ref FROM orders) AND ({theirs})
    ),
    {ranked_sql("src", date_sql)}
    SELECT 1 AS sign, staged.* FROM staged WHERE d >= %s AND d <= %s
    """  # noqa: S608 (table names from models, values are parameters)
    return sql, [*part.window, *part.window, *date_params, adapt(part.first), adapt(part.last)]


CELL_DIMS = "operator_id, d, offer_id, offer_type, station_id, region_code, band"


def cell_facts(stage: str, dims: str, live_dims: str = "") -> str:
    """What each staged row adds to its cell, in MEASURES' order after `dims` (`live_dims`
    for the live rows, when they differ): the live rows, the reversed rows and the
    held-out rows. The rebuild and the delta rollup (rollup.delta) both read it."""
    measures = kept_in(CELL)

    def rows(dims: str, adds: list[str], where: str) -> str:
        facts = ", ".join(f"{add} AS {m.name}" for m, add in zip(measures, adds, strict=True))
        return f"SELECT {dims}, {facts} FROM {stage} WHERE {where}"  # noqa: S608

    return "\nUNION ALL\n".join([
        rows(live_dims or dims, [m.cell or "0" for m in measures], "live = 1"),
        rows(dims, [m.reversed for m in measures], "kind = 'reversed'"),
        rows(dims, [m.held_out for m in measures], "kind = 'held_out' AND latest = 1"),
    ])  # fmt: skip


def hour_sums(sign: str = "") -> str:
    """What a session's primary row adds to its HourlyRollup cell, summed (`sign`:
    "sign * " for the delta rollup)."""
    return ", ".join(f"SUM({sign}{m.hour}) AS {m.name}" for m in kept_in(HOUR))


# The rows of the fine tables from a stage with customer ids (`customer_id`): keyed() of
# this module's (`sign` "": every row adds), or the delta rollup's (`sign` "sign * ": its
# signed differences, rollup.delta).


def keyed(names: Names) -> str:
    """The stage with its customers' ids (customer_keys_sql first)."""
    return f"""(SELECT t.*, k.id AS customer_id
    FROM {STAGE} t JOIN {names.keys} k ON k."key" = t.customer_key)"""  # noqa: S608


def channels_select(stage: str, sign: str) -> str:
    """ChannelDaily: DailyRollup's facts by channel."""
    sums = ", ".join(f"SUM({sign}{m}) AS {m}" for m in stored(CELL))
    return f"""
    WITH facts AS ({cell_facts(stage, f"sign, {CHANNEL_DIMS}")})
    SELECT {CHANNEL_DIMS}, SUM(sign) AS facts, {sums} FROM facts GROUP BY {CHANNEL_DIMS}
    """  # noqa: S608 (names from models)


def hours_select(stage: str, sign: str) -> str:
    """HourlyRollup's cells: sessions per station, local start hour and channel."""
    return f"""
    SELECT operator_id, d, station_id, region_code, session_start_hour AS hour, channel,
           {hour_sums(sign)}
    FROM {stage} s WHERE live = 1 AND pos = 1
    GROUP BY operator_id, d, station_id, region_code, session_start_hour, channel
    """  # noqa: S608 (names from models)


def cell_customers_select(stage: str) -> str:
    """Who charged in each DailyRollup cell (identified primary sessions): CellCustomer."""
    return f"""
    SELECT operator_id, d, offer_id, station_id, region_code, band, customer_id,
           SUM(sign) AS sessions
    FROM {stage} s WHERE live = 1 AND pos = 1 AND customer_id IS NOT NULL
    GROUP BY operator_id, d, offer_id, station_id, region_code, band, customer_id
    HAVING SUM(sign) <> 0
    """  # noqa: S608 (names from models)


def people_select(stage: str, sign: str) -> str:
    """Who charged, per offer and arm (DailyCustomer). Both arms of a holdout are counted
    at the same step, confirmation: `redeemed` rows are the treated, `held_out` rows
    (written at confirmation with the quoted figures) the control, so their figures
    compare like with like. Sessions without offers count under offer None."""
    return f"""
    SELECT operator_id, d, station_id, region_code, offer_id, MAX(offer_type) AS offer_type,
           kind = 'held_out' AS held_out, customer_id, SUM(sign) AS sessions,
           SUM({sign}gross_amount) AS revenue,
           SUM({sign}CASE WHEN kind = 'held_out' THEN 0 ELSE discount END) AS discount
    FROM {stage} s
    WHERE latest = 1 AND customer_id IS NOT NULL AND (
        kind IN ('redeemed', 'held_out') OR (kind = 'settled' AND offer_id IS NULL))
    GROUP BY operator_id, d, station_id, region_code, offer_id, kind = 'held_out', customer_id
    """  # noqa: S608 (names from models)


CUSTOMER = "CASE WHEN pos = 1 AND customer_key <> '' THEN customer_key END AS customer"


def daily_sql(names: Names) -> str:
    return f"""
    INSERT INTO {names.daily} (
        operator_id, date, offer_id, offer_type, station_id, region_code, hour_band,
        customers, facts, {MEASURES}
    )
    WITH facts AS ({cell_facts(STAGE, f"{CELL_DIMS}, NULL", f"{CELL_DIMS}, {CUSTOMER}")})
    SELECT operator_id, d, offer_id, MAX(offer_type), station_id, region_code, band,
           COUNT(DISTINCT customer), COUNT(*), {SUMS}
    FROM facts
    GROUP BY operator_id, d, offer_id, station_id, region_code, band
    """  # noqa: S608 (table names from models, values are parameters)


CHANNEL_DIMS = "operator_id, d, station_id, region_code, channel"


def channel_daily_sql(names: Names) -> str:
    return f"""
    INSERT INTO {names.channel_daily} (
        operator_id, date, station_id, region_code, channel, facts, {MEASURES}
    )
    {channels_select(STAGE, "")}
    """


def hourly_sql(names: Names) -> tuple[str, list[Any]]:
    """HourlyRollup: sessions per station, local start hour and channel; `surge_day` is
    the station's day, whichever channel paid the surge."""
    weekday_sql, weekday_params = connection.ops.date_extract_sql("iso_week_day", "c.d", ())
    sql = f"""
    INSERT INTO {names.hourly} (
        operator_id, date, station_id, region_code, hour, channel, weekend, surge_day,
        {HOUR_MEASURES}
    )
    WITH cells AS ({hours_select(STAGE, "")})
    SELECT c.operator_id, c.d, c.station_id, c.region_code, c.hour, c.channel,
           {weekday_sql} >= 6,
           MAX(c.surge_sessions) OVER (PARTITION BY c.station_id, c.d) > 0,
           {", ".join(f"c.{m}" for m in stored(HOUR))}
    FROM cells c
    """  # noqa: S608 (table names from models, values are parameters)
    return sql, [*weekday_params]


def customer_keys_sql(names: Names, source: str) -> str:
    """Integer ids for the customers of `source`'s rows (SOURCE_COLUMNS)."""
    return f"""
    INSERT INTO {names.keys} ("key")
    SELECT DISTINCT customer_key FROM {source}
    WHERE customer_key <> '' AND kind IN ('redeemed', 'held_out', 'settled')
    ON CONFLICT ("key") DO NOTHING
    """  # noqa: S608 (table names from models, values are parameters)


def cell_customers_sql(names: Names) -> str:
    return f"""
    INSERT INTO {names.cell_customers} (
        operator_id, date, offer_id, station_id, region_code, hour_band, customer_id, sessions
    )
    {cell_customers_select(keyed(names))}
    """


def customers_sql(names: Names) -> str:
    return f"""
    INSERT INTO {names.customers} (
        operator_id, date, station_id, region_code, offer_id, offer_type, held_out,
        customer_id, sessions, revenue, discount
    )
    {people_select(keyed(names), "")}
    """
