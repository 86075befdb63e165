"""The asynchronous half: run the handler for an accepted message and write its reply to
the outbox, in one transaction, exactly once per message (a refusal undoes the handler's writes).

A worker given several messages answers those whose actions may share a transaction
(SHARED) in one: one lock of the messages, one INSERT of the callbacks and one of their
history, one UPDATE of the messages, one commit, and the version stamps read once
(cpo_portal.stamps.held). Those actions lock nothing but their own order's row and
quote record, and the messages are handled in order of (BAP, transaction), so two
workers' batches take those locks in the same order and cannot deadlock. A message
whose handler refuses or fails takes the batch back: its refusal is kept and the batch is
answered again without running its handler, or it is handled alone (a crash is counted
there); nothing is lost and nothing is answered twice."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from beckn.handlers import handler_for
from beckn.messages import Failure, Reply, Request
from beckn.models import InboundMessage, InboundState, Outbox
from beckn.protocol import errors
from beckn.services import outbox
from cpo_portal import stamps
from cpo_portal.stamps import locked_row

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


def process(inbound_id: int, now: dt.datetime | None = None) -> Outbox | None:
    """Handle one message; None if it was already handled (or does not exist). The row
    returned is the reply's first callback (an on_search in parts has one per part).

    A refusal (Failure) undoes whatever the handler changed: the whole transaction is
    rolled back, and the refusal is written in a transaction of its own (no savepoint
    around the handler on the way that succeeds)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            inbound = _locked(inbound_id)
            if inbound is None:
                return None
            reply = handler_for(inbound.action)(Request(inbound, now))
            return _finish(inbound, reply, now)
    except Failure as failure:
        with transaction.atomic():
            inbound = _locked(inbound_id)
            if inbound is None:
                return None
            return _finish(inbound, failure.reply(), now)


# Actions whose handlers lock no row but their own order's (found by BAP and transaction).
SHARED = frozenset({"search", "select", "status"})


class _Again(Exception):
    """The batch is undone and answered again, knowing more."""


def process_many(inbound_ids: list[int], now: dt.datetime | None = None) -> None:
    """Answer each message (the ones already handled are skipped): the SHARED actions in one
    transaction, the others one by one, after it."""
    at = now or timezone.now()
    refused: dict[int, Reply] = {}  # a handler's refusal, kept while the batch is answered again
    alone: set[int] = set()  # crashed in the batch: handled alone, where a crash is counted
    while True:
        try:
            with transaction.atomic(), stamps.held():
                inbounds = _locked_many(inbound_ids)
                batch = [m for m in inbounds if m.action in SHARED and m.pk not in alone]
                rest = [m.pk for m in inbounds if m.action not in SHARED or m.pk in alone]
                _finish_many([(m, _answer(m, refused, alone, at)) for m in batch], at)
            break
        except _Again:
            continue
        except Exception:  # the batch's own statements failed: each on its own
            log.exception("answering %d messages together failed", len(inbound_ids))
            rest = list(inbound_ids)
            break
    for inbound_id in rest:
        process_safely(inbound_id, now)


def _answer(inbound: InboundMessage, refused: dict[int, Reply], alone: set[int],
            now: dt.datetime) -> Reply:  # fmt: skip
    if inbound.pk in refused:
        return refused[inbound.pk]
    try:
        return handler_for(inbound.action)(Request(inbound, now))
    except Failure as failure:
        refused[inbound.pk] = failure.reply()
    except Exception:
        alone.add(inbound.pk)
    raise _Again


def _locked_many(inbound_ids: list[int]) -> list[InboundMessage]:
    """The messages not yet handled, locked (in id order), in the order they are answered."""
    rows = InboundMessage.objects.select_for_update().filter(pk__in=inbound_ids).order_by("pk")
    waiting = [m for m in rows if m.state not in (InboundState.DONE, InboundState.FAILED)]
    return sorted(waiting, key=lambda m: (m.bap_id, m.transaction_id, m.pk))


def _finish_many(answered: list[tuple[InboundMessage, Reply]], now: dt.datetime) -> list[Outbox]:
    """Write the replies' callbacks (one INSERT) and mark the messages handled (one
    UPDATE); the rows, in order (an on_search in parts has one per part)."""
    if not answered:
        return []
    rows = outbox.add_many(
        [
            (inbound, message, reply.error if i == 0 else None, reply.order)
            for inbound, reply in answered
            for i, message in enumerate([reply.message, *reply.more])
        ],
        now,
    )
    InboundMessage.objects.filter(pk__in=[inbound.pk for inbound, _ in answered]).update(
        state=InboundState.DONE, processed_at=now, attempts=F("attempts") + 1
    )
    return rows


def _locked(inbound_id: int) -> InboundMessage | None:
    """The message, locked, unless it does not exist or was already handled."""
    inbound = locked_row(InboundMessage, pk=inbound_id)
    if inbound is None or inbound.state in (InboundState.DONE, InboundState.FAILED):
        return None
    return inbound


def _finish(inbound: InboundMessage, reply: Reply, now: dt.datetime) -> Outbox:
    """Write the reply's callbacks and mark the message handled; its first callback."""
    return _finish_many([(inbound, reply)], now)[0]


def record_crash(inbound_id: int, exc: BaseException) -> None:
    """After an unexpected error: count it; after MAX_ATTEMPTS answer with a 40000 error so
    the BAP is not left waiting for a callback that will never come."""
    with transaction.atomic():
        inbound = InboundMessage.objects.select_for_update().filter(pk=inbound_id).first()
        if inbound is None or inbound.state in (InboundState.DONE, InboundState.FAILED):
            return
        inbound.attempts += 1
        inbound.error = f"{type(exc).__name__}: {exc}"[:2000]
        if inbound.attempts >= MAX_ATTEMPTS:
            inbound.state = InboundState.FAILED
            text = "the BPP could not process this request; please retry with a new message_id"
            outbox.add(inbound, error={"code": errors.BUSINESS_ERROR.code, "message": text})
        inbound.save(update_fields=["attempts", "error", "state"])


def process_safely(inbound_id: int, now: dt.datetime | None = None) -> Outbox | None:
    try:
        return process(inbound_id, now)
    except Exception as exc:
        log.exception("processing inbound message %s failed", inbound_id)
        record_crash(inbound_id, exc)
        return None
