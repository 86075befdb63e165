"""The commerce service: one call per step of an order's life, each answering one typed
result (OfferQuote) that every surface renders: the admin's price tool, `manage.py quote`,
the Beckn handlers and settlement.

    quote_session_with_offers   select: price + offers (+ the ledger's quoted rows)
    validate_order              init: the same, recorded as validated
    redeem_order                confirm: uses, budgets, codes and credit consumed
    settle_order                charging ended: recomputed on the kWh delivered
    reverse_order               cancel: uses and budget given back; the order as it stands
    order_quote                 the order as it stands after a change

A session without offers is settled here too (priced on the energy delivered) and
announced with the `session_settled` signal: analytics records it; nothing below it
knows analytics exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from cpo_portal.models import Charger
from offers.events import session_settled
from offers.models import RedemptionKind
from offers.rules.facts import CustomerFacts
from pricing import services as pricing
from pricing.engine import finalize
from pricing.engine.types import QuoteLine

from . import ledger, recovery
from .addons import booked_lines
from .order_ledger import UnknownOrder
from .quoting import OfferQuote, quote_with_offers

__all__ = [
    "OfferQuote",
    "SessionAsk",
    "UnknownOrder",
    "order_quote",
    "quote_session_with_offers",
    "quote_without_offers",
    "redeem_order",
    "reverse_order",
    "settle_order",
    "validate_order",
]


@dataclass(frozen=True)
class SessionAsk:
    """The session a surface asks to price: where, when, how much, who, which offers."""

    charger: Charger
    start: dt.datetime
    kwh: Decimal | None = None
    amount: Decimal | None = None
    end: dt.datetime | None = None
    customer_key: str = ""
    customer: CustomerFacts | None = None  # made-up facts (the admin, the command)
    what_if: tuple[tuple[str, str], ...] = ()  # (fact, value) over the stored customer
    offer_ids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    preview: tuple[int, ...] = ()  # offer pks: any status, as if opted in (the admin)
    add_ons: tuple[str, ...] = ()
    now: dt.datetime | None = None
    explain: bool = True  # a reason for every offer of the place not applied (for people)


def quote_session_with_offers(
    ask: SessionAsk, *, order_ref: str = "", stage: str = RedemptionKind.QUOTED
) -> OfferQuote:
    """Price the session with the best allowed offers. With `order_ref`, the ledger's
    funnel row (quoted, or validated) is written in the same call; nothing is consumed.
    Raises QuoteInputError, NoTariffError, PricingSetupError, AddOnUnavailable."""
    oq = quote_with_offers(
        ask.charger,
        ask.start,
        kwh=ask.kwh,
        amount=ask.amount,
        end=ask.end,
        customer_key=ask.customer_key,
        offer_ids=ask.offer_ids,
        codes=ask.codes,
        now=ask.now,
        customer=ask.customer,
        what_if=dict(ask.what_if),
        preview=ask.preview,
        add_ons=ask.add_ons,
        explain=ask.explain,
    )
    if order_ref and (oq.applied or oq.held_out):
        ledger.record_quote(order_ref, oq, kind=stage)
    return oq


def validate_order(ask: SessionAsk, order_ref: str) -> OfferQuote:
    """init: the quote again, recorded as validated."""
    return quote_session_with_offers(ask, order_ref=order_ref, stage=RedemptionKind.VALIDATED)


def redeem_order(order_ref: str, oq: OfferQuote) -> OfferQuote:
    """confirm: count the offers against their limits (ledger.OfferUnavailable if one is
    no longer there). The answer has the amounts really given."""
    if not oq.applied and not oq.held_out:
        return oq
    return ledger.redeem(order_ref, oq)


def quote_without_offers(
    charger: Charger,
    start: dt.datetime,
    kwh: Decimal,
    end: dt.datetime | None,
    add_ons: Iterable[QuoteLine] = (),
    customer_key: str = "",
) -> OfferQuote:
    """The session priced with its add-ons and no offer (an order that redeemed none)."""
    book, conditions = pricing.book_and_conditions(charger, start)
    request = pricing.session_request_for(charger, start, kwh=kwh, end=end)
    priced = book.price(request, conditions)
    lines = tuple(add_ons)
    return OfferQuote(
        quote=finalize(priced, lines),
        priced=priced,
        applied=(),
        rejected=(),
        held_out=(),
        customer_key=customer_key,
        charger=charger,
        add_ons=lines,
    )


def settle_order(
    order_ref: str,
    charger: Charger,
    start: dt.datetime,
    kwh: Decimal,
    end: dt.datetime,
    *,
    customer_key: str = "",
) -> OfferQuote:
    """Charging ended: the final price on the energy delivered, the redeemed offers
    recomputed. An order that redeemed none is priced without offers and announced once
    (session_settled) for whoever counts sessions without offers."""
    try:
        return ledger.settle(order_ref, kwh, end=end)
    except UnknownOrder:
        pass
    oq = quote_without_offers(charger, start, kwh, end, booked_lines(order_ref), customer_key)
    session_settled.send(
        sender=OfferQuote, order_ref=order_ref, quote=oq, customer=CustomerFacts(key=customer_key)
    )
    return oq


def order_quote(
    order_ref: str, charger: Charger, start: dt.datetime, kwh: Decimal, end: dt.datetime | None
) -> OfferQuote:
    """The order as it stands: offers at what it still holds of them (none reversed),
    the add-ons still booked."""
    try:
        return recovery.order_quote(order_ref)
    except UnknownOrder:
        return quote_without_offers(charger, start, kwh, end, booked_lines(order_ref))


def reverse_order(order_ref: str, reason: str) -> Decimal:
    """cancel: every offer of the order reversed, uses and budget given back; returns
    the discount reversed (0 when the order redeemed none)."""
    try:
        return ledger.reverse(order_ref, reason=reason).total
    except UnknownOrder:
        return Decimal("0")
