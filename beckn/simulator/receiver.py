"""A BAP's callback endpoint: a threaded http.server that checks the BPP's signature on
every on_<action> it receives and keeps the bodies for whoever waits for them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from beckn.protocol import errors
from beckn.protocol.signing import SignatureError, verify_request
from beckn.protocol.v2.ack import CounterSigner
from beckn.simulator.loopback import LoopbackServer, Reply
from cpo_portal.web import jsonlimits

KeyLookup = Callable[[str, str], str | None]


@dataclass
class Received:
    action: str
    body: dict[str, Any]
    raw: bytes
    headers: dict[str, str]
    signer: str | None  # "subscriber|key" when the signature verified
    error: str = ""


@dataclass
class CallbackReceiver(LoopbackServer):
    """`lookup` finds the BPP's public key; None accepts unsigned callbacks (tests).
    `countersigner` counter-signs its 2.0 Acks, as 2.0 asks of a receiver."""

    lookup: KeyLookup | None = None
    received: list[Received] = field(default_factory=list)
    countersigner: CounterSigner | None = None  # signs its 2.0 Acks (the BAP's key)

    def answer(self, path: str, raw: bytes, headers: dict[str, str]) -> Reply:
        action = path.rstrip("/").rsplit("/", 1)[-1]
        signer, error = self._verify(raw, headers)
        try:
            body = jsonlimits.loads(raw, max_bytes=self.max_body)
        except ValueError as exc:  # not JSON, or past the bounded parser's limits
            body, error = {}, error or f"body is not JSON within limits: {exc}"
        with self.changed:
            self.received.append(Received(action, body, raw, headers, signer, error))
            self.changed.notify_all()
        if error:
            return Reply(401, errors.nack(errors.INVALID_SIGNATURE, error))
        if isinstance(body, dict) and body.get("context", {}).get("version") == "2.0.0":
            ack: dict[str, Any] = {"status": "ACK"}  # 2.0's Ack, counter-signed with a key
            if self.countersigner is None:
                return Reply(200, ack)
            ctx = body["context"]
            message_id = str(ctx.get("messageId", ctx.get("message_id", "")))
            return Reply(200, self.countersigner.sign(ack, raw, message_id))
        return Reply(200, errors.ack())

    def _verify(self, raw: bytes, headers: dict[str, str]) -> tuple[str | None, str]:
        if self.lookup is None:
            return None, ""
        try:
            verified = verify_request(
                raw, headers.get("Authorization", ""), lookup=self.lookup, now=int(time.time())
            )
        except SignatureError as exc:
            return None, f"bad signature: {exc}"
        return f"{verified.subscriber_id}|{verified.key_id}", ""

    def wait_for(
        self, action: str, message_id: str | None = None, timeout: float = 10.0
    ) -> Received:
        return self.wait_for_all(action, message_id, 1, timeout)[0]

    def wait_for_all(
        self,
        action: str,
        message_id: str | None,
        count: int,
        timeout: float = 10.0,
        other_than: str | None = None,
    ) -> list[Received]:
        """The first `count` such callbacks (an on_search sent in parts has several);
        `message_id` None: of any message but `other_than`."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = []
                for item in self.received:
                    ctx = item.body.get("context", {}) if isinstance(item.body, dict) else {}
                    ids = (None, ctx.get("message_id"), ctx.get("messageId"))
                    other = other_than is not None and other_than in ids
                    if item.action == action and message_id in ids and not other:
                        found.append(item)
                if len(found) >= count:
                    return found[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"{len(found)} of {count} {action} callbacks for {message_id} in {timeout}s"
                    )
                self.changed.wait(left)
