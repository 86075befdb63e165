"""The SQL that rebuilds one (operator, local date range) partition from the ledger.

One statement per rollup table, aggregated by the database (GROUP BY, window functions),
never row by row in Python. The same text runs on PostgreSQL and SQLite: the only
vendor-specific pieces (local date of a timestamp, day of week) come from Django's own
backend operations, the ones TruncDate and ExtractIsoWeekDay use.

How ledger rows count (see docs/analytics.md):
- base: every row of the partition; `latest` picks the last of repeated steps per
  (order, offer, kind), so a re-sent step is not counted twice.
- settled: the delivered session, one row per offer; `pos` 1 is the order's *primary*
  row (not held out, largest discount), which carries the order-level figures (energy,
  gross, surge, net, tax) so that they count once per session.
- redeemed rows count redemptions, reversed rows reversals and the discount recovered,
  held_out rows the sessions of customers withheld from the offer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection

from offers.analytics.calc.bands import sql_case

KINDS = ("settled", "redeemed", "reversed", "held_out")


@dataclass(frozen=True, slots=True)
class Names:
    """Table names, read from the models so that a rename is followed."""

    ledger: str
    daily: str
    hourly: str
    customers: str
    keys: str
    sessions: str


@dataclass(frozen=True, slots=True)
class Partition:
    """One operator's ledger rows with occurred_at in [start, end): whole local days."""

    operator_id: int
    time_zone: str
    start: dt.datetime  # aware
    end: dt.datetime

    @property
    def window(self) -> list[object]:
        """operator id, start, end as raw SQL parameters (SQLite stores naive UTC text)."""
        adapt = connection.ops.adapt_datetimefield_value
        return [self.operator_id, adapt(self.start), adapt(self.end)]


def base_ctes(names: Names, part: Partition) -> tuple[str, list[object]]:
    """CTEs `src`, `base` and `settled` over one partition, with their params.

    `src` is the ledger's rows plus the sessions without offers, the latter shaped as
    settled rows of offer "none" (NULL).
    """
    date_sql, date_params = connection.ops.datetime_cast_date_sql(
        "s.occurred_at", (), part.time_zone
    )
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    where = "operator_id = %s AND occurred_at >= %s AND occurred_at < %s"
    sql = f"""
    src AS (
        SELECT id, operator_id, order_ref, kind, seq, offer_id, offer_type, station_id,
               region_code, customer_key, held_out, session_start_hour, energy_kwh,
               gross_amount, surge_amount, discount, tax_amount, net_amount, occurred_at
        FROM {names.ledger}
        WHERE {where} AND kind IN ({kinds})
        UNION ALL
        SELECT id, operator_id, order_ref, 'settled', 0, NULL, '', station_id,
               region_code, customer_key, FALSE, session_start_hour, energy_kwh,
               gross_amount, surge_amount, 0, tax_amount, net_amount, occurred_at
        FROM {names.sessions}
        WHERE {where}
    ),
    base AS (
        SELECT s.id, s.operator_id, s.order_ref, s.kind, s.seq, s.offer_id, s.offer_type,
               s.station_id, s.region_code, s.customer_key, s.held_out,
               s.session_start_hour AS hour, s.energy_kwh, s.gross_amount, s.surge_amount,
               s.discount, s.tax_amount, s.net_amount, {date_sql} AS d,
               ROW_NUMBER() OVER (
                   PARTITION BY s.order_ref, s.offer_id, s.kind ORDER BY s.seq DESC, s.id DESC
               ) AS latest
        FROM src s
    ),
    settled AS (
        SELECT b.*, ROW_NUMBER() OVER (
                   PARTITION BY b.order_ref
                   ORDER BY CASE WHEN b.held_out THEN 1 ELSE 0 END, b.discount DESC, b.offer_id
               ) AS pos
        FROM base b
        WHERE b.kind = 'settled' AND b.latest = 1
    )"""  # noqa: S608 (table names from models, values are parameters)
    return sql, [*part.window, *part.window, *date_params]


_DIMS = "operator_id, d, offer_id, offer_type, station_id, region_code, hour"


