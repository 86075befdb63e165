"""The synchronous half of every Beckn request: check it, keep it, queue it, answer.

Order of checks (cheapest and least trusting first): size, signature over the raw bytes,
JSON shape, signer == context.bap_id, timestamp normalisation, the core schema, our
context rules, then the verified subscriber's rate limit with the BAP's backlog, and the
unique (bap_id, message_id) insert: one Redis call and one statement for the requests of
a process that arrive together. A verified request refused before that is counted against
its rate limit on its own, and over the limit gets the rate limit's answer, as it would
have. Every refusal is a NACK carrying a BECKN-005 code; nothing here raises.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, transaction

from beckn import conf
from beckn.models import InboundMessage
from beckn.protocol import errors
from beckn.protocol.context import (
    DEFAULT_TTL,
    check_context,
    check_timestamps,
    normalise_inbound,
    parse_duration,
    parse_timestamp,
)
from beckn.protocol.schema import REQUEST_ACTIONS
from beckn.protocol.signing import SignatureError, digest, verify_request
from beckn.services import (
    backlog,
    fastschema,
    group_insert,
    inbound_store,
    jsonbody,
    ratelimit,
    registry,
)

log = logging.getLogger(__name__)

NOT_APPLICABLE = frozenset({"track"})


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    inbound_id: int | None = None


class Refusal(Exception):
    def __init__(
        self,
        error: errors.BecknError,
        message: str,
        paths: str | list[str] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.answer = Answer(
            status or error.http_status or 400,
            errors.nack(error, message, paths),
            _challenge() if error is errors.INVALID_SIGNATURE else (headers or {}),
        )


def _challenge() -> dict[str, str]:
    realm = conf.bpp_id()
    return {"WWW-Authenticate": f'Signature realm="{realm}",headers="(created) (expires) digest"'}


Enqueue = Callable[[int, str], None]  # (inbound id, bap_id): queue it for processing


def accept(
    action: str, raw: bytes, headers: Mapping[str, str], enqueue: Enqueue, now: datetime
) -> Answer:
    try:
        return _accept(action, raw, headers, enqueue, now)
    except Refusal as refusal:
        return refusal.answer
    except DatabaseError:
        log.exception("database error while accepting %s", action)
        body = errors.nack(errors.INVALID_REQUEST, "temporarily unable to accept; retry")
        return Answer(503, body, {"Retry-After": "5"})


def _accept(
    action: str, raw: bytes, headers: Mapping[str, str], enqueue: Enqueue, now: datetime
) -> Answer:
    if action not in REQUEST_ACTIONS:
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
        body = _checked(action, raw, signer, now)
    except Refusal:
        _count_refused(signer)
        raise
    return _store(action, body, raw, signer, enqueue, now)


def _checked(action: str, raw: bytes, signer: _Signer | None, now: datetime) -> dict[str, Any]:
    """The parsed body, once its shape, schema and context pass; otherwise a Refusal."""
    body = _parse(raw)
    ctx = body["context"]
    if signer is not None and signer.subscriber_id != ctx.get("bap_id"):
        raise Refusal(
            errors.INVALID_SIGNATURE,
            f"signed by {signer.subscriber_id!r} but context.bap_id is {ctx.get('bap_id')!r}",
            "$.context.bap_id",
        )
    body = normalise_inbound(body, in_place=True)  # ours: parsed from raw just above
    issues = fastschema.issues(action, body)
    if issues:
        raise Refusal(errors.INVALID_REQUEST, *_summary(issues))
    skew = timedelta(seconds=conf.get("BECKN_CONTEXT_MAX_SKEW"))
    context_issues = check_context(
        body["context"], action=action, bpp_id=conf.bpp_id(), now=now, max_clock_skew=skew
    ) or check_timestamps(body)
    if context_issues:
        error = next((i.error for i in context_issues if i.error is errors.STALE_REQUEST), None)
        raise Refusal(error or errors.INVALID_REQUEST, *_summary(context_issues))
    if action in NOT_APPLICABLE:
        raise Refusal(
            errors.ACTION_NOT_APPLICABLE,
            f"{action} is not offered: charging sessions are followed with status and on_update",
        )
    return body


@dataclass(frozen=True, slots=True)
class _Signer:
    subscriber_id: str
    key_id: str
    per_minute: int  # its rate limit (0: none), counted with the backlog admission


def _verify(raw: bytes, headers: Mapping[str, str], now: datetime) -> _Signer | None:
    if not conf.get("BECKN_VERIFY_SIGNATURES"):
        return None
    header = headers.get("Authorization", "")
    found: dict[str, registry.Entry] = {}

    def lookup(subscriber_id: str, key_id: str) -> str | None:
        entry = registry.find(subscriber_id, key_id)
        if entry is not None:
            found["entry"] = entry
        return entry.public_key if entry is not None else None

    try:
        verified = verify_request(
            raw,
            header,
            lookup=lookup,
            now=int(now.timestamp()),
            max_skew=conf.get("BECKN_SIGNATURE_MAX_SKEW"),
            max_lifetime=conf.get("BECKN_SIGNATURE_MAX_LIFETIME"),
        )
    except SignatureError as exc:
        raise Refusal(errors.INVALID_SIGNATURE, f"signature refused: {exc}") from None
    entry = found["entry"]
    per_minute = ratelimit.limit_for(entry.rate_limit)
    return _Signer(verified.subscriber_id, verified.key_id, per_minute)


def _rate_refusal(per_minute: int) -> Refusal:
    wait = ratelimit.retry_after()
    return Refusal(
        errors.POLICY_ERROR,
        f"rate limit of {per_minute} requests/minute exceeded; retry in {wait}s",
        None,
        429,
        {"Retry-After": str(wait)},
    )


def _count_refused(signer: _Signer | None) -> None:
    """A verified request refused before the backlog script (which counts the others)
    counts against its sender's rate limit here; over it, the answer is the rate limit's."""
    if signer is not None and not ratelimit.allow(signer.subscriber_id, signer.per_minute):
        raise _rate_refusal(signer.per_minute) from None


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        body = jsonbody.parse(
            raw,
            max_bytes=conf.get("BECKN_MAX_BODY_BYTES"),
            max_depth=conf.get("BECKN_MAX_JSON_DEPTH"),
            max_nodes=conf.get("BECKN_MAX_JSON_NODES"),
        )
    except jsonbody.BodyError as exc:
        status = 413 if exc.too_large else 400
        raise Refusal(errors.INVALID_REQUEST, exc.message, None, status) from None
    if not isinstance(body, dict):
        raise Refusal(errors.INVALID_REQUEST, "the body must be a JSON object", "$")
    if not isinstance(body.get("context"), dict):
        raise Refusal(errors.INVALID_REQUEST, "context is required (an object)", "$.context")
    return body


def _summary(issues: list[Any], limit: int = 5) -> tuple[str, list[str]]:
    shown = "; ".join(f"{i.path}: {i.message}" for i in issues[:limit])
    more = len(issues) - limit
    return shown + (f"; and {more} more" if more > 0 else ""), [i.path for i in issues]


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
) -> Answer:
    ctx = body["context"]
    body_digest = digest(raw)
    fields = {
        "bap_id": ctx["bap_id"],
        "message_id": ctx["message_id"],
        "action": action,
        "transaction_id": ctx["transaction_id"],
        "body": body,
        "body_digest": body_digest,
        "key_id": signer.key_id if signer else "",
        "received_at": now,
        "expires_at": _expiry(ctx, now),
        PER_MINUTE: signer.per_minute if signer else 0,  # not stored: for the admission
    }
    # Admitted against the BAP's backlog, then committed, before we answer; None: the key
    # is already taken.
    outcome = _admit_and_insert(fields)
    if isinstance(outcome, _Backlogged):
        if outcome.waiting == backlog.RATE_LIMITED:
            raise _rate_refusal(fields[PER_MINUTE])
        raise _backlog_refusal(fields["bap_id"], outcome.waiting)
    if outcome is None:
        return _duplicate(ctx, action, body_digest)
    inbound_id = outcome
    connection = transaction.get_connection()
    if connection.in_atomic_block:  # queued when the caller's transaction commits
        connection.on_commit(lambda: enqueue(inbound_id, fields["bap_id"]))
    else:
        # Committed already: what on_commit would do at once, without it first taking a
        # database connection from the pool (and its check round trip) that this request,
        # when another one's statement carried its row, never needed.
        enqueue(inbound_id, fields["bap_id"])
    return Answer(200, errors.ack(), inbound_id=inbound_id)


PER_MINUTE = "_per_minute"  # a row's sender's rate limit, beside its columns
ADMISSION = "_admission"  # and its verdict, once counted (backlog.admit_many's answer)


@dataclass(frozen=True, slots=True)
class _Backlogged:
    waiting: int  # answers the BAP already waits for, at or over its limit; or RATE_LIMITED


def _backlog_refusal(bap_id: str, waiting: int) -> Refusal:
    """A BAP already waiting for its limit of answers (services.backlog): a NACK now, not
    an ACK whose answer would expire unsent."""
    wait = backlog.retry_after()
    return Refusal(
        errors.POLICY_ERROR,
        f"{bap_id} is already waiting for {waiting} answers, the most this BPP "
        f"accepts at once ({backlog.limit()}); retry in {wait}s",
        None,
        429,
        {"Retry-After": str(wait)},
    )


def _admit_and_insert(fields: dict[str, Any]) -> int | _Backlogged | None:
    """Inside a caller's transaction, statements of our own; otherwise shared with the
    requests of this process that arrive at the same moment (services.group_insert): one
    backlog admission and one INSERT for all of them."""
    if not conf.get("BECKN_GROUP_INSERT") or transaction.get_connection().in_atomic_block:
        return admit_and_insert_many([fields])[0]
    return group_insert.group(admit_and_insert_many).insert(fields)


def admit_and_insert_many(rows: Sequence[dict[str, Any]]) -> list[int | _Backlogged | None]:
    """Each row counted against its sender's rate limit and admitted against its BAP's
    backlog (in order, one call for all), and those admitted stored in one statement: per
    row its new id, None when its key is taken, or the refusal. A refused row is never
    stored, so never dispatched. A row's verdict is kept in it: when the group retries a
    failed statement row by row, the rows are not counted again."""
    fresh = [row for row in rows if ADMISSION not in row]
    if fresh:
        now = max(row["received_at"] for row in fresh)
        messages = [
            backlog.Message(r["bap_id"], r["message_id"], r["expires_at"], r.get(PER_MINUTE, 0))
            for r in fresh
        ]
        for row, verdict in zip(fresh, backlog.admit_many(messages, now), strict=True):
            row[ADMISSION] = verdict
    admitted = [row for row in rows if row[ADMISSION] is None]
    stored = iter(inbound_store.insert_many(admitted) if admitted else [])
    return [next(stored) if r[ADMISSION] is None else _Backlogged(r[ADMISSION]) for r in rows]


def _duplicate(ctx: Mapping[str, Any], action: str, body_digest: str) -> Answer:
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
    raise Refusal(
        errors.INVALID_REQUEST,
        f"message_id {ctx['message_id']} was already used by {ctx['bap_id']} for another message",
        "$.context.message_id",
    )
