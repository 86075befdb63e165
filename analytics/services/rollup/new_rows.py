# ruff: noqa: S608  (SQL built from model table names and integer ids; values are parameters)
"""The rows a run of the live rollup reads: per source, the ids above its watermark and
the ids that appeared in gaps it remembers, read once into a work table (NEW) from which
the watermark and the gaps then move (rollup.incremental)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from analytics.services.rollup import sql as q

NEW = "analytics_inc_new"  # (source, id, order_ref, kind) of the rows new in this run


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
    """One statement, one snapshot: the rows this run applies, in both sources, with every
    column the rollup reads (sessions in the ledger's shape), so they are read once: an
    UNLOGGED table on PostgreSQL (see rollup.delta), a TEMPORARY one elsewhere."""
    kind = "UNLOGGED" if connection.vendor == "postgresql" else "TEMPORARY"
    return f"""
    CREATE {kind} TABLE {NEW} AS
    SELECT CAST('L' AS TEXT) AS source, {q.SOURCE_COLUMNS} FROM {names.ledger}
    WHERE {ledger.new_sql()}
    UNION ALL
    SELECT 'S', {q.SESSION_AS_SOURCE} FROM {names.sessions} WHERE {sessions.new_sql()}
    """


def gaps_sql(source: str, after: int, upto: int) -> tuple[str, list[Any]]:
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
