"""Every accepted inbound message, once: the unique (bap_id, message_id) makes retries free."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class InboundState(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSING = "processing", "Processing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


# Accepted and not yet answered: the claim, the sweep and the backlog count read these
# states through the partial indexes below, whose condition must name the same states.
OPEN_STATES = (InboundState.RECEIVED, InboundState.PROCESSING)


class InboundMessage(models.Model):
    # the body's key naming the DEG shape a 2.0 message was sent in (it is kept in the
    # OpenAPI's: beckn.protocol.v2.deg_shape)
    SENT_SHAPE = "sent_shape"

    bap_id = models.CharField(max_length=255)
    message_id = models.CharField(max_length=64)
    action = models.CharField(max_length=16)
    transaction_id = models.CharField(max_length=64, db_index=True)
    body = models.JSONField(help_text="The request after timestamp normalisation.")
    body_digest = models.CharField(
        max_length=100, help_text="BLAKE-512 digest of the exact bytes received."
    )
    key_id = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="Request timestamp + ttl: the callback window.")
    fair_at = models.DateTimeField(
        default=timezone.now,
        help_text="Its turn: arrival + its BAP's waiting messages / the drain rate "
        "(services.admission). Workers answer open messages in this order.",
    )
    state = models.CharField(
        max_length=16, choices=InboundState.choices, default=InboundState.RECEIVED
    )
    attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.CharField(
        max_length=300,
        blank=True,
        help_text="The worker process that took it last (cpo_portal.background.lease_holder).",
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["bap_id", "message_id"], name="one_message_per_bap"),
        ]
        indexes = [
            models.Index(fields=["state", "received_at"], name="inbound_state_idx"),
            # a draining worker takes the open message whose turn comes first
            # (processing.answer_in_turn): only open rows are in it, so the scan does not
            # wade through answered ones
            models.Index(
                fields=["fair_at", "id"],
                condition=models.Q(state__in=OPEN_STATES),
                name="inbound_fair_turn_idx",
            ),
            # services.backlog counts a BAP's open messages (without a Redis cache)
            models.Index(
                fields=["bap_id"],
                condition=models.Q(state__in=OPEN_STATES),
                name="inbound_open_by_bap_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.message_id} from {self.bap_id}"

    @property
    def context(self) -> dict:
        return self.body.get("context", {}) if isinstance(self.body, dict) else {}

    @property
    def sent_shape(self) -> str | None:
        """The DEG shape its 2.0 message was sent in (None: as kept)."""
        value = self.body.get(self.SENT_SHAPE) if isinstance(self.body, dict) else None
        return value if isinstance(value, str) else None

    @property
    def message(self) -> dict:
        value = self.body.get("message") if isinstance(self.body, dict) else None
        return value if isinstance(value, dict) else {}
