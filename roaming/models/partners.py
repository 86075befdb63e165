"""Roaming partners (eMSPs and others) of one operator, and the credentials tokens between us.

OCPI names its tokens A, B and C by the order of the handshake, and which of them we hold
depends on who registers with whom. Here they are named by direction instead:

- the *inbound* token is the one the partner presents to us. We issue it (a random string)
  and keep only its SHA-256: token A before the partner registers with us, then token C;
  or token B when we register with them. It is shown once, when it is made.
- the *outbound* token is the one we present to the partner: their token A (given to us
  out of band), then the token they answer our registration with (their C), or the token
  B they send when they register with us. We must send it, so it is kept sealed
  (roaming.services.tokens: PyNaCl's SecretBox under a key derived from SECRET_KEY) and
  never shown again.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cpo_portal.models import Operator


class PartnerRole(models.TextChoices):
    EMSP = "EMSP", "eMSP"
    CPO = "CPO", "CPO"
    HUB = "HUB", "Hub"
    NAP = "NAP", "National access point"
    NSP = "NSP", "Navigation service provider"
    OTHER = "OTHER", "Other"
    SCSP = "SCSP", "Smart charging service provider"


class PartnerState(models.TextChoices):
    PENDING = "pending", "Waiting for the handshake"
    REGISTERED = "registered", "Registered"
    UNREGISTERED = "unregistered", "Unregistered"


class Partner(models.Model):
    TENANT_PATH = "operator"

    operator = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="roaming_partners"
    )
    name = models.CharField(max_length=100, help_text="Who the partner is, for staff.")
    role = models.CharField(max_length=8, choices=PartnerRole.choices, default=PartnerRole.EMSP)
    country_code = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166 alpha-2; filled in by the handshake."
    )
    party_id = models.CharField(
        max_length=3, blank=True, help_text="Their OCPI party id; filled in by the handshake."
    )
    versions_url = models.URLField(
        "their versions URL",
        max_length=500,
        blank=True,
        help_text="Needed to register with them; a partner registering with us sends its own.",
    )
    version = models.CharField(max_length=16, blank=True, editable=False)
    endpoints = models.JSONField(
        default=list, blank=True, editable=False, help_text="Their 2.2.1 endpoints."
    )
    state = models.CharField(
        max_length=16,
        choices=PartnerState.choices,
        default=PartnerState.PENDING,
        editable=False,
    )
    inbound_token_hash = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    inbound_token_final = models.BooleanField(
        default=False,
        editable=False,
        help_text="False while the partner holds a registration token (token A): it opens "
        "only the versions and credentials endpoints.",
    )
    outbound_token = models.TextField(blank=True, editable=False, help_text="Sealed.")
    business_name = models.CharField(max_length=100, blank=True, editable=False)
    registered_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["inbound_token_hash", "outbound_token"])

    class Meta:
        ordering = ["operator", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "country_code", "party_id", "role"],
                condition=Q(state="registered"),
                name="one_registered_partner_per_party",
            ),
        ]

    def __str__(self) -> str:
        party = f" {self.country_code}*{self.party_id}" if self.party_id else ""
        return f"{self.name}{party} ({self.get_state_display()})"

    def endpoint(self, identifier: str, role: str | None = "RECEIVER") -> str | None:
        """The URL of one of their modules (in a role: None, any) as their version
        details list it."""
        for entry in self.endpoints or ():
            if entry.get("identifier") == identifier and role in (None, entry.get("role")):
                return str(entry.get("url") or "") or None
        return None
