"""Two writes sent as one statement on PostgreSQL (a data-modifying `WITH`), where a hot
path would otherwise pay a round trip and a statement for each: new rows with their
django-simple-history records (what `bulk_create_with_history` writes in two INSERTs),
and an INSERT sent together with an UPDATE (a delivery's attempt and its row's outcome; a
reply and its message marked answered).

Elsewhere (SQLite cannot write inside `WITH`) the same writes go as two statements. The
INSERT's text and values are Django's own (its insert compiler), so field conversions,
defaults and `auto_now` behave as in `bulk_create`; only the statement around it is
written here. Both writes of one statement succeed or fail together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_change_reason_from_object

from cpo_portal.db.stamps import column

M = TypeVar("M", bound=models.Model)

# The history record's own columns this module fills; a historical model with any other
# (custom historical attributes) is written by simple_history itself.
HISTORY_OWN = {"history_id", "history_date", "history_change_reason", "history_type",
               "history_user"}  # fmt: skip


def joint(alias: str) -> bool:
    """Whether two writes can go as one statement on this database."""
    return connections[alias].vendor == "postgresql"


def insert_sql(objs: Sequence[models.Model], alias: str) -> tuple[str, list[Any]]:
    """Django's INSERT of the unsaved `objs` (one model, primary keys left to the
    database), as bulk_create would send it, with its values."""
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.generated and f is not meta.pk]
    query = InsertQuery(model)
    query.insert_values(fields, list(objs))
    [(sql, params)] = query.get_compiler(using=alias).as_sql()
    return sql, list(params)


def create_with_history(
    objs: list[M], model: type[M], then: tuple[str, list[Any]] | None = None
) -> list[M]:
    """bulk_create_with_history(objs, model): the rows and their "created" history records,
    in one statement on PostgreSQL; the rows get their primary keys. `then`: an UPDATE
    and its values (stamps.update_where()), sent in the same statement (elsewhere, in the
    same transaction)."""
    alias = router.db_for_write(model)
    history = model.history.model  # type: ignore[attr-defined]  # simple_history adds `history`
    own = {f.name for f in history._meta.concrete_fields}
    own -= {f.name for f in history.tracked_fields}
    if (
        not objs
        or not joint(alias)
        or own != HISTORY_OWN
        or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
        or any(get_change_reason_from_object(obj) for obj in objs)
    ):
        with transaction.atomic(using=alias):
            written = bulk_create_with_history(objs, model)
            if then is not None:
                with connections[alias].cursor() as cursor:
                    cursor.execute(*then)
        return written
    ops = connections[alias].ops
    quote = ops.quote_name
    insert, params = insert_sql(objs, alias)
    marked = ""
    if then is not None:
        marked, params = f", marked AS ({then[0]})", [*params, *then[1]]
    tracked = ", ".join(quote(f.column) for f in history.tracked_fields)
    names = ("history_date", "history_change_reason", "history_type", "history_user")
    extra = ", ".join(quote(column(history, name)) for name in names)
    pk = quote(column(model, model._meta.pk.name))
    sql = (
        f"WITH written AS ({insert} RETURNING *){marked} "  # noqa: S608 (names from the models, values parameters)
        f"INSERT INTO {quote(history._meta.db_table)} ({tracked}, {extra}) "
        f"SELECT {tracked}, %s, %s, '+', %s FROM written ORDER BY {pk} RETURNING {pk}"
    )
    user = history.get_default_history_user(objs[0])
    values = [*params, ops.adapt_datetimefield_value(timezone.now()), None,
              user.pk if user is not None else None]  # fmt: skip
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, values)
        ids = sorted(row[0] for row in cursor.fetchall())
    for obj, obj_pk in zip(objs, ids, strict=True):  # drawn in the order of the VALUES
        obj.pk = obj_pk
        obj._state.adding = False
        obj._state.db = alias
    return objs


def insert_and_update(objs: Sequence[models.Model], update: tuple[str, list[Any]]) -> int:
    """INSERT the unsaved `objs` (no primary keys read back) and run `update` (an UPDATE
    and its values: stamps.update_where), in one statement on PostgreSQL; the number of
    rows updated."""
    alias = router.db_for_write(type(objs[0])) if objs else DEFAULT_DB_ALIAS
    with connections[alias].cursor() as cursor:
        if not objs or not joint(alias):
            with transaction.atomic(using=alias, savepoint=False):
                if objs:
                    type(objs[0])._default_manager.using(alias).bulk_create(objs)
                cursor.execute(*update)
            return cursor.rowcount
        insert, params = insert_sql(objs, alias)
        cursor.execute(f"WITH written AS ({insert}) {update[0]}", [*params, *update[1]])
        return cursor.rowcount
