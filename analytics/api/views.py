"""Read-only REST endpoints over the rollups: authenticated (session or token), scoped to
the user's operators through tenancy.scope, filtered with django-filter."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as InvalidFilters
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
from analytics.models import ChannelDaily, DailyRollup, HourlyRollup
from analytics.services import offer_roi, series, surge_impact
from analytics.services.filters import (
    CHANNEL_CHOICES,
    CHANNEL_LABEL,
    Filters,
    allowed_operators,
    resolve_range,
    scoped,
)
from cpo_portal.formatting.number_inputs import whole_number


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


class SeriesView(generics.ListAPIView):
    """Daily rollups summed per day, week or month, per operator (and per offer, station
    or hour band with group_by)."""

    serializer_class = SeriesPointSerializer
    filterset_class = SeriesFilterSet

    def get_queryset(self):
        return scoped(DailyRollup.objects.all(), self.request.user)

    def filter_queryset(self, queryset):
        filterset = valid(self, queryset)
        data, user = filterset.form.cleaned_data, self.request.user
        try:  # the dates missing as everywhere else (the asked operator's, or the user's)
            asked = data.get("operator") or allowed_operators(user)
            first, last = resolve_range(asked, data.get("date_from"), data.get("date_to"))
            fine = filterset.qs.filter(date__range=(first, last))
            return series.points(fine, user, {**data, "date_from": first, "date_to": last})
        except InvalidFilters as error:
            raise ValidationError(error.message_dict) from None


def valid(view, queryset):
    """The view's filterset over the request's parameters, validated (400 if not)."""
    request = view.request
    filterset = view.filterset_class(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset


class OneOperator:
    """An endpoint about one operator: `operator`, needed when the user works for several."""

    request: Any

    @cached_property
    def _operator(self):
        operators = allowed_operators(self.request.user)
        wanted = self.request.query_params.get("operator")
        if wanted:
            pk = whole_number(wanted)
            operator = operators.filter(pk=pk).first() if pk is not None else None
            if operator is None:
                raise ValidationError({"operator": ["Select a valid choice."]})
            return operator
        if operators.count() != 1:
            raise ValidationError({"operator": ["Pick one of your operators."]})
        return operators.first()

    def _filters(self, data: dict) -> Filters:
        """The validated parameters (offer and station the operator's: check_owners) as
        Filters of the operator, the dates resolved."""
        try:
            first, last = resolve_range(self._operator, data.get("date_from"), data.get("date_to"))
        except InvalidFilters as error:  # check_dates names the field at fault
            raise ValidationError(error.message_dict) from None
        return Filters.of(self._operator, {**data, "date_from": first, "date_to": last})


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
        f = self._filters(valid(self, queryset).form.cleaned_data)
        return [
            {
                **row,
                **{c.api: row[c.key] for c in offer_roi.OFFER_COLUMNS if c.api},
                "offer": row["offer"].pk,
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
        f = self._filters(valid(self, self.get_queryset()).form.cleaned_data)
        figures = surge_impact.summary(f)
        body = {
            "operator": f.operator.pk,
            "date_from": f.date_from,
            "date_to": f.date_to,
            "channel": f.channel,
            **figures,
        }
        return Response(self.get_serializer(body).data)
