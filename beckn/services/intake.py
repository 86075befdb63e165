"""The synchronous half of every Beckn request: check it, keep it, queue it, answer.

Order of checks (cheapest and least trusting first): size, signature over the raw bytes,
JSON within the project's limits (cpo_portal.web.jsonlimits), signer == context.bap_id,
timestamp normalisation, the core schema, our context rules, then the verified
admission (services.admission: a live worker, a backlog answerable within the ttl, the
message's turn), the verified subscriber's rate limit with the BAP's backlog (one Redis
call: services.backlog), and the unique (bap_id, message_id) insert
(cpo_portal.db.upserts). A verified request refused before that is counted against its
rate limit all the same, and over the limit gets the rate limit's answer. Every refusal
is a NACK carrying a BECKN-005 code (services.answers: the answer, the refusal and the
body's reader); nothing here raises. A search's refresh tags are checked by
services.refresh_check; a 2.0 request is answered with 2.0's Ack by services.ack_v2, its
paths naming where the body as sent has what they name (deg_shape.as_sent).

Once the row is committed the message is queued for a worker (`enqueue`, on commit). If
that publish fails, or the broker loses the task, the row is still `received`, and the
sweep (beckn.tasks.requeue_stuck) queues it again within seconds.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, transaction

from beckn import conf
from beckn.models import InboundMessage
from beckn.protocol import errors
from beckn.protocol.context import (
    DEFAULT_TTL,
    VERSION,
    ContextIssue,
    ContextRule,
    check_context,
    check_timestamps,
    normalise_inbound,
    parse_duration,
    parse_timestamp,
)
from beckn.protocol.schema import REQUEST_ACTIONS
from beckn.protocol.signing import SignatureError, digest
from beckn.protocol.v2 import VERSION as V2
from beckn.protocol.v2 import context as v2_context
from beckn.protocol.v2 import deg_shape
from beckn.services import (
    admission,
    backlog,
    fastschema,
    ratelimit,
    reconnect,
    refresh_check,
    registry,
)
from beckn.services.answers import Answer, Refusal, parsed, said_message_id
from cpo_portal.db import upserts
from cpo_portal.web.schema_errors import shown

log = logging.getLogger(__name__)
ONE_MESSAGE_PER_BAP = ("bap_id", "message_id")  # InboundMessage's unique key: a retry


Enqueue = Callable[[int], None]  # (inbound id): queue it for processing


def accept(
    action: str,
    raw: bytes,
    headers: Mapping[str, str],
    enqueue: Enqueue,
    now: datetime,
    *,
    v2: bool = False,
) -> Answer:
    try:
        actions = v2_context.REQUEST_ACTIONS if v2 else REQUEST_ACTIONS
        if action not in actions:
            raise Refusal(
                errors.ACTION_NOT_APPLICABLE, f"this BPP has no /{action} endpoint", None, 404
            )
        max_bytes = conf.get("BECKN_MAX_BODY_BYTES")
        if len(raw) > max_bytes:
            raise Refusal(
                errors.INVALID_REQUEST, f"the body is {len(raw)} bytes; the limit is {max_bytes}",
                None, 413,
            )  # fmt: skip
        signer = _verify(raw, headers, now)
        try:
            body = _parse(raw)
        except Refusal:
            _count_refused(signer)
            raise
        said = said_message_id(body["context"])
        try:
            answer = _kept(action, body, raw, signer, enqueue, now, v2=v2)
        except Refusal as refusal:
            refusal.answer = replace(refusal.answer, message_id=said)
            raise
        return replace(answer, message_id=said)
    except Refusal as refusal:
        return refusal.answer
    except DatabaseError:
        log.exception("database error while accepting %s", action)
        body = errors.nack(errors.INVALID_REQUEST, "temporarily unable to accept; retry")
        return Answer(503, body, {"Retry-After": "5"})


def _kept(
    action: str,
    body: dict[str, Any],
    raw: bytes,
    signer: _Signer | None,
    enqueue: Enqueue,
    now: datetime,
    *,
    v2: bool,
) -> Answer:
    """The parsed request checked, then stored and queued: its ACK, or a Refusal."""
    where = deg_shape.as_sent(action, body) if v2 else str  # (1.1: read as sent)
    try:
        if v2:
            body = _checked_v2(action, body, signer, now, where)
            action = v2_context.REQUEST_ACTIONS[action]
        else:
            body = _checked(action, body, signer, now)
            if action == "search":
                refused = refresh_check.refusal(body, now)
                if refused is not None:
                    raise Refusal(errors.INVALID_REQUEST, *refused)
    except Refusal:
        _count_refused(signer)
        raise
    return _store(action, body, raw, signer, enqueue, now, where)


def _checked(
    action: str, body: dict[str, Any], signer: _Signer | None, now: datetime
) -> dict[str, Any]:
    """The parsed body, once its shape, schema and context pass; otherwise a Refusal."""
    if v2_context.is_v2(body["context"]):  # said first: 2.0 names its BAP `bapId`
        _other_version(V2, VERSION, f"2.0 is at {conf.bpp_uri()}/v2")
    _check_sender(signer, body["context"].get("bap_id"), "$.context.bap_id")
    body = normalise_inbound(body, in_place=True)  # ours: parsed from raw just above
    issues = fastschema.issues(action, body)
    if issues:
        raise Refusal(errors.INVALID_REQUEST, *errors.summary(issues))
    skew = timedelta(seconds=conf.get("BECKN_CONTEXT_MAX_SKEW"))
    _check_context(
        check_context(
            body["context"], action=action, bpp_id=conf.bpp_id(), now=now, max_clock_skew=skew
        )
        or check_timestamps(body)
    )
    return body


def _other_version(written: str, spoken: str, where: str) -> None:
    """A Refusal (30000, the version alone) for a body written in the version the other
    path speaks: its other issues are only that version's shape read as this one's."""
    why = f"must be {shown(spoken)} on this path, got {shown(written)}: {where}"
    _check_context([ContextIssue(ContextRule.VERSION, "$.context.version", why)])


def _checked_v2(
    action: str,
    body: dict[str, Any],
    signer: _Signer | None,
    now: datetime,
    where: Callable[[str], str],
) -> dict[str, Any]:
    """A 2.0 request's body to store, once its shape, schema and context pass; `where`:
    a path of the body as read in the body as sent."""
    ctx = v2_context.camel_case(body["context"])
    if ctx.get("version") == VERSION:  # said first: 1.1's order is no 2.0 order to read
        _other_version(VERSION, V2, f"1.1 is at {conf.bpp_uri()}")
    _check_sender(signer, ctx.get("bapId"), where("$.context.bapId"))
    shape = deg_shape.shape_of(action, body.get("message"))
    message = deg_shape.openapi_shape(action, body.get("message"))
    shaped = {**body, "context": ctx, "message": message}
    issues = fastschema.issues_v2(action, shaped)
    if issues:
        raise Refusal(errors.INVALID_REQUEST, *errors.summary(deg_shape.placed(issues, where)))
    skew = timedelta(seconds=conf.get("BECKN_CONTEXT_MAX_SKEW"))
    found = (
        v2_context.check(ctx, action=action, bpp_id=conf.bpp_id(), now=now, max_clock_skew=skew)
        or v2_context.check_timestamps(message)
        or v2_context.check_points(message)
    )
    _check_context(deg_shape.placed(found, where))
    # the context as the handlers read it (1.1's keys, version 2.0.0), the message as the
    # OpenAPI shapes it: read into the handlers' message when it is handled (processing),
    # and the DEG shape it was sent in, which its errors' paths name (processing)
    stored = {"context": v2_context.internal(ctx), "message": message}
    return stored | ({InboundMessage.SENT_SHAPE: shape} if shape else {})


def _check_sender(signer: _Signer | None, bap_id: Any, path: str) -> None:
    """A signed request names its signer as the context's BAP (at `path`)."""
    if signer is not None and signer.subscriber_id != bap_id:
        raise Refusal(
            errors.INVALID_SIGNATURE,
            f"signed by {shown(signer.subscriber_id)} "
            f"but {path.removeprefix('$.')} is {shown(bap_id)}",
            path,
        )


