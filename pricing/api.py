"""REST: raise and clear grid-stress signals (pricing editors of the operator only).

POST   /pricing/api/grid-signals/             {"operator": "cpo1.com", "station": "code"?,
                                                "region_code": "DL"?, "note": "..."?} -> 201
POST   /pricing/api/grid-signals/<id>/clear/  -> 200 (idempotent)
GET    /pricing/api/grid-signals/[?active=1]  the user's operators' signals
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils import timezone
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from cpo_portal import tenancy
from cpo_portal.models import Operator, Station
from pricing.models import GridSignal
from pricing.services.grid import clear_signal, raise_signal


class GridSignalSerializer(serializers.ModelSerializer):
    operator: serializers.SlugRelatedField[Operator] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    station: serializers.SlugRelatedField[Station] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    raised_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = GridSignal
        fields = ["id", "operator", "station", "region_code", "raised_at", "cleared_at",
                  "raised_by", "note", "active"]  # fmt: skip
        read_only_fields = fields


class RaiseSerializer(serializers.Serializer):
    operator = serializers.CharField(max_length=100)
    station = serializers.CharField(max_length=64, required=False, allow_blank=True)
    region_code = serializers.CharField(max_length=16, required=False, allow_blank=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class IsPricingEditor(permissions.BasePermission):
    message = "Only pricing editors of the operator may raise or clear grid signals."

    def has_permission(self, request, view):
        return tenancy.may(request.user, None, tenancy.PRICING_EDITORS)


class GridSignalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = GridSignalSerializer
    permission_classes = [permissions.IsAuthenticated, IsPricingEditor]

    def get_queryset(self):
        signals = GridSignal.objects.select_related("operator", "station", "raised_by")
        qs = tenancy.scope(signals, self.request.user, tenancy.PRICING_EDITORS)
        if self.request.query_params.get("active") in {"1", "true"}:
            now = timezone.now()
            qs = qs.filter(Q(cleared_at__isnull=True) | Q(cleared_at__gt=now), raised_at__lte=now)
        return qs

    def create(self, request):
        payload = RaiseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        operators = tenancy.scope(Operator.objects.all(), request.user, tenancy.PRICING_EDITORS)
        operator = operators.filter(code=data["operator"]).first()
        if operator is None:
            raise PermissionDenied(f"You may not raise signals for {data['operator']!r}.")
        station = None
        if data.get("station"):
            station = Station.objects.filter(operator=operator, code=data["station"]).first()
            if station is None:
                raise ValidationError(
                    {"station": f"No station {data['station']!r} at {operator.code}."}
                )
        try:
            signal = raise_signal(
                operator, by=request.user, station=station,
                region_code=data.get("region_code", ""), note=data.get("note", ""),
            )  # fmt: skip
        except DjangoValidationError as error:  # the model's rules, as the admin's form shows
            raise ValidationError(error.message_dict) from None
        return Response(GridSignalSerializer(signal).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def clear(self, request, pk=None):
        signal = clear_signal(self.get_object())
        return Response(GridSignalSerializer(signal).data)
