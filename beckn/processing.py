"""The asynchronous half: run the handler for an accepted message and write its reply to
the outbox, in one transaction, exactly once per message (a refusal undoes the handler's writes)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from beckn.handlers import handler_for
from beckn.messages import Failure, Reply, Request
from beckn.models import InboundMessage, InboundState, Outbox
from beckn.protocol import errors
from beckn.services import outbox
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


def _locked(inbound_id: int) -> InboundMessage | None:
    """The message, locked, unless it does not exist or was already handled."""
    inbound = locked_row(InboundMessage, pk=inbound_id)
    if inbound is None or inbound.state in (InboundState.DONE, InboundState.FAILED):
        return None
    return inbound


def _finish(inbound: InboundMessage, reply: Reply, now: dt.datetime) -> Outbox:
    """Write the reply's callbacks and mark the message handled."""
    row = outbox.add(inbound, reply.message, reply.error, reply.order, now)
    for message in reply.more:  # the other parts of a catalog sent in parts
        outbox.add(inbound, message, None, reply.order, now)
    inbound.state = InboundState.DONE
    inbound.processed_at = now
    inbound.attempts += 1
    inbound.save(update_fields=["state", "processed_at", "attempts"])
    return row


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


def process_safely(inbound_id: int) -> Outbox | None:
    try:
        return process(inbound_id)
    except Exception as exc:
        log.exception("processing inbound message %s failed", inbound_id)
        record_crash(inbound_id, exc)
        return None
