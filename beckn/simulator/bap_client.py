"""The BAP side of a request: build the context, sign the exact bytes, POST, read the ACK."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from beckn.protocol.context import DOMAIN, VERSION
from beckn.protocol.signing import sign_request
from beckn.protocol.timefmt import format_timestamp
from beckn.protocol.v2 import VERSION as V2
from beckn.protocol.v2 import context as v2_context
from cpo_portal.outbound import transport


class Refused(RuntimeError):
    """The BPP answered NACK (or not at all)."""


ANSWER_MAX_BYTES = 1_000_000  # a BPP's ACK or NACK, read at most


@dataclass
class BapClient:
    bpp_url: str  # https://bpp.example/beckn
    bpp_id: str
    subscriber_id: str
    key_id: str
    private_key: str
    callback_url: str
    city_code: str = "std:011"
    ttl: str = "PT30S"
    transaction_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    timeout: float = 10.0
    version: str = VERSION  # "2.0.0": Beckn 2.0, at <bpp_url>/v2/<action>

    def context(self, action: str) -> dict[str, Any]:
        if self.version == V2:
            return self.context_v2(action)
        ctx = {
            "domain": DOMAIN,
            "action": action,
            "location": {"country": {"code": "IND"}, "city": {"code": self.city_code}},
            "version": VERSION,
            "bap_id": self.subscriber_id,
            "bap_uri": self.callback_url,
            "transaction_id": self.transaction_id,
            "message_id": str(uuid.uuid4()),
            "timestamp": format_timestamp(dt.datetime.now(dt.UTC)),
            "ttl": self.ttl,
        }
        if action != "search":
            ctx["bpp_id"] = self.bpp_id
            ctx["bpp_uri"] = self.bpp_url
        return ctx

    def context_v2(self, action: str) -> dict[str, Any]:
        ctx = {
            "domain": v2_context.DOMAIN,
            "action": action,
            "version": V2,
            "bapId": self.subscriber_id,
            "bapUri": self.callback_url,
            "transactionId": self.transaction_id,
            "messageId": str(uuid.uuid4()),
            "timestamp": format_timestamp(dt.datetime.now(dt.UTC)),
            "ttl": self.ttl,
        }
        if action != "discover":
            ctx["bppId"] = self.bpp_id
            ctx["bppUri"] = f"{self.bpp_url.rstrip('/')}/v2"
        return ctx

    def send(self, action: str, message: dict[str, Any]) -> str:
        """POST a signed request; the message id to wait for. Refused on a NACK."""
        body = {"context": self.context(action), "message": message}
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        header = sign_request(
            raw,
            subscriber_id=self.subscriber_id,
            key_id=self.key_id,
            private_key_b64=self.private_key,
        )
        base = self.bpp_url.rstrip("/") + ("/v2" if self.version == V2 else "")
        try:
            response = transport.request(
                "POST",
                f"{base}/{action}",
                body=raw,
                headers={"Content-Type": "application/json", "Authorization": header},
                allow_private=True,  # the BPP the operator names: often this machine
                deadline=self.timeout,
                connect_timeout=self.timeout,
                read_timeout=self.timeout,
                max_bytes=ANSWER_MAX_BYTES,
            )
        except transport.FAILURES as exc:
            raise Refused(f"{action}: no answer from the BPP ({transport.reason(exc)})") from exc
        answer = response.json_body()
        if not isinstance(answer, dict):
            raise Refused(f"{action}: no answer from the BPP (HTTP {response.status}, not JSON)")
        if self.version == V2:
            status = answer.get("status")
        else:
            status = answer.get("message", {}).get("ack", {}).get("status")
        if status != "ACK":
            raise Refused(f"{action}: HTTP {response.status} {answer.get('error')}")
        ctx = body["context"]
        return ctx["messageId"] if self.version == V2 else ctx["message_id"]
