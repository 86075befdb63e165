"""A step for migrations that add CHECK constraints: refuse to go on while existing rows
break them, naming each row, instead of failing inside the database with no row named.

Rows are never changed behind the operator's back: a tariff quoting 500 % GST cannot be
repaired by guessing. Fix or delete the rows listed (the admin shows them), then migrate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.core.management.base import CommandError
from django.db import migrations

SHOWN = 20


def refuse_rows_breaking(app_label: str, operations: Sequence[object]) -> migrations.RunPython:
    """RunPython that checks every AddConstraint in `operations` against the rows."""
    added = [op for op in operations if isinstance(op, migrations.AddConstraint)]

    def check(apps, schema_editor) -> None:
        problems = []
        for op in added:
            condition = getattr(op.constraint, "condition", None)
            if condition is None:
                continue
            model = apps.get_model(app_label, op.model_name)
            bad = list(
                model._default_manager.exclude(condition).values_list("pk", flat=True)[:SHOWN]
            )
            if bad:
                ids = ", ".join(str(pk) for pk in bad)
                problems.append(f"{model._meta.label} rows {ids} break {op.constraint.name}")
        if problems:
            raise CommandError(  # `migrate` prints it as one line, without a traceback
                "Existing rows break the new value rules; fix or delete them and migrate "
                "again: " + "; ".join(problems) + "."
            )

    noop: Callable = migrations.RunPython.noop
    return migrations.RunPython(check, noop, elidable=True)
