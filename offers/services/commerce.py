"""The commerce service: one call per step of an order's life, each answering one typed
result (OfferQuote) that every surface renders: the admin's price tool, `manage.py quote`,
the Beckn handlers and settlement.

    quote_session_with_offers   select: price + offers (+ the ledger's quoted rows)
    validate_order              init: the same, recorded as validated
    confirm_order               confirm: the quote again, add-ons booked, offers redeemed
    redeem_order                the redemption alone: uses, budgets, codes, credit consumed
    settle_order                charging ended: recomputed on the kWh delivered
    reverse_order               cancel: uses and budget given back; the order as it stands
    order_quote                 the order as it stands after a change

A session without offers is settled here too (priced on the energy delivered) and
announced with the `session_settled` signal: analytics records it; nothing below it
knows analytics exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from offers.events import session_settled
from offers.models import RedemptionKind
from offers.rules.compose import ToPrice, compose
from offers.rules.facts import CustomerFacts, OfferFacts
from pricing import services as pricing
from pricing.engine.types import QuoteLine

from . import ledger, recovery
from .addons import book as book_add_ons
from .addons import booked_lines
from .order_ledger import UnknownOrder
from .quoting import OfferQuote, SessionAsk, quote_with_offers

__all__ = [
    "OfferQuote",
    "SessionAsk",
    "UnknownOrder",
    "confirm_order",
    "order_quote",
    "quote_session_with_offers",
    "quote_without_offers",
    "redeem_order",
    "reverse_order",
    "settle_order",
    "validate_order",
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


def validate_order(ask: SessionAsk, order_ref: str) -> OfferQuote:
    """init: the quote again, recorded as validated."""
    return quote_session_with_offers(ask, order_ref=order_ref, stage=RedemptionKind.VALIDATED)


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


def quote_without_offers(ask: SessionAsk, add_ons: Iterable[QuoteLine] = ()) -> OfferQuote:
    """The session priced with its add-ons and no offer (an order that redeemed none)."""
    book, conditions = pricing.book_and_conditions(ask.charger, ask.start)
    request = pricing.session_request_for(ask.charger, ask.start, kwh=ask.kwh, end=ask.end)
    lines = tuple(add_ons)
    composed = compose(ToPrice(book, request, conditions), None, OfferFacts(), add_ons=lines)
    return OfferQuote.of(composed, ask.customer_key, charger=ask.charger, add_ons=lines)


def settle_order(order_ref: str, ask: SessionAsk) -> OfferQuote:
    """Charging ended (`ask`: the session with the energy delivered and its end): the
    final price, the redeemed offers recomputed. An order that redeemed none is priced
    without offers and announced once (session_settled) for whoever counts sessions
    without offers."""
    if ask.kwh is None or ask.end is None:
        raise ValueError("a settlement needs the energy delivered and the end")
    try:
        return ledger.settle(order_ref, ask.kwh, end=ask.end)
    except UnknownOrder:
        pass
    oq = quote_without_offers(ask, booked_lines(order_ref))
    customer = CustomerFacts(key=ask.customer_key)
    session_settled.send(sender=OfferQuote, order_ref=order_ref, quote=oq, customer=customer)
    return oq


def order_quote(order_ref: str, ask: SessionAsk) -> OfferQuote:
    """The order as it stands: offers at what it still holds of them (none reversed),
    the add-ons still booked."""
    try:
        return recovery.order_quote(order_ref)
    except UnknownOrder:
        return quote_without_offers(ask, booked_lines(order_ref))


def reverse_order(order_ref: str, reason: str) -> Decimal:
    """cancel: every offer of the order reversed, uses and budget given back; returns
    the discount reversed (0 when the order redeemed none)."""
    try:
        return ledger.reverse(order_ref, reason=reason).total
    except UnknownOrder:
        return Decimal("0")
