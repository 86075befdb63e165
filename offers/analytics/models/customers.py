"""Exact distinct customers: who charged, by day, station, offer and holdout arm."""

from __future__ import annotations

from django.db import models

from cpo_portal.models import Operator, Station

from .common import _money


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
            # Both serve COUNT(DISTINCT customer) from the index alone.
            models.Index(fields=["operator", "date", "customer"], name="customer_operator_date"),
            models.Index(
                fields=["operator", "offer", "date", "held_out", "customer"],
                name="customer_operator_offer",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.date} {self.customer_id} {self.offer_id} {'held out' if self.held_out else ''}"
        )
