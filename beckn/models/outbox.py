"""Callbacks waiting to go out, and every attempt made to deliver them."""

from __future__ import annotations

from django.db import models

from cpo_portal.models.sending import OPEN_STATES, Attempt, Outgoing, State

from .history import history_records
from .messages import InboundMessage
from .orders import Order


class PayloadField(models.TextField):
    """A callback body. Several rows' bodies go into one INSERT as one placeholder each:
    Django 5.2 would send a multi-row INSERT on PostgreSQL as UNNEST of one array per
    column, and psycopg writes a text array element by escaping each of its double quotes
    with a regular-expression substitution, a large share of the CPU of answering a
    select for a JSON body's hundreds of quotes (bench/results/select.md). A field with
    its own placeholder is left out of UNNEST
    (django.db.backends.postgresql.compiler.SQLInsertCompiler)."""

    def get_placeholder(self, value: object, compiler: object, connection: object) -> str:
        return "%s"


# One set of states for everything we send; FINAL_STATES are those a callback can end in.
OutboxState = State

FINAL_STATES = frozenset(
    {
        OutboxState.DELIVERED,
        OutboxState.REJECTED,
        OutboxState.EXPIRED,
        OutboxState.UNDELIVERABLE,
    }
)


class Outbox(Outgoing):
    """A Beckn callback, written in the same transaction as the state change it reports
    (sent by services.delivery on cpo_portal.outbound.courier)."""

    TENANT_PATH = "order__operator"

    inbound = models.ForeignKey(
        InboundMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, null=True, blank=True, related_name="callbacks"
    )
    subscriber_id = models.CharField(max_length=255)
    action = models.CharField(max_length=16)
    payload = PayloadField(help_text="The callback body, exactly the bytes we sign and send.")
    message_id = models.CharField(max_length=64)
    transaction_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField()  # the request's answer window: always one

    # Creation is recorded; later state changes are conditional UPDATEs (no signals), and
    # every one of them is also a DeliveryAttempt row. The payload is not copied.
    history = history_records(excluded_fields=["payload"])
    # of a reply: its place among the callbacks answering its message (an on_search in
    # parts has several); one row per place, so a message is answered once, however many
    # workers answer it (beckn.processing)
    part = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "outbox"
        constraints = [
            models.UniqueConstraint(fields=["inbound", "part"], name="one_answer_per_message"),
        ]
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


class DeliveryAttempt(Attempt):
    TENANT_PATH = "outbox__order__operator"

    outbox = models.ForeignKey(Outbox, on_delete=models.CASCADE, related_name="delivery_attempts")

    # An attempt written with its outcome is never changed: the row is its own record, and
    # delivery writes it without a history row. Only the sweep's "no outcome" row of a
    # worker that stopped mid-send can be replaced by the outcome, and both are recorded.
    history = history_records()

    class Meta:
        ordering = ["outbox", "number"]
