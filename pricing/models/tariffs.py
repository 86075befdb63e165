"""Base tariffs (operator default, station or charger override) and their rate bands."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cpo_portal.db import values
from cpo_portal.db.validation import PlainTextModel
from cpo_portal.db.values import (
    MAX_AMOUNT,
    MAX_RATE,
    amount,
    currency_code,
    gst,
    no_control_characters,
    ocpi_id_unique,
)
from cpo_portal.models import Charger, Operator, Station
from pricing.models.fields import WeekdaysField
from pricing.models.validators import MONEY, RATE, slug_code

RESERVED_BAND_CODES = frozenset({"base"})  # the engine's name for the default rate


class Tariff(PlainTextModel):
    """What a kWh costs. The most specific active tariff wins: charger, then station,
    then the operator's default."""

    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="tariffs")
    station = models.ForeignKey(
        Station,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tariffs",
        help_text="Override for one station (leave empty for the operator default).",
    )
    charger = models.ForeignKey(
        Charger,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tariffs",
        help_text="Override for one charger (beats a station override).",
    )
    code = models.CharField(max_length=64, validators=[slug_code])
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, default="INR", validators=[currency_code])
    energy_rate_per_kwh = models.DecimalField(
        "energy rate (per kWh)", validators=values.rate_per_kwh, **RATE
    )
    service_fee = models.DecimalField(
        default=0, validators=amount, help_text="Flat, once per session.", **MONEY
    )
    idle_fee_per_minute = models.DecimalField(default=0, validators=values.rate_per_minute, **RATE)
    idle_grace_minutes = models.PositiveIntegerField(default=0)
    min_price = models.DecimalField(
        "minimum session price", null=True, blank=True, validators=amount, **MONEY
    )
    max_price = models.DecimalField(
        "maximum session price", null=True, blank=True, validators=amount, **MONEY
    )
    tax_rate = models.DecimalField(
        "GST rate",
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.18"),
        validators=gst,
        help_text="As a fraction: 0.18 is 18%.",
    )
    tax_name = models.CharField(max_length=16, default="GST", validators=[no_control_characters])
    prices_include_tax = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    ocpi = models.JSONField(
        "OCPI tariff",
        null=True,
        blank=True,
        editable=False,
        help_text="Kept when an imported OCPI tariff has parts this model cannot express; "
        "prices then come from the OCPI calculator.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["operator", "code"]
        constraints = [
            models.UniqueConstraint(fields=["operator", "code"], name="tariff_code_per_operator"),
            ocpi_id_unique(
                "operator", name="tariff_ocpi_id_per_operator", what="tariff", id_name="tariff id"
            ),
            models.CheckConstraint(
                condition=Q(station__isnull=True) | Q(charger__isnull=True),
                name="tariff_station_or_charger",
            ),
            models.UniqueConstraint(
                fields=["operator"],
                condition=Q(active=True, station__isnull=True, charger__isnull=True),
                name="one_active_default_tariff",
            ),
            models.UniqueConstraint(
                fields=["station"],
                condition=Q(active=True, station__isnull=False),
                name="one_active_station_tariff",
            ),
            models.UniqueConstraint(
                fields=["charger"],
                condition=Q(active=True, charger__isnull=False),
                name="one_active_charger_tariff",
            ),
            models.CheckConstraint(
                condition=Q(min_price__isnull=True)
                | Q(max_price__isnull=True)
                | Q(min_price__lte=models.F("max_price")),
                name="tariff_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lte=1), name="tariff_tax_rate_fraction"
            ),
            models.CheckConstraint(
                condition=Q(
                    energy_rate_per_kwh__gte=0,
                    energy_rate_per_kwh__lte=MAX_RATE,
                    idle_fee_per_minute__gte=0,
                    idle_fee_per_minute__lte=MAX_RATE,
                    service_fee__gte=0,
                    service_fee__lte=MAX_AMOUNT,
                )
                & (Q(min_price__isnull=True) | Q(min_price__gte=0, min_price__lte=MAX_AMOUNT))
                & (Q(max_price__isnull=True) | Q(max_price__gte=0, max_price__lte=MAX_AMOUNT)),
                name="tariff_money_in_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def scope_label(self) -> str:
        if self.charger is not None:
            return f"charger {self.charger.code}"
        if self.station is not None:
            return f"station {self.station.code}"
        return "operator default"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.station_id and self.charger_id:
            errors["charger"] = "Choose a station or a charger, not both."
        if self.operator_id:
            if self.station is not None and self.station.operator_id != self.operator_id:
                errors["station"] = "The station belongs to another operator."
            if self.charger is not None and self.charger.operator_id != self.operator_id:
                errors["charger"] = "The charger belongs to another operator."
        if self.operator_id and self.currency and self.currency != self.operator.currency:
            errors["currency"] = (
                f"{self.operator.code} prices in {self.operator.currency}, not {self.currency}."
            )
        if self.max_price == 0:  # a cap of ₹0 would make every session free
            errors["max_price"] = (
                "A maximum session price of 0 makes every session free: "
                "leave it empty for no maximum."
            )
        elif (
            self.min_price is not None
            and self.max_price is not None
            and self.min_price > self.max_price
        ):
            errors["max_price"] = "The maximum session price is below the minimum."
        if self.operator_id and self.active and not errors:
            # None matches IS NULL; django-stubs types a nullable foreign key's id lookup
            # as not nullable.
            clash = Tariff.objects.filter(  # type: ignore[misc]
                operator_id=self.operator_id,
                active=True,
                station_id=self.station_id if not self.charger_id else None,
                charger_id=self.charger_id,
            ).exclude(pk=self.pk)
            if clash.exists():
                errors["active"] = (
                    f"{clash.first()} is already the active tariff for this {self.scope_label}: "
                    "deactivate it first."
                )
        if errors:
            raise ValidationError(errors)


class TariffBand(PlainTextModel):
    """A time-of-day rate: replaces the tariff's energy rate inside its local window."""

    TENANT_PATH = "tariff__operator"
    HISTORY_PARENT = "tariff"  # its changes show in the tariff's history

    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="bands")
    code = models.CharField(max_length=64, validators=[slug_code])
    label = models.CharField(max_length=100, help_text='Shown on quotes, e.g. "off-peak".')
    start = models.TimeField("local start")
    end = models.TimeField("local end", help_text="Before the start: runs past midnight.")
    days = WeekdaysField("days of week", help_text="The day a window starts on.")
    rate_per_kwh = models.DecimalField("rate (per kWh)", validators=values.rate_per_kwh, **RATE)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["tariff", "start", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tariff", "code"], name="band_code_per_tariff"),
            models.CheckConstraint(
                condition=Q(rate_per_kwh__gte=0, rate_per_kwh__lte=MAX_RATE),
                name="band_rate_in_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.start:%H:%M}-{self.end:%H:%M}"

    def clean(self) -> None:
        if self.code in RESERVED_BAND_CODES:
            raise ValidationError({"code": f"{self.code!r} is reserved for the default rate."})
