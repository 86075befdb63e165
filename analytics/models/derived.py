"""Coarser tables built from the rollups of each rebuilt partition, so that the pages
read a few thousand rows where the rollups hold millions.

- OfferDaily: per operator, date and offer (None: no offer). Totals, time series and the
  per-offer table when no station or region is picked.
- StationDaily: per operator, date and station, with the surge counts of HourlyRollup.
  Top stations and the surge time series.
- ChannelDaily: per operator, date, station and channel (Beckn, OCPI roaming, own app,
  other): the session figures when a dashboard is filtered by channel.
- OfferScope / OfferScopeDaily: for the baseline ROI estimate. An offer's scope is every
  (station, hour band) in which it was ever used; OfferScopeDaily is the gross revenue of
  all sessions (with any offer or none) in the offer's scope, per day. When a scope
  grows, the offer's whole history is recomputed (services.rollup).
"""

from __future__ import annotations

from django.db import models

from analytics.calc.hour_bands import CHOICES as BAND_CHOICES
from cpo_portal.models import Operator, Station
from offers.models import SessionChannel

from .common import _money, derived_fk
from .measures import CellMeasures, StationMeasures, one_row_per


class OfferDaily(CellMeasures):
    TENANT_PATH = "operator"

    operator = derived_fk(Operator)
    date = models.DateField()
    offer = derived_fk("offers.Offer", optional=True)
    offer_type = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            one_row_per("operator", "date", "offer", name="one_offer_daily_row"),
        ]
        indexes = [models.Index(fields=["operator", "date"], name="offerdaily_operator_date")]

    def __str__(self) -> str:
        return f"{self.date} offer {self.offer_id}"


class StationDaily(StationMeasures):
    TENANT_PATH = "operator"

    operator = derived_fk(Operator)
    date = models.DateField()
    station = derived_fk(Station, optional=True)
    region_code = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [
            one_row_per("operator", "date", "station", "region_code", name="one_station_daily_row"),
        ]
        indexes = [models.Index(fields=["operator", "date"], name="stationdaily_operator_date")]

    def __str__(self) -> str:
        return f"{self.date} station {self.station_id}"


class ChannelDaily(CellMeasures):
    """Figures per operator, local date, station and the channel the sessions came by.
    Offers are redeemed on Beckn orders only, so offer figures are all under Beckn."""

    TENANT_PATH = "operator"

    operator = derived_fk(Operator, indexed=False)
    date = models.DateField()
    station = derived_fk(Station, optional=True)
    region_code = models.CharField(max_length=16, blank=True)
    channel = models.CharField(max_length=8, choices=SessionChannel.choices)
    facts = models.PositiveIntegerField(
        "ledger rows counted in this row", default=0, editable=False,
        help_text="Kept by the incremental rollup: a row whose count falls to 0 goes.",
    )  # fmt: skip

    class Meta:
        constraints = [
            one_row_per(
                "operator", "date", "station", "region_code", "channel",
                name="one_channel_daily_row",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.date} station {self.station_id} {self.channel}"


class OfferScope(models.Model):
    TENANT_PATH = "offer__operator"

    offer = derived_fk("offers.Offer")
    station = derived_fk(Station)
    hour_band = models.CharField(max_length=8, choices=BAND_CHOICES)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "station", "hour_band"], name="one_scope_cell"
            ),
        ]

    def __str__(self) -> str:
        return f"offer {self.offer_id} at {self.station_id} {self.hour_band}"


class OfferScopeDaily(models.Model):
    TENANT_PATH = "operator"

    operator = derived_fk(Operator)
    date = models.DateField()
    offer = derived_fk("offers.Offer")
    revenue = _money("gross revenue in the offer's scope (all sessions)")
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["offer", "date"], name="one_scope_day"),
        ]
        indexes = [models.Index(fields=["operator", "date"], name="scopedaily_operator_date")]

    def __str__(self) -> str:
        return f"{self.date} scope of offer {self.offer_id}"
