"""Where combo offers meet the quote: the combos of a catalog, kept out of the candidate
index, which knows nothing of add-ons (offers.rules.composition combines them with the
regular selection)."""

from __future__ import annotations

from offers.rules.combo import is_combo

from .catalog import Catalog, OfferInfo

_COMBOS: dict[int, tuple[Catalog, tuple[OfferInfo, ...]]] = {}

__all__ = ["combos_of"]


def combos_of(catalog: Catalog) -> tuple[OfferInfo, ...]:
    """The catalog's active combo offers, worked out once per compiled catalog."""
    cached = _COMBOS.get(catalog.operator_id)
    if cached is not None and cached[0] is catalog:
        return cached[1]
    found = tuple(i for i in catalog.offers.values() if is_combo(i.rule))
    _COMBOS[catalog.operator_id] = (catalog, found)
    return found
