"""The fine-grained rollups, rebuilt per (operator, local date) partition from the ledger.

The ledger (offers.Redemption, with NoOfferSession for sessions that carried no offer)
is the truth; these tables are derived from it by services.rollup and may be deleted and
rebuilt at any time (`rollup_backfill`). They are written in bulk by SQL, so they keep no
simple-history trail: nobody edits them, and their history is the ledger's.
Their foreign keys, and those of the other derived tables (customers, derived,
periods), have no database constraint (db_constraint=False): checking every inserted
rollup row at COMMIT cost minutes of a large rollup, and the rows are rebuilt anyway.

Dates are the operator's local date of the ledger row's `occurred_at`; hour bands and
hours are the session's local start hour, as the ledger copies it.
"""

from __future__ import annotations

from django.db import models

from analytics.calc.hour_bands import CHOICES as BAND_CHOICES
from cpo_portal.models import Operator, Station
from offers.models import DegOfferType, SessionChannel

from .common import derived_fk
from .measures import CellMeasures, HourMeasures, one_row_per


class DailyRollup(CellMeasures):
    """Figures per operator, local date, offer (null: none), station and hour band.

    A session counts once, under its *primary* offer (the one with the largest discount;
    none when no offer applied), so sessions, energy and revenue add up across rows.
    Discounts, redemptions, reversals and held-out sessions count under each offer.
    `customers` is exact for the row only: distinct counts do not add up, so totals over
    ranges come from DailyCustomer.
    """

    TENANT_PATH = "operator"

    operator = derived_fk(Operator, indexed=False)
    date = models.DateField()
    offer = derived_fk("offers.Offer", optional=True, indexed=False)
    offer_type = models.CharField(
        "DEG offer type", max_length=32, blank=True, choices=DegOfferType.choices
    )
    station = derived_fk(Station, optional=True)
    region_code = models.CharField(max_length=16, blank=True)
    hour_band = models.CharField(max_length=8, choices=BAND_CHOICES)

    customers = models.PositiveIntegerField("distinct customers (this row only)", default=0)
    facts = models.PositiveIntegerField(
        "ledger rows counted in this row", default=0, editable=False,
        help_text="Kept by the incremental rollup: a row whose count falls to 0 goes.",
    )  # fmt: skip

    class Meta:
        ordering = ["-date", "operator", "station", "hour_band"]
        constraints = [
            one_row_per(
                "operator", "date", "offer", "station", "region_code", "hour_band",
                name="one_daily_rollup_per_cell",
            ),
        ]  # fmt: skip
        # (operator, date) ranges read the unique index's first two columns.
        indexes = [
            models.Index(fields=["operator", "offer", "date"], name="rollup_operator_offer"),
            models.Index(fields=["operator", "station", "date"], name="rollup_operator_station"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.station_id} {self.offer_id} {self.hour_band}"


class HourlyRollup(HourMeasures):
    """Sessions per operator, local date, station, local start hour and the channel the
    sessions came by: the surge view.

    `surge_day` marks every hour of a station's day on which any session (of any
    channel) paid surge.
    """

    TENANT_PATH = "operator"

    operator = derived_fk(Operator, indexed=False)
    date = models.DateField()
    station = derived_fk(Station, optional=True, indexed=False)
    region_code = models.CharField(max_length=16, blank=True)
    hour = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=8, choices=SessionChannel.choices)
    weekend = models.BooleanField()
    surge_day = models.BooleanField(default=False)

    class Meta:
        ordering = ["-date", "station", "hour"]
        constraints = [
            one_row_per(
                "operator", "date", "station", "region_code", "hour", "channel",
                name="one_hourly_rollup_per_cell",
            ),
        ]  # fmt: skip
        # (operator, date) ranges read the unique index's first two columns.
        indexes = [
            models.Index(fields=["operator", "station", "date"], name="hourly_operator_station"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.station_id} {self.hour:02d}h"
