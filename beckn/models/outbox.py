"""Callbacks waiting to go out, and every attempt made to deliver them."""

from __future__ import annotations

from django.db import models

from .history import history_records
from .messages import InboundMessage
from .orders import Order


class PayloadField(models.TextField):
    """A callback body. Several rows' bodies go into one INSERT as one placeholder each:
    Django 5.2 would send a multi-row INSERT on PostgreSQL as UNNEST of one array per
    column, and psycopg writes a text array element by escaping each of its double quotes
    with a regular-expression substitution, a tenth of the CPU of answering a select for
    a JSON body's hundreds of quotes. A field with its own placeholder is left out of
    UNNEST (django.db.backends.postgresql.compiler.SQLInsertCompiler)."""

    def get_placeholder(self, value: object, compiler: object, connection: object) -> str:
        return "%s"


class OutboxState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    REJECTED = "rejected", "Rejected by the BAP"
    EXPIRED = "expired", "Expired (ttl ran out)"
    UNDELIVERABLE = "undeliverable", "Undeliverable (no registered URL, or refused)"


# Not yet done: the backlog count reads these states through outbox_open_by_bap_idx.
OPEN_STATES = (OutboxState.PENDING, OutboxState.SENDING)

FINAL_STATES = frozenset(
    {
        OutboxState.DELIVERED,
        OutboxState.REJECTED,
        OutboxState.EXPIRED,
        OutboxState.UNDELIVERABLE,
    }
)


class Outbox(models.Model):
    """Written in the same transaction as the state change it reports."""

    TENANT_PATH = "order__operator"

    inbound = models.ForeignKey(
        InboundMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, null=True, blank=True, related_name="callbacks"
    )
    subscriber_id = models.CharField(max_length=255)
    action = models.CharField(max_length=16)
    target_url = models.CharField(
        max_length=600,
        blank=True,
        help_text="Last or next target; the registry is asked again at each attempt.",
    )
    payload = PayloadField(help_text="The callback body, exactly the bytes we sign and send.")
    message_id = models.CharField(max_length=64)
    transaction_id = models.CharField(max_length=64)
    state = models.CharField(
        max_length=16, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    # Creation is recorded; later state changes are conditional UPDATEs (no signals), and
    # every one of them is also a DeliveryAttempt row. The payload is not copied.
    history = history_records(excluded_fields=["payload"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "outbox"
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["message_id"], name="outbox_message_idx"),
            # services.backlog counts a BAP's open callbacks (without a Redis cache)
            models.Index(
                fields=["subscriber_id"],
                condition=models.Q(state__in=OPEN_STATES),
                name="outbox_open_by_bap_idx",
            ),
            # services.retention finds the finished callbacks of no order to delete
            models.Index(
                fields=["expires_at"],
                condition=models.Q(order__isnull=True, state__in=sorted(FINAL_STATES)),
                name="outbox_prunable_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.message_id} -> {self.subscriber_id} ({self.state})"


class DeliveryAttempt(models.Model):
    TENANT_PATH = "outbox__order__operator"

    outbox = models.ForeignKey(Outbox, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    target_url = models.CharField(max_length=600)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=OutboxState.choices)
    error = models.TextField(blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    # An attempt written with its outcome is never changed: the row is its own record, and
    # delivery writes it without a history row. Only the sweep's "no outcome" row of a
    # worker that stopped mid-send can be replaced by the outcome, and both are recorded.
    history = history_records()

    class Meta:
        ordering = ["outbox", "number"]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error[:40]}"
