"""The steps of an order before the session: each answers one typed result (OfferQuote)
that every surface renders: the admin's price tool, `manage.py quote`, the Beckn
handlers.

    quote_session_with_offers   select (and init): price + offers (+ the ledger's rows)
    confirm_order               confirm: the quote again, add-ons booked, offers redeemed
    redeem_order                the redemption alone: uses, budgets, codes, credit consumed

After the session the ledger takes over (offers.services.ledger): `settle` on the energy
delivered, `reverse` on a cancellation, `order_quote` for the order as it stands.
"""

from __future__ import annotations

from collections.abc import Callable

from offers.models import RedemptionKind
from offers.services import ledger
from offers.services.addons import book_add_ons
from offers.services.quoting import OfferQuote, SessionAsk, quote_with_offers

__all__ = [
    "confirm_order",
    "quote_session_with_offers",
    "redeem_order",
]


def quote_session_with_offers(
    ask: SessionAsk, *, order_ref: str = "", stage: str = RedemptionKind.QUOTED
) -> OfferQuote:
    """Price the session with the best allowed offers. With `order_ref`, the ledger's
    funnel row (quoted, or validated) is written in the same call; nothing is consumed.
    Raises QuoteInputError, NoTariffError, PricingSetupError, AddOnUnavailable."""
    oq = quote_with_offers(ask)
    if order_ref and (oq.applied or oq.held_out):
        ledger.record_quote(order_ref, oq, kind=stage)
    return oq


def confirm_order(
    ask: SessionAsk, order_ref: str, *, accept: Callable[[OfferQuote], None] = lambda oq: None
) -> OfferQuote:
    """confirm, in one call: the quote again, shown to `accept` (it raises to refuse the
    quote: nothing is taken then), then the add-ons' stock booked (AddOnUnavailable) and
    the offers redeemed (ledger.OfferUnavailable). The answer has the amounts really given."""
    oq = quote_with_offers(ask)
    accept(oq)
    book_add_ons(order_ref, ask.charger.station, oq.add_ons)
    return redeem_order(order_ref, oq)


def redeem_order(order_ref: str, oq: OfferQuote) -> OfferQuote:
    """confirm: count the offers against their limits (ledger.OfferUnavailable if one is
    no longer there). The answer has the amounts really given."""
    if not oq.applied and not oq.held_out:
        return oq
    return ledger.redeem(order_ref, oq)
