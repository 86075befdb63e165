"""After the session: the discount recomputed on the energy actually delivered, and
reversals that never give back more than was given (ONDC offer reversal)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from offers.rules.bases import SessionView
from offers.rules.construct import OfferRule
from offers.rules.evaluate import evaluate_in
from offers.rules.facts import OfferFacts
from offers.rules.outcome import Eligible, OfferResult, Rejected
from offers.rules.stacking import stack
from pricing.engine import PricedSession, money


def redeemed_on_delivery(
    redeemed: Sequence[OfferRule], delivered: PricedSession, facts: OfferFacts
) -> OfferResult:
    """The redeemed offers, in the order they were applied, on the delivered session.

    No new competition: the combination chosen at confirm stays. Each offer is re-checked
    (evaluate with redeemed=True: code, use limits and holdout were settled at redemption);
    one whose qualifier no longer holds (say the session fell below the minimum value) is
    reversed: it is rejected here and gives nothing. Pass the budget left *plus* what this
    redemption reserved, or a cut to the budget may shrink the settled discount.
    """
    view = SessionView.of(delivered)
    kept: list[Eligible] = []
    rejected: list[Rejected] = []
    for offer in redeemed:
        outcome = evaluate_in(offer, view, facts, redeemed=True)
        if isinstance(outcome, Eligible):
            kept.append(outcome)
        else:
            rejected.append(outcome)
    result = stack(kept, view, facts)
    return OfferResult(result.lines, result.applied, (*rejected, *result.dropped))


def reversal_amount(given: Decimal, already_reversed: Decimal, requested: Decimal) -> Decimal:
    """How much of a discount may be taken back now: the request, but never more, in
    aggregate, than the discount given."""
    if given < 0 or already_reversed < 0 or requested < 0:
        raise ValueError("discounts and reversals are positive amounts")
    if already_reversed > given:
        raise ValueError(f"{already_reversed} already reversed exceeds the {given} given")
    return money(min(requested, given - already_reversed))
