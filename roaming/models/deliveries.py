"""Tariffs and Locations pushed to partners' receiver interfaces, and every attempt.

A Push row names an object (module and OCPI id), not a body: the sender builds the object
as it is when it sends, so a retry never sends an outdated version, and PUT or DELETE is
decided then (a tariff retired meanwhile is deleted). One pending row per partner and
object (a unique constraint): changes made while a push waits join it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from .partners import Partner


class Module(models.TextChoices):
    TARIFFS = "tariffs", "Tariffs"
    LOCATIONS = "locations", "Locations"


class PushState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    REJECTED = "rejected", "Rejected by the partner"
    FAILED = "failed", "Failed (retries used up)"
    SUPERSEDED = "superseded", "Superseded by a later change"


FINAL_PUSH_STATES = frozenset(
    {PushState.DELIVERED, PushState.REJECTED, PushState.FAILED, PushState.SUPERSEDED}
)


class Push(models.Model):
    TENANT_PATH = "partner__operator"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="pushes")
    module = models.CharField(max_length=16, choices=Module.choices)
    object_id = models.CharField("OCPI id", max_length=64)
    state = models.CharField(max_length=16, choices=PushState.choices, default=PushState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "pushes"
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "module", "object_id"],
                condition=Q(state="pending"),
                name="one_pending_push_per_object",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="push_due_idx")]

    def __str__(self) -> str:
        return f"{self.module} {self.object_id} -> {self.partner.name} ({self.state})"


class PushAttempt(models.Model):
    TENANT_PATH = "push__partner__operator"

    push = models.ForeignKey(Push, on_delete=models.CASCADE, related_name="attempts_made")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    method = models.CharField(max_length=8)
    url = models.CharField(max_length=600)
    status_code = models.PositiveIntegerField("HTTP status", null=True, blank=True)
    ocpi_status = models.PositiveIntegerField("OCPI status", null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=PushState.choices)
    error = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="What was sent.")
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["push", "number"]

    def __str__(self) -> str:
        return f"#{self.number} {self.method} {self.status_code or self.error[:40]}"
