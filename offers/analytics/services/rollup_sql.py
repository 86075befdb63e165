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


@dataclass(frozen=True, slots=True)
class Partition:
    """One operator's ledger rows with occurred_at in [start, end): whole local days."""

    operator_id: int
    time_zone: str
    start: object  # aware datetime
    end: object


def base_ctes(names: Names, part: Partition) -> tuple[str, list[object]]:
    """CTEs `base` and `settled` over the ledger rows of one partition, with their params."""
    date_sql, date_params = connection.ops.datetime_cast_date_sql(
        "r.occurred_at", (), part.time_zone
    )
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    sql = f"""
    base AS (
        SELECT r.id, r.operator_id, r.order_ref, r.kind, r.seq, r.offer_id, r.offer_type,
               r.station_id, r.region_code, r.customer_key, r.held_out,
               r.session_start_hour AS hour, r.energy_kwh, r.gross_amount, r.surge_amount,
               r.discount, r.tax_amount, r.net_amount, {date_sql} AS d,
               ROW_NUMBER() OVER (
                   PARTITION BY r.order_ref, r.offer_id, r.kind ORDER BY r.seq DESC, r.id DESC
               ) AS latest
        FROM {names.ledger} r
        WHERE r.operator_id = %s AND r.occurred_at >= %s AND r.occurred_at < %s
          AND r.kind IN ({kinds})
    ),
    settled AS (
        SELECT b.*, ROW_NUMBER() OVER (
                   PARTITION BY b.order_ref
                   ORDER BY CASE WHEN b.held_out THEN 1 ELSE 0 END, b.discount DESC, b.offer_id
               ) AS pos
        FROM base b
        WHERE b.kind = 'settled' AND b.latest = 1
    )"""
    return sql, [*date_params, part.operator_id, part.start, part.end]


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
    """
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
    """
    return sql, [*params, *weekday_params]


def customer_keys_sql(names: Names) -> str:
    """New customer keys of a partition. Placeholders: operator id, range start, end."""
    return f"""
    INSERT INTO {names.keys} ("key")
    SELECT DISTINCT r.customer_key FROM {names.ledger} r
    WHERE r.operator_id = %s AND r.occurred_at >= %s AND r.occurred_at < %s
      AND r.customer_key <> '' AND r.kind IN ('settled', 'held_out')
    ON CONFLICT ("key") DO NOTHING
    """


def customers_sql(names: Names, part: Partition) -> tuple[str, list[object]]:
    ctes, params = base_ctes(names, part)
    sql = f"""
    INSERT INTO {names.customers} (
        operator_id, date, station_id, region_code, offer_id, offer_type, held_out,
        customer_id, sessions, revenue, discount
    )
    WITH {ctes},
    arms AS (
        SELECT b.*, CASE WHEN b.kind = 'held_out' OR b.held_out THEN 1 ELSE 0 END AS arm,
               ROW_NUMBER() OVER (
                   PARTITION BY b.order_ref, b.offer_id
                   ORDER BY CASE WHEN b.kind = 'settled' THEN 0 ELSE 1 END, b.id DESC
               ) AS pick
        FROM base b
        WHERE b.kind IN ('settled', 'held_out') AND b.latest = 1 AND b.customer_key <> ''
    )
    SELECT a.operator_id, a.d, a.station_id, a.region_code, a.offer_id, MAX(a.offer_type),
           a.arm = 1, k.id, COUNT(*), SUM(a.gross_amount),
           SUM(CASE WHEN a.arm = 1 THEN 0 ELSE a.discount END)
    FROM arms a JOIN {names.keys} k ON k."key" = a.customer_key
    WHERE a.pick = 1
    GROUP BY a.operator_id, a.d, a.station_id, a.region_code, a.offer_id, a.arm, k.id
    """
    return sql, params
