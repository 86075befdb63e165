"""The offer rules: pure functions over dataclasses, no Django, no I/O (docs/offers.md).

Offers are data (types.py); evaluate() says whether one applies to a priced session and
why not (evaluate.assess, the one evaluator, on many); select() / best_offers() /
quote_offers() pick the best allowed combination as quote lines; OfferIndex finds the
candidates; settle() recomputes on delivered energy.
"""

from offers.rules.evaluate import evaluate
from offers.rules.facts import (
    CreditBalance,
    CustomerFacts,
    Limits,
    OfferFacts,
    PresentedCode,
    StationFacts,
)
from offers.rules.index import OfferIndex
from offers.rules.outcome import Applied, Eligible, OfferResult, Reason, Rejected
from offers.rules.select import Combination, best_offers, quote_offers, select
from offers.rules.settle import reversal_amount, reverse, settle
from offers.rules.validate import ensure_valid, validate_offer

__all__ = [
    "Applied",
    "Combination",
    "CreditBalance",
    "CustomerFacts",
    "Eligible",
    "Limits",
    "OfferFacts",
    "OfferIndex",
    "OfferResult",
    "PresentedCode",
    "Reason",
    "Rejected",
    "StationFacts",
    "best_offers",
    "ensure_valid",
    "evaluate",
    "quote_offers",
    "reversal_amount",
    "reverse",
    "select",
    "settle",
    "validate_offer",
]