def _check_context(issues: list[ContextIssue]) -> None:
    """The context's (and the message's times') issues as a Refusal, stale first."""
    if issues:
        error = next((i.error for i in issues if i.error is errors.STALE_REQUEST), None)
        raise Refusal(error or errors.INVALID_REQUEST, *errors.summary(issues))


@dataclass(frozen=True, slots=True)
class _Signer:
    subscriber_id: str
    key_id: str
    per_minute: int  # its rate limit (0: none)


def _verify(raw: bytes, headers: Mapping[str, str], now: datetime) -> _Signer | None:
    if not conf.get("BECKN_VERIFY_SIGNATURES"):
        return None
    try:
        entry = registry.signer_of(raw, headers.get("Authorization", ""), now)
    except SignatureError as exc:
        raise Refusal(errors.INVALID_SIGNATURE, f"signature refused: {exc}") from None
    _check_registered_as_a_bap(entry)
    per_minute = ratelimit.limit_for(entry.rate_limit)
    return _Signer(entry.subscriber_id, entry.key_id, per_minute)


def _check_registered_as_a_bap(entry: registry.Entry) -> None:
    """A request is signed by the BAP that sends it (a gateway adds its own signature
    beside, never instead), and its answers go to the callback URL the registry holds for
    it: a gateway or a catalog service signing one, or a BAP with no URL, gets no ACK
    (BECKN-006: the signer's registration, as for an unknown key)."""
    if entry.type != "BAP":
        raise Refusal(
            errors.INVALID_SIGNATURE,
            f"signed by {entry.subscriber_id}, registered as a {entry.type}: a request is "
            "signed by the BAP that sends it",
        )
    if not entry.url:
        raise Refusal(
            errors.INVALID_SIGNATURE,
            f"{entry.subscriber_id} has no callback URL in the registry: its answers could "
            "not be sent",
        )


