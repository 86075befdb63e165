"""Where combo offers and add-ons meet the quote: the combos of a catalog (kept out of the
candidate index, which knows nothing of add-ons), and the regular selection combined
with them (offers.rules.combo) on the order's add-on lines."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from offers.rules.bases import SessionView
from offers.rules.combo import OrderExtras, combine, combo_line, evaluate_combo, is_combo
from offers.rules.facts import OfferFacts
from offers.rules.outcome import Applied, OfferResult, Rejected
from offers.rules.types import Base, Offer
from pricing.engine.money import ZERO
from pricing.engine.types import LineKind, PricedSession, QuoteLine

from .catalog import Catalog, OfferInfo

_COMBOS: dict[int, tuple[Catalog, tuple[OfferInfo, ...]]] = {}


def combos_of(catalog: Catalog) -> tuple[OfferInfo, ...]:
    """The catalog's active combo offers, worked out once per compiled catalog."""
    cached = _COMBOS.get(catalog.operator_id)
    if cached is not None and cached[0] is catalog:
        return cached[1]
    found = tuple(i for i in catalog.offers.values() if is_combo(i.rule))
    _COMBOS[catalog.operator_id] = (catalog, found)
    return found


__all__ = [
    "combos_of",
    "extras_of",
    "is_combo",
    "recheck",
    "regular_only",
    "with_combos",
]


def regular_only(offers: Iterable[Offer]) -> list[Offer]:
    return [o for o in offers if not is_combo(o)]


def extras_of(charger_code: str, add_ons: Sequence[QuoteLine]) -> OrderExtras:
    return OrderExtras(item_ids=frozenset({charger_code}), add_ons=tuple(add_ons))


def with_combos(
    result: OfferResult,
    combos: Sequence[OfferInfo],
    priced: PricedSession,
    facts: OfferFacts,
    extras: OrderExtras,
) -> OfferResult:
    """The regular selection, with the combos the order qualifies for competing or stacking."""
    if not combos:
        return result
    view = SessionView.of(priced)
    outcomes = [evaluate_combo(i.rule, view, facts, extras) for i in combos]
    return combine(result, outcomes, view, facts, extras)


def recheck(
    result: Any,
    combos: Sequence[Offer],
    view: SessionView,
    facts: OfferFacts,
    extras: OrderExtras,
) -> OfferResult | Rejected:
    """At confirm: the quote's combos again, in order, after the regular offers, on the
    locked limits. The first that no longer applies is returned, rejected. `result` is
    the regular offers' stack (anything with lines and applied): it comes back with the
    combos' lines and applied offers added."""
    lines, applied = list(result.lines), list(result.applied)
    rate = view.priced.tariff.tax_rate
    for offer in combos:
        taken = -sum((ln.amount for ln in lines if ln.kind is LineKind.DISCOUNT), ZERO)
        outcome = evaluate_combo(offer, view, facts, extras, taken=taken)
        if isinstance(outcome, Rejected):
            return outcome
        lines.append(combo_line(offer, outcome.discount, rate))
        applied.append(Applied(offer.id, outcome.discount, Base.GROSS, outcome.code))
    return dataclasses.replace(result, lines=tuple(lines), applied=tuple(applied))
