"""Small statements by key: the columns of the rows matching a key (the version stamps
every quote reads before it trusts its process's memos, the ledger's sequence read), the
rows matching a key (an offer's usage counts), one row locked by its unique key, and the
UPDATE of the rows matching a key, as a statement to send with another write (a message
marked answered, a callback marked delivered: cpo_portal.db.joint_writes).

They are written for speed: a Beckn answer sends them on every message, and building
each through the ORM cost several times the CPU of sending the same statement as text
(the figures: bench/results/select.md). So `rows_of`, `rows_where`, `locked_row` and `update_where`
send a statement by key whose text is made once per (model, columns, key) from the
model's documented options (`Model._meta`, `connection.ops.quote_name`) and kept in a
plain dict (the same text in every thread), and convert what it returns as the ORM
does; `rows_where` and `locked_row` return model instances as raw() makes them
(`instances`, which a worker's take of a message uses too).
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypeVar, cast

from django.db import connections, models, router
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=models.Model)


def column(model: type[models.Model], name: str) -> str:
    """The column of `model`'s field `name`, unquoted."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field.column


def rows_of(model: type[models.Model], columns: tuple[str, ...], **key: Any) -> list[tuple]:
    """`columns` (field names) of every row whose fields equal `key` (a list or tuple
    meaning any of its values), in no particular order, each value as the ORM gives it."""
    fields = tuple(cast(models.Field, model._meta.get_field(name)) for name in columns)
    return [tuple(values) for values in _matching(model, fields, key, one=False)]


def rows_where(model: type[M], **key: Any) -> list[M]:
    """The rows whose fields (names) equal `key`, a list or tuple meaning any of its
    values, in no particular order."""
    return _rows(model, key, one=False)


def locked_row(model: type[M], **key: Any) -> M | None:
    """The row whose unique `key` (field names) is as given, locked until the transaction
    ends (select_for_update's `FOR UPDATE`, where the database has it); None when there is
    none."""
    if not connections[router.db_for_write(model)].in_atomic_block:
        raise TransactionManagementError("locked_row() locks only inside a transaction")
    return next(iter(_rows(model, key, one=True)), None)


def update_where(model: type[models.Model], values: dict[str, Any], **key: Any) -> Statement:
    """`model.objects.filter(**key).update(**values)` as a statement to send (with another
    write: cpo_portal.db.joint_writes), its text made once per (model, the names set, key
    names, list lengths), the values prepared by each field as the ORM prepares them."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    names, counts = _shape(model, key)
    sets = tuple(values)
    sql = _UPDATES.get((model, sets, names, counts, alias))
    if sql is None:
        quote = connection.ops.quote_name
        assign = ", ".join(f"{quote(column(model, name))} = %s" for name in sets)
        sql = _UPDATES[model, sets, names, counts, alias] = (
            f"UPDATE {quote(model._meta.db_table)} SET {assign} "  # noqa: S608 (names from the model, values parameters)
            f"WHERE {_where(model, names, counts, quote)}"
        )
    prepared = [
        cast(models.Field, model._meta.get_field(name)).get_db_prep_save(value, connection)
        for name, value in values.items()
    ]
    return Statement(sql, [*prepared, *_key_values(model, names, key, connection)])


class Statement(NamedTuple):
    sql: str
    params: list[Any]


def _rows(model: type[M], key: dict[str, Any], *, one: bool) -> list[M]:
    """The rows matching `key` as model instances, as raw() makes them (`Model.from_db`);
    `one`: the first row, locked (LIMIT 1 FOR UPDATE)."""
    alias = router.db_for_write(model)
    fields = tuple(model._meta.concrete_fields)
    names = [f.attname for f in fields]
    found = _matching(model, fields, key, one=one)
    return [model.from_db(alias, names, values) for values in found]


def _matching(
    model: type[models.Model], fields: tuple[models.Field, ...], key: dict[str, Any], *, one: bool
) -> list[list[Any]]:
    """`SELECT <fields> ... WHERE <key>`, its text made once per (model, fields, key names,
    list lengths): each row's values in `fields` order, converted (_converted)."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    names, counts = _shape(model, key)
    sql = _ROWS.get((model, fields, names, counts, one, alias))
    if sql is None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(str(f.column)) for f in fields)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        sql = _ROWS[model, fields, names, counts, one, alias] = (
            f"SELECT {columns} FROM {quote(model._meta.db_table)} "  # noqa: S608 (names from the model, values parameters)
            f"WHERE {_where(model, names, counts, quote)}" + (f" LIMIT 1{lock}" if one else "")
        )
    found = _converted(model, fields, sql, _key_values(model, names, key, connection), alias, ())
    return [values for values, _ in found]


