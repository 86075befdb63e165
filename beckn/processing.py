"""The asynchronous half: run the handler for an accepted message and write its reply to
the outbox, all in one transaction, exactly once per message."""

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

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


def process(inbound_id: int, now: dt.datetime | None = None) -> Outbox | None:
    """Handle one message; None if it was already handled (or does not exist). The row
    returned is the reply's first callback (an on_search in parts has one per part)."""
    now = now or timezone.now()
    with transaction.atomic():
        inbound = InboundMessage.objects.select_for_update().filter(pk=inbound_id).first()
        if inbound is None or inbound.state in (InboundState.DONE, InboundState.FAILED):
            return None
        reply = _run(inbound, now)
        row = outbox.add(inbound, reply.message, reply.error, reply.order, now)
        for message in reply.more:  # the other parts of a catalog sent in parts
            outbox.add(inbound, message, None, reply.order, now)
        inbound.state = InboundState.DONE
        inbound.processed_at = now
        inbound.attempts += 1
        inbound.save(update_fields=["state", "processed_at", "attempts"])
    return row


def _run(inbound: InboundMessage, now: dt.datetime) -> Reply:
    handler = handler_for(inbound.action)
    try:
        with transaction.atomic():  # a refusal undoes whatever the handler changed
            return handler(Request(inbound, now))
    except Failure as failure:
        return failure.reply()


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
