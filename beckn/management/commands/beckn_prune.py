"""Delete the Beckn messages kept long enough, now (beat does it every ten minutes)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import CommandError
from django.utils import timezone

from beckn.services import retention
from cpo_portal.management.product_command import ProductCommand


class Command(ProductCommand):
    help = (
        "Delete requests and callbacks of no order kept BECKN_KEEP_MESSAGES_DAYS after their "
        "answer window (services.retention says what goes and what stays)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=float,
            help="Keep this many days instead of BECKN_KEEP_MESSAGES_DAYS (more than 0).",
        )

    def handle(self, *args, days: float | None = None, **options):
        if days is not None and not days > 0:
            raise CommandError(f"--days must be more than 0 (got {days:g})")
        kept = retention.keep(days)
        if kept is None and days is not None:
            self.stdout.write(f"Deleted 0: {days:g} days reach back before any message.")
            return
        if kept is None:
            self.stdout.write("BECKN_KEEP_MESSAGES_DAYS is 0: messages are kept for ever.")
            return
        total = pruned = retention.prune(timezone.now(), kept)
        while pruned:  # a run stops after retention.MAX_BATCHES; the command goes on to the end
            pruned = retention.prune(timezone.now(), kept)
            total += pruned
        days = kept / timedelta(days=1)
        self.stdout.write(f"Deleted {total} ({days:g} days after their answer window).")
