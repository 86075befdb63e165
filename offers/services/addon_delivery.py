"""An add-on the operator could not deliver (the valet was off sick, the bay was taken):
it leaves the order (refunded, stock back) and the combo offers that needed it are
reversed. `add_ons_not_delivered` is sent once the change is committed, so the Beckn
layer can tell the BAP (an unsolicited on_update with the quote_trail)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.dispatch import Signal

from offers.models import BookingState
from offers.services import addons
from offers.services.ledger import recovery
from offers.services.ledger.order import UnknownOrder

# Sent after commit with order_ref, codes (add-on ids) and recovered ((offer id, amount)).
add_ons_not_delivered = Signal()


@dataclass(frozen=True, slots=True)
class NotDelivered:
    order_ref: str
    codes: tuple[str, ...]
    currency: str
    recovered: tuple[tuple[str, Decimal], ...]


def not_delivered(order_ref: str, codes: Iterable[str], *, reason: str) -> NotDelivered:
    """Mark the order's add-ons `codes` not delivered and reverse what depended on them."""
    with transaction.atomic():
        changed = addons.release_add_ons(
            order_ref, list(codes), state=BookingState.NOT_DELIVERED, note=reason
        )
        taken = tuple(b.code for b in changed)
        recovered: tuple[tuple[str, Decimal], ...] = ()
        currency = "INR"
        if taken:
            try:
                reversal = recovery.recheck_combos(order_ref, reason=f"not delivered: {reason}")
                recovered, currency = reversal.recovered, reversal.currency
            except UnknownOrder:
                pass
        result = NotDelivered(order_ref, taken, currency, recovered)
        if taken:
            transaction.on_commit(
                lambda: add_ons_not_delivered.send(
                    sender=NotDelivered,
                    order_ref=order_ref,
                    codes=taken,
                    currency=currency,
                    recovered=recovered,
                )
            )
    return result
