"""The offer evaluator: whether an offer applies to a priced session, with its discount on
its own, or the first reason it does not, worded, in a fixed order: validity, place,
currency, local time, amounts, customer (conditions.py), code, uses, budget, benefit,
holdout.

An offer is prepared once (`PreparedOffer`: its conditions built, its holdout and wheeling
read); the index keeps its offers prepared, and prepare() remembers the offers evaluated
one at a time. assess() evaluates a list of prepared offers on one QuoteContext: every
quote, settlement and explanation goes through it.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache

from offers.rules.bases import SessionView
from offers.rules.benefits import grant_of, limit
from offers.rules.conditions import GROUPS, Condition, conditions
from offers.rules.construct import OfferRule
from offers.rules.energy_trade import wheeling_line
from offers.rules.facts import NO_LIMITS, Limits, OfferFacts, PresentedCode
from offers.rules.holdout import is_held_out
from offers.rules.outcome import Eligible, Failure, Reason, Rejected
from offers.rules.session_view import QuoteContext
from pricing.engine import ZERO, PricedSession

Check = tuple[Callable[[QuoteContext], bool], Callable[[QuoteContext], Rejected]]


# Which of an offer's conditions a quote reads (`scope`): those of group 0..5 (the index
# says the offer fails that group: its conditions, and the undecided ones before them),
# RESIDUAL (the index says it passes every group: only the undecided ones), or EVERY.
RESIDUAL, EVERY = GROUPS, GROUPS + 1


def _in_scope(c: Condition, scope: int) -> bool:
    if scope == EVERY:
        return True
    return c.group == scope or (c.group < scope and not c.indexed)  # RESIDUAL: > every group


class PreparedOffer:
    """An offer with its conditions built, per scope (see above)."""

    __slots__ = ("auto", "code_required", "grant", "holdout", "id", "offer", "scopes", "wheeling")

    def __init__(self, offer: OfferRule) -> None:
        built = conditions(offer)
        self.offer = offer
        self.id = offer.id

        def checks(scope: int) -> tuple[Check, ...]:
            return tuple((c.test, c.why) for c in built if _in_scope(c, scope))

        self.scopes: tuple[tuple[Check, ...], ...] = tuple(map(checks, range(EVERY + 1)))
        self.auto = offer.meta.auto
        # the same answer whenever no code is presented (immutable: one is enough)
        message = f"Offer {offer.id} applies only with its code"
        self.code_required = Rejected(offer.id, Reason.CODE_REQUIRED, message)
        self.grant = grant_of(offer.benefit)  # what its benefit is worth, for its kind
        holdout = offer.holdout
        self.holdout = holdout if holdout is not None and holdout.share > 0 else None
        line = wheeling_line(offer)
        self.wheeling = ZERO if line is None else line.amount


@lru_cache(maxsize=4096)
def prepare(offer: OfferRule) -> PreparedOffer:
    """The offer prepared (offers are values: the same offer is prepared once)."""
    return PreparedOffer(offer)


def check_uses(offer_id: str, limits: Limits) -> Failure | None:
    if limits.remaining_uses is not None and limits.remaining_uses <= 0:
        return Reason.LIMIT_REACHED, f"Offer {offer_id} has been fully redeemed"
    if limits.remaining_customer_uses is not None and limits.remaining_customer_uses <= 0:
        return (
            Reason.CUSTOMER_LIMIT_REACHED,
            f"Offer {offer_id} has already been used as often as allowed by this customer",
        )
    if limits.remaining_budget is not None and limits.remaining_budget <= 0:
        return Reason.BUDGET_EXHAUSTED, f"Offer {offer_id} has no budget left"
    return None


def code_used(offer_id: str, codes: Mapping[str, PresentedCode]) -> str:
    """The code the buyer used for the offer ("" if none matched)."""
    presented = codes.get(offer_id) if codes else None
    return presented.code if presented is not None and presented.matched else ""


def rejection(
    p: PreparedOffer, ctx: QuoteContext, limits: Limits, scope: int, *, redeemed: bool = False
) -> Rejected | None:
    """The first of the offer's conditions in `scope` the session fails, worded, then its
    code and use limits (not for a redeemed offer); None if it passes them all."""
    for test, why in p.scopes[scope]:
        if not test(ctx):
            return why(ctx)
    if redeemed:
        return None
    if not p.auto:
        presented = ctx.facts.codes.get(p.id)
        if presented is None:
            return p.code_required
        if not presented.matched:
            message = f"Code {presented.code} is not valid for offer {p.id}"
            return Rejected(p.id, Reason.CODE_UNKNOWN, message)
    failure = None if limits is NO_LIMITS else check_uses(p.id, limits)
    return None if failure is None else Rejected(p.id, *failure)


def context_of(view: SessionView, facts: OfferFacts, *, redeemed: bool = False) -> QuoteContext:
    """A redeemed offer is judged on the session's start, not on the clock."""
    ctx = QuoteContext.of(view.priced, facts, view=view)
    return dataclasses.replace(ctx, latest=ctx.start) if redeemed else ctx