def instances(
    model: type[M], sql: str, params: list[Any], alias: str, extras: tuple[str, ...] = ()
) -> list[tuple[M, tuple[Any, ...]]]:
    """The rows a statement returns (a SELECT or a RETURNING of every column of the
    model's table) as model instances, as `Model.objects.raw(sql, params)` makes them
    (each column converted by the database and its field, then `Model.from_db`), where
    which column is which field, and their converters, are worked out once per (model,
    columns, database): raw() works them out for every call (bench/results/select.md).
    Each with the values of the columns named `extras` that the statement returns beside
    them, as the database gives them (None: no such column)."""
    fields = tuple(model._meta.concrete_fields)
    names = [f.attname for f in fields]
    found = _converted(model, fields, sql, params, alias, extras)
    return [(model.from_db(alias, names, values), more) for values, more in found]


def _converted(
    model: type[models.Model],
    fields: tuple[models.Field, ...],
    sql: str,
    params: list[Any],
    alias: str,
    extras: tuple[str, ...],
) -> list[tuple[list[Any], tuple[Any, ...]]]:
    """The rows `sql` returns, each as the values of `fields` (found among its columns by
    name) converted as the ORM converts them: by the database, then by the field; and
    the values of its columns `extras`, as they are (None: no such column)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = tuple(column[0] for column in cursor.description)
        rows = cursor.fetchall()
    plan = _PLANS.get((model, fields, columns, alias)) or _plan(model, fields, columns, alias)
    order, converters = plan
    at = tuple(columns.index(name) if name in columns else None for name in extras)
    out = []
    for row in rows:
        values = [row[i] for i in order]
        for i, functions, expression in converters:
            value = values[i]
            for function in functions:
                value = function(value, expression, connection)
            values[i] = value
        out.append((values, tuple(None if i is None else row[i] for i in at)))
    return out


def _plan(
    model: type[models.Model],
    fields: tuple[models.Field, ...],
    columns: tuple[str, ...],
    alias: str,
) -> tuple:
    """Where each of `fields` is among `columns`, and the converters of those that have
    any (what raw()'s compiler applies)."""
    connection = connections[alias]
    at = {name: i for i, name in enumerate(columns)}
    order = [at[str(f.column)] for f in fields]  # KeyError: a column the statement lacks
    converters = []
    for i, field in enumerate(fields):
        expression = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(expression)
        functions += field.get_db_converters(connection)
        if functions:
            converters.append((i, functions, expression))
    plan = (order, converters)
    _PLANS[model, fields, columns, alias] = plan
    return plan


_PLANS: dict[tuple[type[models.Model], tuple, tuple[str, ...], str], tuple] = {}
_ROWS: dict[tuple[type[models.Model], tuple, tuple[str, ...], tuple, bool, str], str] = {}


def _shape(model: type[models.Model], key: dict[str, Any]) -> tuple[tuple[str, ...], tuple]:
    """The key's field names ("pk" named) and, for each, its list's length (None: one
    value): what its WHERE's text depends on."""
    pk = model._meta.pk.name
    names = tuple(pk if name == "pk" else name for name in key)
    counts = tuple(len(v) if isinstance(v, list | tuple) else None for v in key.values())
    return names, counts


def _where(model: type[models.Model], names: tuple[str, ...], counts: tuple, quote: Any) -> str:
    return " AND ".join(
        f"{quote(column(model, name))} = %s"
        if count is None
        else f"{quote(column(model, name))} IN ({', '.join(['%s'] * count) or 'NULL'})"
        for name, count in zip(names, counts, strict=True)
    )


def _key_values(
    model: type[models.Model], names: tuple[str, ...], key: dict[str, Any], connection: Any
) -> list[Any]:
    out = []
    for name, value in zip(names, key.values(), strict=True):
        field = cast(models.Field, model._meta.get_field(name))
        for item in value if isinstance(value, list | tuple) else (value,):
            out.append(field.get_db_prep_value(item, connection))
    return out


_UPDATES: dict[tuple[type[models.Model], tuple[str, ...], tuple[str, ...], tuple, str], str] = {}
