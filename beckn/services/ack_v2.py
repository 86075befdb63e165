"""The synchronous answer to a Beckn 2.0 request: intake's checks and row
(beckn.services.intake), answered with 2.0's Ack, counter-signed with our active key.

`accept_v2` is intake.accept for a request to /v2/<action>; `v2_answer` turns any 1.1
ACK / NACK answer (intake's, a view's own refusal, a CDS's on_publish answer) into 2.0's
Ack: `status`, 2.0's `error`, and the counter-signature (beckn.protocol.v2.ack) over the
Ack and the request's bytes, with the active key its process holds (keys.active_key).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from django.db import DatabaseError

from beckn import conf
from beckn.models import SigningKey
from beckn.protocol.v2 import ack as v2_ack
from beckn.protocol.v2 import context as v2_context
from beckn.services import keys
from beckn.services.answers import Answer, Refusal, parsed, said_message_id
from beckn.services.intake import Enqueue, accept

log = logging.getLogger(__name__)


def accept_v2(
    action: str, raw: bytes, headers: Mapping[str, str], enqueue: Enqueue, now: datetime
) -> Answer:
    """accept() for a Beckn 2.0 request to /v2/<action>: the same checks and the same
    row, read from 2.0 (intake `_checked_v2`); the answer is 2.0's Ack, counter-signed."""
    action = v2_context.v2_action(action) or action  # DEG's `rating` is 2.0's `rate`
    answer = accept(action, raw, headers, enqueue, now, v2=True)
    return v2_answer(answer, raw, now)


def v2_answer(answer: Answer, raw: bytes, now: datetime) -> Answer:
    """A 1.1 ACK / NACK answer as 2.0's Ack: status, error, counter-signature."""
    ack = answer.body.get("message", {}).get("ack", {}) if isinstance(answer.body, dict) else {}
    status = "ACK" if ack.get("status") == "ACK" else "NACK"
    error = answer.body.get("error") if isinstance(answer.body, dict) else None
    body = v2_ack.ack_body(status, v2_ack.as_v2_error(error) if error else None)
    signer = _counter_signer()
    if signer is not None:
        said = _message_id(raw) if answer.message_id is None else answer.message_id
        body = signer.sign(body, raw, said, int(now.timestamp()))
    return Answer(answer.status, body, answer.headers, answer.inbound_id, answer.message_id)


def _message_id(raw: bytes) -> str:
    """The message id of a request refused before intake read it (its signature, say), for
    the counter-signature ('' when unreadable)."""
    try:
        return said_message_id(parsed(raw).get("context"))
    except Refusal:  # not JSON, or past a limit: intake has said why
        return ""


def _counter_signer() -> v2_ack.CounterSigner | None:
    """Our active key as a counter-signer; None with no key (the Ack then goes without a
    signature, and the log says why)."""
    global _signer
    try:
        key = keys.active_key()
    except (keys.NoSigningKey, DatabaseError) as exc:
        log.warning("a 2.0 Ack goes without its counter-signature: %s", exc)
        return None
    if _signer is None or _signer[0] is not key:  # made once per key the process holds
        _signer = (key, v2_ack.CounterSigner(conf.bpp_id(), key.key_id, key.private_key))
    return _signer[1]


_signer: tuple[SigningKey, v2_ack.CounterSigner] | None = None
