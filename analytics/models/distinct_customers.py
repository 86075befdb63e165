"""Exact distinct customers: who charged, by day, station, offer and holdout arm."""

from __future__ import annotations

from django.db import models

from analytics.models.common import _money, derived_fk
from analytics.models.measures import one_row_per
from cpo_portal.models import Operator, Station


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

    operator = derived_fk(Operator, indexed=False)
    date = models.DateField()
    station = derived_fk(Station, optional=True)
    region_code = models.CharField(max_length=16, blank=True)
    offer = derived_fk("offers.Offer", optional=True, indexed=False)
    offer_type = models.CharField(max_length=32, blank=True)
    held_out = models.BooleanField(default=False)
    customer = derived_fk(CustomerKey, indexed=False)
    sessions = models.PositiveIntegerField(default=0)
    revenue = _money("gross revenue (pre-tax, before discounts)")
    discount = _money("discount")

    class Meta:
        constraints = [
            one_row_per(
                "operator", "date", "station", "region_code", "offer", "held_out", "customer",
                name="one_daily_customer_row",
            ),
        ]  # fmt: skip
        # No (operator, date, customer) index: no page reads by date alone (the customer
        # sets answer those; a station filter takes the station index), and the
        # incremental rollup paid for its upkeep on every new row. Date ranges of an
        # operator read the unique index's first two columns.
        indexes = [
            # Serves COUNT(DISTINCT customer) per offer and arm from the index alone.
            models.Index(
                fields=["operator", "offer", "date", "held_out", "customer"],
                name="customer_operator_offer",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.date} {self.customer_id} {self.offer_id} {'held out' if self.held_out else ''}"
        )


class CellCustomer(models.Model):
    """Who charged in each DailyRollup cell (primary sessions of identified customers),
    with how many sessions: it keeps `DailyRollup.customers` exact when the incremental
    rollup adds and takes away sessions. Internal to the rollup; pages never read it."""

    TENANT_PATH = "operator"

    operator = derived_fk(Operator, indexed=False)
    date = models.DateField()
    offer = derived_fk("offers.Offer", optional=True, indexed=False)
    station = derived_fk(Station, optional=True, indexed=False)
    region_code = models.CharField(max_length=16, blank=True)
    hour_band = models.CharField(max_length=8)
    customer = derived_fk(CustomerKey, indexed=False)
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            one_row_per(
                "operator", "date", "offer", "station", "region_code", "hour_band", "customer",
                name="one_cell_customer_row",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.date} {self.station_id} {self.offer_id} {self.hour_band} {self.customer_id}"


class _CustomerSetFields(models.Model):
    """What a day's and a month's customer set share: whose set, of which offer and arm,
    the members and the arm's money. Foreign keys without database constraints (derived)."""

    TENANT_PATH = "operator"

    operator = derived_fk(Operator)
    offer = derived_fk("offers.Offer", optional=True)
    held_out = models.BooleanField(default=False)
    members = models.BinaryField()
    revenue = _money("gross revenue (pre-tax, before discounts)")
    discount = _money("discount")

    class Meta:
        abstract = True


class CustomerSet(_CustomerSetFields):
    """Who charged on a day, as a bitmap of CustomerKey ids (zlib-compressed): exact
    distinct customers over any range are the bits of the OR of its days, a few
    milliseconds where COUNT(DISTINCT) over DailyCustomer takes most of a second.

    `offer` None: every identified customer of the day (DailyCustomer, all rows); else
    one arm of one offer (`held_out`), with the arm's revenue and discount. Derived from
    DailyCustomer by the rollup for every day it touches; pages with a station or region
    filter read DailyCustomer itself."""

    date = models.DateField()

    class Meta:
        constraints = [
            one_row_per("operator", "date", "offer", "held_out", name="one_customer_set"),
        ]

    def __str__(self) -> str:
        return f"{self.date} customers of {self.offer_id or 'all'}"


class CustomerSetMonth(_CustomerSetFields):
    """The union of a whole month's CustomerSet rows (same operator, offer and arm), with
    the summed revenue and discount: a year reads 12 sets per arm plus the edge days.
    Derived by the rollup from CustomerSet."""

    month = models.DateField(help_text="Its first day.")

    class Meta:
        constraints = [
            one_row_per("operator", "month", "offer", "held_out", name="one_customer_set_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} customers of {self.offer_id or 'all'}"
