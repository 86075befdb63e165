"""Small reads by key through the ORM, for the version stamps every quote reads before it
trusts its process's memo (pricing books, the offer catalog), a few columns of the rows
matching a key (the ledger's sequence read), and one row locked by its unique key."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def read_one(model: type[models.Model], column: str, key: str, value: Any) -> Any:
    """`column` of the row whose unique `key` is `value`; None when there is none."""
    rows = model._default_manager.filter(**{key: value}).values_list(column, flat=True)
    return rows.order_by().first()


def rows_of(model: type[models.Model], columns: tuple[str, ...], **key: Any) -> list[tuple]:
    """`columns` (field names) of every row whose fields equal `key`, in no particular
    order."""
    return list(model._default_manager.filter(**key).order_by().values_list(*columns))


def locked_row(model: type[M], **key: Any) -> M | None:
    """The row whose unique `key` (field names) is as given, locked until the transaction
    ends (select_for_update); None when there is none."""
    return model._default_manager.select_for_update().filter(**key).order_by().first()


def read_each(*reads: tuple[type[models.Model], str, str, Any]) -> list[Any]:
    """read_one for each (model, column, key, value); None for a read that finds no row."""
    return [read_one(model, column, key, value) for model, column, key, value in reads]


def as_uuid(value: Any) -> uuid.UUID:
    """A stamp as read: a uuid.UUID (or its text)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)
