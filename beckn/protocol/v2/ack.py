"""The 2.0.0 Ack: `{"status": "ACK" | "NACK", "signature": <CounterSignature>, "error"?}`.

The counter-signature (components/schemas/CounterSignature) is our receipt for the request:
the BECKN-006 header format, signed by us, over

    (created): {created}
    (expires): {expires}
    digest: BLAKE-512={digest of the Ack body}
    (request-digest): BLAKE-512={digest of the request body, exact bytes}
    (message-id): {the request's context messageId}

with `headers="(created) (expires) digest (request-digest) (message-id)"`. The Ack body
carries its own signature, so "the Ack body" it digests is the body without `signature`,
serialised canonically: keys sorted, no whitespace, UTF-8 (`canonical`). A BAP verifies by
removing `signature` from the JSON it received and digesting `canonical(rest)`.

Errors are 2.0's `{"errorCode", "errorMessage"}`; the code is BECKN-005's (as in 1.1), and
`paths` (not in the 2.0 Error schema, which allows more properties) says where.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from beckn.protocol.json_text import canonical
from beckn.protocol.signature_header import (
    ALGORITHM,
    SignatureError,
    SignatureFailure,
    parse_authorization,
)
from beckn.protocol.signing import digest, signing_key

COUNTER_HEADERS = "(created) (expires) digest (request-digest) (message-id)"
VALIDITY = timedelta(minutes=5)


def as_v2_error(error: dict[str, Any]) -> dict[str, Any]:
    """A 1.1 error object (`code`, `message`, `paths`) in 2.0's shape."""
    out: dict[str, Any] = {
        "errorCode": str(error.get("code", "")),
        "errorMessage": str(error.get("message", "")),
    }
    if error.get("paths"):
        out["paths"] = error["paths"]
    return out


def ack_body(status: str = "ACK", error: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status}
    if error is not None:
        body["error"] = error
    return body


def countersignature_string(
    created: int, expires: int, ack_digest: str, request_digest: str, message_id: str
) -> str:
    return (
        f"(created): {created}\n(expires): {expires}\ndigest: {ack_digest}\n"
        f"(request-digest): {request_digest}\n(message-id): {message_id}"
    )


@dataclass(frozen=True, slots=True)
class CounterSigner:
    subscriber_id: str
    key_id: str
    private_key: str

    def sign(
        self, body: dict[str, Any], request: bytes, message_id: str, now: int | None = None
    ) -> dict[str, Any]:
        """`body` with its `signature` (the counter-signature) added."""
        created = int(time.time()) if now is None else now
        expires = created + int(VALIDITY.total_seconds())
        text = countersignature_string(
            created, expires, digest(canonical(body)), digest(request), message_id
        )
        signature = signing_key(self.private_key).sign(text.encode()).signature
        header = (
            f'Signature keyId="{self.subscriber_id}|{self.key_id}|{ALGORITHM}",'
            f'algorithm="{ALGORITHM}",created="{created}",expires="{expires}",'
            f'headers="{COUNTER_HEADERS}",signature="{base64.b64encode(signature).decode()}"'
        )
        return {**body, "signature": header}


def countersigner(ack: dict[str, Any]) -> tuple[str, str]:
    """(subscriber id, key id) an Ack's counter-signature names, or SignatureError."""
    params = parse_authorization(str(ack.get("signature", "")), COUNTER_HEADERS)
    return params.subscriber_id, params.key_id


def verify_countersignature(
    ack: dict[str, Any], request: bytes, message_id: str, public_key: str
) -> str:
    """Check an Ack's counter-signature against the request we sent it for; the signer's
    subscriber id, or SignatureError."""
    params = parse_authorization(str(ack.get("signature", "")), COUNTER_HEADERS)
    rest = {k: v for k, v in ack.items() if k != "signature"}
    text = countersignature_string(
        params.created, params.expires, digest(canonical(rest)), digest(request), message_id
    )
    try:
        key = VerifyKey(base64.b64decode(public_key, validate=True))
        key.verify(text.encode(), params.signature)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError(SignatureFailure.UNKNOWN_KEY, "the public key is invalid") from exc
    except BadSignatureError as exc:
        raise SignatureError(
            SignatureFailure.BAD_SIGNATURE, "the counter-signature does not match"
        ) from exc
    return params.subscriber_id
