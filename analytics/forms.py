"""The dashboards' filter form. Every choice list is cut to the chosen operator, and the
operator list to the user's own: a forged id fails validation like any bad input."""

from __future__ import annotations

from typing import cast

from django import forms
from django.http import QueryDict

from analytics.models import OfferDaily
from analytics.services.filters import (
    CHANNEL_CHOICES,
    CHANNEL_LABEL,
    Filters,
    allowed_operators,
    resolve_range,
    scoped,
)
from cpo_portal.db.regions import RegionChoiceField
from cpo_portal.models import Operator, Station
from offers.models import DegOfferType, Offer

GRANULARITIES = [("", "Automatic"), ("day", "Day"), ("week", "Week"), ("month", "Month")]


class OperatorForm(forms.Form):
    operator = forms.ModelChoiceField(
        queryset=Operator.objects.none(), required=False, empty_label=None
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.operators = allowed_operators(user)  # the operators this user may pick
        cast(forms.ModelChoiceField, self.fields["operator"]).queryset = self.operators

    def chosen(self):
        operator = getattr(self, "cleaned_data", {}).get("operator")
        return operator or self.operators.first()


class FilterForm(forms.Form):
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    offer = forms.ModelChoiceField(
        queryset=Offer.objects.none(), required=False, empty_label="All offers"
    )
    offer_type = forms.ChoiceField(required=False)
    station = forms.ModelChoiceField(
        queryset=Station.objects.none(), required=False, empty_label="All stations"
    )
    region = RegionChoiceField(required=False)
    channel = forms.ChoiceField(required=False, choices=CHANNEL_CHOICES, label=CHANNEL_LABEL)
    granularity = forms.ChoiceField(required=False, choices=GRANULARITIES)

    def __init__(self, user, operator, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.operator = operator
        cast(forms.ModelChoiceField, self.fields["offer"]).queryset = scoped(
            Offer.objects.filter(operator=operator), user
        )
        cast(forms.ModelChoiceField, self.fields["station"]).queryset = scoped(
            Station.objects.filter(operator=operator), user
        )
        types = (
            OfferDaily.objects.filter(operator=operator)  # thousands of rows, not millions
            .exclude(offer_type="")
            .values_list("offer_type", flat=True)
            .distinct()
            .order_by("offer_type")
        )
        labels = dict(DegOfferType.choices)
        cast(forms.ChoiceField, self.fields["offer_type"]).choices = [("", "All types")] + [
            (t, labels.get(t, t)) for t in types
        ]
        regions = (
            Station.objects.filter(operator=operator)
            .values_list("region_code", flat=True)
            .distinct()
            .order_by("region_code")
        )
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", "All regions")] + [
            (r, r) for r in regions
        ]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if "date_from" in data and "date_to" in data:  # both parsed
            data["date_from"], data["date_to"] = resolve_range(
                self.operator, data["date_from"], data["date_to"]
            )
        return data

    def show(self, filters: Filters) -> None:
        """Display the dates actually used, defaults included."""
        data = cast(QueryDict, self.data).copy()  # the request's GET
        data["date_from"] = filters.date_from.isoformat()
        data["date_to"] = filters.date_to.isoformat()
        self.data = data

    def filters(self) -> Filters:
        return Filters.of(self.operator, self.cleaned_data)
