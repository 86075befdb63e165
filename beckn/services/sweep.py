"""The sweep's part of delivery: callbacks whose worker stopped (its lease ran out) go back
to pending, and pending callbacks past their request's ttl expire (beckn.tasks.requeue_stuck,
beat every BECKN_REQUEUE_EVERY seconds). services.delivery says how a row is leased."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from beckn import conf
from beckn.models import DeliveryAttempt, Outbox, OutboxState
from beckn.services import backlog

STOPPED_MID_SEND = (
    "no outcome: the worker stopped during this attempt (its lease ran out); "
    "the BAP may have received it"
)


def release_stuck(now: datetime) -> list[int]:
    """Rows whose worker died mid-send go back to pending (the send may be repeated), and
    the attempt that worker never recorded gets a row of its own, so the admin shows as
    many attempts as the row counts."""
    lease = conf.seconds("BECKN_CALLBACK_LEASE")
    with transaction.atomic():
        stuck = list(
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(state=OutboxState.SENDING, leased_until__lt=now)
            .only("pk", "attempts", "leased_until", "target_url")[:1000]
        )
        ids = [row.pk for row in stuck]
        Outbox.objects.filter(pk__in=ids).update(
            state=OutboxState.PENDING, leased_until=None, next_attempt_at=now
        )
        recorded = set(
            DeliveryAttempt.objects.filter(outbox_id__in=ids).values_list("outbox_id", "number")
        )
        missing = [
            DeliveryAttempt(
                outbox=row,
                number=row.attempts,
                started_at=cast(datetime, row.leased_until) - lease,  # claimed or last renewed
                target_url=row.target_url,
                outcome=OutboxState.SENDING,
                error=STOPPED_MID_SEND,
            )
            for row in stuck
            if (row.pk, row.attempts) not in recorded
        ]
        bulk_create_with_history(missing, DeliveryAttempt)
    return ids


def expire_overdue(now: datetime) -> int:
    overdue = Outbox.objects.filter(state=OutboxState.PENDING, expires_at__lte=now)
    done = list(overdue.values_list("subscriber_id", "message_id")[:10_000])
    expired = overdue.update(state=OutboxState.EXPIRED, last_error="the request's ttl ran out")
    backlog.release(done)
    return expired
