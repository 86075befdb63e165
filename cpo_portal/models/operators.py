"""Operators (the tenants; each is a Beckn provider) and their staff."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cpo_portal.db.validation import PlainTextModel
from cpo_portal.db.values import currency_code, gst, share

provider_id_validator = RegexValidator(
    r"\A[a-z0-9][a-z0-9.\-]{1,99}\Z",
    "Use lower-case letters, digits, dots and hyphens, like cpo1.com.",
)
GSTIN_PATTERN = r"\A[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]\Z"


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone (like Asia/Kolkata).")


class OfferCombination(models.TextChoices):
    """How the operator's offers combine (the offers app's `Combination` has these values)."""

    ONDC = "ondc", "Exclusive offers stand alone (ONDC: additive no)"
    EXCLUSIVE_PLUS_ADDITIVES = (
        "exclusive_plus_additives",
        "Additive offers may also stack on top of an exclusive offer",
    )


# What is priced in an operator's currency, by the reverse relations the upper apps declare
# on Operator (pricing: tariffs; offers: offers; beckn: orders). Only their names are known
# here: this app imports none of them (the layering), and an app not installed has none.
PRICED_IN_CURRENCY = (("tariffs", "tariff"), ("offers", "offer"), ("beckn_orders", "order"))


class Operator(PlainTextModel):
    """A Charge Point Operator: the tenant, published as a Beckn provider."""

    code = models.CharField(
        "provider id",
        max_length=100,
        unique=True,
        validators=[provider_id_validator],
        help_text="The Beckn provider id, e.g. cpo1.com.",
    )
    name = models.CharField(max_length=200)
    short_desc = models.CharField("short description", max_length=300, blank=True)
    logo_url = models.URLField("logo URL", blank=True)
    currency = models.CharField(
        max_length=3,
        default="INR",
        validators=[currency_code],
        help_text="ISO 4217 code; tariffs and imported OCPI tariffs must use it.",
    )
    time_zone = models.CharField(
        max_length=64, default="Asia/Kolkata", validators=[validate_time_zone]
    )
    gstin = models.CharField(
        "GST registration (GSTIN)",
        max_length=15,
        blank=True,
        validators=[RegexValidator(GSTIN_PATTERN, "Not a valid 15-character GSTIN.")],
    )
    tax_rate = models.DecimalField(
        "GST rate",
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.18"),
        validators=gst,
        help_text="As a fraction: 0.18 is 18%.",
    )
    prices_include_tax = models.BooleanField(
        default=False, help_text="Listed prices already include GST."
    )
    surge_notice_hours = models.PositiveIntegerField(
        default=0, help_text="Surge rules must be scheduled at least this far ahead."
    )
    offer_combination = models.CharField(
        "offer combination",
        max_length=32,
        choices=OfferCombination.choices,
        default=OfferCombination.ONDC,
        help_text="Whether additive offers may stack on top of an exclusive one. Either way "
        "the customer gets the combination that saves the most.",
    )
    overcharge_buffer = models.DecimalField(
        "overcharge estimation buffer",
        max_digits=5,
        decimal_places=4,
        default=Decimal("0"),
        validators=share("The overcharge estimation buffer"),
        help_text="Held on top of a quote against a session delivering more than estimated "
        "(a share of the amount payable), and released when the session is settled. Not "
        "revenue. 0 holds nothing.",
    )
    max_buyer_finder_fee = models.DecimalField(
        "maximum buyer finder fee",
        max_digits=5,
        decimal_places=4,
        default=Decimal("0"),
        validators=share("The maximum buyer finder fee"),
        help_text="The most a consumer app (BAP) may take for finding the customer, as a share "
        "of the sale before tax; an app asking more is charged this. Added to the customer's "
        "quote and paid to the app: a cost of the sale. 0 allows none.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lte=1), name="operator_tax_rate_fraction"
            ),
            models.CheckConstraint(
                condition=Q(overcharge_buffer__gte=0, overcharge_buffer__lte=1),
                name="operator_overcharge_buffer_fraction",
            ),
            models.CheckConstraint(
                condition=Q(max_buyer_finder_fee__gte=0, max_buyer_finder_fee__lte=1),
                name="operator_max_buyer_finder_fee_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        super().clean()
        self.check_currency_fixed()

    def check_currency_fixed(self) -> None:
        """The currency cannot change once anything is priced in it: tariffs, offers and
        orders hold amounts in it, and a second currency beside them would never apply."""
        if self.pk is None:
            return
        was = Operator.objects.filter(pk=self.pk).values_list("currency", flat=True).first()
        if was is None or was == self.currency:
            return
        held = []
        for relation, noun in PRICED_IN_CURRENCY:
            manager = getattr(self, relation, None)
            count = manager.count() if manager is not None else 0
            if count:
                held.append(f"{count} {noun}{'' if count == 1 else 's'}")
        if held:
            raise ValidationError({"currency": (
                f"{self.code} prices in {was}: it has {', '.join(held)} in {was}, so its "
                f"currency stays {was}. To price in {self.currency}, set up another operator "
                "with that currency (or, for an operator still being set up, delete its "
                "tariffs and offers first)."
            )})  # fmt: skip


class Role(models.TextChoices):
    OPERATOR_ADMIN = "operator_admin", "Operator admin"
    PRICING_MANAGER = "pricing_manager", "Pricing manager"
    ANALYST = "analyst", "Analyst"


class StaffMembership(models.Model):
    """A user's role at one operator. A user may belong to several operators."""

    TENANT_PATH = "operator"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "operator"], name="one_role_per_operator"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.operator.code}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        if not self.user.is_staff:  # staff of an operator sign in to the admin
            type(self.user).objects.filter(pk=self.user_id).update(is_staff=True)
