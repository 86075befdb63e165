"""Admin forms. Validation lives in the model (Offer.clean); the forms add what only a
form can check: many-to-many choices against the offer's operator."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django import forms

from offers.models import Offer
from offers.models.offer_checks import BENEFIT_FIELDS
from offers.rules.qualifiers import DECLARED, Declared

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldOpts
    from django.utils.functional import _StrPromise

    Fieldset = tuple[str | _StrPromise | None, _FieldOpts]

# Fieldsets of benefit fields: (title, fields). Which kinds show each one is derived from
# BENEFIT_FIELDS, so the form, its JavaScript and the server checks cannot disagree.
BENEFIT_GROUPS: list[tuple[str, list[str | tuple[str, ...]]]] = [
    ("Percent", ["percent"]),
    ("Discount base", ["base"]),
    ("Fixed amount", ["amount"]),
    ("Rate", ["rate_per_kwh"]),
    ("Free energy", ["free_kwh"]),
    ("Buy X kWh, get Y kWh", [("buy_kwh", "get_kwh")]),
    ("Slabs", ["slabs", "slab_mode"]),
    ("Credit", ["credit_plan"]),
    (
        "EnergyTradeOffer terms",
        [
            "pricing_model",
            "fixed_price",
            "tod_rates",
            ("wheeling_amount", "wheeling_currency"),
            "wheeling_description",
            ("min_quantity", "max_quantity"),
            "settlement_type",
        ],
    ),
]


COMBO_HELP = (
    "A combo gives its percent (with its cap) or amount off the session and the add-ons "
    "below when the order holds the charging session and at least one of them."
)


def _flat(fields: Iterable[str | Sequence[str]]) -> list[str]:
    out: list[str] = []
    for f in fields:
        out.extend([f] if isinstance(f, str) else f)
    return out


def benefit_fieldsets() -> list[Fieldset]:
    sets: list[Fieldset] = []
    for title, fields in BENEFIT_GROUPS:
        names = set(_flat(fields))
        kinds = [k for k, (req, opt) in BENEFIT_FIELDS.items() if names & set(req + opt)]
        classes = ["benefit-group", *(f"for-{k}" for k in kinds)]
        sets.append((title, {"fields": tuple(fields), "classes": classes}))
    return sets


# Sections in the order a person decides them: what, what it gives, where, when; who may
# have it, combos and geography are folded away (collapsible) until needed.
OFFER_FIELDSETS: list[Fieldset] = [
    (
        None,
        {
            "fields": [
                ("operator", "status"),
                ("code", "currency"),
                "title",
                "short_desc",
                ("type_label", "ondc_type"),
            ]
        },
    ),
    ("Benefit", {"fields": ["benefit_kind"]}),
    *benefit_fieldsets(),
    (
        "Where",
        {
            "fields": [
                "stations",
                "chargers",
                ("region_codes", "city_codes"),
                ("site_kinds", "category_codes"),
            ],
            "description": "Empty everywhere: every station of the operator.",
        },
    ),
    (
        "When",
        {
            "fields": [
                ("valid_from", "valid_until"),
                "days_of_week",
                ("window_start", "window_end"),
                ("holidays", "launch_days"),
            ]
        },
    ),
    (
        "Stacking, limits and budget",
        {
            "fields": [
                ("auto", "additive", "priority"),
                ("max_discount", "budget", "budget_policy"),
                ("max_uses", "max_uses_per_customer"),
            ]
        },
    ),
    (
        "Who may have it (qualifier)",
        {
            "fields": [
                ("min_session_value", "min_kwh", "max_kwh"),
                ("segments", "tiers"),
                ("members_only", "first_session_only", "referred_only"),
                "anniversary_days",
                *(d.key for d in DECLARED),  # one row per declared qualifier
            ],
            "classes": ["collapse"],
        },
    ),
    (
        "Near a point (geo-fence)",
        {"fields": [("geo_lat", "geo_lon", "geo_radius_km")], "classes": ["collapse"]},
    ),
    (
        "Combo (ONDC type Combo): secondary add-ons or items",
        {"fields": ["secondary_ids"], "description": COMBO_HELP, "classes": ["collapse"]},
    ),
    (
        "Holdout (measuring uplift)",
        {"fields": ["holdout_percent"], "classes": ["collapse"]},
    ),
]
OFFER_FIELDS = [n for _title, spec in OFFER_FIELDSETS for n in _flat(spec["fields"])]


def _row(declared: Declared) -> forms.IntegerField:
    return forms.IntegerField(
        label=declared.label.capitalize(),
        help_text=declared.help_text,
        min_value=declared.minimum,
        required=False,
    )


class DeclaredRows(forms.Form):
    """One row per declared qualifier (offers.rules.qualifiers), kept in the offer's
    `conditions`; the offer form inherits them."""


DeclaredRows.base_fields = DeclaredRows.declared_fields = {d.key: _row(d) for d in DECLARED}


class OfferForm(forms.ModelForm, DeclaredRows):
    class Meta:
        model = Offer
        fields = OFFER_FIELDS

    class Media:
        js = ["offers/offer_form.js"]
        css = {"all": ["offers/offers.css"]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.conditions if isinstance(self.instance.conditions, dict) else {}
        for d in DECLARED:
            self.fields[d.key].initial = stored.get(d.key)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        kept = self.instance.conditions if isinstance(self.instance.conditions, dict) else {}
        rows = {d.key: data.get(d.key) for d in DECLARED}
        self.instance.conditions = {k: v for k, v in {**kept, **rows}.items() if v is not None}
        operator = data.get("operator") or getattr(self.instance, "operator", None)
        if operator is None:
            return data
        for name in ("stations", "chargers"):
            foreign = [str(x) for x in data.get(name) or () if x.operator_id != operator.pk]
            if foreign:
                self.add_error(name, f"Not {operator.name}'s: {', '.join(foreign)}.")
        return data
