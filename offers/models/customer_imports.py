"""A customer CSV import run as a background job: the upload waits here for a worker,
which reports its progress on the row and erases the upload when it is done."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cpo_portal.models import Operator


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class CustomerImport(models.Model):
    """One uploaded CSV. The raw file (phone numbers, e-mail addresses) is kept only until
    the worker has read it: `upload` is emptied when the job ends, done or failed."""

    TENANT_PATH = "operator"

    operator = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="customer_imports"
    )
    file_name = models.CharField(max_length=200)
    upload = models.BinaryField(editable=False, default=bytes)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    status = models.CharField(
        max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total_lines = models.PositiveIntegerField(default=0, help_text="Data lines in the file.")
    rows_read = models.PositiveIntegerField(default=0)
    rows_saved = models.PositiveIntegerField(default=0)
    rows_to_save = models.PositiveIntegerField(default=0, help_text="Distinct customers read.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="Rows skipped, and why.")
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display().lower()})"

    @property
    def finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}

    @property
    def progress_text(self) -> str:
        if self.status == ImportStatus.QUEUED:
            return "waiting for a worker"
        if self.status == ImportStatus.FAILED:
            return f"failed: {self.message}"
        if self.status == ImportStatus.DONE:
            return f"{self.created:,} created, {self.updated:,} updated, {self.skipped:,} skipped"
        if self.rows_to_save == 0:
            return f"reading: {self.rows_read:,} of {self.total_lines:,} lines"
        return f"saving: {self.rows_saved:,} of {self.rows_to_save:,} customers"
