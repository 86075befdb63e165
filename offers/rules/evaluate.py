"""One offer against one priced session: eligible (with its discount on its own) or
rejected with the first reason found, in a fixed order: validity, place, currency, local time,
amounts, customer, code, limits, benefit, holdout."""

from __future__ import annotations

from offers.rules.applicability import check_place, check_time, check_validity
from offers.rules.bases import SessionView
from offers.rules.benefits import grant, limit
from offers.rules.energy_trade import wheeling_line
from offers.rules.facts import Limits, OfferFacts
from offers.rules.holdout import is_held_out
from offers.rules.outcome import Eligible, Failure, Reason, Rejected
from offers.rules.qualifier import check_amounts, check_customer
from offers.rules.types import Offer
from pricing.engine.money import ZERO
from pricing.engine.types import PricedSession


def check_currency(offer: Offer, currency: str) -> Failure | None:
    """Money never crosses currencies: every amount of the offer must be in the session's."""
    used = offer.currencies
    if used != {currency}:
        return (
            Reason.NOT_VALID_HERE,
            f"Offer {offer.id} is priced in {', '.join(sorted(used))}; "
            f"this station charges in {currency}",
        )
    return None


def check_code(offer: Offer, facts: OfferFacts) -> Failure | None:
    """Opt-in offers need a code the caller matched; auto offers ignore codes."""
    if offer.meta.auto:
        return None
    presented = facts.codes.get(offer.id)
    if presented is None:
        return Reason.CODE_REQUIRED, f"Offer {offer.id} applies only with its code"
    if not presented.matched:
        return Reason.CODE_UNKNOWN, f"Code {presented.code} is not valid for offer {offer.id}"
    return None


def check_uses(offer: Offer, limits: Limits) -> Failure | None:
    if limits.remaining_uses is not None and limits.remaining_uses <= 0:
        return Reason.LIMIT_REACHED, f"Offer {offer.id} has been fully redeemed"
    if limits.remaining_customer_uses is not None and limits.remaining_customer_uses <= 0:
        return (
            Reason.CUSTOMER_LIMIT_REACHED,
            f"Offer {offer.id} has already been used as often as allowed by this customer",
        )
    if limits.remaining_budget is not None and limits.remaining_budget <= 0:
        return Reason.BUDGET_EXHAUSTED, f"Offer {offer.id} has no budget left"
    return None


def code_used(offer: Offer, facts: OfferFacts) -> str:
    presented = facts.codes.get(offer.id)
    return presented.code if presented is not None and presented.matched else ""


def evaluate(
    offer: Offer, priced: PricedSession, facts: OfferFacts, *, redeemed: bool = False
) -> Eligible | Rejected:
    """Whether `offer` applies to `priced`, and its discount on its own.

    `redeemed=True` re-checks an offer already redeemed for this session (settlement):
    the code, the use limits and the holdout were settled at redemption and are skipped,
    and the offer is judged on the session's start, not on the clock.
    """
    return evaluate_in(offer, SessionView.of(priced), facts, redeemed=redeemed)


def evaluate_in(
    offer: Offer, view: SessionView, facts: OfferFacts, *, redeemed: bool = False
) -> Eligible | Rejected:
    """evaluate() on a session view shared by every offer of one quote."""
    priced, start_local = view.priced, view.start_local
    site = priced.request.site
    currency = priced.tariff.currency
    limits = facts.limits_for(offer.id)
    failure = (
        check_validity(offer, priced.start, None if redeemed else facts.now)
        or check_place(offer, site, facts)
        or check_currency(offer, currency)
        or check_time(offer, start_local, facts)
        or check_amounts(offer, priced, view.gross)
        or check_customer(offer, facts.customer, start_local.date())
        or (None if redeemed else check_code(offer, facts) or check_uses(offer, limits))
    )
    if failure is not None:
        return Rejected(offer.id, *failure)
    worth = grant(offer.benefit, priced, view.bases, facts.customer)
    amount = limit(offer, worth.amount, limits, currency)
    if isinstance(amount, tuple):
        return Rejected(offer.id, *amount)
    if amount <= 0:
        return Rejected(offer.id, Reason.NO_BENEFIT, f"Offer {offer.id} saves nothing here")
    wheeling = wheeling_line(offer)
    eligible = Eligible(
        offer=offer,
        discount=amount,
        base=worth.base,
        code=code_used(offer, facts),
        wheeling=wheeling.amount if wheeling is not None else ZERO,
        kwh_drawn=worth.kwh_drawn,
    )
    if not redeemed and is_held_out(offer.holdout, facts.customer.key, offer.id):
        return Rejected(
            offer.id,
            Reason.HELD_OUT,
            f"Offer {offer.id} is withheld from this customer (holdout group)",
            would_be=eligible,
        )
    return eligible
