"""The sweep of every sender's rows (each sender's beat task runs it): leases that ran
out go back to pending, with the attempt their dead worker never recorded; rows past
their expiry expire; pending rows whose task was lost are found again (courier.py sends
them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from django.db import models, transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from cpo_portal.background import lease_holder
from cpo_portal.models.sending import State
from cpo_portal.outbound.senders import Sender

STOPPED_MID_SEND = (
    "no outcome: the worker stopped during this attempt (its lease ran out); "
    "the recipient may have received it"
)


def release_stuck(
    sender: Sender, now: datetime, leased_before: datetime | None = None
) -> list[int]:
    """Rows whose worker died mid-send go back to pending, due `now` (the send may be
    repeated), and the attempt that worker never recorded gets a row of its own, so the
    admin shows as many attempts as the row counts. Died: its lease ran out before `now`,
    or was taken before `leased_before` (a later time: the leases of workers known dead,
    each of which would run out then), or the process that holds it is known dead
    (lease_holder.held_by_the_dead)."""
    model, attempts, fk = sender.model, sender.attempt_model, f"{sender.row_field}_id"
    lease = timedelta(seconds=sender.options().lease)
    died = Q(leased_until__lt=leased_before or now)
    if (dead := lease_holder.held_by_the_dead("leased_by", now)) is not None:
        died |= dead
    with transaction.atomic():
        stuck = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(died, state=State.SENDING)
            .only("pk", "attempts", "leased_until", "target_url")[:1000]
        )
        ids = [row.pk for row in stuck]
        model.objects.filter(pk__in=ids).update(
            state=State.PENDING, leased_until=None, next_attempt_at=now
        )
        recorded = set(attempts.objects.filter(**{f"{fk}__in": ids}).values_list(fk, "number"))
        missing = [
            attempts(
                **{sender.row_field: row},
                number=row.attempts,
                started_at=cast(datetime, row.leased_until) - lease,  # claimed or last renewed
                target_url=row.target_url,
                outcome=State.SENDING,
                error=STOPPED_MID_SEND,
            )
            for row in stuck
            if (row.pk, row.attempts) not in recorded
        ]
        if hasattr(attempts, "history"):
            bulk_create_with_history(missing, attempts)
        else:
            attempts.objects.bulk_create(missing)
    return ids


def expire_overdue(sender: Sender, now: datetime) -> int:
    overdue = sender.model.objects.filter(state=State.PENDING, expires_at__lte=now)
    done = list(overdue.only("pk", *sender.key_fields)[:10_000])
    expired = overdue.update(state=State.EXPIRED, last_error="the ttl ran out")
    sender.finished(done)
    return expired


def due(sender: Sender, before: datetime) -> models.QuerySet[Any]:
    """Pending rows due before `before` (their task lost, or their retry come)."""
    return sender.model.objects.filter(state=State.PENDING, next_attempt_at__lte=before)
