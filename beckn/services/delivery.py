"""Beckn callbacks on the one delivery (cpo_portal.outbound.courier: claim, lease, attempts,
backoff, sweep): what is Beckn's own is here. Each callback is signed with our key (read
once per Courier), its target is the URL its subscriber is registered with when it is
sent, and a 2xx answer is read for the BAP's ACK or NACK.

The target is resolved from the registry at each attempt, not taken from the row (through
this process's memo of the local registry, which a registry change reaches within
BECKN_REGISTRY_CHECK_MS): a callback goes to the URL the subscriber is registered with
when it is sent, and is not sent (the row becomes undeliverable, the attempt says why)
when the subscriber is no longer registered. The row's target_url shows where it last
went or would go.

A row is claimed, or written already leased to the worker that answers its request
(services.outbox, jobs.collecting: Courier.send_held). The lease is short
(BECKN_CALLBACK_LEASE) so that a dead worker's rows are sent again well inside a 30 s
ttl; a live worker held up by slow BAPs renews it before each POST that could outlast it,
and a BAP known to be slow gets one callback in flight at a time (services.slow_baps).
Retries back off (BECKN_CALLBACK_BACKOFF_BASE, _CAP) until the request's ttl runs out; a
retry that would come after it is brought forward to just before it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from beckn import conf
from beckn.models import DeliveryAttempt, Outbox, OutboxState
from beckn.protocol.signing import SignatureError, SignatureFailure
from beckn.protocol.v2 import ack as v2_ack
from beckn.protocol.v2 import context as v2_context
from beckn.services import backlog, keys, registry, slow_baps
from cpo_portal.db.utf8_text import utf8
from cpo_portal.outbound import courier, senders, transport

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_ANSWER_BYTES = 64 * 1024  # of a BAP's answer to a callback, read at most


class Callbacks(senders.Sender):
    """A Beckn callback: signed, to the subscriber's registered URL, its ACK read."""

    model = Outbox
    attempt_model = DeliveryAttempt
    row_field = "outbox"
    key_fields = ("subscriber_id", "message_id")

    def __init__(self) -> None:
        self._signer: keys.Signer | None = None
        self._no_key = ""

    def options(self) -> senders.Options:
        return senders.Options(
            lease=float(conf.get("BECKN_CALLBACK_LEASE")),
            deadline=float(conf.get("BECKN_CALLBACK_DEADLINE")),
            connect_timeout=float(conf.get("BECKN_CALLBACK_CONNECT_TIMEOUT")),
            read_timeout=float(conf.get("BECKN_CALLBACK_READ_TIMEOUT")),
            max_bytes=MAX_ANSWER_BYTES,
            allow_private=bool(conf.get("BECKN_ALLOW_PRIVATE_CALLBACKS")),
            backoff_base=float(conf.get("BECKN_CALLBACK_BACKOFF_BASE")),
            backoff_cap=float(conf.get("BECKN_CALLBACK_BACKOFF_CAP")),
        )

    def target(self, row: Outbox) -> str | None:
        return registry.callback_target(row.subscriber_id, row.action)

    def unregistered(self, row: Outbox) -> str:
        return (
            f"not sent: {row.subscriber_id} has no registered callback URL now "
            "(removed, suspended or past its valid_until)"
        )

    def wait(self, row: Outbox, now: datetime) -> tuple[timedelta, str] | None:
        if slow_baps.may_send(row, now):
            return None
        return slow_baps.DEFER, "waiting: another callback to this slow BAP in flight"

    def request(self, row: Outbox) -> senders.Request:
        if self._signer is None and not self._no_key:
            try:
                self._signer = keys.signer()
            except keys.NoSigningKey as exc:
                self._no_key = str(exc)
        if self._signer is None:
            raise senders.NotReady(self._no_key)
        body = utf8(row.payload)
        headers = {"Content-Type": "application/json", "Authorization": self._signer(body)}
        return senders.Request("POST", body, headers)

    def judge(self, row: Outbox, response: transport.Response) -> tuple[str, str]:
        code = response.status
        if 200 <= code < 300:
            answer = response.json_body()
            nack = _nack(answer)
            if nack is not None:
                return OutboxState.REJECTED, f"the BAP answered NACK: {nack}"
            unproven = _unproven_receipt(row, answer)
            if unproven:
                return OutboxState.REJECTED, unproven
            return OutboxState.DELIVERED, ""
        if code in RETRYABLE_STATUS:
            return OutboxState.PENDING, f"HTTP {code}"
        if 300 <= code < 400:
            return OutboxState.REJECTED, f"HTTP {code}: redirects are not followed"
        return OutboxState.REJECTED, f"HTTP {code}"

    def took(self, row: Outbox, seconds: float) -> None:
        slow_baps.note(row.subscriber_id, seconds)

    def finished(self, rows: Iterable[Outbox]) -> None:
        backlog.release((row.subscriber_id, row.message_id) for row in rows)


def _is_v2_ack(answer: Any) -> bool:
    return isinstance(answer, dict) and "message" not in answer and "status" in answer


def _is_v2_callback(row: Outbox) -> bool:
    try:
        context = json.loads(row.payload).get("context", {})
    except (ValueError, AttributeError):
        return False
    return isinstance(context, dict) and v2_context.is_v2(context)


def _nack(answer: Any) -> str | None:
    """The BAP's NACK, in 1.1's shape (`message.ack.status`) or 2.0's (`status`)."""
    try:
        status = answer["status"] if _is_v2_ack(answer) else answer["message"]["ack"]["status"]
    except (KeyError, TypeError):
        return None
    if status != "NACK":
        return None
    error = answer.get("error")
    return json.dumps(error)[:300] if error else "no error given"


def _unproven_receipt(row: Outbox, answer: Any) -> str:
    """Why a 2.0 Ack does not prove receipt ("" when it does, or is not 2.0's): its
    counter-signature must be the called BAP's, by a key registered to it, over this Ack
    and the callback we sent. An Ack without one passes unless
    BECKN_REQUIRE_ACK_COUNTERSIGNATURE (2.0 makes it a MUST; BAPs still on 1.1's habits
    send none). What is asked follows the callback we sent, not the answer's shape: a 2.0
    callback answered with 1.1's Ack has no counter-signature either."""
    if not _is_v2_ack(answer):
        if conf.get("BECKN_REQUIRE_ACK_COUNTERSIGNATURE") and _is_v2_callback(row):
            return (
                "the BAP answered a 2.0 callback with 1.1's Ack, which has no "
                "counter-signature (2.0 requires one)"
            )
        return ""
    if not answer.get("signature"):
        if conf.get("BECKN_REQUIRE_ACK_COUNTERSIGNATURE"):
            return "the BAP's Ack carries no counter-signature (2.0 requires one)"
        return ""
    try:
        signer, key_id = v2_ack.countersigner(answer)
        if signer != row.subscriber_id:
            raise SignatureError(
                SignatureFailure.UNKNOWN_KEY, f"signed by {signer!r}, not {row.subscriber_id!r}"
            )
        entry = registry.find(signer, key_id)
        if entry is None:
            raise SignatureError(SignatureFailure.UNKNOWN_KEY, f"no key {key_id!r} of {signer!r}")
        v2_ack.verify_countersignature(answer, utf8(row.payload), row.message_id, entry.public_key)
    except SignatureError as exc:
        return f"the BAP's Ack counter-signature is refused: {exc}"
    return ""


class Courier(courier.Courier):
    """The courier of Beckn callbacks (the signing key read once for all it sends)."""

    def __init__(self) -> None:
        super().__init__(Callbacks())
