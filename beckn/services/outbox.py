"""Write a callback to the outbox, inside the caller's transaction, and queue its delivery
for after the commit (so a rolled-back state change never sends a reply)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from beckn import conf
from beckn.models import InboundMessage, Order, Outbox, OutboxState
from beckn.protocol.context import (
    DOMAIN,
    VERSION,
    format_duration,
    format_timestamp,
    parse_duration,
)
from beckn.protocol.json_text import encoded
from beckn.protocol.v2 import context as v2_context
from beckn.protocol.v2.ack import as_v2_error
from beckn.services import backlog, fastschema, jobs, registry
from cpo_portal.background import lease_holder
from cpo_portal.db import joint_writes, stamps
from cpo_portal.db.utf8_text import Utf8Text

log = logging.getLogger(__name__)


def reply_context(request_ctx: dict[str, Any], action: str, now: datetime) -> dict[str, Any]:
    """The request's context, addressed back: same transaction and message ids."""
    ctx: dict[str, Any] = {
        "domain": DOMAIN,
        "action": action,
        "version": VERSION,
        "bap_id": request_ctx["bap_id"],
        "bap_uri": request_ctx["bap_uri"],
        "bpp_id": conf.bpp_id(),
        "bpp_uri": conf.bpp_uri(),
        "transaction_id": request_ctx["transaction_id"],
        "message_id": request_ctx["message_id"],
        "timestamp": format_timestamp(now),
    }
    if isinstance(request_ctx.get("location"), dict):
        ctx["location"] = request_ctx["location"]
    if isinstance(request_ctx.get("ttl"), str):  # checked at intake; re-sent as ISO 8601
        ctx["ttl"] = format_duration(parse_duration(request_ctx["ttl"]))
    return ctx


def callback_body(
    inbound: InboundMessage,
    message: dict[str, Any] | None,
    error: dict[str, Any] | None,
    now: datetime,
) -> dict[str, Any]:
    if v2_context.is_v2(inbound.context):
        ctx = v2_context.reply(
            inbound.context,
            "on_" + v2_context.V2_ACTION.get(inbound.action, inbound.action),
            now,
            bpp_id=conf.bpp_id(),
            bpp_uri=conf.bpp_uri(),
            request_digest=inbound.body_digest,
        )
        message = {} if message is None else message
        if error is not None and "errorCode" not in error:
            error = as_v2_error(error)
    else:
        action = f"on_{inbound.action}"
        ctx = reply_context(inbound.context, action, now)
        if message is None and action in {"on_rating", "on_support"}:
            message = {}  # required by the core schema even beside an error
    body: dict[str, Any] = {"context": ctx}
    if message is not None:
        body["message"] = message
    if error is not None:
        body["error"] = error
    return body


def answer(
    inbound: InboundMessage,
    replies: list[tuple[dict[str, Any] | None, dict[str, Any] | None, Order | None]],
    now: datetime,
    marked: dict[str, Any],
) -> list[Outbox]:
    """The callbacks answering `inbound`, one per (message, error, order) in `replies`
    (parts 0, 1, ...), with their history records, and `marked` written on the message:
    one statement on PostgreSQL (cpo_portal.db.joint_writes), one transaction elsewhere.
    Each is queued for delivery once written and committed. IntegrityError
    (one_answer_per_message) when the message was answered already."""
    rows = [build(inbound, *reply, now) for reply in replies]
    for part, row in enumerate(rows):
        row.part = part
    mark = stamps.update_where(InboundMessage, marked, pk=inbound.pk)
    rows = joint_writes.create_with_history(rows, Outbox, then=mark)
    for name, value in marked.items():
        setattr(inbound, name, value)
    _after_commit(rows)
    return rows


def build(
    inbound: InboundMessage,
    message: dict[str, Any] | None,
    error: dict[str, Any] | None,
    order: Order | None,
    now: datetime,
) -> Outbox:
    """The reply's row, not saved."""
    body = callback_body(inbound, message, error, now)
    return _row(body, inbound.bap_id, now, inbound.expires_at, inbound=inbound, order=order)


def send(
    body: dict[str, Any],
    subscriber_id: str,
    now: datetime,
    expires_at: datetime,
    order: Order | None = None,
) -> Outbox:
    """A message nobody asked for (`body` carries its own context): the BPP's own news
    of an `order` to its BAP, a catalog publish to a CDS, a catalog push. Queued for
    delivery once the transaction commits and sent like a reply: to the subscriber's
    registered URL + the context's action."""
    row = _row(body, subscriber_id, now, expires_at, order=order)
    row.save()
    _after_commit([row])
    return row


def _row(
    body: dict[str, Any],
    subscriber_id: str,
    now: datetime,
    expires_at: datetime,
    *,
    inbound: InboundMessage | None = None,
    order: Order | None = None,
) -> Outbox:
    """A callback's row, not saved: its body checked against the core schema, addressed to
    the subscriber's registered callback URL (or undeliverable when it has none), leased
    to this worker when it is the one that will send it (jobs.holding())."""
    context = body["context"]
    action = context["action"]
    if v2_context.is_v2(context):
        issues = fastschema.issues_v2(action, body)
        message_id = context["messageId"]
        transaction_id = context["transactionId"]
    else:
        issues = fastschema.issues(action, body)
        message_id = context["message_id"]
        transaction_id = context["transaction_id"]
    if issues:  # our bug, not the BAP's: send anyway (an ACK promised a callback), but say so
        log.error("%s for %s fails the core schema: %s", action, message_id, issues[:5])
    base = registry.callback_target(subscriber_id, action)  # shown; resolved again at send
    held = bool(base) and jobs.holding()
    lease = now + timedelta(seconds=conf.get("BECKN_CALLBACK_LEASE"))
    if base:
        state = OutboxState.SENDING if held else OutboxState.PENDING
    else:
        state = OutboxState.UNDELIVERABLE
    return Outbox(
        inbound=inbound,
        order=order,
        subscriber_id=subscriber_id,
        action=action,
        target_url=base or "",
        payload=Utf8Text.decoded(encoded(body)),  # its bytes kept: written and signed as made
        message_id=message_id,
        transaction_id=transaction_id,
        state=state,
        attempts=1 if held else 0,  # as claiming it would have counted
        leased_until=lease if held else None,
        leased_by=lease_holder.current() if held else "",
        last_error="" if base else f"{subscriber_id} has no registered callback URL",
        next_attempt_at=now,
        expires_at=expires_at,
    )


def _after_commit(rows: list[Outbox]) -> None:
    """Once the transaction commits: queue the rows to send; an undeliverable reply is
    answered as far as it can be, so its request's place in the BAP's backlog is given
    back (a callback nobody asked for holds none)."""
    sendable = [row for row in rows if row.state != OutboxState.UNDELIVERABLE]
    unsendable = [
        (row.subscriber_id, row.message_id)
        for row in rows
        if row.state == OutboxState.UNDELIVERABLE and row.inbound_id is not None
    ]
    if sendable:
        transaction.on_commit(lambda: _queue(sendable))
    if unsendable:
        transaction.on_commit(lambda: backlog.release(unsendable))


def _queue(rows: list[Outbox]) -> None:
    for row in rows:
        jobs.queue_delivery(row)
