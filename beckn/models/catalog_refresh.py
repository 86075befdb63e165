"""The catalog's change record and the BAPs subscribed to it (ONDC 1.x incremental
catalog refresh, beckn.services.catalog_refresh).

Rows name a provider by its Beckn id (the operator's code), not by a key to Operator:
an operator deleted is a provider removed, and its removal must outlive it.
"""

from __future__ import annotations

from django.db import models


class PieceKind(models.TextChoices):
    PROVIDER = "provider"  # the provider's own fields: descriptor, categories, tags
    LOCATION = "location"
    FULFILLMENT = "fulfillment"
    ITEM = "item"
    OFFER = "offer"


class CatalogRecord(models.Model):
    """What the change record last saw of one provider: the publication's version it was
    read under and a digest of each piece, by "kind:id"."""

    provider_id = models.CharField(max_length=255, unique=True)
    version = models.CharField(max_length=400, blank=True)
    digests = models.JSONField(default=dict)
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.provider_id} as recorded at {self.recorded_at:%Y-%m-%d %H:%M:%S}"


class CatalogChange(models.Model):
    """One piece of a provider's catalog that changed, as it was after the change
    (`body`), or was removed (`body` null). The id orders changes: a push sends those
    after the last it sent."""

    provider_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=12, choices=PieceKind.choices)
    piece_id = models.CharField(max_length=255)
    body = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["provider_id", "at"])]

    def __str__(self) -> str:
        what = "removed" if self.body is None else "changed"
        return f"{self.kind} {self.piece_id} of {self.provider_id} {what} at {self.at}"


class CatalogSubscription(models.Model):
    """A BAP's push of catalog changes (`catalog_inc` mode start), for one provider or,
    with `provider_id` empty, the whole network; `active` until mode stop. `context` is
    the starting search's (each push keeps its transaction id); `cursor` is the last
    change sent."""

    bap_id = models.CharField(max_length=255)
    provider_id = models.CharField(max_length=255, blank=True)
    context = models.JSONField(default=dict)
    cursor = models.BigIntegerField(default=0)
    active = models.BooleanField(default=True)
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bap_id", "provider_id"], name="one_push_per_scope")
        ]

    def __str__(self) -> str:
        return f"{self.bap_id} <- {self.provider_id or 'network'}"
