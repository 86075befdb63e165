"""Rollups of the redemption ledger, rebuilt per (operator, local date) partition.

The ledger (offers.Redemption, with NoOfferSession for sessions that carried no offer)
is the truth; the rollup tables are derived from it by
services.rollup and may be deleted and rebuilt at any time (`rollup_backfill`). They are
written in bulk by SQL, so they keep no simple-history trail: nobody edits them, and
their history is the ledger's.

Dates are the operator's local date of the ledger row's `occurred_at`; hour bands and
hours are the session's local start hour, as the ledger copies it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce

from cpo_portal.models import Operator, Station
from offers.models.ledger import AppendOnlyError, AppendOnlyQuerySet

from .calc.bands import CHOICES as BAND_CHOICES


def _money(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=0)


def _kwh(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=3, default=0)


class DailyRollup(models.Model):
    """Figures per operator, local date, offer (null: none), station and hour band.

    A session counts once, under its *primary* offer (the one with the largest discount;
    none when no offer applied), so sessions, energy and revenue add up across rows.
    Discounts, redemptions, reversals and held-out sessions count under each offer.
    `customers` is exact for the row only: distinct counts do not add up, so totals over
    ranges come from DailyCustomer.
    """

    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    offer = models.ForeignKey(
        "offers.Offer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    offer_type = models.CharField("DEG offer type", max_length=32, blank=True)
    station = models.ForeignKey(
        Station, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region_code = models.CharField(max_length=16, blank=True)
    hour_band = models.CharField(max_length=8, choices=BAND_CHOICES)

    sessions = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField("distinct customers (this row only)", default=0)
    energy_kwh = _kwh("energy (kWh)")
    gross_revenue = _money("gross revenue (pre-tax, before discounts)")
    discount_cost = _money("discount cost (settled)")
    surge_revenue = _money("surge revenue")
    net_revenue = _money("net revenue (pre-tax, after discounts)")
    tax = _money("tax")
    redemptions = models.PositiveIntegerField(default=0)
    reversals = models.PositiveIntegerField(default=0)
    recovered_discount = _money("discount recovered by reversals")
    held_out_sessions = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-date", "operator", "station", "hour_band"]
        constraints = [
            models.UniqueConstraint(
                "operator",
                "date",
                Coalesce("offer", Value(0)),
                Coalesce("station", Value(0)),
                "region_code",
                "hour_band",
                name="one_daily_rollup_per_cell",
            ),
        ]
        indexes = [
            models.Index(fields=["operator", "date"], name="rollup_operator_date"),
            models.Index(fields=["operator", "offer", "date"], name="rollup_operator_offer"),
            models.Index(fields=["operator", "station", "date"], name="rollup_operator_station"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.station_id} {self.offer_id} {self.hour_band}"


class HourlyRollup(models.Model):
    """Sessions per operator, local date, station and local start hour: the surge view.

    `surge_day` marks every hour of a station's day on which any session paid surge.
    """

    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    station = models.ForeignKey(
        Station, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region_code = models.CharField(max_length=16, blank=True)
    hour = models.PositiveSmallIntegerField()
    weekend = models.BooleanField()
    surge_day = models.BooleanField(default=False)

    sessions = models.PositiveIntegerField(default=0)
    surge_sessions = models.PositiveIntegerField(default=0)
    energy_kwh = _kwh("energy (kWh)")
    surge_kwh = _kwh("energy in surged sessions (kWh)")
    surge_revenue = _money("surge revenue")
    net_revenue = _money("net revenue (pre-tax, after discounts)")

    class Meta:
        ordering = ["-date", "station", "hour"]
        constraints = [
            models.UniqueConstraint(
                "operator",
                "date",
                Coalesce("station", Value(0)),
                "region_code",
                "hour",
                name="one_hourly_rollup_per_cell",
            ),
        ]
        indexes = [
            models.Index(fields=["operator", "date"], name="hourly_operator_date"),
            models.Index(fields=["operator", "station", "date"], name="hourly_operator_station"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.station_id} {self.hour:02d}h"


class CustomerKey(models.Model):
    """A small integer for each customer key the ledger mentions: exact distinct counts
    over integers are several times cheaper than over 64-character strings."""

    key = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"customer {self.key[:12]}…"


class DailyCustomer(models.Model):
    """Who charged: one row per operator, date, station, offer, arm and identified
    customer. Exact distinct customers over any range and filter are a COUNT(DISTINCT)
    here; the holdout arms give ROI's revenue per customer.

    Both arms are read at the same step, confirmation: `redeemed` ledger rows are the
    treated (held_out False), `held_out` rows the control (held_out True), so like is
    compared with like. Sessions without offers count under offer None. Sessions, revenue
    (gross, before discounts) and discount are per offer, not deduplicated across offers:
    use them per offer, never summed over offers.
    """

    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    station = models.ForeignKey(
        Station, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region_code = models.CharField(max_length=16, blank=True)
    offer = models.ForeignKey(
        "offers.Offer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    offer_type = models.CharField(max_length=32, blank=True)
    held_out = models.BooleanField(default=False)
    customer = models.ForeignKey(CustomerKey, on_delete=models.CASCADE, related_name="+")
    sessions = models.PositiveIntegerField(default=0)
    revenue = _money("gross revenue (pre-tax, before discounts)")
    discount = _money("discount")

    class Meta:
        indexes = [
            models.Index(fields=["operator", "date"], name="customer_operator_date"),
            models.Index(fields=["operator", "offer", "date"], name="customer_operator_offer"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.date} {self.customer_id} {self.offer_id} {'held out' if self.held_out else ''}"
        )


class RollupCursor(models.Model):
    """How far the ledger has been rolled up: the highest ledger id seen, and ids below
    it that were missing then (a transaction still open) and may yet appear."""

    name = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)
    pending_gaps = models.JSONField(
        default=list, blank=True, help_text="[[first id, last id, first seen (ISO)], ...]"
    )
    runs = models.PositiveIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(default=0)
    last_rows = models.PositiveIntegerField("ledger rows read last run", default=0)
    last_partitions = models.PositiveIntegerField("partitions rebuilt last run", default=0)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_id}"


class NoOfferSession(models.Model):
    """A delivered session in which no offer was given.

    The redemption ledger writes one row per offer per step, so a session without an
    offer leaves no trace there; yet baselines (revenue before an offer started) and
    surge impact (all demand) need every session. This append-only table is the ledger's
    complement: one row per order that settled without an offer (held-out customers
    included), with the ledger's own column names for what both record. Written by
    services.sessions.record_session; rolled up with the ledger as offer "none".
    """

    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    order_ref = models.CharField(max_length=100, unique=True)
    station = models.ForeignKey(Station, null=True, on_delete=models.PROTECT, related_name="+")
    charger = models.ForeignKey(
        "cpo_portal.Charger", null=True, on_delete=models.PROTECT, related_name="+"
    )
    station_code = models.CharField(max_length=64)
    charger_code = models.CharField(max_length=64)
    region_code = models.CharField(max_length=16, blank=True)
    city_code = models.CharField(max_length=32, blank=True)
    site_kind = models.CharField(max_length=16, blank=True)
    customer_key = models.CharField(max_length=64, blank=True)
    customer_segment = models.CharField(max_length=32, blank=True)
    customer_tier = models.CharField(max_length=32, blank=True)
    currency = models.CharField(max_length=3, default="INR")
    energy_kwh = models.DecimalField(max_digits=10, decimal_places=3, default=0)
    gross_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    surge_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    net_amount = models.DecimalField("net (amount payable)", max_digits=12, decimal_places=2)
    session_start = models.DateTimeField()
    session_end = models.DateTimeField(null=True, blank=True)
    session_start_hour = models.PositiveSmallIntegerField(help_text="Local hour, 0-23.")
    occurred_at = models.DateTimeField(db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["operator", "occurred_at"], name="nooffer_operator_at")]

    def __str__(self) -> str:
        return f"{self.order_ref} (no offer) {self.net_amount}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Sessions are append-only: rows are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Sessions are append-only: rows are never deleted.")
