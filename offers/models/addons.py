"""Add-ons sold with a charging session (Beckn `add_ons` on an item): valet charging, a
reserved bay, parking, a cafe voucher. Each has its own price and tax rate and is offered
at the stations listed in its availability rows, with an optional stock per station.

An order's add-ons are booked at confirm: the stock is taken by a conditional UPDATE
(stock > 0), never read and saved back, and given back when the add-on is released
(order cancelled, add-on removed, not delivered). The booking rows are also what settles
an order's add-ons and what combo offers are re-checked against after confirmation.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cpo_portal.db import values
from cpo_portal.db.validation import PlainTextModel
from cpo_portal.models import Operator, Station
from cpo_portal.models.network import code_validator


class AddOn(PlainTextModel):
    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="add_ons")
    code = models.CharField(
        "add-on id",
        max_length=64,
        validators=[code_validator],
        help_text="Published as the Beckn add-on id, e.g. valet-charging.",
    )
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=500, blank=True)
    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        validators=values.amount,
        help_text="Read like the tariff's prices: before tax unless the tariff includes tax.",
    )
    tax_rate = models.DecimalField(
        "GST rate",
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.18"),
        validators=values.gst,
        help_text="As a fraction: 0.18 is 18% (services), 0.05 is 5% (restaurant food).",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["operator", "code"]
        verbose_name = "add-on"
        constraints = [
            models.UniqueConstraint(fields=["operator", "code"], name="add_on_code_per_operator"),
            models.CheckConstraint(
                condition=models.Q(price__gte=0, price__lte=values.MAX_AMOUNT)
                & models.Q(tax_rate__gte=0, tax_rate__lte=1),
                name="add_on_price_and_tax_in_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AddOnAvailability(models.Model):
    """The add-on at one station: offered or not, and how many are left (empty: no limit)."""

    TENANT_PATH = "add_on__operator"

    add_on = models.ForeignKey(AddOn, on_delete=models.CASCADE, related_name="availability")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="add_ons")
    enabled = models.BooleanField(default=True)
    stock = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Empty: unlimited. Taken at confirm, given back on release.",
    )

    history = HistoricalRecords(excluded_fields=["stock"])

    class Meta:
        ordering = ["add_on", "station"]
        verbose_name_plural = "availability"
        constraints = [
            models.UniqueConstraint(
                fields=["add_on", "station"], name="one_row_per_add_on_station"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.add_on.code} at {self.station.code}"

    def clean(self) -> None:
        # an inline's new parent is assigned but has no pk yet
        add_on = self._state.fields_cache.get("add_on") or (self.add_on if self.add_on_id else None)
        station = self.station if self.station_id else None
        if add_on is not None and station is not None and add_on.operator_id != station.operator_id:
            raise ValidationError({"station": "The station belongs to another operator."})


class BookingState(models.TextChoices):
    BOOKED = "booked", "Booked (confirmed)"
    DELIVERED = "delivered", "Delivered"
    NOT_DELIVERED = "not_delivered", "Not delivered"
    RELEASED = "released", "Released (cancelled)"


class AddOnBooking(models.Model):
    """One add-on of one confirmed order, with the price and tax rate it was sold at."""

    TENANT_PATH = "add_on__operator"

    order_ref = models.CharField(max_length=100, db_index=True)
    add_on = models.ForeignKey(AddOn, on_delete=models.PROTECT, related_name="bookings")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="add_on_bookings")
    code = models.CharField("add-on id", max_length=64)
    name = models.CharField(max_length=200)
    # as sold: the add-on's price and GST rate, held to the same rules
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=values.amount)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=4, validators=values.gst)
    state = models.CharField(
        max_length=16, choices=BookingState.choices, default=BookingState.BOOKED
    )
    stock_taken = models.BooleanField(default=False)
    booked_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-booked_at", "code"]
        constraints = [
            models.UniqueConstraint(fields=["order_ref", "add_on"], name="add_on_once_per_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order_ref}: {self.code} ({self.state})"
