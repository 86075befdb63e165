# ruff: noqa: S608  (SQL built from model table names and integer ids; values are parameters)
"""The incremental rollup on PostgreSQL: only the orders that new rows touched, as deltas.

Every rollup table is a sum of per-order contributions (an order's rows, ranked by the
window functions of rollup.sql and summed by its statements, give its facts). A run
takes the new rows (rollup.new_rows: ids above the watermark, and ids that appeared in
remembered gaps), reads every counted row of the orders they belong to, and computes
each order's contribution twice: before (its rows already rolled up, sign -1) and after
(all its rows, sign +1). The difference is added to the tables (UPDATE existing rows,
INSERT missing ones, DELETE rows whose count fell to zero), in the transaction that
moves the watermark. So a re-sent step, a reversal after settlement or a change of an
order's primary offer take the old contribution away, and the result equals a rebuild
from the ledger. Distinct customers stay exact through per-customer rows (DailyCustomer,
CellCustomer) whose session counts are kept: a customer is counted in a cell while their
count there is above zero.

Coarser tables (OfferDaily, StationDaily, OfferScopeDaily) are derived again for the
touched days from the fine ones, as the rebuild does.

The work tables (TEMPS) are UNLOGGED, not TEMPORARY: PostgreSQL never gives a temporary
table's scans and sorts to parallel workers (the stage's sort is slower without them:
bench/results/rollup_backfill.md). Their names are fixed, which is safe because they live only
inside the run's transaction, after the cursor lock (rollup.incremental): created and
dropped before COMMIT, so no other session ever sees them and a failed run leaves none.
"""

from __future__ import annotations

from analytics.models import (
    CellCustomer,
    ChannelDaily,
    DailyCustomer,
    DailyRollup,
    HourlyPeriod,
    HourlyRollup,
)
from analytics.models.measures import CELL, HOUR, PERIOD, key_of, stored
from analytics.models.periods import BLOCK, MONTH
from analytics.services.rollup import apply as a
from analytics.services.rollup import sql as q
from analytics.services.rollup.new_rows import NEW, Window

ORDERS = "analytics_inc_orders"
SRC = "analytics_inc_src"
STAGE = "analytics_inc_stage"
DAILY = "analytics_inc_daily"
CELLS = "analytics_inc_cells"
AFTER = "analytics_inc_cells_after"
CAME = "analytics_inc_came"
PEOPLE = "analytics_inc_people"
HOURLY = "analytics_inc_hourly"
CHANNELS = "analytics_inc_channels"
PERIODS = "analytics_inc_periods"
TEMPS = (NEW, ORDERS, SRC, STAGE, DAILY, CELLS, AFTER, CAME, PEOPLE, HOURLY, PERIODS, CHANNELS)


def source_sql(names: q.Names, operators: str, ledger: Window, sessions: Window) -> list[str]:
    """ORDERS: orders with a new counted row; SRC: every counted row of those orders
    that is new (from NEW) or was rolled up before (rows committed meanwhile wait for the
    next run), with `fresh`; STAGE: SRC ranked twice (before: sign -1, after: +1).

    The rows rolled up before are found through the order_ref index, one probe per order
    in order_ref order (OFFSET 0 keeps each probe a nested loop): most new orders have no
    older rows, and a hash join would read the whole ledger to find the few that do."""
    kinds = q.KIND_LIST
    cols = ", ".join(f"l.{c.strip()}" for c in q.SOURCE_COLUMNS.split(","))
    session_cols = q.SESSION_AS_SOURCE.replace("id, operator_id, order_ref,", "")
    staged_cols = ", ".join(
        f"v.{c.strip()}" for c in q.SOURCE_COLUMNS.split(",") if c.strip() != "customer_key"
    )
    return [
        f"""CREATE UNLOGGED TABLE {ORDERS} AS
        SELECT DISTINCT order_ref FROM {NEW} WHERE kind IN ({kinds}) ORDER BY order_ref""",
        f"ANALYZE {ORDERS}",
        f"""CREATE UNLOGGED TABLE {SRC} AS
        SELECT {q.SOURCE_COLUMNS}, TRUE AS fresh FROM {NEW} WHERE kind IN ({kinds})
        UNION ALL
        SELECT {cols}, FALSE FROM {ORDERS} o CROSS JOIN LATERAL (
            SELECT {q.SOURCE_COLUMNS} FROM {names.ledger} l
            WHERE l.order_ref = o.order_ref AND l.kind IN ({kinds})
              AND {ledger.applied_sql("l.id")}
            OFFSET 0
        ) l
        UNION ALL
        SELECT s.id, s.operator_id, s.order_ref, {session_cols}, FALSE
        FROM {ORDERS} o CROSS JOIN LATERAL (
            SELECT * FROM {names.sessions} s
            WHERE s.order_ref = o.order_ref AND {sessions.applied_sql("s.id")}
            OFFSET 0
        ) s""",
        # the customers' integer ids from here on (STAGE rows narrower by a 64-character
        # key, and no join with the keys in each statement that counts customers)
        q.customer_keys_sql(names, SRC),
        f"""CREATE UNLOGGED TABLE {STAGE} AS
        WITH signed AS (
            SELECT -1 AS sign, s.* FROM {SRC} s WHERE NOT s.fresh
            UNION ALL
            SELECT 1 AS sign, s.* FROM {SRC} s
        ),
        zoned AS (
            SELECT v.sign, {staged_cols}, k.id AS customer_id, op.time_zone AS zone
            FROM signed v
            JOIN {operators} op ON op.id = v.operator_id
            LEFT JOIN {names.keys} k ON k."key" = v.customer_key
        ),
        {q.ranked_sql("zoned", "(s.occurred_at AT TIME ZONE s.zone)::date", "s.sign, ")}
        SELECT * FROM staged""",
        f"ANALYZE {STAGE}",
    ]


