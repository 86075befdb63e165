"""Credentials tokens: made, hashed, sealed, and read from the Authorization header.

Tokens we issue are 43 random URL-safe characters (256 bits), kept as their SHA-256: a
token of that strength needs no slow hash, and one indexed lookup finds its partner.

Tokens we must send are sealed with PyNaCl's SecretBox (XSalsa20-Poly1305, already a
dependency for Beckn signing) under a key derived from SECRET_KEY with BLAKE2b. A sealed
token opens under SECRET_KEY or any of SECRET_KEY_FALLBACKS, so rotating the key keeps
partners working; `reseal` writes it again under the current key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets

from django.conf import settings
from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.secret import SecretBox

SCHEME = "Token"
MAX_TOKEN = 64  # OCPI: string(64), printable ASCII without spaces


class TokenError(ValueError):
    """A sealed token that no configured key opens."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def valid_token(token: object) -> bool:
    return (
        isinstance(token, str)
        and 0 < len(token) <= MAX_TOKEN
        and all("\x21" <= ch <= "\x7e" for ch in token)
    )


def _box(secret: str) -> SecretBox:
    key = blake2b(secret.encode(), digest_size=32, person=b"ocpi-token", encoder=RawEncoder)
    return SecretBox(key)


def seal(token: str) -> str:
    return base64.b64encode(_box(settings.SECRET_KEY).encrypt(token.encode())).decode()


def unseal(sealed: str) -> str:
    raw = base64.b64decode(sealed)
    for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
        try:
            return _box(secret).decrypt(raw).decode()
        except CryptoError:
            continue
    raise TokenError("the stored partner token opens under no configured SECRET_KEY")


def header(token: str) -> str:
    """The Authorization header OCPI 2.2.1 asks for: the token in Base64."""
    return f"{SCHEME} {base64.b64encode(token.encode()).decode()}"


def candidates(authorization: str) -> list[str]:
    """The tokens a header may carry, most likely first: the Base64-decoded value (2.2.1),
    then the value as written (2.1.1 and early 2.2 peers send it unencoded). Empty when
    the header is not `Token <value>`."""
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != SCHEME.lower() or not value:
        return []
    found = []
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):  # ValueError: not ASCII
        decoded = ""
    decoded = decoded.rstrip("\n")  # the spec's own example encodes a trailing newline
    if valid_token(decoded):
        found.append(decoded)
    if valid_token(value) and value not in found:
        found.append(value)
    return found