def _retry_later(status: int, wait: int, why: str) -> Refusal:
    """A policy NACK (429 or 503): why, and in how many seconds to try again."""
    admission.note_declined(status, why)
    headers = {"Retry-After": str(wait)}
    return Refusal(errors.POLICY_ERROR, f"{why}; retry in {wait}s", None, status, headers)


def _rate_refusal(per_minute: int) -> Refusal:
    why = f"rate limit of {per_minute} requests/minute exceeded"
    return _retry_later(429, ratelimit.retry_after(), why)


def _count_refused(signer: _Signer | None) -> None:
    """A verified request refused before it was stored counts against its sender's rate
    limit all the same; over it, the answer is the rate limit's."""
    if signer is not None and not ratelimit.allow(signer.subscriber_id, signer.per_minute):
        raise _rate_refusal(signer.per_minute) from None


def _parse(raw: bytes) -> dict[str, Any]:
    body = parsed(raw)
    if not isinstance(body.get("context"), dict):
        raise Refusal(errors.INVALID_REQUEST, "context is required (an object)", "$.context")
    return body


def _expiry(ctx: Mapping[str, Any], now: datetime) -> datetime:
    try:
        ttl = parse_duration(ctx["ttl"]) if "ttl" in ctx else DEFAULT_TTL
        sent = parse_timestamp(ctx["timestamp"])
    except (KeyError, ValueError, TypeError):
        ttl, sent = DEFAULT_TTL, now
    floor = now + timedelta(seconds=conf.get("BECKN_CALLBACK_MIN_WINDOW"))
    return max(sent + ttl, floor)


def _store(
    action: str,
    body: dict[str, Any],
    raw: bytes,
    signer: _Signer | None,
    enqueue: Enqueue,
    now: datetime,
    where: Callable[[str], str],
) -> Answer:
    ctx = body["context"]
    bap_id = ctx["bap_id"]
    per_minute = signer.per_minute if signer else 0
    expires_at = _expiry(ctx, now)
    decision = admission.decide(bap_id, expires_at, now)
    if decision.refusal:  # no ACK that no worker can keep: temporarily unable, retry later
        why = f"temporarily unable to answer in time: {decision.refusal}"
        raise _retry_later(503, decision.retry_after, why)
    message = backlog.Message(bap_id, ctx["message_id"], expires_at, per_minute)
    waiting = backlog.admit_one(message, now)  # counted until its callback is done
    if waiting == backlog.RATE_LIMITED:
        raise _rate_refusal(per_minute)
    if waiting is not None:  # a NACK now, not an ACK whose answer would expire unsent
        raise _retry_later(
            429,
            backlog.retry_after(),
            f"{bap_id} is already waiting for {waiting} answers, the most this BPP "
            f"accepts at once ({backlog.limit()})",
        )
    body_digest = digest(raw)
    fields = {
        "bap_id": bap_id,
        "message_id": ctx["message_id"],
        "action": action,
        "transaction_id": ctx["transaction_id"],
        "body": body,
        "body_digest": body_digest,
        "key_id": signer.key_id if signer else "",
        "received_at": now,
        "expires_at": expires_at,
        "fair_at": decision.fair_at,
    }
    if transaction.get_connection().in_atomic_block:  # a caller's: keep it usable
        with transaction.atomic():
            inbound_id = upserts.insert(InboundMessage, fields, ONE_MESSAGE_PER_BAP)
    else:  # autocommit: committed by this one statement
        inbound_id = reconnect.once_more_if_disconnected(
            lambda: upserts.insert(InboundMessage, fields, ONE_MESSAGE_PER_BAP)
        )
    if inbound_id is None:  # (bap_id, message_id) is taken
        return _duplicate(ctx, action, body_digest, where)
    transaction.on_commit(lambda: _queue(enqueue, inbound_id))
    return Answer(200, errors.ack(), inbound_id=inbound_id)


def _queue(enqueue: Enqueue, inbound_id: int) -> None:
    """The row is committed and the ACK is due: a broker that is down must not turn it into
    an error. The sweep queues the row again."""
    try:
        enqueue(inbound_id)
    except Exception:
        log.exception("could not queue inbound message %s; the sweep will", inbound_id)


def _duplicate(
    ctx: Mapping[str, Any], action: str, body_digest: str, where: Callable[[str], str]
) -> Answer:
    earlier = (
        InboundMessage.objects.filter(bap_id=ctx["bap_id"], message_id=ctx["message_id"])
        .values_list("action", "body_digest")
        .first()
    )
    if (
        earlier is not None
        and earlier[0] == action
        and hmac.compare_digest(earlier[1], body_digest)
    ):
        return Answer(200, errors.ack())  # a retry: already accepted, nothing more to do
    path = where("$.context.message_id")  # the key as the BAP spelled it (2.0: messageId)
    raise Refusal(
        errors.INVALID_REQUEST,
        f"{path.rsplit('.', 1)[-1]} {ctx['message_id']} was already used by {ctx['bap_id']} "
        "for another message",
        path,
    )
