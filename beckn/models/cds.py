"""Catalog publishing to a Catalog Discovery Service (Beckn 2.0): each operator's CDS,
and every publish sent to it with the results its `/catalog/on_publish` returned."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from cpo_portal.models import Operator

from .outbox import Outbox
from .registry import Subscriber, SubscriberStatus, SubscriberType, id_validator


class CatalogService(models.Model):
    """The CDS an operator's catalogs are published to. Its URL and signing key are its
    entry in the subscriber registry (type CDS): publishes go to <url>/catalog/publish,
    and its `/catalog/on_publish` callbacks are verified with that key."""

    TENANT_PATH = "operator"

    operator = models.OneToOneField(
        Operator, on_delete=models.CASCADE, related_name="catalog_service"
    )
    cds_id = models.CharField(
        "CDS subscriber id",
        max_length=255,
        validators=[id_validator],
        help_text="The Catalog Discovery Service's subscriber id, as registered in the "
        "subscriber registry with type CDS (its URL and signing key are there).",
    )
    active = models.BooleanField(
        default=True,
        help_text="Publish the catalogs when they change. Off: the catalogs the CDS holds are "
        "withdrawn, and none is sent.",
    )
    published_stamp = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="The catalog stamps of the last publish (empty: never published).",
    )
    published_digests = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Each catalog the CDS holds, by id: the digest of the copy last sent.",
    )
    published_inputs = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Each catalog the CDS holds, by id: a digest of what it was rendered from.",
    )
    published_to = models.CharField(
        "catalogs held by",
        max_length=255,
        blank=True,
        editable=False,
        help_text="The CDS that holds the catalogs of published_digests (empty: none holds "
        "any); when it is no longer the CDS (turned off, or another chosen), they are "
        "withdrawn from it.",
    )
    last_published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "catalog discovery service"

    def __str__(self) -> str:
        return f"{self.operator_id and self.operator.code} -> {self.cds_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """An edit (the admin's form, a script) writes only what staff choose, its
        editable fields; what was published is written by the publisher alone
        (beckn.services.cds), so an edit made from a copy read before a publish never
        takes the publish back."""
        if self.pk is not None and not kwargs.get("force_insert") and "update_fields" not in kwargs:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if f.editable and not f.primary_key
            ]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        registered = Subscriber.objects.filter(
            subscriber_id=self.cds_id, type=SubscriberType.CDS, status=SubscriberStatus.SUBSCRIBED
        )
        if self.cds_id and not registered.exists():
            raise ValidationError({"cds_id": (
                f"No CDS {self.cds_id!r} is subscribed in the subscriber registry: register "
                "it there first (type CDS, its URL and signing public key)."
            )})  # fmt: skip


class PublishReason(models.TextChoices):
    FIRST = "first", "First publish (whole)"
    ON_DEMAND = "on_demand", "On demand (whole)"
    CHANGED = "changed", "Catalog changed"
    WITHDRAWN = "withdrawn", "Withdrawn (publishing off, or another CDS)"


class PublishStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for on_publish"
    ACCEPTED = "accepted", "Accepted"
    PARTIAL = "partial", "Partly accepted"
    REJECTED = "rejected", "Rejected"


class CatalogPublish(models.Model):
    """One `/catalog/publish` sent (through the outbox, like a callback), and what the CDS
    answered on `/catalog/on_publish`: each catalog's status, each rejection's reason."""

    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="+")
    cds_id = models.CharField("CDS subscriber id", max_length=255)
    reason = models.CharField(max_length=12, choices=PublishReason.choices)
    outbox = models.OneToOneField(
        Outbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="catalog_publish"
    )
    message_id = models.CharField(max_length=64, unique=True)
    transaction_id = models.CharField(max_length=64)
    catalog_ids = models.JSONField(default=list)
    stamp = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=PublishStatus.choices, default=PublishStatus.WAITING
    )
    resent = models.BooleanField(
        default=False, editable=False, help_text="Not delivered: its catalogs were sent again."
    )
    results = models.JSONField(
        default=list, blank=True, help_text="The CDS's per-catalog results, as received."
    )
    rejections = models.TextField(
        blank=True, help_text="Each catalog the CDS rejected, with its reasons."
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["operator", "created_at"], name="catalog_publish_recent_idx")
        ]
        verbose_name = "catalog publish"
        verbose_name_plural = "catalog publishes"

    def __str__(self) -> str:
        return f"{self.operator.code} catalog publish {self.message_id}"
