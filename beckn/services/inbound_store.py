"""Store an accepted message: one INSERT ... ON CONFLICT DO NOTHING RETURNING id.

The ACK promises a callback, so the row must be committed before we answer. This is the
only statement on the ACK path (the registry is memoised, the rate limit is in the
cache), so it is kept to one round trip and little CPU:

- No model instance, no savepoint: Django's ORM has no "insert unless the unique key is
  taken, and give me the id", so the statement is written here, from the model's own
  fields (their defaults and their `get_db_prep_save`, so JSON, datetimes and the SQLite
  laptop setup are adapted exactly as `objects.create` would). A duplicate
  (bap_id, message_id) returns no id and raises nothing, inside or outside a caller's
  transaction. PostgreSQL and SQLite (>= 3.35) both have ON CONFLICT and RETURNING.
- No health-check round trip: with CONN_HEALTH_CHECKS Django sends `SELECT 1` before the
  first query of every request. Here the INSERT is the check: when it fails because the
  connection is dead (the database restarted since the last request), the connection is
  dropped and the INSERT is sent once more on a new one. Sending it twice is safe: if the
  first one was committed after all, the second finds the key taken and the caller
  answers as for any retry (same digest: ACK).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import InterfaceError, OperationalError, connections

from beckn.models import InboundMessage

UNIQUE_KEY = ("bap_id", "message_id")


@cache
def _statement(vendor: str, quote: Any) -> tuple[str, tuple[Any, ...]]:
    fields = tuple(f for f in InboundMessage._meta.concrete_fields if not f.primary_key)
    table = quote(InboundMessage._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    conflict = ", ".join(quote(InboundMessage._meta.get_field(n).column) for n in UNIQUE_KEY)
    pk = quote(InboundMessage._meta.pk.column)
    # Names come from the model, quoted; every value is a parameter.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({values}) "  # noqa: S608
    sql += f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {pk}"
    return sql, fields


def insert(values: dict[str, Any]) -> int | None:
    """The new row's id, or None when (bap_id, message_id) is already stored."""
    connection = connections[InboundMessage.objects.db]
    sql, fields = _statement(connection.vendor, connection.ops.quote_name)
    params = [
        f.get_db_prep_save(values[f.name] if f.name in values else f.get_default(), connection)
        for f in fields
    ]
    retry = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if retry:
        connection.health_check_done = True  # this INSERT is the health check
    try:
        return _run(connection, sql, params)
    except (InterfaceError, OperationalError):
        if not retry or connection.is_usable():
            raise
    connection.close()  # dead since the last request: once more, on a new connection
    return _run(connection, sql, params)


def _run(connection: Any, sql: str, params: list[Any]) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None
