"""The what-if form: the subject (an offer or a surge rule, or an unsaved change to one),
the window, and the stations or regions. Every choice is cut to the user's operators; the
window and the candidate are checked by WhatIfRun.clean() (services.whatif.start)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from analytics.models import WhatIfRun
from analytics.services.whatif.applicability import Limit, limits_of
from analytics.services.whatif.start import definition_of, new_run
from analytics.tasks import queue_whatif
from cpo_portal import tenancy
from cpo_portal.db.regions import RegionsChoiceField
from cpo_portal.models import Station
from cpo_portal.web import jsonlimits
from cpo_portal.web.admin_site import BoundedMultipleChoiceField
from offers.models import Offer
from pricing.models import SurgeRule


class WhatIfForm(forms.Form):
    offer = forms.ModelChoiceField(queryset=Offer.objects.none(), required=False)
    surge_rule = forms.ModelChoiceField(queryset=SurgeRule.objects.none(), required=False)
    date_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="At most 90 days, inclusive."
    )
    stations = BoundedMultipleChoiceField(
        queryset=Station.objects.none(), required=False, help_text="None chosen: every station."
    )
    regions = RegionsChoiceField(required=False, help_text="Or whole regions.")
    presented_share = forms.IntegerField(
        label="Sessions presenting the code (%)",
        required=False,
        min_value=1,
        max_value=100,
        help_text="Only for an offer that needs its code: replay as if this share of the "
        "eligible sessions presented it (the same sessions every run). Empty: none do.",
    )
    candidate = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reused = False  # start() found the identical run already queued
        roles = tenancy.ALL_ROLES
        fields = self.fields
        cast(forms.ModelChoiceField, fields["offer"]).queryset = tenancy.scope(
            Offer.objects.select_related("operator"), user, roles
        )
        cast(forms.ModelChoiceField, fields["surge_rule"]).queryset = tenancy.scope(
            SurgeRule.objects.select_related("operator"), user, roles
        )
        stations = tenancy.scope(Station.objects.order_by("code"), user, roles)
        cast(forms.ModelChoiceField, fields["stations"]).queryset = stations
        regions = sorted({r for r in stations.values_list("region_code", flat=True) if r})
        cast(forms.ChoiceField, fields["regions"]).choices = [(r, r) for r in regions]
        if not self.is_bound and "date_to" not in self.initial:
            today = dt.date.today()
            self.initial.update(date_to=today - dt.timedelta(days=1))
            self.initial.update(date_from=today - dt.timedelta(days=30))

    @staticmethod
    def candidate_of(text: str) -> dict | None:
        """The unsaved change the hidden field carries back from the browser: a JSON object
        read within the product's limits (cpo_portal.web.jsonlimits); None when there is
        none or it cannot be read."""
        if not text:
            return None
        try:
            value = jsonlimits.loads(text, max_bytes=jsonlimits.API_MAX_BYTES)
        except ValueError:  # not JSON, or past a limit (JsonLimitError)
            return None
        return value if isinstance(value, dict) else None

    def clean_candidate(self) -> dict | None:
        text = self.cleaned_data.get("candidate") or ""
        value = self.candidate_of(text)
        if text and value is None:
            raise forms.ValidationError("The unsaved change cannot be read; open it again.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        subject = data.get("offer") or data.get("surge_rule")
        if subject is None or bool(data.get("offer")) == bool(data.get("surge_rule")):
            raise forms.ValidationError("Choose one offer or one surge rule.")
        foreign = [
            s.code for s in data.get("stations") or () if s.operator_id != subject.operator_id
        ]
        if foreign:
            self.add_error("stations", f"Not stations of {subject.operator}: {', '.join(foreign)}")
        data["subject"] = subject
        data["limits"] = self.limits_for(subject, data.get("candidate"))
        if data.get("presented_share") and not any(lim.code for lim in data["limits"]):
            self.add_error(
                "presented_share",
                f"{subject.code} applies without a code: leave this empty (a share of "
                "sessions presenting a code is for an offer that needs one).",
            )
        return data

    @staticmethod
    def limits_for(subject, candidate: dict | None = None) -> list[Limit]:
        """What the replay cannot do for this subject (its unsaved change, if given)."""
        kind = "offer" if isinstance(subject, Offer) else "surge"
        return limits_of(subject.operator, kind, candidate or definition_of(subject))

    def start(self, user) -> WhatIfRun | None:
        """Save the run (checked by WhatIfRun.clean(): its errors land on this form) and
        queue it; None when it was refused."""
        data = self.cleaned_data
        try:
            run, created = new_run(
                data["subject"],
                user=user,
                date_from=data["date_from"],
                date_to=data["date_to"],
                stations=data["stations"],
                region_codes=data["regions"],
                candidate=data["candidate"],
                presented_share=data.get("presented_share"),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = field if field in self.fields and field != "candidate" else None
                self.add_error(target, errors)
            return None
        self.reused = not created
        if created:
            queue_whatif(run.pk)
        return run
