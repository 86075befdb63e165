"""Rebuild the rollups for a range of local dates from the ledger, with a progress bar."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from analytics.services.rollup import backfill
from cpo_portal.models import Operator


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a date like 2025-03-01") from exc


class Command(BaseCommand):
    help = (
        "Rebuild the analytics rollups for local dates FROM..TO (inclusive) from the "
        "redemption ledger. Idempotent; safe while the beat task runs (they take turns)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", required=True, type=_date)
        parser.add_argument("--to", dest="last", required=True, type=_date)
        parser.add_argument(
            "--operator", action="append", default=[], help="Operator code; repeat for more."
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, first, last, operator, no_progress, **options):
        if last < first:
            raise CommandError("--to is before --from.")
        operators = None
        if operator:
            found = list(Operator.objects.filter(code__in=operator))
            missing = set(operator) - {o.code for o in found}
            if missing:
                raise CommandError(f"No operator with code {', '.join(sorted(missing))}.")
            operators = found
        count = backfill(first, last, operators, progress=not no_progress, out=self.stderr)
        days = (last - first).days + 1
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt {days} days ({count} operator-days) from the ledger.")
        )
