"""Read-only representations. Amounts leave as strings with two decimals (DRF's default
for DecimalField), energy with three."""

from __future__ import annotations

from django.db import models
from rest_framework import serializers

from analytics.calc import figures
from analytics.models import ChannelDaily, DailyRollup, HourlyRollup
from analytics.models.measures import CELL, HOUR, stored
from analytics.services import series, surge_impact


def _money(help_text: str = "") -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, help_text=help_text or None
    )


NET = f"{figures.NET_REVENUE.label}: {figures.NET_REVENUE.meaning}"
SESSIONS = f"{figures.SESSIONS.label}: {figures.SESSIONS.meaning}"


def _measure(name: str) -> serializers.Field:
    """A summed rollup measure, typed as its DailyRollup column."""
    column = DailyRollup._meta.get_field(name)
    help_text = {"sessions": SESSIONS, "net_revenue": NET}.get(name)
    if isinstance(column, models.DecimalField):
        places = column.decimal_places
        return serializers.DecimalField(16, places, read_only=True, help_text=help_text)
    return serializers.IntegerField(read_only=True, help_text=help_text)


class _RollupSerializer(serializers.ModelSerializer):
    """A rollup row: each related row by its id (what the filters take), its code beside."""

    operator_code = serializers.CharField(source="operator.code", read_only=True)
    station_code = serializers.CharField(source="station.code", default=None, read_only=True)


class DailyRollupSerializer(_RollupSerializer):
    offer_code = serializers.CharField(source="offer.code", default=None, read_only=True)

    class Meta:
        model = DailyRollup
        extra_kwargs = {"net_revenue": {"help_text": NET}, "sessions": {"help_text": SESSIONS}}
        fields = [
            "id",
            "operator",
            "operator_code",
            "date",
            "offer",
            "offer_code",
            "offer_type",
            "station",
            "station_code",
            "region_code",
            "hour_band",
            "customers",
            *stored(CELL),
        ]
        read_only_fields = fields


class ChannelDailySerializer(_RollupSerializer):
    class Meta:
        model = ChannelDaily
        extra_kwargs = {"net_revenue": {"help_text": NET}, "sessions": {"help_text": SESSIONS}}
        fields = [
            "id", "operator", "operator_code", "date", "station", "station_code", "region_code",
            "channel", *stored(CELL),
        ]  # fmt: skip
        read_only_fields = fields


class HourlyRollupSerializer(_RollupSerializer):
    class Meta:
        model = HourlyRollup
        fields = [
            "id",
            "operator",
            "operator_code",
            "date",
            "station",
            "station_code",
            "region_code",
            "hour",
            "channel",
            "weekend",
            "surge_day",
            *stored(HOUR),
        ]
        read_only_fields = fields


class _SeriesPoint(serializers.Serializer):
    period = serializers.DateField(read_only=True)
    operator = serializers.IntegerField(read_only=True, source="operator_id")
    group = serializers.CharField(
        read_only=True, allow_null=True, help_text="Offer id, station id or hour band."
    )


# One period (and group, with group_by) of summed daily rollups.
SeriesPointSerializer = type(
    "SeriesPointSerializer", (_SeriesPoint,), {m: _measure(m) for m in series.MEASURES}
)


class OfferRoiSerializer(serializers.Serializer):
    offer = serializers.IntegerField(read_only=True)
    offer_code = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    offer_type = serializers.CharField(read_only=True)
    method = serializers.ChoiceField(choices=["holdout", "baseline"], read_only=True)
    redemptions = serializers.IntegerField(read_only=True)
    sessions = serializers.IntegerField(read_only=True)
    held_out_sessions = serializers.IntegerField(read_only=True)
    discount_cost = _money()
    net_revenue = _money(NET)
    incremental_revenue = _money()
    roi_discount_cost = _money()
    roi = serializers.DecimalField(max_digits=12, decimal_places=4, read_only=True, allow_null=True)
    note = serializers.CharField(read_only=True)
    in_headline_roi = serializers.BooleanField(
        read_only=True,
        help_text="Whether the offer counts in the dashboard's headline ROI (it has an estimate).",
    )
    left_out_reason = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Why the offer is left out of the headline ROI (null when it counts).",
    )
    flags = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="What to know before trusting this ROI: a short baseline, ROI below -1.",
    )


def _figure(places: int, help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=16, decimal_places=places, read_only=True, allow_null=True, help_text=help_text
    )


KINDS = {  # a headline figure's field, by its kind (services.tables.Column)
    "int": lambda help_text: serializers.IntegerField(read_only=True, help_text=help_text),
    "ratio": lambda help_text: _figure(4, help_text),
    "percent": lambda help_text: _figure(6, f"{help_text} A fraction: 0.125 is +12.5%."),
    "kwh": lambda help_text: _figure(1, help_text),
    "money": _money,
}


class _SurgeRange(serializers.Serializer):
    operator = serializers.IntegerField(read_only=True)
    date_from = serializers.DateField(read_only=True)
    date_to = serializers.DateField(read_only=True)
    channel = serializers.CharField(
        read_only=True, help_text="The channel the figures count; empty for every channel."
    )


# The surge page's headline figures, as its summary table and CSV give them.
SurgeImpactSerializer = type(
    "SurgeImpactSerializer",
    (_SurgeRange,),
    {c.key: KINDS[c.kind](f"{c.label}.") for c in surge_impact.FIGURES},
)
