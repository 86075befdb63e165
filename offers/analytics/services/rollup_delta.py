# ruff: noqa: S608  (SQL built from model table names and integer ids; values are parameters)
"""The incremental rollup on PostgreSQL: only the orders that new rows touched, as deltas.

Every rollup table is a sum of per-order contributions (an order's rows, ranked by the
window functions of rollup_sql, give its facts). A run reads the new rows (ids above the
watermark, and ids that appeared in remembered gaps), then every counted row of the orders
they belong to, and computes each order's contribution twice: before (its rows already
rolled up, sign -1) and after (all its rows, sign +1). The difference is added to the
tables (UPDATE existing rows, INSERT missing ones, DELETE rows whose count fell to zero),
in the transaction that moves the watermark. So a re-sent step, a reversal after
settlement or a change of an order's primary offer take the old contribution away, and
the result equals a rebuild from the ledger. Distinct customers stay exact through
per-customer rows (DailyCustomer, CellCustomer) whose session counts are kept: a customer
is counted in a cell while their count there is above zero.

Coarser tables (OfferDaily, StationDaily, OfferScopeDaily) are derived again for the
touched days from the fine ones, as the rebuild does.
"""

from __future__ import annotations

from dataclasses import dataclass

from offers.analytics.calc.bands import sql_case  # noqa: F401 (used through rollup_sql)
from offers.analytics.models.periods import BLOCK, MONTH
from offers.analytics.services import rollup_sql as q

NEW = "analytics_inc_new"  # (source, id, order_ref, kind) of the rows new in this run
ORDERS = "analytics_inc_orders"
SRC = "analytics_inc_src"
STAGE = "analytics_inc_stage"
DAILY = "analytics_inc_daily"
CELLS = "analytics_inc_cells"
PEOPLE = "analytics_inc_people"
HOURLY = "analytics_inc_hourly"
PERIODS = "analytics_inc_periods"
TEMPS = (NEW, ORDERS, SRC, STAGE, DAILY, CELLS, PEOPLE, HOURLY, PERIODS)


@dataclass(frozen=True, slots=True)
class Window:
    """Which ids of a source count as new in this run, and which were rolled up before."""

    last_id: int  # the watermark before this run
    high: int  # the highest id now
    gaps: tuple[tuple[int, int], ...]  # ids missing below last_id at the last run

    def new_sql(self, col: str = "id") -> str:
        ranges = [f"({col} > {int(self.last_id)} AND {col} <= {int(self.high)})"]
        ranges += [f"({col} BETWEEN {int(lo)} AND {int(hi)})" for lo, hi in self.gaps]
        return " OR ".join(ranges)

    def applied_sql(self, col: str) -> str:
        """Rows rolled up before this run: at or below the watermark, not in a gap."""
        gaps = " OR ".join(f"{col} BETWEEN {int(lo)} AND {int(hi)}" for lo, hi in self.gaps)
        return f"({col} <= {int(self.last_id)}" + (f" AND NOT ({gaps}))" if gaps else ")")


def new_rows_sql(names: q.Names, ledger: Window, sessions: Window) -> str:
    """One statement, one snapshot: the rows this run applies, in both sources."""
    return f"""
    CREATE TEMPORARY TABLE {NEW} AS
    SELECT 'L'::text AS source, id, order_ref, kind FROM {names.ledger}
    WHERE {ledger.new_sql()}
    UNION ALL
    SELECT 'S', id, order_ref, 'settled' FROM {names.sessions} WHERE {sessions.new_sql()}
    """


def gaps_sql(source: str, after: int, upto: int) -> tuple[str, list[object]]:
    """Ids missing from NEW in (after, upto]: (first, last) ranges."""
    sql = f"""
    SELECT prev + 1, id - 1 FROM (
        SELECT id, LAG(id, 1, %s) OVER (ORDER BY id) AS prev FROM (
            SELECT id FROM {NEW} WHERE source = %s AND id > %s AND id <= %s
            UNION ALL SELECT %s
        ) i
    ) g WHERE id - prev > 1
    """
    return sql, [after, source, after, upto, upto + 1]


