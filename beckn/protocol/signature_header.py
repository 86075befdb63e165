"""Parse a BECKN-006 `Authorization` / `X-Gateway-Authorization` header, defensively.

Peers differ in small ways: values quoted or not, spaces after commas, `Signature` in any
case, parameter names in any case (`keyId` / `keyid`), the `headers` list with or without
spaces. We accept all of that and nothing looser: every failure is a SignatureError with
a reason, never another exception, because the header is attacker-controlled input.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from enum import StrEnum

from beckn.protocol import errors

ALGORITHM = "ed25519"
SIGNED_HEADERS = "(created) (expires) digest"
MAX_HEADER_LENGTH = 4096

_SCHEME = re.compile(r"^signature\s+", re.IGNORECASE)
_PARAM = re.compile(
    r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^",\s]+))\s*', re.DOTALL
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_EPOCH = re.compile(r"^[0-9]{1,12}$")


class SignatureFailure(StrEnum):
    MALFORMED = "malformed"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    UNKNOWN_KEY = "unknown_key"
    EXPIRED = "expired"
    NOT_YET_VALID = "created_in_future"
    EXPIRES_BEFORE_CREATED = "expires_before_created"
    LIFETIME_TOO_LONG = "lifetime_too_long"
    BAD_SIGNATURE = "bad_signature"


class SignatureError(Exception):
    """Why a signature was refused; every reason maps to a 401 NACK with code 30016."""

    def __init__(self, reason: SignatureFailure, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail

    @property
    def error(self) -> errors.BecknError:
        return errors.INVALID_SIGNATURE


@dataclass(frozen=True, slots=True)
class SignatureParams:
    subscriber_id: str
    key_id: str
    algorithm: str
    created: int
    expires: int
    headers: str
    signature: bytes


def _malformed(detail: str) -> SignatureError:
    return SignatureError(SignatureFailure.MALFORMED, detail)


def parse_authorization(header: str, signed_headers: str = SIGNED_HEADERS) -> SignatureParams:
    """The parameters of a `Signature ...` header; SignatureError if it is not one.
    `signed_headers`: the `headers` list it must carry (a 2.0 counter-signature's is longer)."""
    if not isinstance(header, str) or not header.strip():
        raise _malformed("no Authorization header")
    if len(header) > MAX_HEADER_LENGTH:
        raise _malformed("Authorization header is too long")
    text = _SCHEME.sub("", header.strip(), count=1)
    params = _params(text)
    missing = [name for name in ("keyid", "created", "expires", "signature") if name not in params]
    if missing:
        raise _malformed(f"missing {', '.join(missing)}")
    subscriber_id, key_id, key_algorithm = _key_id(params["keyid"])
    algorithm = params.get("algorithm", key_algorithm).lower()
    if key_algorithm.lower() != ALGORITHM or algorithm != ALGORITHM:
        raise SignatureError(
            SignatureFailure.UNSUPPORTED_ALGORITHM,
            f"only {ALGORITHM} is supported (keyId says {key_algorithm!r}, "
            f"algorithm says {params.get('algorithm', key_algorithm)!r})",
        )
    headers = params.get("headers", signed_headers)
    if "".join(headers.lower().split()) != signed_headers.replace(" ", ""):
        raise _malformed(f"headers must be {signed_headers!r}, got {headers!r}")
    return SignatureParams(
        subscriber_id=subscriber_id,
        key_id=key_id,
        algorithm=ALGORITHM,
        created=_epoch(params["created"], "created"),
        expires=_epoch(params["expires"], "expires"),
        headers=signed_headers,
        signature=_signature(params["signature"]),
    )


def _params(text: str) -> dict[str, str]:
    params: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        match = _PARAM.match(text, pos)
        if match is None:
            raise _malformed(f"cannot parse parameters at character {pos}")
        name = match[1].lower()
        if name in params:
            raise _malformed(f"parameter {match[1]!r} given twice")
        quoted = match[2]
        if quoted is None:
            params[name] = match[3]
        else:
            params[name] = _ESCAPE.sub(r"\1", quoted) if "\\" in quoted else quoted
        pos = match.end()
        if pos < len(text):
            if text[pos] != ",":
                raise _malformed(f"expected ',' at character {pos}")
            pos += 1
    if not params:
        raise _malformed("no parameters")
    return params


def _key_id(value: str) -> tuple[str, str, str]:
    parts = [part.strip() for part in value.split("|")]
    if len(parts) != 3 or not all(parts):
        raise _malformed("keyId must be 'subscriber_id|unique_key_id|algorithm'")
    return parts[0], parts[1], parts[2]


def _epoch(value: str, name: str) -> int:
    if not _EPOCH.match(value):
        raise _malformed(f"{name} must be a Unix timestamp in whole seconds, got {value[:40]!r}")
    return int(value)


def _signature(value: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _malformed("signature is not valid base64") from exc
    if len(raw) != 64:
        raise _malformed(f"an ed25519 signature is 64 bytes, got {len(raw)}")
    return raw
