"""The base of every product command (`manage.py ...`).

An argument holding NUL is refused with its one-line message before the command runs: no
text the product keeps or looks up can hold one (PostgreSQL refuses it in any text, and a
file name cannot hold one either), so a command would otherwise fail with a database
error's traceback wherever the value first reached a query."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class ProductCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> Any:
        for name, value in options.items():
            values = value if isinstance(value, list | tuple) else [value]
            if any(isinstance(v, str) and "\x00" in v for v in values):
                raise CommandError(f"{name} holds a NUL character, which no text can hold")
        if any(isinstance(a, str) and "\x00" in a for a in args):
            raise CommandError("an argument holds a NUL character, which no text can hold")
        return super().execute(*args, **options)
