# ruff: noqa: S608  (SQL built from model table names and column names of this module)
"""Adding a work table of signed differences to a rollup table (PostgreSQL).

Three statements per table, each over the differences only, never the whole table:

1. the rows whose difference takes a count down (a constrained column below zero) are
   UPDATEd: they exist, since what they lose was counted in them before;
2. every other row with a change is upserted in the order of the table's unique index
   (INSERT ... ON CONFLICT DO UPDATE): one index probe per row, and the new index entries
   go in key order instead of at random pages of a million-row index. (The proposed row
   of an upsert is checked against the table's CHECK constraints before the conflict is
   found, so negative counts cannot take this path: hence step 1.)
3. the rows whose count fell to zero are DELETEd, as a rebuild would not have them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from analytics.models.measures import NULLABLE as NULLABLE_FIELDS

NULLABLE = tuple(f"{f}_id" for f in NULLABLE_FIELDS)


def match(a: str, b: str, cols: list[str] | tuple[str, ...]) -> str:
    """Join condition on key columns ("column" or "column of a:column of b"), the
    nullable ones compared through COALESCE(x, 0) as the unique indexes do."""
    out = []
    for col in cols:
        left, right = (col, col) if ":" not in col else col.split(":")
        if left in NULLABLE:
            out.append(f"COALESCE({a}.{left}, 0) = COALESCE({b}.{right}, 0)")
        else:
            out.append(f"{a}.{left} = {b}.{right}")
    return " AND ".join(out)


def checked(model, columns: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The columns the table keeps at or above zero (a CHECK constraint)."""
    return tuple(c for c in columns if model._meta.get_field(c).db_check(connection))


@dataclass(frozen=True, slots=True)
class Target:
    table: str  # the rollup table
    delta: str  # the work table of differences, one row per key
    key: tuple[str, ...]  # "column" or "table column:delta column", in the index's order
    added: tuple[str, ...]  # table.m = table.m + delta.m (same name in both)
    checked: tuple[str, ...]  # of `added`, those kept >= 0 by the table
    count: str  # the row goes when this falls to zero
    inserted: tuple[tuple[str, str], ...] = ()  # more columns of a new row: (column, SQL on d)
    merged: tuple[tuple[str, str], ...] = ()  # more columns updated: (column, SQL on t, {new})
    returning: str = ""  # a table that gets the key and the count after of each row changed

    def _returned(self, statement: str) -> str:
        """The statement, its changed rows' key and count after added to `returning`."""
        if not self.returning:
            return statement
        cols = ", ".join(f"t.{c}" for c in (*self._cols(0), self.count))
        return f"""WITH changed AS ({statement} RETURNING {cols})
        INSERT INTO {self.returning} SELECT * FROM changed"""

    def _cols(self, side: int) -> list[str]:
        return [c.split(":")[side] if ":" in c else c for c in self.key]

    def _sorted(self) -> str:
        return ", ".join(f"COALESCE(d.{c}, 0)" if t in NULLABLE else f"d.{c}"
                         for t, c in zip(self._cols(0), self._cols(1), strict=True))  # fmt: skip

    def sql(self) -> list[str]:
        lower = " OR ".join(f"d.{c} < 0" for c in self.checked) or "FALSE"
        changed = " OR ".join(f"d.{c} <> 0" for c in self.added)
        target = self._cols(0)
        conflict = ", ".join(f"COALESCE({c}, 0)" if c in NULLABLE else c for c in target)
        columns = [*target, *self.added, *(c for c, _ in self.inserted)]
        values = [*(f"d.{c}" for c in self._cols(1)), *(f"d.{c}" for c in self.added)]
        values += [v for _, v in self.inserted]
        on_update = [f"{c} = t.{c} + d.{c}" for c in self.added]
        on_update += [f"{c} = {v.format(new='d')}" for c, v in self.merged]
        on_conflict = [f"{c} = t.{c} + excluded.{c}" for c in self.added]
        on_conflict += [f"{c} = {v.format(new='excluded')}" for c, v in self.merged]
        return [
            self._returned(f"""UPDATE {self.table} t SET {", ".join(on_update)}
            FROM {self.delta} d WHERE ({lower}) AND {match("t", "d", self.key)}"""),
            self._returned(f"""INSERT INTO {self.table} AS t ({", ".join(columns)})
            SELECT {", ".join(values)} FROM {self.delta} d
            WHERE NOT ({lower}) AND ({changed})
            ORDER BY {self._sorted()}
            ON CONFLICT ({conflict}) DO UPDATE SET {", ".join(on_conflict)}"""),
            f"""DELETE FROM {self.table} t USING {self.delta} d
            WHERE d.{self.count} < 0 AND t.{self.count} = 0 AND {match("t", "d", self.key)}""",
        ]
