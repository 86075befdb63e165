"""Who may call us (the local subscriber registry) and who we are (our signing keys)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from simple_history.models import HistoricalRecords

from cpo_portal.db import values
from cpo_portal.models import Stamp

id_validator = RegexValidator(
    r"\A[A-Za-z0-9][A-Za-z0-9._:\-/]{0,254}\Z",
    "Use letters, digits and . _ : - / (no spaces, no '|', no quotes).",
)


def validate_public_key(value: str) -> None:
    """An ed25519 public key: base64 of exactly 32 bytes."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError("The signing public key is not valid base64.") from exc
    if len(raw) != 32:
        raise ValidationError(f"An ed25519 public key is 32 bytes; this one is {len(raw)}.")


class SubscriberType(models.TextChoices):
    BAP = "BAP", "BAP (buyer app)"
    BG = "BG", "BG (gateway)"
    CDS = "CDS", "CDS (catalog discovery service)"


class SubscriberStatus(models.TextChoices):
    SUBSCRIBED = "SUBSCRIBED", "Subscribed"
    SUSPENDED = "SUSPENDED", "Suspended"


class Vocabulary(models.TextChoices):
    """Which offer vocabularies a subscriber receives in catalogs and quotes."""

    BOTH = "both", "DEG and ONDC"
    DEG = "deg", "DEG offer-details only"
    ONDC = "ondc", "ONDC offer construct only"


class SubscriberQuerySet(models.QuerySet):
    """Bulk writes bump the registry version like single ones (Subscriber.save/delete)."""

    def _stamped(self, write: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """`write(*args, **kwargs)`, and the registry stamp renewed when it changed a row."""
        with transaction.atomic(using=self.db):
            result = write(*args, **kwargs)
            if result[0] if isinstance(result, tuple) else result:  # delete: (count, ...)
                Stamp.bump(Stamp.Kind.REGISTRY)
        return result

    def update(self, **kwargs: Any) -> int:
        return self._stamped(super().update, **kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        return self._stamped(super().delete)

    def bulk_create(self, objs, *args: Any, **kwargs: Any):
        return self._stamped(super().bulk_create, objs, *args, **kwargs)

    def bulk_update(self, objs, *args: Any, **kwargs: Any) -> int:
        return self._stamped(super().bulk_update, objs, *args, **kwargs)


class Subscriber(models.Model):
    """One key of one network participant. Rotating a key adds a row; the old one stays
    until it is removed, so messages signed just before the rotation still verify.

    Every write (save, delete, and the bulk ones of SubscriberQuerySet), from whichever
    surface (admin, `beckn_subscriber`, code), renews the registry's stamp in the same
    transaction: that is how every process's registry memo learns of it within
    BECKN_REGISTRY_CHECK_MS. A change made in SQL outside Django must renew it too
    (`UPDATE cpo_portal_stamp SET stamp = gen_random_uuid() WHERE kind = 'registry'`) or
    waits for the memo's lifetime (BECKN_REGISTRY_LOCAL_CACHE_SECONDS).
    """

    subscriber_id = models.CharField(max_length=255, validators=[id_validator])
    type = models.CharField(max_length=3, choices=SubscriberType.choices)
    url = models.URLField(
        "callback URL",
        max_length=500,
        help_text="Registered base URL; callbacks go to <url>/on_<action> and nowhere else.",
    )
    key_id = models.CharField("unique key id", max_length=255, validators=[id_validator])
    signing_public_key = models.CharField(
        max_length=64, validators=[validate_public_key], help_text="Base64 ed25519 public key."
    )
    status = models.CharField(
        max_length=16, choices=SubscriberStatus.choices, default=SubscriberStatus.SUBSCRIBED
    )
    vocabularies = models.CharField(
        "offer vocabularies", max_length=8, choices=Vocabulary.choices, default=Vocabulary.BOTH
    )
    rate_limit = models.PositiveIntegerField(
        "rate limit (requests/minute)",
        null=True,
        blank=True,
        help_text="Empty: the site default (BECKN_DEFAULT_RATE_LIMIT); 0: unlimited.",
    )
    valid_until = models.DateTimeField(null=True, blank=True, validators=[values.within_years])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["subscriber_id", "key_id"]
        constraints = [
            models.UniqueConstraint(fields=["subscriber_id", "key_id"], name="one_row_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber_id} ({self.type}, key {self.key_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            Stamp.bump(Stamp.Kind.REGISTRY)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        with transaction.atomic(using=kwargs.get("using")):
            deleted = super().delete(*args, **kwargs)
            Stamp.bump(Stamp.Kind.REGISTRY)
        return deleted


class SigningKey(models.Model):
    """Our own ed25519 key pairs. Exactly one is active and signs callbacks; retired keys
    stay listed (and published) until removed, as key rotation requires.

    The private key is stored base64 in the database: protect backups accordingly, or keep
    keys in a secrets manager and load them with `beckn_keys import`.
    """

    key_id = models.CharField(max_length=255, unique=True, validators=[id_validator])
    public_key = models.CharField(max_length=64, validators=[validate_public_key])
    private_key = models.CharField(max_length=128)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_signing_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_id}{' (active)' if self.is_active else ''}"
