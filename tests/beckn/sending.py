"""Callbacks sent one call at a time, at a given moment, as the tests drive delivery (the
workers go through beckn.tasks and delivery.Courier)."""

from __future__ import annotations

import datetime as dt
import random
from datetime import datetime

from django.utils import timezone

from beckn.models import InboundMessage, InboundState, Outbox
from beckn.services import outbox
from beckn.services.delivery import Callbacks, Courier
from cpo_portal.outbound import courier
from cpo_portal.outbound.courier import Result


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    return courier.backoff(Callbacks().options(), attempt, rng)


def claim(outbox_id: int, now: datetime) -> Outbox | None:
    rows = claim_many([outbox_id], now)
    return rows[0] if rows else None


def claim_many(outbox_ids: list[int], now: datetime) -> list[Outbox]:
    return courier.claim_many(Callbacks(), outbox_ids, now)


def renew(rows: list[Outbox], now: datetime) -> set[int]:
    return courier.renew(Callbacks(), rows, now)


def deliver(outbox_id: int, now: datetime | None = None) -> Result | None:
    """One attempt if the row is due; None when it is not ours to send (yet)."""
    return deliver_many([outbox_id], now).get(outbox_id)


def deliver_many(outbox_ids: list[int], now: datetime | None = None) -> dict[int, Result]:
    sender = Courier()
    results = sender.send(outbox_ids, now)
    sender.record()
    return results


def make_row(bap, *, ttl_seconds: int = 30, bap_uri: str | None = None) -> Outbox:
    """A status request of `bap` answered with an error: its callback row, queued."""
    now = timezone.now()
    ctx = bap.context("status", bap_uri=bap_uri or bap.url)
    inbound = InboundMessage.objects.create(
        bap_id=bap.subscriber_id,
        message_id=ctx["message_id"],
        action="status",
        transaction_id=ctx["transaction_id"],
        body={"context": ctx, "message": {"order_id": "ord-1"}},
        body_digest="x",
        received_at=now,
        expires_at=now + dt.timedelta(seconds=ttl_seconds),
    )
    error = {"code": "30010", "message": "order 'ord-1' is not a confirmed order of yours"}
    return outbox.answer(inbound, [(None, error, None)], now, {"state": InboundState.DONE})[0]
