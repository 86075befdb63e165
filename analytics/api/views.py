"""Read-only REST endpoints over the rollups: authenticated (session or token), scoped to
the user's operators through tenancy.scope, filtered with django-filter."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as InvalidFilters
from django.db.models import Sum
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from analytics.api.filters import (
    ChannelDailyFilterSet,
    DailyRollupFilterSet,
    HourlyRollupFilterSet,
    OfferRoiFilterSet,
    SeriesFilterSet,
)
from analytics.api.serializers import (
    ChannelDailySerializer,
    DailyRollupSerializer,
    HourlyRollupSerializer,
    OfferRoiSerializer,
    SeriesPointSerializer,
    SurgeImpactSerializer,
)
from analytics.models import ChannelDaily, DailyRollup, HourlyRollup, OfferDaily
from analytics.services import offer_roi, surge_impact
from analytics.services.filters import (
    CHANNEL_CHOICES,
    CHANNEL_LABEL,
    ChannelRows,
    Filters,
    allowed_operators,
    channel_rows,
    resolve_range,
    scoped,
)
from offers.models import SessionChannel


class DailyRollupViewSet(viewsets.ReadOnlyModelViewSet):
    """Daily rollup rows: operator x date x offer x station x hour band."""

    serializer_class = DailyRollupSerializer
    filterset_class = DailyRollupFilterSet

    def get_queryset(self):
        qs = DailyRollup.objects.select_related("operator", "offer", "station")
        return scoped(qs, self.request.user).order_by("-date", "id")


class HourlyRollupViewSet(viewsets.ReadOnlyModelViewSet):
    """Hourly rollup rows (the surge view): operator x date x station x local hour x
    channel."""

    serializer_class = HourlyRollupSerializer
    filterset_class = HourlyRollupFilterSet

    def get_queryset(self):
        qs = HourlyRollup.objects.select_related("operator", "station")
        return scoped(qs, self.request.user).order_by("-date", "station_id", "hour", "channel")


class ChannelDailyViewSet(viewsets.ReadOnlyModelViewSet):
    """Sessions per day, station and channel (Beckn, OCPI roaming, own app, other)."""

    serializer_class = ChannelDailySerializer
    filterset_class = ChannelDailyFilterSet

    def get_queryset(self):
        qs = ChannelDaily.objects.select_related("operator", "station")
        return scoped(qs, self.request.user).order_by("-date", "station_id", "channel")


GROUP_FIELDS = {"offer": "offer_id", "station": "station_id", "hour_band": "hour_band"}
SERIES_MEASURES = (
    "sessions",
    "redemptions",
    "reversals",
    "held_out_sessions",
    "energy_kwh",
    "gross_revenue",
    "discount_cost",
    "surge_revenue",
    "net_revenue",
)


# The series' filters that ChannelDaily (one channel's rows) answers too, by its field.
CHANNEL_FILTERS = {
    "operator": "operator",
    "station": "station",
    "region": "region_code",
    "date_from": "date__gte",
    "date_to": "date__lte",
}
NO_CHANNEL_BY_BAND = "Sessions by channel are not kept by hour band: leave out one or the other."
NO_BECKN_WITHOUT_OFFER = (
    "Beckn sessions with and without an offer are not kept apart by channel: leave out "
    "channel, or no_offer."
)


class SeriesView(generics.ListAPIView):
    """Daily rollups summed per day, week or month, per operator (and per offer, station
    or hour band with group_by)."""

    serializer_class = SeriesPointSerializer
    filterset_class = SeriesFilterSet

    def get_queryset(self):
        return scoped(DailyRollup.objects.all(), self.request.user)

    def filter_queryset(self, queryset):
        params = self.request.query_params
        filterset = self.filterset_class(params, queryset=queryset, request=self.request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        data = filterset.form.cleaned_data
        granularity = data.get("granularity") or "day"
        group = GROUP_FIELDS.get(data.get("group_by") or "none")
        fine = group in ("station_id", "hour_band") or any(
            data.get(k) for k in ("station", "region", "hour_band")
        )
        queryset = filterset.qs if fine else self._coarse(data)
        if data.get("channel"):
            queryset = self._of_channel(data, group, queryset)
        keys = ["period", "operator_id", *([group] if group else [])]
        rows = (
            queryset.annotate(period=offer_roi.period_expr(granularity))
            .values(*keys)
            .annotate(**{name: Sum(name) for name in SERIES_MEASURES})
            .order_by(*keys)
        )
        return [self._point(row, group) for row in rows]

    def _of_channel(self, data: dict, group: str | None, every):
        """One channel's rows (filters.channel_rows, as the dashboards read them)."""
        if group == "hour_band" or data.get("hour_band"):
            raise ValidationError({"channel": [NO_CHANNEL_BY_BAND]})
        offers = group == "offer_id" or bool(data.get("offer") or data.get("offer_type"))
        if data.get("no_offer") is not None:
            if data["channel"] == SessionChannel.BECKN:
                raise ValidationError({"no_offer": [NO_BECKN_WITHOUT_OFFER]})
            offers = offers or not data["no_offer"]
        rows = channel_rows(data["channel"], offers)
        if rows == ChannelRows.EVERY:
            return every
        if rows == ChannelRows.NONE:
            return DailyRollup.objects.none()
        qs = scoped(ChannelDaily.objects.filter(channel=data["channel"]), self.request.user)
        for name, lookup in CHANNEL_FILTERS.items():
            if data.get(name):
                qs = qs.filter(**{lookup: data[name]})
        return qs

    def _coarse(self, data: dict):
        """The same filters on OfferDaily, a few rows per day instead of thousands."""
        qs = scoped(OfferDaily.objects.all(), self.request.user)
        if data.get("operator"):
            qs = qs.filter(operator=data["operator"])
        if data.get("offer"):
            qs = qs.filter(offer=data["offer"])
        if data.get("no_offer") is not None:
            qs = qs.filter(offer__isnull=data["no_offer"])
        if data.get("offer_type"):
            qs = qs.filter(offer_type=data["offer_type"])
        if data.get("date_from"):
            qs = qs.filter(date__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(date__lte=data["date_to"])
        return qs

    @staticmethod
    def _point(row: dict, group: str | None) -> dict:
        period = row["period"]
        row["period"] = (
            period.date() if hasattr(period, "date") and callable(period.date) else period
        )
        row["group"] = None if group is None else row.get(group)
        return row


class OneOperator:
    """An endpoint about one operator: `operator`, needed when the user works for several."""

    request: Any

    @cached_property
    def _operator(self):
        operators = allowed_operators(self.request.user)
        wanted = self.request.query_params.get("operator")
        if wanted:
            operator = operators.filter(pk=wanted).first() if wanted.isdigit() else None
            if operator is None:
                raise ValidationError({"operator": ["Select a valid choice."]})
            return operator
        if operators.count() != 1:
            raise ValidationError({"operator": ["Pick one of your operators."]})
        return operators.first()

    def _range(self, data: dict) -> tuple:
        try:
            return resolve_range(self._operator, data.get("date_from"), data.get("date_to"))
        except InvalidFilters as error:
            raise ValidationError(
                getattr(error, "message_dict", None) or {"__all__": error.messages}
            ) from None


class OfferRoiView(OneOperator, generics.ListAPIView):
    """ROI per offer over a date range, by holdout or baseline (see the dashboard's
    definitions). Needs `operator` when the user works for several operators."""

    serializer_class = OfferRoiSerializer
    filterset_class = OfferRoiFilterSet
    pagination_class = None

    def get_queryset(self):
        return scoped(DailyRollup.objects.all(), self.request.user)

    @extend_schema(responses=OfferRoiSerializer(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        filterset = self.filterset_class(
            self.request.query_params, queryset=queryset, request=self.request
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        data = filterset.form.cleaned_data
        operator = self._operator
        first, last = self._range(data)
        f = Filters(
            operator=operator,
            date_from=first,
            date_to=last,
            offer_id=data["offer"].pk if data.get("offer") else None,
            offer_type=data.get("offer_type") or "",
            station_id=data["station"].pk if data.get("station") else None,
            region=data.get("region") or "",
            channel=data.get("channel") or "",
        )
        return [
            {
                **row,
                "offer": row["offer"].pk,
                "discount_cost": row["discount"],
                "net_revenue": row["net"],
                "incremental_revenue": row["incremental"],
                "roi_discount_cost": row["roi_discount"],
                "in_headline_roi": row["in_roi"],
                "left_out_reason": row["left_out"] or None,
                "flags": row["flag_list"],
            }
            for row in offer_roi.offer_rows(f)
        ]


class SurgeImpactView(OneOperator, generics.GenericAPIView):
    """The surge page's headline figures over a date range (see its definitions), for the
    operator's stations, one station or a region, every channel or one. Needs `operator`
    when the user works for several operators."""

    serializer_class = SurgeImpactSerializer
    filterset_class = HourlyRollupFilterSet
    pagination_class = None

    def get_queryset(self):
        return scoped(HourlyRollup.objects.all(), self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter("operator", OpenApiTypes.INT, description="Operator id."),
            OpenApiParameter("station", OpenApiTypes.INT, description="Station id."),
            OpenApiParameter("region", OpenApiTypes.STR, description="Region code, e.g. DL."),
            OpenApiParameter(
                "channel",
                OpenApiTypes.STR,
                enum=[value for value, _ in CHANNEL_CHOICES[1:]],
                description=f"{CHANNEL_LABEL}: how sessions came; every channel when absent.",
            ),
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="First date."),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last date."),
        ]
    )
    def get(self, request, *args, **kwargs):
        filterset = self.filterset_class(
            request.query_params, queryset=self.get_queryset(), request=request
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        data = filterset.form.cleaned_data
        station = data.get("station")
        if station is not None and station.operator_id != self._operator.pk:
            raise ValidationError({"station": ["That station belongs to another operator."]})
        first, last = self._range(data)
        f = Filters(
            operator=self._operator,
            date_from=first,
            date_to=last,
            station_id=station.pk if station else None,
            region=data.get("region") or "",
            channel=data.get("channel") or "",
        )
        figures = surge_impact.summary(f)
        body = {
            "operator": f.operator.pk,
            "date_from": first,
            "date_to": last,
            "channel": f.channel,
            **figures,
        }
        return Response(self.get_serializer(body).data)
