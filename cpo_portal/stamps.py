"""One column of one row by primary or unique key, read without the ORM: for the version
stamps every quote reads before trusting its process's memo (pricing books, the offer
catalog), a few columns of the rows matching a key (the ledger's sequence read), and one
row locked by its unique key (the rows a worker locks per Beckn message).
Inside `held()`, each stamp is read once: work that answers several requests in one
transaction reads the versions as they were when it began, as each request alone would.
Building the query through the ORM costs several times its round trip; the statements
here are built once per model and names, from the model's own names."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar, cast

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)


@cache
def _statement(model: type[models.Model], column: str, key: str, alias: str) -> str:
    quote = connections[alias].ops.quote_name
    meta = model._meta
    table = quote(meta.db_table)
    value, where = (
        quote(str(cast(models.Field, meta.get_field(name)).column)) for name in (column, key)
    )
    return f"SELECT {value} FROM {table} WHERE {where} = %s"  # noqa: S608 (names quoted)


_held = threading.local()


@contextmanager
def held() -> Iterator[None]:
    """Within the block, read_one and read_each read each stamp once and give the same
    value after (and rows_of, when asked: `once`). For work that changes no stamp (it
    would not see its own change); blocks nest, the outermost one holds."""
    if getattr(_held, "reads", None) is not None:
        yield
        return
    _held.reads = {}
    try:
        yield
    finally:
        _held.reads = None


def _once(sql: str, params: list[Any], read: Any) -> Any:
    reads: dict[tuple[str, tuple[Any, ...]], Any] | None = getattr(_held, "reads", None)
    if reads is None:
        return read()
    key = (sql, tuple(params))
    value = reads.get(key)
    if value is None:  # not read yet, or no row yet (it may be made next)
        value = reads[key] = read()
    return value


def _fetch(alias: str, sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def read_one(model: type[models.Model], column: str, key: str, value: Any) -> Any:
    """`column` of the row whose unique `key` is `value`; None when there is none. The
    value is as the database driver gives it (no ORM converters)."""
    alias = router.db_for_read(model)
    sql = _statement(model, column, key, alias)
    row = _once(sql, [value], lambda: _fetch(alias, sql, [value]))
    return row[0] if row else None


def _column(model: type[models.Model], name: str) -> str:
    meta = model._meta
    field = meta.pk if name == "pk" else meta.get_field(name)
    return str(cast(models.Field, field).column)


@cache
def _select(
    model: type[models.Model], columns: tuple[str, ...], keys: tuple[str, ...], alias: str
) -> str:
    quote = connections[alias].ops.quote_name
    names = ", ".join(quote(_column(model, c)) for c in columns)
    where = " AND ".join(f"{quote(_column(model, k))} = %s" for k in keys)
    return f"SELECT {names} FROM {quote(model._meta.db_table)} WHERE {where}"  # noqa: S608


def rows_of(
    model: type[models.Model], columns: tuple[str, ...], *, once: bool = False, **key: Any
) -> list[tuple]:
    """`columns` (field names) of every row whose fields equal `key`, as the database
    driver gives them (no ORM converters), in no particular order. `once`: inside
    `held()`, read once, like a stamp (for live state read as of the work's start)."""
    alias = router.db_for_read(model)
    sql, params = _select(model, columns, tuple(key), alias), list(key.values())

    def read() -> list[tuple]:
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return _once(sql, params, read) if once else read()


@cache
def _locking(model: type[models.Model], keys: tuple[str, ...], alias: str) -> str:
    columns = tuple(f.attname for f in model._meta.concrete_fields)
    lock = " FOR UPDATE" if connections[alias].features.has_select_for_update else ""
    return f"{_select(model, columns, keys, alias)} LIMIT 1{lock}"


def locked_row(model: type[M], **key: Any) -> M | None:
    """The row whose unique `key` (field names) is as given, as a model instance (the
    ORM's raw path: its converters apply), locked until the transaction ends where the
    database locks rows (as select_for_update(): SQLite locks the whole database for
    the writing transaction instead); None when there is none."""
    alias = router.db_for_write(model)
    rows = model._default_manager.raw(_locking(model, tuple(key), alias), list(key.values()))
    return next(iter(rows.using(alias)), None)


def read_each(*reads: tuple[type[models.Model], str, str, Any]) -> list[Any]:
    """read_one for each (model, column, key, value), all in one statement (a scalar
    subquery each); None for a read that finds no row."""
    alias = router.db_for_read(reads[0][0])
    parts = ", ".join(f"({_statement(m, c, k, alias)})" for m, c, k, _ in reads)
    sql, params = f"SELECT {parts}", [value for *_, value in reads]
    return list(_once(sql, params, lambda: _fetch(alias, sql, params)) or ())


def as_uuid(value: Any) -> uuid.UUID:
    """A stamp as read: a uuid.UUID from PostgreSQL, its hex text from SQLite."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)
