"""One row written by one statement whose text is made once per process:

    INSERT INTO <table> (...) VALUES (...)
    ON CONFLICT (<unique>) DO NOTHING | DO UPDATE SET <update> = EXCLUDED.<update>
    RETURNING id

Speed only, for the hot writes of the Beckn path: the ACK's message row (nothing written
for a retry) and a select's held quote (the last select's replaces it). The ORM's
`objects.create` or `bulk_create(update_conflicts=True)` builds a model instance, sends
model signals, compiles the INSERT on every call and, for a conflict without an update,
raises an IntegrityError to be caught; it took more CPU than this statement for a held
quote (the figures: bench/results/select.md; the ACK's in bench/results/beckn_ack.md,
"prepared INSERT"). The text is built from the model's own fields and table, and the values are
prepared by each field (`get_db_prep_save`, as the ORM does), so a column added to the
model is written here too, with its default. No model signal is sent. On PostgreSQL the
same text on the same connection is prepared by the server after a few runs
(`DATABASE_PREPARED_STATEMENTS`); SQLite (3.35 or later) has the same syntax.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import connections, models, router

_BUILT: dict[tuple[type[models.Model], tuple[str, ...], tuple[str, ...], str], tuple] = {}


def insert(
    model: type[models.Model],
    values: Mapping[str, Any],
    unique: tuple[str, ...],
    update: tuple[str, ...] = (),
) -> int | None:
    """The row's id: a new row of `values` (by attname; a field not given gets its
    default), or, when a row with the same `unique` fields exists, that row with its
    `update` fields set from `values`; None when it exists and `update` is empty (nothing
    written)."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    sql, fields = _BUILT.get((model, unique, update, alias)) or _build(model, unique, update, alias)
    params = [
        f.get_db_prep_save(
            values[f.attname] if f.attname in values else f.get_default(), connection
        )
        for f in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _build(
    model: type[models.Model], unique: tuple[str, ...], update: tuple[str, ...], alias: str
) -> tuple[str, tuple[models.Field, ...]]:
    meta = model._meta
    quote = connections[alias].ops.quote_name
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key and not f.generated)

    def column(name: str) -> str:
        return quote(str(next(f.column for f in fields if name in (f.name, f.attname))))

    columns = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    target = ", ".join(column(name) for name in unique)
    action = (
        "DO UPDATE SET " + ", ".join(f"{column(n)} = EXCLUDED.{column(n)}" for n in update)
        if update
        else "DO NOTHING"
    )
    # names from the model, quoted; the values travel as parameters
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks}) "  # noqa: S608
        f"ON CONFLICT ({target}) {action} RETURNING {quote(str(meta.pk.column))}"
    )
    _BUILT[model, unique, update, alias] = (sql, fields)
    return sql, fields
