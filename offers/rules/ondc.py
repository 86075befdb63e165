"""The ONDC offer construct's vocabulary: the template table, and an offer described in its
`qualifier`, `benefit` and `meta` tag groups (../shared/spec/ondc-offers-construct.md).

Charging sells energy, so the template's item counts are kWh: BuyXGetY buys `item_count`
kWh and gets `item_count` more; a Freebie gives `item_count` kWh of the charging item
(`item_id`) free; a Slab runs from `item_count` to `item_count_upper` kWh. Benefit values
are written negative, as ONDC's examples do ("-50.00", cap "-200.00").

Rate overrides (and slabs priced at a rate), prepaid credit and energy-trade terms have
no value / value type in the template: with no ONDC type chosen for them they are outside
the template, and their ONDC description carries the qualifier and meta groups only
(their terms are in the DEG vocabulary).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from offers.rules.construct import (
    BuyXGetY,
    CreditDrawdown,
    EnergyTradeTerms,
    FixedOff,
    FreeKwh,
    OfferRule,
    OndcOfferType,
    PercentOff,
    RateOverride,
    ServiceFeeWaiver,
    Slabs,
)
from pricing.engine import as_text


class Need(StrEnum):
    M = "mandatory"
    O = "optional"  # noqa: E741 - the template's own letter
    NA = "not applicable"


# The template's columns, in its order; benefit item_count / item_id are prefixed.
COLUMNS = (
    "min_value",
    "item_count",
    "item_count_upper",
    "item_id",
    "value",
    "value_type",
    "value_cap",
    "benefit_item_count",
    "benefit_item_id",
    "item_value",
    "additive",
    "auto",
)
M, O, NA = Need.M, Need.O, Need.NA  # noqa: E741 - the template's letters
T = OndcOfferType
TEMPLATE: dict[OndcOfferType, dict[str, Need]] = {
    kind: dict(zip(COLUMNS, needs, strict=True))
    for kind, needs in (
        (T.DISCOUNT, (O, NA, NA, NA, M, M, O, NA, NA, NA, M, M)),
        (T.BUY_X_GET_Y, (O, M, NA, NA, NA, NA, NA, M, O, M, M, M)),
        (T.FREEBIE, (O, NA, NA, NA, NA, NA, NA, M, M, NA, M, M)),
        (T.SLAB, (O, M, M, NA, M, M, M, NA, NA, NA, M, M)),
        (T.COMBO, (O, NA, NA, M, M, M, M, NA, NA, NA, M, M)),
        (T.DELIVERY, (O, NA, NA, NA, M, M, O, NA, NA, NA, M, M)),
        (T.EXCHANGE, (O, NA, NA, NA, NA, NA, NA, NA, NA, NA, M, M)),
        (T.FINANCING, (O, NA, NA, NA, NA, NA, NA, NA, NA, NA, M, M)),
    )
}

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class OndcDescription:
    """The offer in ONDC terms: its type and its tag groups, (code, ((tag, value), ...)).

    `fields` maps each template column to its value ('' for an open slab's upper end)."""

    offer_type: OndcOfferType
    groups: tuple[tuple[str, Pairs], ...]
    fields: dict[str, str]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _count(kwh: Decimal | None) -> str:
    return "" if kwh is None else format(kwh.normalize(), "f")


def _negative(amount: Decimal) -> str:
    return as_text(-amount)


def _value_fields(offer: OfferRule) -> dict[str, str]:
    """value / value_type / value_cap from a percent or amount benefit."""
    benefit = offer.benefit
    out: dict[str, str] = {}
    if isinstance(benefit, PercentOff | ServiceFeeWaiver):
        out = {"value_type": "percent", "value": _negative(benefit.percent)}
    elif isinstance(benefit, FixedOff):
        out = {"value_type": "amount", "value": _negative(benefit.amount)}
    if out and offer.max_discount is not None:
        out["value_cap"] = _negative(offer.max_discount)
    return out


def _slab_fields(benefit: Slabs, cap: Decimal | None) -> list[dict[str, str]]:
    out = []
    for slab in benefit.slabs:
        fields = {"item_count": _count(slab.from_kwh), "item_count_upper": _count(slab.to_kwh)}
        if slab.percent is not None:
            fields.update(value_type="percent", value=_negative(slab.percent))
        if cap is not None:
            fields["value_cap"] = _negative(cap)
        out.append(fields)
    return out


def template_fields(offer: OfferRule, item_ids: Sequence[str] = ()) -> list[dict[str, str]]:
    """The template columns the offer fills, one dict per ONDC offer (slabs: one each).

    `item_ids` are the charging items a Freebie gives kWh of (the catalog's item ids)."""
    benefit, q = offer.benefit, offer.qualifier
    base: dict[str, str] = {"additive": _yes(offer.meta.additive), "auto": _yes(offer.meta.auto)}
    if q.min_session_value is not None:
        base["min_value"] = as_text(q.min_session_value)
    if offer.combo is not None and offer.combo.secondary_ids:
        base["item_id"] = ",".join(sorted(offer.combo.secondary_ids))
    if isinstance(benefit, Slabs):
        return [{**base, **fields} for fields in _slab_fields(benefit, offer.max_discount)]
    out = {**base, **_value_fields(offer)}
    if isinstance(benefit, BuyXGetY):
        out.update(
            item_count=_count(benefit.buy_kwh),
            benefit_item_count=_count(benefit.free_kwh),
            item_value=as_text(Decimal(0)),
        )
    elif isinstance(benefit, FreeKwh):
        out["benefit_item_count"] = _count(benefit.kwh)
        ids = sorted(offer.applicability.charger_codes) or list(item_ids)
        if ids:
            out["benefit_item_id"] = ",".join(ids)
    return [out]


PER_SLAB = frozenset({"item_count", "item_count_upper", "value", "value_type"})


def outside_template(offer: OfferRule) -> bool:
    """A benefit the template cannot describe, with no ONDC type chosen for it."""
    benefit = offer.benefit
    rated = isinstance(benefit, Slabs) and any(s.rate_per_kwh is not None for s in benefit.slabs)
    kinds = RateOverride | CreditDrawdown | EnergyTradeTerms
    return offer.ondc_type is None and (isinstance(benefit, kinds) or rated)


def template_problems(offer: OfferRule) -> list[tuple[str, str]]:
    """(template column, message) for each mandatory column the offer leaves empty and
    each column its type does not allow. Freebie's item_id is the charging item itself,
    so it is never missing; slab uppers may be open (ONDC's own slab example sends '')."""
    kind = offer.offer_type
    row = TEMPLATE.get(kind)
    if row is None or outside_template(offer):
        return []
    problems: list[tuple[str, str]] = []
    for n, fields in enumerate(template_fields(offer, item_ids=("*",)), 1):
        slab = f" (slab {n})" if isinstance(offer.benefit, Slabs) else ""
        for column, need in row.items():
            where = slab if column in PER_SLAB else ""
            present = column in fields
            if need is Need.M and not present:
                problems.append((column, f"{_title(kind)} offers need {_name(column)}{where}"))
            elif need is Need.NA and present and fields[column] != "":
                problems.append((column, f"{_title(kind)} offers do not use {_name(column)}"))
    return list(dict.fromkeys(problems))


def _title(kind: OndcOfferType) -> str:
    return {T.BUY_X_GET_Y: "BuyXGetY"}.get(kind, kind.value.title())


def _name(column: str) -> str:
    return {
        "min_value": "a minimum value (qualifier min_value)",
        "item_count": "a quantity to buy (qualifier item_count)",
        "item_count_upper": "an upper quantity (qualifier item_count_upper)",
        "item_id": "secondary items (qualifier item_id)",
        "value": "a benefit value (benefit value)",
        "value_type": "a percent or an amount (benefit value_type)",
        "value_cap": "a value cap (benefit value_cap)",
        "benefit_item_count": "a quantity given (benefit item_count)",
        "benefit_item_id": "the item given (benefit item_id)",
        "item_value": "the item's offered value (benefit item_value)",
        "additive": "additive (meta)",
        "auto": "auto (meta)",
    }[column]


QUALIFIER = ("min_value", "item_count", "item_count_upper", "item_id")
BENEFIT = (
    ("value_type", "value_type"),
    ("value", "value"),
    ("value_cap", "value_cap"),
    ("benefit_item_count", "item_count"),
    ("benefit_item_id", "item_id"),
    ("item_value", "item_value"),
)


def ondc_description(offer: OfferRule, item_ids: Sequence[str] = ()) -> OndcDescription:
    """The offer's ONDC tag groups: qualifier, benefit, meta (a slab offer: a qualifier
    and a benefit group per slab, in order). Columns the type does not use are left out,
    so a cap on a BuyXGetY offer stays in the DEG vocabulary only."""
    kind = offer.offer_type
    row = TEMPLATE.get(kind, {})
    groups: list[tuple[str, Pairs]] = []
    every = template_fields(offer, item_ids)
    for fields in every:
        allowed = {c: v for c, v in fields.items() if row.get(c, Need.O) is not Need.NA}
        qualifier = tuple((c, allowed[c]) for c in QUALIFIER if c in allowed)
        benefit = tuple((code, allowed[c]) for c, code in BENEFIT if c in allowed)
        if qualifier:
            groups.append(("qualifier", qualifier))
        if benefit:
            groups.append(("benefit", benefit))
    meta = every[0]
    groups.append(("meta", (("additive", meta["additive"]), ("auto", meta["auto"]))))
    return OndcDescription(kind, tuple(groups), every[0])
