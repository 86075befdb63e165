"""The ACK's one statement: a new message's row, or nothing when its key is taken.

    INSERT INTO beckn_inboundmessage (...) VALUES (...)
    ON CONFLICT (bap_id, message_id) DO NOTHING RETURNING id

Speed only (the figures are in bench/results/beckn_ack.md, "prepared INSERT"): the
ORM's `objects.create` builds a model instance, sends four model signals, compiles the
INSERT and, for a retry, raises an IntegrityError to be caught; this statement's text is
built once per process from the model's own fields, table and unique constraint, and its
values are prepared by each field (`get_db_prep_save`, as the ORM does), so a column
added to the model is written here too, with its default. On PostgreSQL the same text
on the same connection is prepared by the server after a few runs
(`DATABASE_PREPARED_STATEMENTS`). Nothing listens to InboundMessage's model signals
(tests/beckn/test_ack_path.py holds that).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, UniqueConstraint

from beckn.models import InboundMessage

UNIQUE = "one_message_per_bap"  # the constraint whose conflict means "a retry"
_built: dict[str, tuple[str, tuple[Field, ...]]] = {}  # per database vendor


def _statement(connection: Any) -> tuple[str, tuple[Field, ...]]:
    found = _built.get(connection.vendor)
    if found is None:
        meta = InboundMessage._meta
        fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
        (unique,) = (c for c in meta.constraints if c.name == UNIQUE)
        assert isinstance(unique, UniqueConstraint)
        quote = connection.ops.quote_name
        by_name = {f.name: f for f in fields}
        target = ", ".join(quote(by_name[name].column) for name in unique.fields)
        columns = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        # names from the model, quoted; the values travel as parameters
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks}) "  # noqa: S608
            f"ON CONFLICT ({target}) DO NOTHING RETURNING {quote(meta.pk.column)}"
        )
        found = _built[connection.vendor] = (sql, fields)
    return found


def insert(values: Mapping[str, Any]) -> int | None:
    """The new row's id, or None when (bap_id, message_id) is taken (nothing written).
    Fields not in `values` get their default."""
    connection = connections[DEFAULT_DB_ALIAS]  # looked up once, not at every use
    sql, fields = _statement(connection)
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
