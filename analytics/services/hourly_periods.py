"""Keeping models.HourlyPeriod: the blocks and months around the days the rollup touched
are summed again from HourlyRollup (blocks) and from the blocks (months), in SQL."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from analytics.calc import periods
from analytics.models import HourlyPeriod, HourlyRollup
from analytics.models.measures import PERIOD, stored
from analytics.models.periods import BLOCK, MONTH

KEYS = "station_id, region_code, weekend, hour, channel"
MEASURES = ", ".join(stored(PERIOD))
SUMS = ", ".join(f"SUM({m})" for m in stored(PERIOD))


def _insert_sql(source: str, where: str) -> str:
    table = connection.ops.quote_name(HourlyPeriod._meta.db_table)
    return f"""
    INSERT INTO {table} (operator_id, grain, start, {KEYS}, {MEASURES})
    SELECT operator_id, %s, %s, {KEYS}, {SUMS}
    FROM {source} WHERE operator_id = %s AND {where}
    GROUP BY operator_id, {KEYS}
    """  # noqa: S608 (table names from models, values are parameters)


def refresh(operator_id: int, first: dt.date, last: dt.date) -> None:
    """Sum again every block and month that overlaps [first, last] (inside the rollup's
    transaction, after HourlyRollup of those days is final)."""
    cover = periods.covering(first, last)
    mine = HourlyPeriod.objects.filter(operator_id=operator_id)
    mine.filter(grain=BLOCK, start__in=cover.blocks).delete()
    mine.filter(grain=MONTH, start__in=cover.months).delete()
    hourly = connection.ops.quote_name(HourlyRollup._meta.db_table)
    table = connection.ops.quote_name(HourlyPeriod._meta.db_table)
    with connection.cursor() as cursor:
        by_block = _insert_sql(hourly, "date BETWEEN %s AND %s")
        for start in cover.blocks:
            cursor.execute(by_block, [BLOCK, start, operator_id, start, periods.block_end(start)])
        by_month = _insert_sql(table, "grain = %s AND start BETWEEN %s AND %s")
        for start in cover.months:
            end = periods.month_end(start)
            cursor.execute(by_month, [MONTH, start, operator_id, BLOCK, start, end])
