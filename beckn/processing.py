"""The asynchronous half: run the handler for an accepted message and write its reply to
the outbox, in one transaction, exactly once per message.

A refusal (Failure) undoes whatever the handler changed and is written as the reply in a
transaction of its own. So is a crash: a handler that raises is answered at once with a
BECKN error callback (40000, "could not process"), never left for the sweep to retry
until the BAP's ttl has run out. Only when not even that can be written (the database is
away) does the message stay `received`, for the sweep (beckn.tasks.requeue_stuck) to
queue again, at most MAX_ATTEMPTS times while its answer can still arrive in time."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import DatabaseError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from beckn import conf
from beckn.handlers import handler_for
from beckn.messages import Failure, Reply, Request
from beckn.models import INBOUND_OPEN, InboundMessage, InboundState, Outbox
from beckn.protocol import errors
from beckn.protocol.v2 import context as v2_context
from beckn.services import outbox
from beckn.wire.v2 import reading as v2_reading
from beckn.wire.v2 import replies as v2_replies

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
COULD_NOT_PROCESS = "the BPP could not process this request; please retry with a new message_id"


def process(inbound_id: int, now: dt.datetime | None = None) -> Outbox | None:
    """Handle one message; None if it was already handled, another worker is handling it,
    or it does not exist. The row returned is the reply's first callback (an on_search
    in parts has one per part)."""
    return _answer(inbound_id, now or timezone.now())


def process_next(now: dt.datetime | None = None) -> int | None:
    """Handle the unanswered message whose turn comes first (its fair_at: services.admission)
    that no other worker is handling; its id, or None when there is none. One statement
    finds and locks it (FOR UPDATE SKIP LOCKED), so workers draining the queue side by side
    never ask for a row another one holds, nor lock one already answered. A message whose
    handling failed is counted for the sweep (as process_safely)."""
    now = now or timezone.now()
    taken: list[int] = []
    try:
        _answer(None, now, taken=taken)
    except Exception as exc:
        if not taken:
            raise
        log.exception("answering inbound message %s failed", taken[0])
        record_crash(taken[0], exc)
    return taken[0] if taken else None


def _answer(
    inbound_id: int | None, now: dt.datetime, taken: list[int] | None = None
) -> Outbox | None:
    """process(inbound_id); with no id, the next message in turn (its id into `taken`)."""
    refusal: Reply | None = None
    try:
        with transaction.atomic():
            if inbound_id is None:
                inbound = _next_waiting(now)
            else:
                inbound = _locked(inbound_id, skip_locked=True)
            if inbound is None:
                return None
            inbound_id = inbound.pk
            if taken is not None:
                taken.append(inbound.pk)
            reply = handler_for(inbound.action)(_request(inbound, now))
            return _finish(inbound, reply, now)
    except Failure as failure:
        refusal = failure.reply()
        crash: Exception | None = None
    except Exception as exc:
        if inbound_id is None:
            raise
        log.exception("processing inbound message %s failed", inbound_id)
        crash = exc
    assert inbound_id is not None  # set before the handler runs
    with transaction.atomic():
        inbound = _locked(inbound_id)
        if inbound is None:
            return None
        if refusal is not None:
            return _finish(inbound, refusal, now)
        return _failed(inbound, crash, now)


def unanswered(now: dt.datetime) -> QuerySet[InboundMessage]:
    """Messages not yet handled whose answer can still arrive in time."""
    return InboundMessage.objects.filter(
        state__in=INBOUND_OPEN,
        expires_at__gt=now,
        attempts__lt=MAX_ATTEMPTS,
    )


def waiting(now: dt.datetime) -> QuerySet[InboundMessage]:
    """The unanswered messages in turn (fair_at, then id), each locked as it is read
    unless another worker holds it (then passed over). Read through the index of open
    messages in turn (inbound_fair_turn_idx), however many answered ones the table holds."""
    rows = unanswered(now).order_by("fair_at", "pk")
    return rows.select_for_update(skip_locked=True)


def _next_waiting(now: dt.datetime) -> InboundMessage | None:
    return waiting(now).first()


def _locked(inbound_id: int, skip_locked: bool = False) -> InboundMessage | None:
    """The message, locked, unless it does not exist, was already handled or (with
    `skip_locked`) another worker is handling it."""
    rows = InboundMessage.objects.select_for_update(skip_locked=skip_locked)
    inbound = rows.filter(pk=inbound_id).first()
    if inbound is None or inbound.state in (InboundState.DONE, InboundState.FAILED):
        return None
    return inbound


def _request(inbound: InboundMessage, now: dt.datetime) -> Request:
    """The handler's Request: a 2.0 request's message read into the one handlers read."""
    if v2_context.is_v2(inbound.context):
        v2_action = v2_context.V2_ACTION.get(inbound.action, inbound.action)
        return Request(
            inbound, now, read_as=v2_reading.internal_message(v2_action, inbound.message, now)
        )
    return Request(inbound, now)


def _finish(inbound: InboundMessage, reply: Reply, now: dt.datetime) -> Outbox:
    """Write the reply's callbacks and mark the message handled; its first callback. The
    reply to a 2.0 request is rendered in 2.0 first (the handlers answer in one shape)."""
    if v2_context.is_v2(inbound.context):
        reply = v2_replies.render(
            inbound.action, inbound.message, reply, bpp_id=conf.bpp_id(), bpp_uri=conf.bpp_uri()
        )
    # A select's draft order is never saved (its quote is held): its callback has no order.
    order = reply.order if reply.order is not None and reply.order.pk is not None else None
    rows = outbox.add_many(
        [
            (inbound, message, reply.error if i == 0 else None, order)
            for i, message in enumerate([reply.message, *reply.more])
        ],
        now,
    )
    InboundMessage.objects.filter(pk=inbound.pk).update(
        state=InboundState.DONE, processed_at=now, attempts=F("attempts") + 1
    )
    return rows[0]


def _failed(inbound: InboundMessage, exc: BaseException | None, now: dt.datetime) -> Outbox:
    """The handler crashed: the BAP gets an error callback now, and the crash is kept."""
    inbound.attempts += 1
    inbound.error = f"{type(exc).__name__}: {exc}"[:2000]
    inbound.state = InboundState.FAILED
    inbound.processed_at = now
    error = {"code": errors.BUSINESS_ERROR.code, "message": COULD_NOT_PROCESS}
    message = None
    if v2_context.is_v2(inbound.context):  # 2.0's callbacks carry a message beside an error
        message = v2_replies.fallback(inbound.action, inbound.message)
    row = outbox.add(inbound, message, error=error, now=now)
    inbound.save(update_fields=["attempts", "error", "state", "processed_at"])
    return row


def record_crash(inbound_id: int, exc: BaseException) -> None:
    """Not even the error callback could be written: count the attempt, if the database
    takes it, for the sweep."""
    try:
        InboundMessage.objects.filter(pk=inbound_id, state=InboundState.RECEIVED).update(
            attempts=F("attempts") + 1, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
    except DatabaseError:
        log.warning("could not count the failed attempt of inbound message %s", inbound_id)


def process_safely(inbound_id: int, now: dt.datetime | None = None) -> Outbox | None:
    try:
        return process(inbound_id, now)
    except Exception as exc:
        log.exception("answering inbound message %s failed", inbound_id)
        record_crash(inbound_id, exc)
        return None