def source_sql(names: q.Names, operators: str, ledger: Window, sessions: Window) -> list[str]:
    """ORDERS: orders with a new counted row; SRC: every counted row of those orders
    that is new or was rolled up before (rows committed meanwhile wait for the next run),
    with `fresh` and the local date `d`."""
    kinds = q.KIND_LIST
    cols = ", ".join(f"l.{c.strip()}" for c in q.SOURCE_COLUMNS.split(","))
    session_cols = q.SESSION_AS_SOURCE.replace("id, operator_id, order_ref,", "")
    return [
        f"""CREATE TEMPORARY TABLE {ORDERS} AS
        SELECT DISTINCT order_ref FROM {NEW} WHERE kind IN ({kinds})""",
        f"ANALYZE {ORDERS}",
        f"""CREATE TEMPORARY TABLE {SRC} AS
        SELECT {cols}, n.id IS NOT NULL AS fresh
        FROM {names.ledger} l
        JOIN {ORDERS} o ON o.order_ref = l.order_ref
        LEFT JOIN {NEW} n ON n.source = 'L' AND n.id = l.id
        WHERE l.kind IN ({kinds}) AND (n.id IS NOT NULL OR {ledger.applied_sql("l.id")})
        UNION ALL
        SELECT s.id, s.operator_id, s.order_ref, {session_cols}, n.id IS NOT NULL
        FROM {names.sessions} s
        JOIN {ORDERS} o ON o.order_ref = s.order_ref
        LEFT JOIN {NEW} n ON n.source = 'S' AND n.id = s.id
        WHERE n.id IS NOT NULL OR {sessions.applied_sql("s.id")}""",
        f"""CREATE TEMPORARY TABLE {STAGE} AS
        WITH signed AS (
            SELECT -1 AS sign, s.* FROM {SRC} s WHERE NOT s.fresh
            UNION ALL
            SELECT 1 AS sign, s.* FROM {SRC} s
        ),
        zoned AS (
            SELECT v.*, op.time_zone AS zone FROM signed v
            JOIN {operators} op ON op.id = v.operator_id
        ),
        {q.ranked_sql("zoned", "(s.occurred_at AT TIME ZONE s.zone)::date", "s.sign, ")}
        SELECT * FROM staged""",
        f"ANALYZE {STAGE}",
    ]


_DIMS = "operator_id, d, offer_id, offer_type, station_id, region_code, band"
_CELL = "operator_id, d, offer_id, station_id, region_code, band"
_MEASURE_LIST = [m.strip() for m in q.MEASURES.split(",")]


def _match(a: str, b: str, cols: list[str], nullable: tuple[str, ...]) -> str:
    """Join condition on columns, the nullable ones compared through COALESCE(x, 0)."""
    out = []
    for col in cols:
        left, right = (col, col) if ":" not in col else col.split(":")
        if left in nullable:
            out.append(f"COALESCE({a}.{left}, 0) = COALESCE({b}.{right}, 0)")
        else:
            out.append(f"{a}.{left} = {b}.{right}")
    return " AND ".join(out)


NULLABLE = ("offer_id", "station_id")
DAILY_KEY = [
    "operator_id", "date:d", "offer_id", "station_id", "region_code", "hour_band:band",
]  # fmt: skip
CELL_KEY = [*DAILY_KEY, "customer_id"]
PEOPLE_KEY = [
    "operator_id", "date:d", "station_id", "region_code", "offer_id", "held_out",
    "customer_id",
]  # fmt: skip
HOURLY_KEY = ["operator_id", "date:d", "station_id", "region_code", "hour"]
PERIOD_KEY = ["operator_id", "grain", "start", "station_id", "region_code", "weekend", "hour"]
# The first day of a date's block (days 1-7, 8-14, 15-21, 22-28, 29-end: calc.periods)
# and of its month.
BLOCK_START = "(date_trunc('month', d)::date + ((EXTRACT(DAY FROM d)::int - 1) / 7) * 7)"
MONTH_START = "date_trunc('month', d)::date"


