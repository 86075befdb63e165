"""Rebuild the rollups for a range of local dates from the ledger: in this process with a
progress bar, or in parts that Celery workers compute at once (--parts)."""

from __future__ import annotations

import datetime as dt
import time
from argparse import ArgumentTypeError

from django.core.management.base import CommandError
from tqdm import tqdm

from analytics.services.rollup import backfill, backfill_parts
from cpo_portal.db import years
from cpo_portal.formatting.number_inputs import whole_number, whole_number_option
from cpo_portal.management.product_command import ProductCommand
from cpo_portal.models import Operator


# The options' readers refuse with ArgumentTypeError: the parser words it in one line (a
# CommandError under call_command), where a CommandError raised while parsing escaped
# manage.py's handler as a traceback.
def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a date like 2025-03-01") from None
    if years.outside(day):  # the product's one range of dates
        raise ArgumentTypeError(f"{text!r}: pick a date {years.SPAN}")
    return day


_parts = whole_number_option(1, backfill_parts.MAX_PARTS)


def _run(text: str) -> int:
    run = whole_number(text)
    if run is None:
        raise ArgumentTypeError(f"{text!r} is not a run id (a whole number)")
    return run


class Command(ProductCommand):
    help = (
        "Rebuild the analytics rollups for local dates FROM..TO (inclusive) from the "
        "redemption ledger. Idempotent; safe while the beat task runs (they take turns). "
        "With --parts N, N Celery workers compute it at once and the last one merges it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=_date)
        parser.add_argument("--to", dest="last", type=_date)
        parser.add_argument(
            "--operator", action="append", default=[], help="Operator code; repeat for more."
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")
        parser.add_argument(
            "--parts", type=_parts, help="Split into N parts that Celery workers run at once."
        )
        parser.add_argument(
            "--no-wait", action="store_true", help="With --parts: print the run id and return."
        )
        parser.add_argument("--status", type=_run, metavar="RUN", help="A run's progress.")
        parser.add_argument("--cancel", type=_run, metavar="RUN", help="Stop every part of a run.")

    def handle(self, *args, first, last, operator, no_progress, parts, no_wait, **options):
        cancel, status = options["cancel"], options["status"]
        if cancel is not None or status is not None:
            others = (first, last, operator or None, parts, no_wait or None)
            if any(o is not None for o in others) or (cancel is not None and status is not None):
                raise CommandError("--cancel and --status take a run id and nothing else.")
            run = cancel if cancel is not None else status
            try:
                return self._cancel(run) if cancel is not None else self._status(run)
            except LookupError as exc:  # not a backfill run
                raise CommandError(f"No backfill run {run}.") from exc
        if first is None or last is None:
            raise CommandError("--from and --to are required (or --status/--cancel RUN).")
        if last < first:
            raise CommandError("--to is before --from.")
        if no_wait and not parts:
            raise CommandError("--no-wait goes with --parts.")
        operators = None
        if operator:
            found = list(Operator.objects.filter(code__in=operator).order_by("pk"))
            missing = set(operator) - {o.code for o in found}
            if missing:
                raise CommandError(f"No operator with code {', '.join(sorted(missing))}.")
            operators = found
        days = (last - first).days + 1
        if parts:
            try:
                job = backfill_parts.start(first, last, operators, parts)
            except ValueError as exc:
                raise CommandError(f"{exc}.") from exc
            if no_wait:
                self.stdout.write(f"{job.pk}")
                return None
            self._wait(job.pk, no_progress)
            self.stdout.write(
                self.style.SUCCESS(f"Rebuilt {days} days in {job.chunks} parts from the ledger.")
            )
            return None
        count = backfill(first, last, operators, progress=not no_progress, out=self.stderr)
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt {days} days ({count} operator-days) from the ledger.")
        )
        return None

    def _wait(self, run: int, no_progress: bool) -> None:
        bar = tqdm(total=100, desc="rollup", unit="%", disable=no_progress, file=self.stderr)
        while True:
            status, percent = backfill_parts.progress(run)
            bar.update(percent - bar.n)
            if status != "running":
                break
            time.sleep(0.5)
        bar.close()
        if status != "done":
            raise CommandError(f"Backfill run {run} {status}.")

    def _status(self, run: int) -> None:
        status, percent = backfill_parts.progress(run)
        self.stdout.write(f"{status} {percent}%")

    def _cancel(self, run: int) -> None:
        if not backfill_parts.cancel(run):
            raise CommandError(f"Backfill run {run} is not running.")
        self.stdout.write(f"Cancelling every part of backfill run {run}.")
