"""What every outgoing message's row and attempt hold, whoever sends it (abstract: each
sender's table keeps its own owner, tenancy and history; services.courier runs them all)."""

from __future__ import annotations

from django.db import models


class State(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    REJECTED = "rejected", "Rejected by the recipient"
    EXPIRED = "expired", "Expired (ttl ran out)"
    UNDELIVERABLE = "undeliverable", "Undeliverable (no registered URL, or refused)"
    FAILED = "failed", "Failed (retries used up)"
    SUPERSEDED = "superseded", "Superseded by a later change"


# Not yet done: what the sweep and the backlog counts read.
OPEN_STATES = (State.PENDING, State.SENDING)


class Outgoing(models.Model):
    """One message to send: its state, tries, lease and schedule (courier.py)."""

    target_url = models.CharField(
        max_length=600,
        blank=True,
        help_text="Last or next target; the sender is asked again at each attempt.",
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(
        max_length=300,
        blank=True,
        help_text="The worker process that leased it last (cpo_portal.background.lease_holder).",
    )
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = models.Manager()

    class Meta:
        abstract = True


class Attempt(models.Model):
    """One try at sending an Outgoing row, whatever it ended with."""

    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    method = models.CharField(max_length=8, default="POST")
    target_url = models.CharField(max_length=600)
    status_code = models.PositiveIntegerField("HTTP status", null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=State.choices)
    error = models.TextField(blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    objects = models.Manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"#{self.number} {self.method} {self.status_code or self.error[:40]}"
