"""Customers, known only by a salted hash of their phone or email, and their credit.

No raw contact detail is stored anywhere: the key is an HMAC (offers.customer_keys), and every
offer rule reads segment, tier, membership, referral and join date instead.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from cpo_portal.db import values
from cpo_portal.db.validation import PlainTextModel
from cpo_portal.db.values import no_control_characters
from cpo_portal.models import Operator
from cpo_portal.models.network import code_validator

from .choices import CreditKind

key_text = RegexValidator(r"\A[0-9a-f]{64}\Z", "A customer key is 64 hex digits (HMAC-SHA256).")


class Customer(PlainTextModel):
    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="customers")
    key = models.CharField("customer key", max_length=64, validators=[key_text])
    segment = models.CharField(max_length=32, blank=True, validators=[no_control_characters])
    tier = models.CharField(max_length=32, blank=True, validators=[no_control_characters])
    member = models.BooleanField(default=False)
    referred = models.BooleanField(default=False)
    joined_on = models.DateField(null=True, blank=True, validators=[values.within_years])
    first_session_done = models.BooleanField(
        default=False, help_text="Set when a session with an offer is redeemed."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["operator", "key"]
        constraints = [
            models.UniqueConstraint(fields=["operator", "key"], name="customer_key_per_operator"),
        ]

    def __str__(self) -> str:
        return f"customer {self.key[:12]}…"


class CreditAccount(models.Model):
    """Prepaid rupees, or a monthly kWh package; several customers may share one (family
    plan). Offers with a credit drawdown benefit draw from accounts of their plan."""

    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="credit_accounts")
    plan = models.CharField(
        max_length=64, validators=[code_validator], help_text="e.g. prepaid, family, pkg-100."
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=8, choices=CreditKind.choices)
    balance_amount = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    balance_kwh = models.DecimalField(
        max_digits=10, decimal_places=3, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    monthly_kwh = models.DecimalField(
        "monthly allowance (kWh)",
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="kWh packages: the balance is refilled to this on the 1st of each month.",
    )
    period_start = models.DateField(null=True, blank=True)
    members = models.ManyToManyField(Customer, related_name="credit_accounts", blank=True)

    history = HistoricalRecords(excluded_fields=["balance_amount", "balance_kwh"])

    class Meta:
        ordering = ["operator", "plan", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance_amount__gte=0) & models.Q(balance_kwh__gte=0),
                name="credit_balance_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.plan})"

    def clean(self) -> None:
        if self.kind == CreditKind.RUPEES and (self.balance_kwh or self.monthly_kwh):
            raise ValidationError("A rupee account holds no kWh; clear the kWh fields.")
        if self.kind == CreditKind.KWH and self.balance_amount:
            raise ValidationError("A kWh package holds no rupees; clear the rupee balance.")
