"""django-filter FilterSets for the rollup endpoints. Every model choice (operator, offer,
station) is cut to the requesting user's operators, so a forged id is a 400, not a leak."""

from __future__ import annotations

import django_filters as df
from django import forms
from django.db.models import Model

from analytics.calc.hour_bands import CHOICES as BAND_CHOICES
from analytics.models import ChannelDaily, DailyRollup, HourlyRollup
from analytics.services.filters import (
    CHANNEL_CHOICES,
    CHANNEL_LABEL,
    allowed_operators,
    check_dates,
    check_owners,
    scoped,
)
from cpo_portal.db.regions import RegionCodeFormField
from cpo_portal.models import Station
from offers.models import Offer

GRANULARITY = [("day", "day"), ("week", "week"), ("month", "month")]
GROUP_BY = [
    ("none", "none"),
    ("offer", "offer"),
    ("station", "station"),
    ("hour_band", "hour_band"),
]


class RegionFilter(df.CharFilter):
    """A region code in any spelling, as stations store it."""

    field_class = RegionCodeFormField


def _operators(request):
    return allowed_operators(request.user) if request else Offer.objects.none()


def _offers(request):
    return scoped(Offer.objects.all(), request.user) if request else Offer.objects.none()


def _stations(request):
    return scoped(Station.objects.all(), request.user) if request else Station.objects.none()


class DateRangeForm(forms.Form):
    """date_from / date_to checked by the same rule as the dashboards' (check_dates); an
    offer or station of another operator than the one asked refused (check_owners)."""

    def clean(self):
        super().clean()
        data = self.cleaned_data
        check_dates(data.get("date_from"), data.get("date_to"))
        check_owners(data)
        return data


class RollupFilterSet(df.FilterSet):
    operator = df.ModelChoiceFilter(queryset=_operators, help_text="Operator id.")
    station = df.ModelChoiceFilter(queryset=_stations, help_text="Station id.")
    region = RegionFilter(field_name="region_code", help_text="Region code, e.g. DL.")
    date_from = df.DateFilter(field_name="date", lookup_expr="gte", help_text="First date.")
    date_to = df.DateFilter(field_name="date", lookup_expr="lte", help_text="Last date.")

    class Meta:
        model: type[Model] = DailyRollup
        form = DateRangeForm
        fields = ["operator", "station", "region", "date_from", "date_to"]


class HourlyRollupFilterSet(RollupFilterSet):
    """The surge view's rows; `channel` as the dashboards' channel filter."""

    channel = df.ChoiceFilter(
        choices=CHANNEL_CHOICES[1:], label=CHANNEL_LABEL, help_text="How sessions came."
    )

    class Meta(RollupFilterSet.Meta):
        model: type[Model] = HourlyRollup
        fields = ["operator", "station", "region", "channel", "date_from", "date_to"]


class ChannelDailyFilterSet(HourlyRollupFilterSet):
    class Meta(HourlyRollupFilterSet.Meta):
        model = ChannelDaily


class OfferFilterSet(RollupFilterSet):
    """The rollup filters with the offer ones: the ROI dashboard's own."""

    offer = df.ModelChoiceFilter(queryset=_offers, help_text="Offer id.")
    offer_type = df.CharFilter(help_text="DEG offer type, e.g. HAPPY_HOUR.")

    class Meta(RollupFilterSet.Meta):
        fields = ["operator", "offer", "offer_type", "station", "region", "date_from", "date_to"]


class DailyRollupFilterSet(OfferFilterSet):
    """The rollup rows' filters: the offer ones, rows without an offer, an hour band."""

    no_offer = df.BooleanFilter(
        field_name="offer", lookup_expr="isnull", help_text="Only rows without an offer."
    )
    hour_band = df.ChoiceFilter(choices=BAND_CHOICES)

    class Meta(OfferFilterSet.Meta):
        fields = [*OfferFilterSet.Meta.fields, "no_offer", "hour_band"]


def _keep(queryset, name, value):
    """Parameters read by the view (channel, granularity, group_by), validated here."""
    return queryset


def _channel() -> df.ChoiceFilter:
    """The channel as the dashboards read it (filters.channel_rows, in the view)."""
    return df.ChoiceFilter(
        choices=CHANNEL_CHOICES[1:],
        method=_keep,
        label=CHANNEL_LABEL,
        help_text="How sessions came; every channel when absent. Offers are redeemed on "
        "Beckn orders only, so another channel has no offer figures.",
    )


class OfferRoiFilterSet(OfferFilterSet):
    """The ROI dashboard's filters, its channel too (read by the view): no hour band and
    no `no_offer`, which an ROI per offer is not worked out by."""

    channel = _channel()

    class Meta(OfferFilterSet.Meta):
        fields = [*OfferFilterSet.Meta.fields, "channel"]


class SeriesFilterSet(DailyRollupFilterSet):
    channel = _channel()
    granularity = df.ChoiceFilter(
        choices=GRANULARITY, method=_keep, empty_label=None, help_text="Period length."
    )
    group_by = df.ChoiceFilter(
        choices=GROUP_BY, method=_keep, empty_label=None, help_text="Split each period by this."
    )

    class Meta(DailyRollupFilterSet.Meta):
        fields = [*DailyRollupFilterSet.Meta.fields, "channel", "granularity", "group_by"]
