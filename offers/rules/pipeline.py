"""The whole quote on the fast path: the compiled price book, the offer index, finalize."""

from __future__ import annotations

from offers.rules.facts import OfferFacts
from offers.rules.index import OfferIndex
from offers.rules.outcome import OfferResult
from offers.rules.select import Combination, quote_offers
from pricing.engine import PriceBook, finalize
from pricing.engine.types import Conditions, Quote, SessionRequest


def quote_with_offers(
    book: PriceBook,
    index: OfferIndex,
    request: SessionRequest,
    conditions: Conditions,
    facts: OfferFacts,
    combination: Combination = Combination.ONDC,
) -> tuple[Quote, OfferResult]:
    """Price the session, pick its offers, add tax: the same quote as price_session ->
    best_offers over every offer -> finalize (bench/full_quote.py checks it on every
    session it times). Build `book` and `index` once per operator and reuse them."""
    priced = book.price(request, conditions)
    offers = quote_offers(index, priced, facts, combination)
    return finalize(priced, offers.lines), offers
