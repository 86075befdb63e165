"""Admin forms: the checks that need more than one row (band overlap, station ownership,
advance notice)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from pricing.engine.schedule import LabelledWindow, first_overlap
from pricing.models import SurgeRule
from pricing.services.advance import needs_notice, notice_error, old_values


class BandFormSet(forms.BaseInlineFormSet):
    """Bands of one tariff must not overlap on any day: a time can have only one rate."""

    def clean(self) -> None:
        super().clean()
        windows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            if data.get("start") is None or data.get("end") is None or not data.get("days"):
                continue
            label = data.get("label") or data.get("code") or "?"
            windows.append(LabelledWindow(label, data["start"], data["end"], tuple(data["days"])))
        problem = first_overlap(windows)
        if problem:
            raise ValidationError(problem)


class SurgeRuleForm(forms.ModelForm):
    class Meta:
        model = SurgeRule
        fields = [
            "operator", "code", "kind", "name", "note", "form", "amount",
            "cap_per_session", "window_start", "window_end", "window_days", "valid_from",
            "valid_until", "holidays_only", "stations", "site_kinds", "region_codes",
            "min_power_kw", "charging_speeds", "occupancy_threshold", "on_grid_stress",
            "stackable", "priority", "exempt_segments", "exempt_tiers", "effective_from",
            "paused",
        ]  # fmt: skip

    def _operator(self):
        return self.cleaned_data.get("operator") or getattr(self.instance, "operator", None)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        operator = self._operator()
        if operator is None:
            return data
        stations = data.get("stations")
        if stations is not None:
            foreign = [s for s in stations if s.operator_id != operator.pk]
            if foreign:
                self.add_error(
                    "stations",
                    f"{', '.join(s.code for s in foreign)} belong(s) to another operator.",
                )
        new = self.instance.pk is None
        old = {} if new else old_values(self.instance)
        changes = needs_notice(self.changed_data, new=new, old_values=old, new_values=data)
        if changes:
            message = notice_error(operator, data.get("effective_from"))
            if message:
                what = "A new surge rule" if new else f"Changing {', '.join(changes)}"
                self.add_error("effective_from", f"{what} needs notice. {message}")
        return data
