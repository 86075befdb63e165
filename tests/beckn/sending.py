"""Callbacks sent one call at a time, at a given moment, as the tests drive delivery (the
workers go through beckn.tasks and delivery.Courier)."""

from __future__ import annotations

import random
from datetime import datetime

from beckn.models import Outbox
from beckn.services.delivery import Callbacks, Courier
from cpo_portal.delivery import courier
from cpo_portal.delivery.courier import Result


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
