"""The rollup's watermarks."""

from __future__ import annotations

from django.db import models


class RollupCursor(models.Model):
    """How far the ledger has been rolled up: the highest ledger id seen, and ids below
    it that were missing then (a transaction still open) and may yet appear."""

    name = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)
    pending_gaps = models.JSONField(
        default=list, blank=True, help_text="[[first id, last id, first seen (ISO)], ...]"
    )
    runs = models.PositiveIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(default=0)
    last_rows = models.PositiveIntegerField("ledger rows read last run", default=0)
    last_partitions = models.PositiveIntegerField("partitions rebuilt last run", default=0)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_id}"
