"""Price preview: what would this session cost at this charger? (any role may look)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from cpo_portal import tenancy
from cpo_portal.models import Charger
from pricing.engine import PricingSetupError, QuoteInputError
from pricing.engine.types import Customer
from pricing.quote_json import quote_to_dict
from pricing.services import NoTariffError, quote_session, surge_notices, tariff_for


class PreviewForm(forms.Form):
    charger = forms.ModelChoiceField(queryset=Charger.objects.none())
    start = forms.CharField(
        label="Local start",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Wall-clock time at the station.",
    )
    kwh = forms.DecimalField(label="kWh", required=False, min_value=Decimal("0.001"))
    amount = forms.DecimalField(
        label="or an amount (₹)", required=False, min_value=Decimal("0.01"), decimal_places=2
    )
    segment = forms.CharField(required=False, max_length=64)
    tier = forms.CharField(required=False, max_length=64)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        chargers = Charger.objects.select_related("station", "operator")
        cast(forms.ModelChoiceField, self.fields["charger"]).queryset = tenancy.scope(
            chargers, user, tenancy.ALL_ROLES
        )

    def clean_start(self) -> dt.datetime:
        text = self.cleaned_data["start"].strip()
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(
                "Give a local date and time, like 2025-09-24T18:25."
            ) from None
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)  # the station's wall clock decides
        return value

    def clean(self):
        super().clean()
        data = self.cleaned_data
        kwh, amount = data.get("kwh"), data.get("amount")
        if kwh is not None and amount is not None:
            raise forms.ValidationError("Give kWh or an amount, not both.")
        if kwh is None and amount is None and not self.errors:
            raise forms.ValidationError("Give the kWh to deliver or an amount to spend.")
        charger, start = data.get("charger"), data.get("start")
        if charger is not None and isinstance(start, dt.datetime):
            data["start"] = start.replace(tzinfo=ZoneInfo(charger.station.time_zone))
        return data


def preview_view(model_admin):
    def view(request):
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        form = PreviewForm(request.GET or None, user=request.user)
        context = {
            **model_admin.admin_site.each_context(request),
            "title": "Price preview",
            "opts": model_admin.model._meta,
            "form": form,
        }
        if request.GET and form.is_valid():
            context.update(_quote(form.cleaned_data))
        return TemplateResponse(request, "admin/pricing/preview.html", context)

    return view


def _quote(data: dict) -> dict:
    charger = data["charger"]
    customer = Customer(segment=data.get("segment", ""), tier=data.get("tier", ""))
    try:
        quote = quote_session(
            charger, data["start"], kwh=data.get("kwh"), amount=data.get("amount"),
            customer=customer,
        )  # fmt: skip
    except (QuoteInputError, NoTariffError, PricingSetupError) as exc:
        return {"error": str(exc)}
    zone = ZoneInfo(charger.station.time_zone)
    return {
        "quote": quote_to_dict(quote, zone=zone),
        "tariff": tariff_for(charger),
        "charger": charger,
        "notices": surge_notices(charger, data["start"], quote.end),
    }
