"""Where combo offers and add-ons meet the quote: the combos of a catalog (kept out of the
candidate index, which knows nothing of add-ons) and the order's add-ons as the combos
see them (offers.rules.composition combines them with the regular selection)."""

from __future__ import annotations

from collections.abc import Sequence

from offers.rules.combo import OrderExtras, is_combo
from pricing.engine import QuoteLine

from .catalog import Catalog, OfferInfo

_COMBOS: dict[int, tuple[Catalog, tuple[OfferInfo, ...]]] = {}

__all__ = ["combos_of", "extras_of"]


def combos_of(catalog: Catalog) -> tuple[OfferInfo, ...]:
    """The catalog's active combo offers, worked out once per compiled catalog."""
    cached = _COMBOS.get(catalog.operator_id)
    if cached is not None and cached[0] is catalog:
        return cached[1]
    found = tuple(i for i in catalog.offers.values() if is_combo(i.rule))
    _COMBOS[catalog.operator_id] = (catalog, found)
    return found


def extras_of(charger_code: str, add_ons: Sequence[QuoteLine]) -> OrderExtras:
    return OrderExtras(item_ids=frozenset({charger_code}), add_ons=tuple(add_ons))
