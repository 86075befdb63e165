"""The offer, in the ONDC construct's vocabulary: applicability, qualifier, benefit, meta,
plus limits, holdout and optional EnergyTradeOffer terms.

One flat row per offer keeps the admin form, the history and the cache simple; which
benefit fields a kind uses is declared once (offers.models.offer_checks.BENEFIT_FIELDS)
and enforced in `clean()` whatever the form's JavaScript did.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cpo_portal import formatting
from cpo_portal.db import values
from cpo_portal.db.validation import PlainTextModel
from cpo_portal.models import Charger, Operator, Station
from cpo_portal.models.network import SiteKind, code_validator
from cpo_portal.web.jsonlimits import BoundedJSONField
from offers.conversion import TermsError, slabs_of, tod_rates_of
from offers.rules import describe
from offers.rules.qualifiers import BY_KEY, DeclaredError, declared_of
from pricing.models import CodeListField, RegionCodesField, WeekdaysField

from .choices import (
    BenefitKind,
    BudgetPolicy,
    DegOfferType,
    DiscountBase,
    HolidayRule,
    OfferStatus,
    OndcType,
    PricingModel,
    SettlementType,
    SlabMode,
)
from .usage import OfferUsage

ZERO = Decimal("0")


def optional_decimal(
    label: str, *, max_digits: int, decimal_places: int, validators, **kwargs
) -> models.DecimalField:
    """An optional decimal field: empty means the offer sets no such figure."""
    return models.DecimalField(
        label,
        max_digits=max_digits,
        decimal_places=decimal_places,
        null=True,
        blank=True,
        validators=validators,
        **kwargs,
    )


money_field = partial(optional_decimal, max_digits=12, decimal_places=2, validators=values.amount)
kwh_field = partial(
    optional_decimal, max_digits=10, decimal_places=3, validators=[MinValueValidator(ZERO)]
)
percent_field = partial(optional_decimal, max_digits=5, decimal_places=2, validators=values.percent)
rate_field = partial(
    optional_decimal, max_digits=10, decimal_places=4, validators=values.rate_per_kwh
)


def degrees_field(label: str, limit: int) -> models.DecimalField:
    """A latitude (limit 90) or a longitude (limit 180), to the micro-degree."""
    bounds = [MinValueValidator(Decimal(-limit)), MaxValueValidator(Decimal(limit))]
    return optional_decimal(label, max_digits=9, decimal_places=6, validators=bounds)


class Offer(PlainTextModel):
    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="offers")
    code = models.CharField(
        "offer id",
        max_length=64,
        validators=[code_validator],
        help_text="Published as the Beckn offer id, e.g. weekend-discount-25.",
    )
    title = models.CharField(max_length=200, help_text="Descriptor name and quote line title.")
    short_desc = models.CharField("short description", max_length=300, blank=True)
    type_label = models.CharField(
        "DEG offer type", max_length=32, choices=DegOfferType.choices, blank=True
    )
    ondc_type = models.CharField(
        "ONDC offer type",
        max_length=16,
        choices=OndcType.choices,
        blank=True,
        help_text="Leave empty to derive it from the benefit.",
    )
    status = models.CharField(max_length=8, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    currency = models.CharField(
        max_length=3,
        blank=True,
        validators=[values.currency_code],
        help_text="ISO 4217 code of every amount below (fixed off, cap, budget, rates, minimum "
        "session value, wheeling). The offer applies only to sessions priced in it. "
        "Empty: the operator's currency.",
    )

    # -- applicability: where and when (attributes intersect, values within one unite) ---
    stations = models.ManyToManyField(Station, blank=True, related_name="offers")
    chargers = models.ManyToManyField(Charger, blank=True, related_name="offers")
    region_codes = RegionCodesField(help_text="Comma-separated, e.g. DL, HR.")
    city_codes = CodeListField(help_text="Beckn city codes, e.g. std:011, std:080.")
    site_kinds = CodeListField(options=SiteKind.choices)
    category_codes = CodeListField(help_text="Charger categories, e.g. fast, ev-charger.")
    geo_lat = degrees_field("centre latitude", 90)
    geo_lon = degrees_field("centre longitude", 180)
    geo_radius_km = models.DecimalField(
        "radius (km)", max_digits=7, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateTimeField(null=True, blank=True, validators=[values.within_years])
    valid_until = models.DateTimeField(null=True, blank=True, validators=[values.within_years])
    days_of_week = WeekdaysField("days of week")
    window_start = models.TimeField("local from", null=True, blank=True)
    window_end = models.TimeField(
        "local until", null=True, blank=True, help_text="Before 'from' wraps past midnight."
    )
    holidays = models.CharField(max_length=16, choices=HolidayRule.choices, default="any_day")
    launch_days = models.PositiveIntegerField(
        "first N days after the station opened", null=True, blank=True
    )

    # -- qualifier: who, and for how much --------------------------------------------------
    min_session_value = money_field("minimum session value")
    min_kwh = kwh_field("minimum kWh")
    max_kwh = kwh_field("maximum kWh")
    segments = CodeListField(help_text="Customer segments, e.g. commuter, fleet.")
    tiers = CodeListField("loyalty tiers", help_text="e.g. silver, gold, platinum.")
    members_only = models.BooleanField(default=False)
    first_session_only = models.BooleanField(default=False)
    referred_only = models.BooleanField("referred customers only", default=False)
    secondary_ids = CodeListField(
        "combo: secondary items / add-ons",
        help_text="ONDC combo (qualifier item_id): add-on ids, e.g. valet-charging, parking. "
        "The order needs the charging session and at least one of them.",
    )
    anniversary_days = models.PositiveIntegerField(
        "anniversary window (days)",
        null=True,
        blank=True,
        help_text="Valid within this many days of the customer's joining anniversary.",
    )
    conditions = BoundedJSONField(
        "declared qualifiers",
        default=dict,
        max_bytes=4 * 1024,
        max_depth=2,
        blank=True,
        help_text="By name, with a number each (offers.rules.qualifiers).",
    )

    # -- benefit ---------------------------------------------------------------------------
    benefit_kind = models.CharField(max_length=24, choices=BenefitKind.choices)
    percent = percent_field("percent")
    base = models.CharField(
        "discount base", max_length=16, choices=DiscountBase.choices, blank=True
    )
    amount = money_field("fixed amount")
    rate_per_kwh = rate_field("rate per kWh")
    free_kwh = kwh_field("free kWh")
    buy_kwh = kwh_field("buy X kWh")
    get_kwh = kwh_field("get Y kWh free")
    slabs = BoundedJSONField(
        default=list,
        max_bytes=16 * 1024,
        max_depth=4,
        blank=True,
        help_text='[{"from_kwh": "0", "to_kwh": "20", "percent": "5"}, '
        '{"from_kwh": "20", "to_kwh": null, "rate_per_kwh": "14"}]',
    )
    slab_mode = models.CharField(max_length=8, choices=SlabMode.choices, blank=True)
    credit_plan = models.CharField(
        "credit plan", max_length=64, blank=True, help_text="Draws from accounts of this plan."
    )

    # -- EnergyTradeOffer terms ------------------------------------------------------------
    pricing_model = models.CharField(max_length=16, choices=PricingModel.choices, blank=True)
    fixed_price = money_field("fixed session price")
    tod_rates = BoundedJSONField(
        "time-of-day rates",
        default=list,
        max_bytes=16 * 1024,
        max_depth=4,
        blank=True,
        help_text='[{"timeRange": {"start": "09:00", "end": "17:00"}, "rate": 12, '
        '"currency": "INR"}]',
    )
    wheeling_amount = money_field("wheeling charge")
    wheeling_currency = models.CharField(
        max_length=3, blank=True, validators=[values.currency_code]
    )
    wheeling_description = models.CharField(max_length=200, blank=True)
    min_quantity = kwh_field("minimum quantity (kWh)")
    max_quantity = kwh_field("maximum quantity (kWh)")
    settlement_type = models.CharField(max_length=16, choices=SettlementType.choices, blank=True)

    # -- meta, limits, holdout -------------------------------------------------------------
    auto = models.BooleanField("auto-applied", default=True, help_text="Off: opt-in by code.")
    additive = models.BooleanField(default=False, help_text="Stacks with other offers.")
    priority = models.IntegerField(default=0, help_text="Higher first.")
    max_discount = money_field("cap (maximum discount)")
    max_uses = models.PositiveIntegerField("maximum total uses", null=True, blank=True)
    max_uses_per_customer = models.PositiveIntegerField(null=True, blank=True)
    budget = money_field("money budget", validators=values.budget)
    budget_policy = models.CharField(
        max_length=8, choices=BudgetPolicy.choices, default=BudgetPolicy.CUT
    )
    holdout_percent = percent_field(
        "holdout (%)", help_text="Share of identified customers withheld, to measure uplift."
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[stations])

    class Meta:
        ordering = ["operator", "-priority", "code"]
        constraints = [
            models.UniqueConstraint(fields=["operator", "code"], name="offer_code_per_operator"),
            models.CheckConstraint(
                condition=~models.Q(ondc_type__in=["exchange", "financing"]),
                name="offer_not_exchange_or_financing",
            ),
            models.CheckConstraint(
                condition=(Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100))
                & (
                    Q(holdout_percent__isnull=True)
                    | Q(holdout_percent__gte=0, holdout_percent__lte=100)
                )
                & (Q(amount__isnull=True) | Q(amount__gte=0))
                & (Q(max_discount__isnull=True) | Q(max_discount__gte=0))
                & (Q(budget__isnull=True) | Q(budget__gte=0))
                & (Q(rate_per_kwh__isnull=True) | Q(rate_per_kwh__gte=0)),
                name="offer_values_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["operator", "status"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        if not self.currency and self.operator_id:  # unstated: the operator's currency
            self.currency = self.operator.currency
        super().save(*args, **kwargs)
        if adding:  # the counter row redemptions lock and update
            OfferUsage.objects.get_or_create(offer=self)

    @property
    def effective_currency(self) -> str:
        """The currency of the offer's amounts: its own, else its operator's."""
        return self.currency or self.operator.currency

    def history_value_text(self, field: str, currency: str) -> str | None:
        """Slabs, time-of-day rates and declared qualifiers in the change log
        (cpo_portal.changes.wording) in the words the offer is described in elsewhere
        (offers.rules.describe, each qualifier's own): "0-20 kWh: 5% off energy; from
        20 kWh: energy at ₹14.00/kWh". Stored JSON the offer cannot read stays as it is."""
        try:
            if field == "slabs":
                return describe.slabs_text(slabs_of(self.slabs), currency)
            if field == "tod_rates":
                rates = tod_rates_of(self.tod_rates, currency)
                return describe.tod_rates_text(rates)
            if field == "conditions":
                declared = declared_of(self.conditions)
                return "; ".join(BY_KEY[k].words(n) for k, n in declared) or formatting.DASH
        except (TermsError, DeclaredError):
            return None
        return None

    def clean(self) -> None:
        from .offer_checks import check_offer, single_use_codes_refused

        check_offer(self)
        if self.pk is not None and self.batches.exists():
            refused = single_use_codes_refused(self)
            if refused:
                raise ValidationError({"auto": refused})
