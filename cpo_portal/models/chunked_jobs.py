"""A heavy job split into chunks that Celery workers run in parallel
(cpo_portal.background.chunked).

The job row holds what every chunk reads (its runner, its parameters, the cancel flag) and
the outcome; one row per chunk holds that chunk's progress and, once it is done, its
result. A chunk's message may be delivered twice (tasks are acknowledged late): its row
is written once, and the job is finished by whichever chunk completes the set, under the
job row's lock.
"""

from __future__ import annotations

from django.db import models


class JobStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


class ChunkedJob(models.Model):
    runner = models.CharField(
        max_length=200,
        help_text="Dotted path of the runner (cpo_portal.background.chunked.Runner).",
    )
    subject = models.CharField(
        max_length=120, help_text="What the job works for, e.g. 'whatif:42' (to cancel it)."
    )
    params = models.JSONField(default=dict, blank=True)
    chunks = models.PositiveIntegerField()
    progress_total = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING)
    cancel_requested = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subject"], name="chunked_job_subject")]

    def __str__(self) -> str:
        return f"{self.subject} in {self.chunks} chunks ({self.status})"


class JobChunk(models.Model):
    job = models.ForeignKey(ChunkedJob, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveIntegerField()
    progress = models.PositiveBigIntegerField(default=0)
    runs = models.PositiveIntegerField(
        default=0, help_text="Times a worker started it (more than one: a worker was lost)."
    )
    done = models.BooleanField(default=False)
    result = models.JSONField(null=True, blank=True)
    cpu_seconds = models.FloatField(default=0.0, help_text="The chunk's process CPU time.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="chunk_once_per_job"),
        ]

    def __str__(self) -> str:
        return f"chunk {self.index} of job {self.job_id}"