_CELL = "operator_id, d, offer_id, station_id, region_code, band"
SIGN = "sign * "  # each row's figures count with its sign (rollup.sql's statements)
STAGED = {"date": "d", "hour_band": "band"}  # a table's key column: its name in the stage


def staged_key(model) -> tuple[str, ...]:
    """The model's unique key, each column "table column:work table column" where the
    work tables name it differently (a.Target)."""
    return tuple(f"{c}:{STAGED[c]}" if c in STAGED else c for c in key_of(model))


DAILY_KEY = staged_key(DailyRollup)
CELL_KEY = staged_key(CellCustomer)
PEOPLE_KEY = staged_key(DailyCustomer)
HOURLY_KEY = staged_key(HourlyRollup)
CHANNEL_KEY = staged_key(ChannelDaily)
PERIOD_KEY = key_of(HourlyPeriod)
HOURLY_MEASURES = stored(HOUR)
PERIOD_MEASURES = stored(PERIOD)
PEOPLE_MEASURES = ("sessions", "revenue", "discount")
# The first day of a date's block (days 1-7, 8-14, 15-21, 22-28, 29-end: calc.periods)
# and of its month.
BLOCK_START = "(date_trunc('month', d)::date + ((EXTRACT(DAY FROM d)::int - 1) / 7) * 7)"
MONTH_START = "date_trunc('month', d)::date"
GREATER_TYPE = "GREATEST(t.offer_type, {new}.offer_type)"


def _delta_names(key: tuple[str, ...]) -> list[str]:
    return [c.split(":")[-1] for c in key]