def delta_sql(names: q.Names) -> list[str]:
    """The signed differences per table, then applied to the tables."""
    m = _MEASURE_LIST
    signed = ", ".join(f"SUM(sign * {c}) AS {c}" for c in m)
    daily_set = ", ".join(f"{c} = t.{c} + d.{c}" for c in m)
    t, d = "t", "d"
    return [
        # -- customer keys ---------------------------------------------------------------
        f"""INSERT INTO {names.keys} ("key")
        SELECT DISTINCT customer_key FROM {STAGE}
        WHERE sign = 1 AND customer_key <> '' AND kind IN ('redeemed', 'held_out', 'settled')
        ON CONFLICT ("key") DO NOTHING""",
        # -- DailyRollup cells -------------------------------------------------------------
        f"""CREATE TEMPORARY TABLE {DAILY} AS
        WITH facts AS (
            SELECT sign, {_DIMS},
                   {q.SESSION_FACTS}
            FROM {STAGE} WHERE live = 1
            UNION ALL
            SELECT sign, {_DIMS}, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0
            FROM {STAGE} WHERE kind = 'redeemed' AND latest = 1
            UNION ALL
            SELECT sign, {_DIMS}, 0, 0, 0, 0, 0, 0, 0, 0, 1, discount, 0
            FROM {STAGE} WHERE kind = 'reversed'
            UNION ALL
            SELECT sign, {_DIMS}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
            FROM {STAGE} WHERE kind = 'held_out' AND latest = 1
        )
        SELECT {_CELL}, MAX(offer_type) AS offer_type, SUM(sign) AS facts, 0 AS customers,
               {signed}
        FROM facts GROUP BY {_CELL}""",
        f"ANALYZE {DAILY}",
        # -- who charged in each cell: counts, and customers who come or go -------------
        f"""CREATE TEMPORARY TABLE {CELLS} AS
        SELECT c.*, COALESCE(t.sessions, 0) AS before FROM (
            SELECT s.operator_id, s.d, s.offer_id, s.station_id, s.region_code, s.band,
                   k.id AS customer_id, SUM(s.sign) AS sessions
            FROM {STAGE} s JOIN {names.keys} k ON k."key" = s.customer_key
            WHERE s.live = 1 AND s.pos = 1 AND s.customer_key <> ''
            GROUP BY s.operator_id, s.d, s.offer_id, s.station_id, s.region_code, s.band, k.id
            HAVING SUM(s.sign) <> 0
        ) c LEFT JOIN {names.cell_customers} t ON {_match(t, "c", CELL_KEY, NULLABLE)}""",
        f"ANALYZE {CELLS}",
        f"""UPDATE {DAILY} d SET customers = x.change FROM (
            SELECT {_CELL}, SUM(CASE WHEN before = 0 THEN 1
                                     WHEN before + sessions = 0 THEN -1 ELSE 0 END) AS change
            FROM {CELLS} GROUP BY {_CELL}
        ) x WHERE {_match(d, "x", [c for c in _CELL.replace(" ", "").split(",")], NULLABLE)}""",
        f"""UPDATE {names.cell_customers} t SET sessions = t.sessions + c.sessions
        FROM {CELLS} c WHERE c.before > 0 AND {_match(t, "c", CELL_KEY, NULLABLE)}""",
        f"""INSERT INTO {names.cell_customers} (
            operator_id, date, offer_id, station_id, region_code, hour_band, customer_id,
            sessions)
        SELECT operator_id, d, offer_id, station_id, region_code, band, customer_id, sessions
        FROM {CELLS} WHERE before = 0""",
        f"""DELETE FROM {names.cell_customers} t USING {CELLS} c
        WHERE c.before + c.sessions = 0 AND {_match(t, "c", CELL_KEY, NULLABLE)}""",
        # -- apply the cells --------------------------------------------------------------
        f"""UPDATE {names.daily} t SET facts = t.facts + d.facts,
            customers = t.customers + d.customers, {daily_set},
            offer_type = GREATEST(t.offer_type, d.offer_type)
        FROM {DAILY} d WHERE {_match(t, d, DAILY_KEY, NULLABLE)}""",
        f"""INSERT INTO {names.daily} (
            operator_id, date, offer_id, offer_type, station_id, region_code, hour_band,
            customers, facts, {q.MEASURES})
        SELECT operator_id, d, offer_id, offer_type, station_id, region_code, band,
               customers, facts, {q.MEASURES}
        FROM {DAILY} d WHERE d.facts > 0 AND NOT EXISTS (
            SELECT 1 FROM {names.daily} t WHERE {_match(t, d, DAILY_KEY, NULLABLE)})""",
        f"""DELETE FROM {names.daily} t USING {DAILY} d
        WHERE t.facts = 0 AND {_match(t, d, DAILY_KEY, NULLABLE)}""",
        # -- DailyCustomer ----------------------------------------------------------------
        f"""CREATE TEMPORARY TABLE {PEOPLE} AS
        SELECT s.operator_id, s.d, s.station_id, s.region_code, s.offer_id,
               MAX(s.offer_type) AS offer_type, s.kind = 'held_out' AS held_out,
               k.id AS customer_id, SUM(s.sign) AS sessions,
               SUM(s.sign * s.gross_amount) AS revenue,
               SUM(s.sign * CASE WHEN s.kind = 'held_out' THEN 0 ELSE s.discount END)
                   AS discount
        FROM {STAGE} s JOIN {names.keys} k ON k."key" = s.customer_key
        WHERE s.latest = 1 AND s.customer_key <> '' AND (
            s.kind IN ('redeemed', 'held_out') OR (s.kind = 'settled' AND s.offer_id IS NULL))
        GROUP BY s.operator_id, s.d, s.station_id, s.region_code, s.offer_id,
                 s.kind = 'held_out', k.id""",
        f"ANALYZE {PEOPLE}",
        f"""UPDATE {names.customers} t SET sessions = t.sessions + d.sessions,
            revenue = t.revenue + d.revenue, discount = t.discount + d.discount,
            offer_type = GREATEST(t.offer_type, d.offer_type)
        FROM {PEOPLE} d WHERE {_match(t, d, PEOPLE_KEY, NULLABLE)}""",
        f"""INSERT INTO {names.customers} (
            operator_id, date, station_id, region_code, offer_id, offer_type, held_out,
            customer_id, sessions, revenue, discount)
        SELECT operator_id, d, station_id, region_code, offer_id, offer_type, held_out,
               customer_id, sessions, revenue, discount
        FROM {PEOPLE} d WHERE d.sessions > 0 AND NOT EXISTS (
            SELECT 1 FROM {names.customers} t WHERE {_match(t, d, PEOPLE_KEY, NULLABLE)})""",
        f"""DELETE FROM {names.customers} t USING {PEOPLE} d
        WHERE t.sessions = 0 AND {_match(t, d, PEOPLE_KEY, NULLABLE)}""",
        # -- HourlyRollup -----------------------------------------------------------------
        f"""CREATE TEMPORARY TABLE {HOURLY} AS
        SELECT operator_id, d, station_id, region_code, session_start_hour AS hour,
               SUM(sign) AS sessions,
               SUM(sign * CASE WHEN surge_amount > 0 THEN 1 ELSE 0 END) AS surge_sessions,
               SUM(sign * energy_kwh) AS energy_kwh,
               SUM(sign * CASE WHEN surge_amount > 0 THEN energy_kwh ELSE 0 END) AS surge_kwh,
               SUM(sign * surge_amount) AS surge_revenue,
               SUM(sign * (net_amount - tax_amount)) AS net_revenue
        FROM {STAGE} WHERE live = 1 AND pos = 1
        GROUP BY operator_id, d, station_id, region_code, session_start_hour""",
        f"ANALYZE {HOURLY}",
        f"""UPDATE {names.hourly} t SET sessions = t.sessions + d.sessions,
            surge_sessions = t.surge_sessions + d.surge_sessions,
            energy_kwh = t.energy_kwh + d.energy_kwh, surge_kwh = t.surge_kwh + d.surge_kwh,
            surge_revenue = t.surge_revenue + d.surge_revenue,
            net_revenue = t.net_revenue + d.net_revenue
        FROM {HOURLY} d WHERE {_match(t, d, HOURLY_KEY, NULLABLE)}""",
        f"""INSERT INTO {names.hourly} (
            operator_id, date, station_id, region_code, hour, weekend, surge_day, sessions,
            surge_sessions, energy_kwh, surge_kwh, surge_revenue, net_revenue)
        SELECT operator_id, d, station_id, region_code, hour, EXTRACT(ISODOW FROM d) >= 6,
               FALSE, sessions, surge_sessions, energy_kwh, surge_kwh, surge_revenue,
               net_revenue
        FROM {HOURLY} d WHERE d.sessions > 0 AND NOT EXISTS (
            SELECT 1 FROM {names.hourly} t WHERE {_match(t, d, HOURLY_KEY, NULLABLE)})""",
        f"""DELETE FROM {names.hourly} t USING {HOURLY} d
        WHERE t.sessions = 0 AND {_match(t, d, HOURLY_KEY, NULLABLE)}""",
        # surge_day: any surged session at the station that day
        f"""UPDATE {names.hourly} t SET surge_day = x.surged FROM (
            SELECT h.operator_id, h.date, h.station_id, MAX(h.surge_sessions) > 0 AS surged
            FROM {names.hourly} h
            JOIN (SELECT DISTINCT operator_id, d, station_id FROM {HOURLY}) a
              ON a.operator_id = h.operator_id AND a.d = h.date
             AND COALESCE(a.station_id, 0) = COALESCE(h.station_id, 0)
            GROUP BY h.operator_id, h.date, h.station_id
        ) x WHERE x.operator_id = t.operator_id AND x.date = t.date
          AND COALESCE(x.station_id, 0) = COALESCE(t.station_id, 0)
          AND t.surge_day IS DISTINCT FROM x.surged""",
    ]


