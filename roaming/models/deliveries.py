"""Tariffs and Locations pushed to partners' receiver interfaces, and every attempt.

A Push row names an object (module and OCPI id), not a body: the sender builds the object
as it is when it sends, so a retry never sends an outdated version, and PUT or DELETE is
decided then (a tariff retired meanwhile is deleted). One pending row per partner and
object (a unique constraint): changes made while a push waits join it. Rows and attempts
have the shape of everything we send (cpo_portal.delivery), and are sent by its courier
(services.pushes).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cpo_portal.delivery.models import Attempt, Outgoing, State

from .partners import Partner


class Module(models.TextChoices):
    TARIFFS = "tariffs", "Tariffs"
    LOCATIONS = "locations", "Locations"


PushState = State  # one set of states for everything we send


class Push(Outgoing):
    TENANT_PATH = "partner__operator"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="pushes")
    module = models.CharField(max_length=16, choices=Module.choices)
    object_id = models.CharField("OCPI id", max_length=64)

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


class PushAttempt(Attempt):
    TENANT_PATH = "push__partner__operator"

    push = models.ForeignKey(Push, on_delete=models.CASCADE, related_name="attempts_made")
    ocpi_status = models.PositiveIntegerField("OCPI status", null=True, blank=True)
    body = models.TextField(blank=True, help_text="What was sent.")

    class Meta:
        ordering = ["push", "number"]