def delta_sql(names: q.Names) -> list[str]:
    """The signed differences per table, then added to the tables (rollup.apply)."""
    m = stored(CELL)
    signed = ", ".join(f"SUM({SIGN}{c}) AS {c}" for c in m)
    daily_added = ("facts", "customers", *m)
    return [
        # -- who charged in each cell: the change of their session counts, applied; AFTER
        # gets each changed row's count after, to tell the customers who came (count
        # after = change) or went (count after 0) ----------------------------------------
        f"CREATE UNLOGGED TABLE {CELLS} AS {q.cell_customers_select(STAGE)}",
        f"ANALYZE {CELLS}",
        f"CREATE UNLOGGED TABLE {AFTER} AS SELECT * FROM {CELLS} WITH NO DATA",
        *a.Target(
            names.cell_customers,
            CELLS,
            CELL_KEY,
            ("sessions",),
            ("sessions",),
            "sessions",
            returning=AFTER,
        ).sql(),
        # -- the customers who came (+1) or went (-1), per DailyRollup cell: a hash join
        # (the planner, misjudging the join's size, sorted both sides for a merge join)
        "SET LOCAL enable_mergejoin = off",
        f"""CREATE UNLOGGED TABLE {CAME} AS
        SELECT c.operator_id, c.d, c.offer_id, c.station_id, c.region_code, c.band,
               SUM(CASE WHEN x.sessions = 0 THEN -1 WHEN x.sessions = c.sessions THEN 1
                        ELSE 0 END) AS customers
        FROM {CELLS} c JOIN {AFTER} x ON {a.match("x", "c", _delta_names(CELL_KEY))}
        GROUP BY c.operator_id, c.d, c.offer_id, c.station_id, c.region_code, c.band""",
        "SET LOCAL enable_mergejoin = DEFAULT",
        # -- DailyRollup cells ------------------------------------------------------------
        f"""CREATE UNLOGGED TABLE {DAILY} AS
        WITH facts AS (
            {q.cell_facts(STAGE, f"sign, {q.CELL_DIMS}, 0 AS customers")}
            UNION ALL
            SELECT 0, operator_id, d, offer_id, NULL, station_id, region_code, band,
                   customers, {", ".join("0" for _ in m)}
            FROM {CAME} WHERE customers <> 0
        )
        SELECT {_CELL}, MAX(offer_type) AS offer_type, SUM(sign) AS facts,
               SUM(customers) AS customers, {signed}
        FROM facts GROUP BY {_CELL}""",
        f"ANALYZE {DAILY}",
        *a.Target(
            names.daily,
            DAILY,
            DAILY_KEY,
            daily_added,
            a.checked(DailyRollup, daily_added),
            "facts",
            inserted=(("offer_type", "d.offer_type"),),
            merged=(("offer_type", GREATER_TYPE),),
        ).sql(),
        # -- ChannelDaily: DailyRollup's facts by channel ----------------------------------
        f"CREATE UNLOGGED TABLE {CHANNELS} AS {q.channels_select(STAGE, SIGN)}",
        *a.Target(
            names.channel_daily,
            CHANNELS,
            CHANNEL_KEY,
            ("facts", *m),
            a.checked(ChannelDaily, ("facts", *m)),
            "facts",
        ).sql(),
        # -- DailyCustomer ----------------------------------------------------------------
        f"CREATE UNLOGGED TABLE {PEOPLE} AS {q.people_select(STAGE, SIGN)}",
        f"ANALYZE {PEOPLE}",
        *a.Target(
            names.customers,
            PEOPLE,
            PEOPLE_KEY,
            PEOPLE_MEASURES,
            a.checked(DailyCustomer, PEOPLE_MEASURES),
            "sessions",
            inserted=(("offer_type", "d.offer_type"),),
            merged=(("offer_type", GREATER_TYPE),),
        ).sql(),
        # -- HourlyRollup -----------------------------------------------------------------
        f"CREATE UNLOGGED TABLE {HOURLY} AS {q.hours_select(STAGE, SIGN)}",
        f"ANALYZE {HOURLY}",
        *a.Target(
            names.hourly,
            HOURLY,
            HOURLY_KEY,
            HOURLY_MEASURES,
            a.checked(HourlyRollup, HOURLY_MEASURES),
            "sessions",
            inserted=(("weekend", "EXTRACT(ISODOW FROM d.d) >= 6"), ("surge_day", "FALSE")),
        ).sql(),
        # surge_day: any surged session at the station that day (one probe per
        # station-day, not once per hour row: the CTE is materialized first), the rows
        # found through the unique index (a merge join on its first two columns
        # compared every touched station-day with every hour row of the day)
        "SET LOCAL enable_mergejoin = off",
        f"""WITH x AS MATERIALIZED (
            SELECT a.operator_id, a.d, a.station_id, EXISTS (
                SELECT 1 FROM {names.hourly} h
                WHERE h.operator_id = a.operator_id AND h.date = a.d
                  AND COALESCE(h.station_id, 0) = COALESCE(a.station_id, 0)
                  AND h.surge_sessions > 0
            ) AS surged
            FROM (SELECT DISTINCT operator_id, d, station_id FROM {HOURLY}) a
        )
        UPDATE {names.hourly} t SET surge_day = x.surged FROM x
        WHERE x.operator_id = t.operator_id AND x.d = t.date
          AND COALESCE(x.station_id, 0) = COALESCE(t.station_id, 0)
          AND t.surge_day IS DISTINCT FROM x.surged""",
        "SET LOCAL enable_mergejoin = DEFAULT",
    ]


def periods_sql(names: q.Names) -> list[str]:
    """HourlyPeriod takes the hourly deltas summed per block and month: the same sums as
    a refresh from HourlyRollup, without reading the untouched cells. A row goes when its
    sessions fall to zero (HourlyRollup keeps no empty row, so neither does a sum of
    them)."""
    keys = ", ".join(PERIOD_KEY)
    sums = ", ".join(f"SUM({c}) AS {c}" for c in PERIOD_MEASURES)
    return [
        f"""CREATE UNLOGGED TABLE {PERIODS} AS
        SELECT {keys}, {sums} FROM (
            SELECT h.*, EXTRACT(ISODOW FROM h.d) >= 6 AS weekend, g.grain,
                   CASE WHEN g.grain = '{BLOCK}' THEN {BLOCK_START} ELSE {MONTH_START} END
                       AS start
            FROM {HOURLY} h CROSS JOIN (VALUES ('{BLOCK}'), ('{MONTH}')) g (grain)
        ) x GROUP BY {keys}""",
        f"ANALYZE {PERIODS}",
        *a.Target(
            names.periods,
            PERIODS,
            PERIOD_KEY,
            PERIOD_MEASURES,
            a.checked(HourlyPeriod, PERIOD_MEASURES),
            "sessions",
        ).sql(),
    ]


def touched_days_sql() -> str:
    return f"SELECT DISTINCT operator_id, d FROM {STAGE} ORDER BY 1, 2"
