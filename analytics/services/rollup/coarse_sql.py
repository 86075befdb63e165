"""The SQL that derives a partition's coarser tables from its fine ones, once these are
written (rollup.partitions, for the rebuild and for the days the delta rollup touched):
OfferDaily and StationDaily from DailyRollup and HourlyRollup, the (offer, station, band)
scope cells the partition used (OfferScope), and OfferScopeDaily, the scope revenue of
each offer's day, added to the offer's other days when a cell is new."""

from __future__ import annotations

from analytics.models.measures import CELL, HOUR, kept_in
from analytics.services.rollup.sql import MEASURES, SUMS, Names

_RANGE = "operator_id = %s AND date >= %s AND date <= %s"


def offer_daily_sql(names: Names) -> str:
    """Placeholders: Partition.dates."""
    return f"""
    INSERT INTO {names.offer_daily} (operator_id, date, offer_id, offer_type, {MEASURES})
    SELECT operator_id, date, offer_id, MAX(offer_type), {SUMS}
    FROM {names.daily} WHERE {_RANGE}
    GROUP BY operator_id, date, offer_id
    """  # noqa: S608 (table names from models, values are parameters)


def station_daily_sql(names: Names) -> str:
    """Placeholders: Partition.dates twice (rollups, then hourly rollups): the cell
    measures from the rollups, the others from the hourly rollups. A UNION, not a join:
    the rows were just written and have no planner statistics yet."""
    kept = kept_in(CELL, HOUR)
    columns = ", ".join(m.name for m in kept)
    daily = ", ".join(m.name if m.cell is not None else f"0 AS {m.name}" for m in kept)
    hourly = ", ".join("0" if m.cell is not None else m.name for m in kept)
    return f"""
    INSERT INTO {names.station_daily} (operator_id, date, station_id, region_code, {columns})
    SELECT operator_id, date, station_id, region_code, {", ".join(f"SUM({m.name})" for m in kept)}
    FROM (
        SELECT operator_id, date, station_id, region_code, {daily}
        FROM {names.daily} WHERE {_RANGE}
        UNION ALL
        SELECT operator_id, date, station_id, region_code, {hourly}
        FROM {names.hourly} WHERE {_RANGE}
    ) u
    GROUP BY operator_id, date, station_id, region_code
    """  # noqa: S608 (table names from models, values are parameters)


def scope_sql(names: Names) -> str:
    """Add the (offer, station, band) cells the partition used; returns the new cells'
    ids. Placeholders: Partition.dates."""
    return f"""
    INSERT INTO {names.scope} (offer_id, station_id, hour_band)
    SELECT DISTINCT offer_id, station_id, hour_band FROM {names.daily}
    WHERE {_RANGE} AND offer_id IS NOT NULL AND station_id IS NOT NULL
      AND (sessions > 0 OR redemptions > 0)
    ON CONFLICT (offer_id, station_id, hour_band) DO NOTHING
    RETURNING id
    """  # noqa: S608 (table names from models, values are parameters)


def _scope_sums(names: Names, where: str, cells: str = "TRUE") -> str:
    """INSERT each offer's scope revenue and sessions per day: DailyRollup's revenue and
    sessions per (operator, date, station, hour band) of the days `where` picks, joined
    with the scope cells `cells` picks. Summed before the join, so the join meets each
    cell's day once instead of once per offer and region of the rollup rows (half the
    joined rows in the backfill bench)."""
    return f"""
    INSERT INTO {names.scope_daily} (operator_id, date, offer_id, revenue, sessions)
    SELECT d.operator_id, d.date, s.offer_id, SUM(d.gross_revenue), SUM(d.sessions)
    FROM (
        SELECT operator_id, date, station_id, hour_band, SUM(gross_revenue) AS gross_revenue,
               SUM(sessions) AS sessions
        FROM {names.daily} WHERE {where} AND station_id IS NOT NULL
        GROUP BY operator_id, date, station_id, hour_band
    ) d
    JOIN {names.scope} s ON s.station_id = d.station_id AND s.hour_band = d.hour_band
    WHERE {cells}
    GROUP BY d.operator_id, d.date, s.offer_id
    """  # noqa: S608 (table names from models, conditions from this module)


def scope_daily_sql(names: Names) -> str:
    """Scope revenue per offer and day of the partition. Placeholders: Partition.dates."""
    return _scope_sums(names, _RANGE)


def scope_grown_sql(names: Names, cells: list[int]) -> str:
    """New scope cells add their revenue to every other day of the offer's history.
    `cells`: OfferScope ids (integers). Placeholders: operator, partition's first, last."""
    ids = ", ".join(str(int(i)) for i in cells)
    other_days = "operator_id = %s AND (date < %s OR date > %s)"
    return f"""{_scope_sums(names, other_days, f"s.id IN ({ids})")}
    ON CONFLICT (offer_id, date) DO UPDATE SET
        revenue = {names.scope_daily}.revenue + excluded.revenue,
        sessions = {names.scope_daily}.sessions + excluded.sessions
    """