def daily_sql(names: Names, part: Partition) -> tuple[str, list[object]]:
    ctes, params = base_ctes(names, part)
    sql = f"""
    INSERT INTO {names.daily} (
        operator_id, date, offer_id, offer_type, station_id, region_code, hour_band,
        sessions, customers, energy_kwh, gross_revenue, discount_cost, surge_revenue,
        net_revenue, tax, redemptions, reversals, recovered_discount, held_out_sessions
    )
    WITH {ctes},
    facts AS (
        SELECT {_DIMS},
               CASE WHEN pos = 1 THEN 1 ELSE 0 END AS sessions,
               CASE WHEN pos = 1 AND customer_key <> '' THEN customer_key END AS customer,
               CASE WHEN pos = 1 THEN energy_kwh ELSE 0 END AS energy_kwh,
               CASE WHEN pos = 1 THEN gross_amount ELSE 0 END AS gross,
               CASE WHEN held_out THEN 0 ELSE discount END AS discount,
               CASE WHEN pos = 1 THEN surge_amount ELSE 0 END AS surge,
               CASE WHEN pos = 1 THEN net_amount - tax_amount ELSE 0 END AS net,
               CASE WHEN pos = 1 THEN tax_amount ELSE 0 END AS tax,
               0 AS redemptions, 0 AS reversals, 0 AS recovered, 0 AS held
        FROM settled
        UNION ALL
        SELECT {_DIMS}, 0, NULL, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0
        FROM base WHERE kind = 'redeemed' AND latest = 1
        UNION ALL
        SELECT {_DIMS}, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 1, discount, 0
        FROM base WHERE kind = 'reversed'
        UNION ALL
        SELECT {_DIMS}, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
        FROM base WHERE kind = 'held_out' AND latest = 1
    )
    SELECT operator_id, d, offer_id, MAX(offer_type), station_id, region_code,
           {sql_case("hour")} AS band,
           SUM(sessions), COUNT(DISTINCT customer), SUM(energy_kwh), SUM(gross),
           SUM(discount), SUM(surge), SUM(net), SUM(tax), SUM(redemptions), SUM(reversals),
           SUM(recovered), SUM(held)
    FROM facts
    GROUP BY operator_id, d, offer_id, station_id, region_code, {sql_case("hour")}
    """  # noqa: S608 (table names from models, values are parameters)
    return sql, params


def hourly_sql(names: Names, part: Partition) -> tuple[str, list[object]]:
    ctes, params = base_ctes(names, part)
    weekday_sql, weekday_params = connection.ops.date_extract_sql("iso_week_day", "c.d", ())
    sql = f"""
    INSERT INTO {names.hourly} (
        operator_id, date, station_id, region_code, hour, weekend, surge_day, sessions,
        surge_sessions, energy_kwh, surge_kwh, surge_revenue, net_revenue
    )
    WITH {ctes},
    cells AS (
        SELECT operator_id, d, station_id, region_code, hour, COUNT(*) AS sessions,
               SUM(CASE WHEN surge_amount > 0 THEN 1 ELSE 0 END) AS surge_sessions,
               SUM(energy_kwh) AS energy_kwh,
               SUM(CASE WHEN surge_amount > 0 THEN energy_kwh ELSE 0 END) AS surge_kwh,
               SUM(surge_amount) AS surge_revenue,
               SUM(net_amount - tax_amount) AS net_revenue
        FROM settled WHERE pos = 1
        GROUP BY operator_id, d, station_id, region_code, hour
    )
    SELECT c.operator_id, c.d, c.station_id, c.region_code, c.hour, {weekday_sql} >= 6,
           MAX(c.surge_sessions) OVER (PARTITION BY c.station_id, c.d) > 0,
           c.sessions, c.surge_sessions, c.energy_kwh, c.surge_kwh, c.surge_revenue,
           c.net_revenue
    FROM cells c
    """  # noqa: S608 (table names from models, values are parameters)
    return sql, [*params, *weekday_params]


def customer_keys_sql(names: Names) -> str:
    """New customer keys of a partition. Placeholders: (operator id, range start, end)
    twice, for the ledger and for the sessions without offers."""
    where = "operator_id = %s AND occurred_at >= %s AND occurred_at < %s AND customer_key <> ''"
    return f"""
    INSERT INTO {names.keys} ("key")
    SELECT DISTINCT customer_key FROM (
        SELECT customer_key FROM {names.ledger}
        WHERE {where} AND kind IN ('redeemed', 'held_out')
        UNION
        SELECT customer_key FROM {names.sessions} WHERE {where}
    ) k WHERE TRUE
    ON CONFLICT ("key") DO NOTHING
    """  # noqa: S608 (table names from models, values are parameters)


def customers_sql(names: Names, part: Partition) -> tuple[str, list[object]]:
    """Who charged, per offer and arm. Both arms of a holdout are counted at the same
    step, confirmation: `redeemed` rows are the treated, `held_out` rows (written at
    confirmation with the quoted figures) the control, so their figures compare like with
    like. Sessions without offers count under offer "none"."""
    ctes, params = base_ctes(names, part)
    sql = f"""
    INSERT INTO {names.customers} (
        operator_id, date, station_id, region_code, offer_id, offer_type, held_out,
        customer_id, sessions, revenue, discount
    )
    WITH {ctes},
    arms AS (
        SELECT b.*, CASE WHEN b.kind = 'held_out' THEN 1 ELSE 0 END AS arm
        FROM base b
        WHERE b.latest = 1 AND b.customer_key <> '' AND (
            b.kind IN ('redeemed', 'held_out') OR (b.kind = 'settled' AND b.offer_id IS NULL)
        )
    )
    SELECT a.operator_id, a.d, a.station_id, a.region_code, a.offer_id, MAX(a.offer_type),
           a.arm = 1, k.id, COUNT(*), SUM(a.gross_amount),
           SUM(CASE WHEN a.arm = 1 THEN 0 ELSE a.discount END)
    FROM arms a JOIN {names.keys} k ON k."key" = a.customer_key
    GROUP BY a.operator_id, a.d, a.station_id, a.region_code, a.offer_id, a.arm, k.id
    """  # noqa: S608 (table names from models, values are parameters)
    return sql, params
