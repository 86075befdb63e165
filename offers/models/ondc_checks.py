"""Checks an offer must pass to speak the ONDC vocabulary: combo terms, and the ONDC
template's mandatory and not-applicable fields per offer type (offers.rules.ondc),
reported on the form field that holds each template column."""

from __future__ import annotations

from offers.rules import ondc
from offers.rules.construct import OfferRule

from .choices import BenefitKind, OndcType

# template column -> the offer field an operator fills in for it, by benefit kind
COLUMN_FIELDS: dict[str, str | dict[str, str]] = {
    "min_value": "min_session_value",
    "item_count": {BenefitKind.BUY_X_GET_Y: "buy_kwh", BenefitKind.SLABS: "slabs"},
    "item_count_upper": "slabs",
    "item_id": "secondary_ids",
    "value": {BenefitKind.FIXED: "amount", BenefitKind.SLABS: "slabs"},
    "value_type": "benefit_kind",
    "value_cap": "max_discount",
    "benefit_item_count": {BenefitKind.BUY_X_GET_Y: "get_kwh", BenefitKind.FREE_KWH: "free_kwh"},
    "benefit_item_id": "chargers",
    "item_value": "benefit_kind",
    "additive": "additive",
    "auto": "auto",
}
COMBO_BENEFITS = (BenefitKind.PERCENT, BenefitKind.FIXED)


def field_for(column: str, kind: str) -> str:
    spec = COLUMN_FIELDS[column]
    if isinstance(spec, dict):
        return spec.get(kind, "percent" if column == "value" else "benefit_kind")
    return spec


def _known_ids(offer) -> set[str]:
    from cpo_portal.models import Charger

    from .addons import AddOn

    if not offer.operator_id:
        return set()
    add_ons = AddOn.objects.filter(operator_id=offer.operator_id).values_list("code", flat=True)
    items = Charger.objects.filter(operator_id=offer.operator_id).values_list("code", flat=True)
    return set(add_ons) | set(items)


def combo_errors(offer) -> dict[str, str]:
    """A combo names its secondary add-ons (or items) and takes a percent or an amount;
    other offers name none."""
    ids = offer.secondary_ids if isinstance(offer.secondary_ids, list) else []
    if offer.ondc_type != OndcType.COMBO:
        if ids:
            return {
                "secondary_ids": "Only combo offers have secondary items (ONDC qualifier item_id); "
                "set the ONDC type to Combo or clear them."
            }
        return {}
    errors: dict[str, str] = {}
    if not ids:
        errors["secondary_ids"] = (
            "A combo needs at least one secondary add-on or item (ONDC qualifier item_id)."
        )
    else:
        unknown = sorted(set(ids) - _known_ids(offer))
        if unknown:
            errors["secondary_ids"] = (
                f"Not an add-on or charger of this operator: {', '.join(unknown)}."
            )
    if offer.benefit_kind not in COMBO_BENEFITS:
        errors["benefit_kind"] = (
            "A combo takes a percent or a fixed amount off the session and its add-ons "
            "(ONDC benefit value_type percent or amount)."
        )
    elif offer.base:
        errors["base"] = "A combo discounts the session and its add-ons together; clear the base."
    return errors


def template_errors(rule: OfferRule) -> dict[str, list[str]]:
    """The ONDC template's problems, each on the field the operator should fill or clear."""
    kind = str(rule.benefit.kind)
    out: dict[str, list[str]] = {}
    for column, message in ondc.template_problems(rule):
        name = field_for(column, kind)
        out.setdefault(name, []).append(f"ONDC template: {message}.")
    return out
