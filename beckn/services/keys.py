"""Our own signing keys: make, rotate, and sign callbacks with the active one."""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beckn import conf
from beckn.models import SigningKey
from beckn.models.registry import id_validator
from beckn.protocol.signing import generate_keypair, sign_request, signing_key
from cpo_portal.models import Checked, Stamp


class NoSigningKey(RuntimeError):
    """No active key: run `manage.py beckn_keys generate`."""


def active_key() -> SigningKey:
    """The active key, kept per process and read again once the registry's stamp moved
    (the registry's stamp, checked at most every BECKN_REGISTRY_CHECK_MS, at once after a
    change made in this process: generate and import_key renew it); NoSigningKey when
    there is none. Retired keys stay published, so a body signed with the key a process
    still held verifies meanwhile."""
    global _active
    version = _stamp.get(conf.get("BECKN_REGISTRY_CHECK_MS") / 1000)
    if _active is None or _active[0] != version:
        _active = (version, SigningKey.objects.filter(is_active=True).first())
    key = _active[1]
    if key is None:
        raise NoSigningKey("no active signing key; run `manage.py beckn_keys generate`")
    return key


def forget() -> None:
    """Read the active key again at the next use (tests)."""
    global _active
    _active = None
    _stamp.forget()


_stamp = Checked(lambda: Stamp.current(Stamp.Kind.REGISTRY))
_active: tuple[uuid.UUID | None, SigningKey | None] | None = None


@transaction.atomic
def generate(key_id: str | None = None) -> SigningKey:
    """A new key pair, made active; the previous active key is retired but kept."""
    private, public = generate_keypair()
    return _install(key_id or f"k-{timezone.now():%Y%m%d}-{secrets.token_hex(3)}", private, public)


@transaction.atomic
def import_key(key_id: str, private_b64: str) -> SigningKey:
    """Install a key pair made elsewhere (a 32- or 64-byte base64 private key)."""
    key = signing_key(private_b64)  # ValueError on a bad key
    seed = base64.b64encode(bytes(key)).decode("ascii")
    public = base64.b64encode(bytes(key.verify_key)).decode("ascii")
    return _install(key_id, seed, public)


def _install(key_id: str, private: str, public: str) -> SigningKey:
    try:
        id_validator(key_id)
    except ValidationError as exc:
        raise ValueError(f"key id {key_id!r}: {' '.join(exc.messages)}") from None
    now = timezone.now()
    SigningKey.objects.select_for_update().filter(is_active=True).update(
        is_active=False, retired_at=now
    )
    made = SigningKey.objects.create(
        key_id=key_id, public_key=public, private_key=private, is_active=True
    )
    Stamp.bump(Stamp.Kind.REGISTRY)  # every process reads the active key again
    return made


@dataclass(frozen=True, slots=True)
class Signer:
    """Signs callback bodies with one key: read the active key once, sign many bodies."""

    key_id: str
    private_key: str

    def __call__(self, body: bytes) -> str:
        """The Authorization header for a callback body."""
        return sign_request(
            body, subscriber_id=conf.bpp_id(), key_id=self.key_id, private_key_b64=self.private_key
        )


def signer() -> Signer:
    """The active key (active_key()), as a Signer; NoSigningKey when there is none."""
    key = active_key()
    return Signer(key.key_id, key.private_key)
