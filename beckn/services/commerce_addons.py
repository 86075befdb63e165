"""The commerce door's add-on and reversal half: add-ons a catalog shows (confirm books
them: beckn.services.commerce.confirm), taking them out of an order (cancelled, or not
delivered) with the combo offers that needed them reversed, and cancelling a whole order.
Every call into offers.services for these is here, answering in commerce_types (like
beckn.services.commerce)."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from beckn.commerce_types import AddOnLine, Recovery
from cpo_portal.models import Operator, Station


def add_ons_at(operator: Operator, stations: Iterable[Station]) -> dict[int, list[AddOnLine]]:
    """Add-ons on sale (active, offered, in stock) at each station, by station pk."""
    from offers.services import add_ons_on_sale

    return {
        pk: [AddOnLine(a.code, a.name, a.price, a.tax_rate, a.description) for a in found]
        for pk, found in add_ons_on_sale(operator, stations).items()
    }


def add_ons_named(operator: Operator, codes: Collection[str]) -> set[str]:
    """Those of `codes` that name one of the operator's add-ons (in any state: one that
    cannot be sold is still an add-on, refused as such when asked for)."""
    if not codes:
        return set()
    from offers.services import add_on_codes

    return add_on_codes(operator.pk, codes)


def take_out(order_ref: str, codes: Iterable[str], reason: str) -> tuple[list[str], Recovery]:
    """Take add-ons out of an order, cancelled by the buyer. Combo offers that needed them
    are reversed, in part or in full. Returns the add-on ids taken out and what was
    recovered."""
    from offers.services import UnknownOrder, recheck_combos, release_add_ons

    changed = release_add_ons(order_ref, codes, note=reason)
    if not changed:
        return [], Recovery("INR")
    try:
        reversal = recheck_combos(order_ref, reason=reason)
    except UnknownOrder:
        return [b.code for b in changed], Recovery("INR")
    recovered = tuple((i, a) for i, a in reversal.recovered if a > 0)
    return [b.code for b in changed], Recovery(reversal.currency, recovered)


def cancel(order, reason: str) -> Recovery:
    """A cancelled order: its add-ons released, every offer reversed in full (through
    commerce.reverse). What is recovered is what the order held: its applied offers."""
    from beckn.services import commerce
    from offers.services import release_add_ons

    release_add_ons(order.reference, None, note=reason)
    held = tuple((o.offer_id, o.discount) for o in order.held_offers if o.discount > 0)
    if held:
        commerce.reverse(order.reference, reason=reason)
    return Recovery(order.currency, held)
