"""How many answers each BAP is waiting for, and the limit on it (BECKN_MAX_PENDING_PER_BAP).

An ACK promises a callback. A BAP that already waits for BECKN_MAX_PENDING_PER_BAP of
them gets a NACK instead (intake: 429, code 50000, Retry-After), never an ACK whose
answer would expire unsent behind its own backlog; and since no BAP can queue more than
the limit, none can push another's messages far back in the workers' queue.

The count is read from the database, where the messages and callbacks are: messages
accepted and not yet answered (while their answer may still go) plus callbacks pending or
being sent (two partial indexes). Nothing has to be released when an answer is done, so
the count cannot drift. Admission is exact: intake counts and inserts inside one
transaction holding the BAP's lock (`hold`: a PostgreSQL transaction-level advisory lock;
SQLite's write lock covers the whole transaction), so requests of one BAP are admitted one
at a time and never pass the limit together; other BAPs never wait for it.
"""

from __future__ import annotations

import math

from django.db import connections
from django.utils import timezone

from beckn import conf
from beckn.models import InboundMessage, InboundState, Outbox, OutboxState


def limit() -> int:
    return int(conf.get("BECKN_MAX_PENDING_PER_BAP"))


def retry_after() -> int:
    return max(1, math.ceil(float(conf.get("BECKN_PENDING_RETRY_AFTER"))))


def hold(bap_id: str) -> None:
    """Inside a transaction: take `bap_id`'s admission lock until it ends (PostgreSQL; other
    databases lock the whole transaction already)."""
    connection = connections[InboundMessage.objects.db]
    if limit() <= 0 or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", ["beckn:" + bap_id])


def over_limit(bap_id: str) -> int | None:
    """None: the BAP may send one more. Otherwise the number of answers it is already
    waiting for, at or over the limit: refuse."""
    most = limit()
    if most <= 0:
        return None
    waiting = pending_in_database(bap_id, most)
    return waiting if waiting >= most else None


def pending_in_database(bap_id: str, cap: int) -> int:
    """Messages accepted and not processed (while their answer may still go), and callbacks
    not yet done, counted up to `cap`."""
    inbound = InboundMessage.objects.filter(
        bap_id=bap_id,
        state__in=[InboundState.RECEIVED, InboundState.PROCESSING],
        expires_at__gt=timezone.now(),
    ).values("pk")[:cap]
    waiting = len(inbound)
    if waiting >= cap:
        return waiting
    outbox = Outbox.objects.filter(
        subscriber_id=bap_id, state__in=[OutboxState.PENDING, OutboxState.SENDING]
    ).values("pk")[: cap - waiting]
    return waiting + len(outbox)
