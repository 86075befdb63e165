"""Admin forms of the charging network: a charger's categories as checkboxes (the usual
Beckn category codes and any the operator already uses) plus a box for new ones, never a
JSON list typed by hand."""

from __future__ import annotations

from django import forms

from cpo_portal.models import Charger
from cpo_portal.models.network import EV_CHARGER, ChargingSpeed, category_label

STANDARD_CATEGORIES = [EV_CHARGER, *(speed.lower() for speed in ChargingSpeed.values)]


class CategoriesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class ChargerForm(forms.ModelForm):
    categories = CategoriesField(label="Categories", required=False)
    more_categories = forms.CharField(
        label="Other categories",
        required=False,
        help_text="New category codes, comma-separated, e.g. highway, fleet-depot.",
    )

    class Meta:
        model = Charger
        fields = [
            "operator", "station", "code", "name", "power_kw", "power_type", "charging_speed",
            "categories", "status",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        used = set(STANDARD_CATEGORIES)
        if self.instance.operator_id:
            for codes in Charger.objects.filter(operator_id=self.instance.operator_id).values_list(
                "categories", flat=True
            ):
                used.update(c for c in codes or () if isinstance(c, str))
        used.update(c for c in self.instance.categories or () if isinstance(c, str))
        ordered = [c for c in STANDARD_CATEGORIES if c in used] + sorted(
            used - set(STANDARD_CATEGORIES)
        )
        field = self.fields.get("categories")  # absent where the form is read-only
        if isinstance(field, forms.MultipleChoiceField):
            field.choices = [(c, category_label(c)) for c in ordered]
        self.initial.setdefault("categories", list(self.instance.categories or []))

    def clean(self):
        data = super().clean() or {}
        if "categories" not in self.fields:
            return data
        more = [c.strip().lower() for c in data.get("more_categories", "").split(",") if c.strip()]
        chosen = list(data.get("categories") or [])
        data["categories"] = chosen + [c for c in more if c not in chosen]
        self.instance.categories = data["categories"]
        return data