def assess(
    offers: Iterable[PreparedOffer],
    ctx: QuoteContext,
    scope: int | Sequence[int] = EVERY,
    *,
    redeemed: bool = False,
) -> list[Eligible | Rejected]:
    """Each offer's outcome on the quote's context, in order.

    `scope`, for every offer or one per offer, says which conditions are read: EVERY,
    RESIDUAL for the index's candidates (what it decides exactly is not read again), or
    the group the index says the offer fails first. The outcome is the one EVERY gives.
    `redeemed` re-checks offers already redeemed for this session (settlement): the code,
    the use limits and the holdout were settled at redemption and are skipped (build its
    context with
    context_of(redeemed=True): judged on the session's start, not on the clock).
    """
    facts = ctx.facts
    codes, all_limits = facts.codes, facts.limits
    priced, bases, who, currency = ctx.view.priced, ctx.view.bases, ctx.customer, ctx.currency
    out: list[Eligible | Rejected] = []
    append = out.append
    scopes = itertools.repeat(scope) if isinstance(scope, int) else scope
    for p, in_scope in zip(offers, scopes, strict=False):  # repeat() never ends
        offer_id = p.id
        limits = all_limits.get(offer_id, NO_LIMITS) if all_limits else NO_LIMITS
        rejected = rejection(p, ctx, limits, in_scope, redeemed=redeemed)
        if rejected is not None:
            append(rejected)
            continue
        offer = p.offer
        worth = p.grant(offer.benefit, priced, bases, who)
        amount = limit(offer, worth.amount, limits, currency)
        if isinstance(amount, tuple):
            append(Rejected(offer_id, *amount))
            continue
        if amount <= 0:
            append(Rejected(offer_id, Reason.NO_BENEFIT, f"Offer {offer_id} saves nothing here"))
            continue
        code = code_used(offer_id, codes)
        eligible = Eligible(offer, amount, worth.base, code, p.wheeling, worth.kwh_drawn)
        if not redeemed and p.holdout is not None and is_held_out(p.holdout, who.key, offer_id):
            message = f"Offer {offer_id} is withheld from this customer (holdout group)"
            append(Rejected(offer_id, Reason.HELD_OUT, message, would_be=eligible))
            continue
        append(eligible)
    return out


def evaluate(
    offer: OfferRule, priced: PricedSession, facts: OfferFacts, *, redeemed: bool = False
) -> Eligible | Rejected:
    """Whether `offer` applies to `priced`, and its discount on its own.

    `redeemed=True` re-checks an offer already redeemed for this session (settlement):
    the code, the use limits and the holdout were settled at redemption and are skipped,
    and the offer is judged on the session's start, not on the clock.
    """
    return evaluate_in(offer, SessionView.of(priced), facts, redeemed=redeemed)


def evaluate_in(
    offer: OfferRule, view: SessionView, facts: OfferFacts, *, redeemed: bool = False
) -> Eligible | Rejected:
    """evaluate() on a session view shared by every offer of one quote."""
    ctx = context_of(view, facts, redeemed=redeemed)
    return assess((prepare(offer),), ctx, redeemed=redeemed)[0]
