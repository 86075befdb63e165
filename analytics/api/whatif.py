"""What-if runs through the API: list and retrieve the user's operators' runs (with their
results), and start one. A run is created by the admin's own form (WhatIfForm), so the
same checks and scoping apply; any role at the operator may start one. Asking for a run
identical to one still queued answers 200 with that run instead of 201 with a new one."""

from __future__ import annotations

import json
from typing import Any

from django.http import QueryDict
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from analytics.admin.forms import WhatIfForm
from analytics.models import WhatIfRun
from analytics.services.filters import scoped
from cpo_portal.db.values import BIGGEST_ID


class WhatIfRunSerializer(serializers.ModelSerializer):
    """A run: its operator and stations by id (what a new run names), their codes beside."""

    operator_code = serializers.CharField(source="operator.code", read_only=True)
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    station_codes: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="stations", slug_field="code", many=True, read_only=True
    )
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = WhatIfRun
        fields = [
            "id", "operator", "operator_code", "created_by", "created_at", "subject_kind",
            "subject_code", "subject_status", "candidate", "date_from", "date_to", "stations",
            "station_codes", "region_codes",
            "presented_share", "status", "progress_done", "progress_total", "percent", "started_at",
            "finished_at", "error", "result",
        ]  # fmt: skip
        read_only_fields = fields


class NewWhatIfSerializer(serializers.Serializer):
    """What to replay: one offer or one surge rule (ids), a window, optional stations
    (ids) or regions, and optionally an unsaved definition of the subject."""

    offer = serializers.IntegerField(required=False, min_value=1, max_value=BIGGEST_ID)
    surge_rule = serializers.IntegerField(required=False, min_value=1, max_value=BIGGEST_ID)
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    stations = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=BIGGEST_ID), required=False
    )
    regions = serializers.ListField(child=serializers.CharField(), required=False)
    presented_share = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        help_text="An offer that needs its code: replay as if this % of eligible sessions "
        "presented it.",
    )
    candidate = serializers.JSONField(required=False)


def form_data(data: dict[str, Any]) -> QueryDict:
    out = QueryDict(mutable=True)
    for key in ("offer", "surge_rule", "date_from", "date_to", "presented_share"):
        if data.get(key) is not None:
            out[key] = str(data[key])
    out.setlist("stations", [str(s) for s in data.get("stations") or ()])
    out.setlist("regions", list(data.get("regions") or ()))
    if data.get("candidate") is not None:
        out["candidate"] = json.dumps(data["candidate"])
    return out


class WhatIfRunViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """What-if replays of an offer or a surge rule over past sessions (docs/whatif.md)."""

    serializer_class = WhatIfRunSerializer

    def get_queryset(self):
        qs = WhatIfRun.objects.select_related("operator", "created_by").prefetch_related("stations")
        return scoped(qs, self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=NewWhatIfSerializer, responses={201: WhatIfRunSerializer})
    def create(self, request, *args, **kwargs):
        ask = NewWhatIfSerializer(data=request.data)
        ask.is_valid(raise_exception=True)
        form = WhatIfForm(form_data(ask.validated_data), user=request.user)
        run = form.start(request.user) if form.is_valid() else None
        if run is None:
            raise serializers.ValidationError(form.errors.get_json_data())
        code = status.HTTP_200_OK if form.reused else status.HTTP_201_CREATED
        return Response(WhatIfRunSerializer(run).data, status=code)
