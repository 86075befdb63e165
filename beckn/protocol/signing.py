"""BECKN-006 request signing: ed25519 over (created), (expires) and a BLAKE2b-512 body digest.

The signing string is exactly

    (created): 1641287875
    (expires): 1641291475
    digest: BLAKE-512=<base64 of BLAKE2b-512(raw body bytes)>

joined by single `\\n`, no trailing newline, signed with ed25519 and sent as

    Signature keyId="{subscriber_id}|{key_id}|ed25519",algorithm="ed25519",created="...",
    expires="...",headers="(created) (expires) digest",signature="<base64>"

This matches BECKN-006's worked example byte for byte (its digest and signature are a test
vector in our tests) and ONDC's reference Python utility (ONDC-Official/developer-docs,
utilities/signing_and_verification/cryptic_utils.py: `hash_message`,
`create_signing_string`, `create_authorisation_header`).

Keys are base64 of the raw 32-byte ed25519 seed (private) and 32-byte public key. Many
registries (ONDC's utility among them) hand out 64-byte private keys (seed + public key);
we accept those too and check that the two halves belong together.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from beckn.protocol.signature_header import (
    ALGORITHM,
    SIGNED_HEADERS,
    SignatureError,
    SignatureFailure,
    SignatureParams,
    parse_authorization,
)

__all__ = [
    "ALGORITHM",
    "SignatureError",
    "SignatureFailure",
    "SignatureParams",
    "VerifiedSignature",
    "digest",
    "generate_keypair",
    "parse_authorization",
    "sign_request",
    "signing_key",
    "signing_string",
    "verify_request",
]

DEFAULT_VALIDITY = timedelta(minutes=5)
DEFAULT_MAX_SKEW = 300  # seconds
# The longest `expires - created` accepted: one hour, what BECKN-006's worked example and
# ONDC's reference utility sign for. A longer-lived signature is refused outright, even
# while it is still within its window (a leaked header must not stay usable for years).
DEFAULT_MAX_LIFETIME = 3600  # seconds

KeyLookup = Callable[[str, str], str | None]


@dataclass(frozen=True, slots=True)
class VerifiedSignature:
    """Who signed: the caller must still check subscriber_id == context.bap_id."""

    subscriber_id: str
    key_id: str
    created: int
    expires: int


def generate_keypair() -> tuple[str, str]:
    """(private_b64, public_b64): base64 of the raw 32-byte seed and public key."""
    key = SigningKey.generate()
    return _b64(bytes(key)), _b64(bytes(key.verify_key))


def digest(body: bytes) -> str:
    """`BLAKE-512=` + base64(BLAKE2b-512(body))."""
    return "BLAKE-512=" + _b64(hashlib.blake2b(body, digest_size=64).digest())


def signing_string(created: int, expires: int, body_digest: str) -> str:
    """The three signed lines; `body_digest` is `digest(body)`, prefix included."""
    return f"(created): {created}\n(expires): {expires}\ndigest: {body_digest}"


@lru_cache(maxsize=16)
def signing_key(private_key_b64: str) -> SigningKey:
    """The ed25519 key from a 32-byte seed or a 64-byte seed+public key, base64 (remembered:
    building it costs more than a signature)."""
    try:
        raw = base64.b64decode(private_key_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("private key is not valid base64") from exc
    if len(raw) not in (32, 64):
        raise ValueError(f"private key must be 32 or 64 bytes, got {len(raw)}")
    key = SigningKey(raw[:32])
    if len(raw) == 64 and raw[32:] != bytes(key.verify_key):
        raise ValueError("64-byte private key: public half does not match the seed")
    return key


def sign_request(
    body: bytes,
    *,
    subscriber_id: str,
    key_id: str,
    private_key_b64: str,
    created: int | None = None,
    expires: int | None = None,
    validity: timedelta = DEFAULT_VALIDITY,
) -> str:
    """The full `Authorization` header value for `body` (the exact bytes sent)."""
    for label, value in (("subscriber_id", subscriber_id), ("key_id", key_id)):
        if not value or any(ch in value for ch in '|",\r\n'):
            raise ValueError(f'{label} must be non-empty without | , " or newlines')
    created = int(time.time()) if created is None else created
    expires = created + int(validity.total_seconds()) if expires is None else expires
    if expires <= created:
        raise ValueError("expires must be after created")
    text = signing_string(created, expires, digest(body))
    signature = signing_key(private_key_b64).sign(text.encode("utf-8")).signature
    return (
        f'Signature keyId="{subscriber_id}|{key_id}|{ALGORITHM}",algorithm="{ALGORITHM}",'
        f'created="{created}",expires="{expires}",headers="{SIGNED_HEADERS}",'
        f'signature="{_b64(signature)}"'
    )


def verify_request(
    body: bytes,
    header: str,
    *,
    lookup: KeyLookup,
    now: int,
    max_skew: int = DEFAULT_MAX_SKEW,
    max_lifetime: int = DEFAULT_MAX_LIFETIME,
) -> VerifiedSignature:
    """Check `header` signs `body`; raise SignatureError(reason) on any failure.

    `max_skew` (seconds) tolerates clock difference on both `created` and `expires`; 0 is
    BECKN-006's strict reading. `max_lifetime` (seconds) bounds `expires - created`. A
    tampered body shows up as a bad signature, since the digest is only inside the signed
    string.
    """
    params = parse_authorization(header)
    if params.expires <= params.created:
        raise SignatureError(SignatureFailure.EXPIRES_BEFORE_CREATED, "expires <= created")
    lifetime = params.expires - params.created
    if lifetime > max_lifetime:
        raise SignatureError(
            SignatureFailure.LIFETIME_TOO_LONG,
            f"the signature is valid for {lifetime}s (expires - created); "
            f"at most {max_lifetime}s is accepted",
        )
    if params.created > now + max_skew:
        raise SignatureError(
            SignatureFailure.NOT_YET_VALID, f"created is {params.created - now}s in the future"
        )
    if params.expires < now - max_skew:
        raise SignatureError(SignatureFailure.EXPIRED, f"expired {now - params.expires}s ago")
    body_digest = digest(body)
    verify_key = _verify_key(lookup, params.subscriber_id, params.key_id)
    text = signing_string(params.created, params.expires, body_digest)
    try:
        verify_key.verify(text.encode("utf-8"), params.signature)
    except BadSignatureError as exc:
        raise SignatureError(
            SignatureFailure.BAD_SIGNATURE, "signature does not match this body and key"
        ) from exc
    return VerifiedSignature(params.subscriber_id, params.key_id, params.created, params.expires)


def _verify_key(lookup: KeyLookup, subscriber_id: str, key_id: str) -> VerifyKey:
    public_b64 = lookup(subscriber_id, key_id)
    who = f"{subscriber_id!r} key {key_id!r}"
    if public_b64 is None:
        raise SignatureError(SignatureFailure.UNKNOWN_KEY, f"no registered key for {who}")
    key = _public_key(public_b64)
    if key is None:
        raise SignatureError(SignatureFailure.UNKNOWN_KEY, f"registered key for {who} is invalid")
    return key


@lru_cache(maxsize=1024)
def _public_key(public_b64: str) -> VerifyKey | None:
    """A registered key, decoded once (a BAP signs every request with the same one)."""
    try:
        raw = base64.b64decode(public_b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    return VerifyKey(raw) if len(raw) == 32 else None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
