"""Charge detail records (OCPI 2.2.1 CDRs) the operator's charging system sent us, pushed
to our CDRs receiver or imported from a file, and the file imports themselves.

A CDR is taken once: one row per operator and OCPI (country code, party id, CDR id), a
unique constraint, so two concurrent pushes of the same CDR leave one row. Each row is
matched to our station and charger, carries its channel (offers.models.SessionChannel)
and our own price for the same session (the price audit compares the two); the session
it describes enters analytics' session facts in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from cpo_portal.models import Charger, Operator, Station
from cpo_portal.web.exactjson import ExactJSONDecoder, ExactJSONEncoder
from offers.models import SessionChannel

from .partners import Partner


class CdrSource(models.TextChoices):
    PUSH = "push", "Pushed to our CDRs endpoint"
    FILE = "file", "Imported from a file"


class AuditCause(models.TextChoices):
    """Why a CDR's bill differs from the price of the tariff it names (the price audit,
    roaming.services.tariff_audit). Only UNEXPLAINED is listed as mis-billing by default."""

    MATCHES = "matches", "Billed at the tariff's price"
    OFFER = "offer", "One of our offers"
    SURGE = "surge", "A surge OCPI does not publish"
    PARKING = "parking", "Parking time"
    METERING = "metering", "Metering (charging periods)"
    TARIFF = "tariff", "A different tariff"
    UNEXPLAINED = "unexplained", "Unexplained: mis-billing"
    UNPRICED = "unpriced", "Not priced"


class ReceivedCdr(models.Model):
    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    country_code = models.CharField(max_length=2)
    party_id = models.CharField(max_length=3)
    cdr_id = models.CharField("CDR id", max_length=39)
    source = models.CharField(max_length=8, choices=CdrSource.choices)
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Who pushed it (none for a file import).",
    )  # fmt: skip
    channel = models.CharField(max_length=8, choices=SessionChannel.choices)
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+")
    charger = models.ForeignKey(Charger, on_delete=models.PROTECT, related_name="+")
    session_start = models.DateTimeField()
    session_end = models.DateTimeField()
    energy_kwh = models.DecimalField(max_digits=10, decimal_places=3)
    currency = models.CharField(max_length=3)
    charged_excl_vat = models.DecimalField(
        "charged (excl. VAT)", max_digits=12, decimal_places=2,
        help_text="total_cost.excl_vat: what the charging system billed.",
    )  # fmt: skip
    charged_incl_vat = models.DecimalField(
        "charged (incl. VAT)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    our_excl_vat = models.DecimalField(
        "our price (excl. VAT)", max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="Our tariff for the same time, place and energy (none: not priceable).",
    )  # fmt: skip
    our_incl_vat = models.DecimalField(
        "our price (incl. VAT)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    price_note = models.CharField(
        max_length=200, blank=True, help_text="Why our price is missing, when it is."
    )
    # The price audit: the CDR priced by the tariff it names with the OCPI calculator over
    # its own charging periods, and why the bill differs (filled when first audited).
    audit_excl_vat = models.DecimalField(
        "price by its tariff (excl. VAT)", max_digits=12, decimal_places=2, null=True,
        blank=True,
    )  # fmt: skip
    audit_cause = models.CharField(
        max_length=12, choices=AuditCause.choices, blank=True, help_text="Blank: not audited yet."
    )
    audit_note = models.CharField(max_length=300, blank=True)
    # Its numbers as the partner wrote them, digit for digit (read back as Decimals).
    data = models.JSONField(
        "the CDR as received", encoder=ExactJSONEncoder, decoder=ExactJSONDecoder
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "received CDR"
        verbose_name_plural = "received CDRs"
        ordering = ["-session_start", "-id"]
        constraints = [
            # OCPI's CDR.id is a CiString(39): "C1" and "c1" are one CDR of a party
            models.UniqueConstraint(
                F("operator"),
                F("country_code"),
                F("party_id"),
                Lower("cdr_id"),
                name="one_cdr_per_operator_party_id",
            ),
        ]
        indexes = [
            models.Index(fields=["operator", "session_start"], name="cdr_operator_start"),
            # the CDRs not audited yet, found by the audit's tasks
            models.Index(fields=["operator"], condition=Q(audit_cause=""), name="cdr_not_audited"),
        ]

    def __str__(self) -> str:
        return f"{self.country_code}*{self.party_id} {self.cdr_id}"

    @property
    def authorization_reference(self) -> str:
        """What the session names as its authorization: an eMSP's reference, or the id of
        one of our orders that we started on the charging system (its session is then the
        order's: offers.services.received_sessions)."""
        data = self.data if isinstance(self.data, dict) else {}
        return str(data.get("authorization_reference") or "")

    @property
    def difference(self):
        """Charged minus the price of the tariff it names, before VAT (None: not priced,
        or not audited yet)."""
        if self.audit_excl_vat is None:
            return None
        return self.charged_excl_vat - self.audit_excl_vat


DIFFERENCE = F("charged_excl_vat") - F("audit_excl_vat")


class CdrImportStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class CdrImport(models.Model):
    """One uploaded file of CDRs (JSON lines or a JSON array), imported in parts by
    Celery workers (cpo_portal.background.chunked). The upload is kept until the import ends."""

    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=200)
    upload = models.BinaryField(editable=False, default=bytes)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        editable=False, related_name="+",
    )  # fmt: skip
    status = models.CharField(
        max_length=10, choices=CdrImportStatus.choices, default=CdrImportStatus.RUNNING
    )
    total = models.PositiveIntegerField(default=0, help_text="CDRs in the file.")
    imported = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="Refused CDRs, and why.")
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "CDR import"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display().lower()})"
