"""Offer references shared by tests and benches."""

from __future__ import annotations

from collections.abc import Iterable

from offers.rules.choose import Combination, select_in
from offers.rules.construct import OfferRule
from offers.rules.evaluate import assess, prepare
from offers.rules.facts import OfferFacts
from offers.rules.outcome import OfferResult
from offers.rules.session_view import QuoteContext
from pricing.engine import PricedSession


def best_offers(
    offers: Iterable[OfferRule],
    priced: PricedSession,
    facts: OfferFacts,
    combination: Combination = Combination.ONDC,
) -> OfferResult:
    """Evaluate every offer given, then select: the brute-force reference
    offers.rules.choose.quote_offers (which evaluates only the index's candidates) must
    equal."""
    ctx = QuoteContext.of(priced, facts)
    return select_in(assess(map(prepare, offers), ctx), ctx.view, facts, combination)
