"""A step for migrations that add CHECK or UNIQUE constraints: refuse to go on while
existing rows break them, naming each row (for a unique constraint, the rows that share
one value), instead of failing inside the database with no row named.

Rows are never changed behind the operator's back: a tariff quoting 500 % GST cannot be
repaired by guessing. Fix or delete the rows listed (the admin shows them), then migrate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from django.core.management.base import CommandError
from django.db import migrations, models
from django.db.models import F

SHOWN = 20


def refuse_rows_breaking(app_label: str, operations: Sequence[object]) -> migrations.RunPython:
    """RunPython that checks every AddConstraint in `operations` against the rows."""
    added = [op for op in operations if isinstance(op, migrations.AddConstraint)]

    def check(apps, schema_editor) -> None:
        problems = []
        for op in added:
            model = apps.get_model(app_label, op.model_name)
            for ids in breaking(model, op.constraint)[:SHOWN]:
                problems.append(f"{model._meta.label} rows {ids} break {op.constraint.name}")
        if problems:
            raise CommandError(  # `migrate` prints it as one line, without a traceback
                "Existing rows break the new value rules; fix or delete them and migrate "
                "again: " + "; ".join(problems) + "."
            )

    noop: Callable = migrations.RunPython.noop
    return migrations.RunPython(check, noop, elidable=True)


def breaking(model: type[models.Model], constraint: models.BaseConstraint) -> list[str]:
    """The rows that break `constraint`: for a CHECK constraint one entry with up to SHOWN
    ids ("3, 8"), for a unique constraint one entry per value rows share ("3 and 7")."""
    rows = model._default_manager.all()
    condition = getattr(constraint, "condition", None)
    if not isinstance(constraint, models.UniqueConstraint):
        if condition is None:
            return []
        ids = [str(pk) for pk in rows.exclude(condition).values_list("pk", flat=True)[:SHOWN]]
        return [", ".join(ids)] if ids else []
    if condition is not None:
        rows = rows.filter(condition)
    parts = [*constraint.expressions, *(F(name) for name in constraint.fields)]
    keys = {f"unique_{i}": part for i, part in enumerate(parts)}
    shared: defaultdict[tuple, list[str]] = defaultdict(list)
    for pk, *key in rows.annotate(**keys).values_list("pk", *keys).order_by("pk"):
        if None not in key or constraint.nulls_distinct is False:  # NULLs never clash
            shared[tuple(key)].append(str(pk))
    return [f"{', '.join(ids[:-1])} and {ids[-1]}" for ids in shared.values() if len(ids) > 1]
