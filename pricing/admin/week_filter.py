"""The week view's filters: operator, region and station, offered from the user's own
operators only (a station of another operator is not a choice, so it cannot be asked for)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from django import forms

from cpo_portal.models import Operator, Station
from pricing.admin.weekview import OperatorWeek, operator_week
from pricing.models import SurgeRule


class WeekFilter(forms.Form):
    operator = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    region = forms.ChoiceField(required=False)
    station = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Grouped by region; type a station's name to jump to it.",
    )

    def __init__(self, data, *, operators: Sequence[Operator], stations: Sequence[Station]):
        super().__init__(data)
        self.operators = list(operators)
        self.stations = list(stations)
        # a ChoiceField; the stubs type self.fields[...] as a plain Field
        self.fields["operator"].choices = [("", "All operators")] + [  # type: ignore[attr-defined]
            (o.pk, o.name) for o in operators
        ]
        regions = sorted({s.region_code for s in stations if s.region_code})
        # a ChoiceField; the stubs type self.fields[...] as a plain Field
        self.fields["region"].choices = [("", "All regions")] + [  # type: ignore[attr-defined]
            (r, r) for r in regions
        ]
        ordered = sorted(stations, key=lambda s: (s.region_code, s.name, s.code))
        groups = [
            (region or "No region", [(s.pk, f"{s.name} ({s.code})") for s in members])
            for region, members in groupby(ordered, key=lambda s: s.region_code)
        ]
        # a ChoiceField; the stubs type self.fields[...] as a plain Field
        self.fields["station"].choices = [("", "All stations"), *groups]  # type: ignore[attr-defined]

    def _filters(self) -> tuple[int | None, str, int | None]:
        if not self.is_bound:
            return None, "", None
        data = self.cleaned_data
        return data["operator"], data["region"], data["station"]

    def weeks(self, rules: Sequence[SurgeRule]) -> list[OperatorWeek]:
        """One week per operator left in by the filters, drawn at the stations left in;
        nothing when a filter is not one of the choices (the form shows why)."""
        if self.is_bound and not self.is_valid():
            return []
        operator, region, station = self._filters()
        out = []
        for op in self.operators:
            if operator is not None and op.pk != operator:
                continue
            chosen = [
                s
                for s in self.stations
                if s.operator_id == op.pk
                and (not region or s.region_code == region)
                and (station is None or s.pk == station)
            ]
            if not chosen and (region or station is not None):
                continue  # the region or station is another operator's
            own = [r for r in rules if r.operator_id == op.pk]
            out.append(operator_week(op, own, chosen))
        return out
