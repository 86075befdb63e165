"""Which worker processes are alive and how fast they answer, for the web to read
(services.heartbeat writes these rows, services.admission reads them)."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per worker process, written every BECKN_HEARTBEAT_EVERY seconds while it
    lives; a row older than BECKN_WORKER_STALE_SECONDS is a process that died."""

    host = models.CharField(max_length=255, help_text="The Celery worker's node name.")
    pid = models.PositiveIntegerField()
    pool = models.CharField(max_length=32, help_text="prefork, gevent, solo, threads, ...")
    consumer = models.BooleanField(
        default=False,
        help_text="The process that takes task messages from the broker (a prefork pool "
        "process answers only what it is handed): a live one is a live worker host.",
    )
    beat_at = models.DateTimeField()
    answered = models.PositiveBigIntegerField(default=0, help_text="Messages answered in all.")
    drain_rate = models.FloatField(
        default=0.0,
        help_text="Messages this process answers per second while busy, recently (0: not "
        "measured yet).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["host", "pid"], name="one_heartbeat_per_process"),
        ]
        indexes = [models.Index(fields=["beat_at"], name="heartbeat_beat_at_idx")]

    def __str__(self) -> str:
        return f"{self.host} pid {self.pid} ({self.pool})"