def periods_sql(names: q.Names) -> list[str]:
    """HourlyPeriod takes the hourly deltas summed per block and month: the
    same sums as a refresh from HourlyRollup, without reading the untouched cells. A row
    goes when its sessions fall to zero (HourlyRollup keeps no empty row, so neither
    does a sum of them)."""
    measures = ["sessions", "surge_sessions", "energy_kwh", "surge_revenue"]
    sums = ", ".join(f"SUM({c}) AS {c}" for c in measures)
    changed = " OR ".join(f"SUM({c}) <> 0" for c in measures)
    keys = ", ".join(PERIOD_KEY)
    table, t, d = names.periods, "t", "d"
    return [
        f"""CREATE TEMPORARY TABLE {PERIODS} AS
        SELECT {keys}, {sums} FROM (
            SELECT h.*, EXTRACT(ISODOW FROM h.d) >= 6 AS weekend, g.grain,
                   CASE WHEN g.grain = '{BLOCK}' THEN {BLOCK_START} ELSE {MONTH_START} END
                       AS start
            FROM {HOURLY} h CROSS JOIN (VALUES ('{BLOCK}'), ('{MONTH}')) g (grain)
        ) x GROUP BY {keys} HAVING {changed}""",
        f"ANALYZE {PERIODS}",
        f"""UPDATE {table} t SET {", ".join(f"{c} = t.{c} + d.{c}" for c in measures)}
        FROM {PERIODS} d WHERE {_match(t, d, PERIOD_KEY, NULLABLE)}""",
        f"""INSERT INTO {table} ({keys}, {", ".join(measures)})
        SELECT {keys}, {", ".join(measures)} FROM {PERIODS} d
        WHERE d.sessions > 0 AND NOT EXISTS (
            SELECT 1 FROM {table} t WHERE {_match(t, d, PERIOD_KEY, NULLABLE)})""",
        f"""DELETE FROM {table} t USING {PERIODS} d
        WHERE t.sessions = 0 AND {_match(t, d, PERIOD_KEY, NULLABLE)}""",
    ]


def touched_days_sql() -> str:
    return f"SELECT DISTINCT operator_id, d FROM {STAGE} ORDER BY 1, 2"
