"""After the session: the discount recomputed on the energy actually delivered, and
reversals that never give back more than was given (ONDC offer reversal)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from offers.rules.bases import SessionView
from offers.rules.evaluate import evaluate_in
from offers.rules.facts import OfferFacts
from offers.rules.outcome import Eligible, OfferResult, Rejected, rupees
from offers.rules.select import stack
from offers.rules.types import Offer
from pricing.engine.money import ZERO, money
from pricing.engine.types import LineKind, PricedSession, QuoteLine


def settle(redeemed: Sequence[Offer], delivered: PricedSession, facts: OfferFacts) -> OfferResult:
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


def reverse(
    line: QuoteLine, already_reversed: Decimal, requested: Decimal | None = None
) -> tuple[Decimal, QuoteLine]:
    """Reverse part (or, with requested None, all that is left) of a discount line.

    Returns the amount recovered now and the discount line as it stands afterwards: like
    ONDC's quote_trail example, a -200 discount with 50 recovered reads -150.
    """
    if line.kind is not LineKind.DISCOUNT:
        raise ValueError(f"only discount lines can be reversed, not {line.kind}")
    given = -line.amount
    left = given - already_reversed
    amount = reversal_amount(given, already_reversed, left if requested is None else requested)
    remaining = -(left - amount)
    title = f"Recovery of {rupees(amount)} from offered discount"
    return amount, QuoteLine(
        kind=LineKind.DISCOUNT,
        code=line.code,
        title=title,
        amount=remaining + ZERO,
        tax_rate=line.tax_rate,
        item_id=line.item_id,
        tags=line.tags,
    )
