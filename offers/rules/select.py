"""The best allowed combination of eligible offers, as discount (and wheeling) lines.

Policy (docs/offers.md has worked examples):
- An exclusive offer (meta.additive False, ONDC additive=no) is applied alone. Exclusive
  offers compete: the largest saving wins, ties by priority (higher) then id.
- Additive offers stack with each other in priority order (higher first, then id); each
  is worked out on what the earlier ones left of its base, so a percent applies to the
  already-discounted amount. No discount exceeds what is left of its base.
- Each offer's cap, then its remaining budget (CUT to it, or REFUSE), apply per offer.
- The customer gets whichever is larger: the best exclusive alone, or the additive stack
  (ties: higher top priority, then fewer offers, then ids). With
  Combination.EXCLUSIVE_PLUS_ADDITIVES, additives may also stack on top of an exclusive.
- 'Larger' is the net saving: discounts less any wheeling charge an energy trade adds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from offers.rules.bases import SessionView
from offers.rules.compiled import assess_all
from offers.rules.context import QuoteContext
from offers.rules.evaluate import evaluate_in
from offers.rules.facts import OfferFacts
from offers.rules.outcome import Applied, Eligible, Fit, OfferResult, Outranked, Reason, Rejected
from offers.rules.stacking import (
    Combination,
    Stack,
    best_stack,
    by_priority,
    discount_line,
    exclusive_rank,
    single,
    stack,
)
from offers.rules.types import Offer
from pricing.engine.money import ZERO
from pricing.engine.quick import quick_new
from pricing.engine.types import PricedSession

__all__ = [
    "Combination",
    "Stack",
    "best_offers",
    "best_stack",
    "discount_line",
    "quote_offers",
    "select",
    "select_in",
    "single",
    "stack",
]

if TYPE_CHECKING:
    from offers.rules.index import OfferIndex

_HELD_OUT = Reason.HELD_OUT
_result = quick_new(OfferResult)  # OfferResult(...), cheaper
_new_tuple = tuple.__new__
_ONDC = Combination.ONDC


def select(
    outcomes: Iterable[Eligible | Rejected],
    priced: PricedSession,
    facts: OfferFacts,
    combination: Combination = Combination.ONDC,
) -> OfferResult:
    """The best combination of the evaluated offers.

    Held-out offers stay rejected (HELD_OUT); if one would have been in the best
    combination it is also listed as Applied(held_out=True, discount 0) so the ledger can
    count the control group.
    """
    return select_in(outcomes, SessionView.of(priced), facts, combination)


def select_in(
    outcomes: Iterable[Eligible | Rejected],
    view: SessionView,
    facts: OfferFacts,
    combination: Combination = Combination.ONDC,
) -> OfferResult:
    """select() on a session view already worked out for this quote."""
    priced = view.priced
    eligible: list[Eligible] = []
    rejected: list[Rejected] = [
        Rejected("", Reason.CODE_UNKNOWN, f"Code {code} matches no offer")
        for code in facts.unmatched_codes
    ]
    for outcome in outcomes:
        if isinstance(outcome, Eligible):
            eligible.append(outcome)
        else:
            rejected.append(outcome)
    best = best_stack(eligible, view, facts, combination)
    held = _held_out(rejected, lambda h: best_stack([*eligible, *h], view, facts, combination))
    ids = [e.offer.id for e in eligible]
    left_out = Outranked(ids, best.applied, best.dropped, best.net, priced.tariff.currency)
    return OfferResult(best.lines, best.applied + held, (*rejected, *best.dropped), left_out)


def _held_out(
    rejected: list[Rejected], best_with: Callable[[list[Eligible]], Stack]
) -> tuple[Applied, ...]:
    """The held-out offers that would have been in the best combination had they been
    given (`best_with(held)`: the eligible offers and those), as Applied with no discount
    (the ledger counts the control group)."""
    held = [r.would_be for r in rejected if r.reason is _HELD_OUT and r.would_be]
    if not held:
        return ()
    shadow = best_with(held)
    held_ids = {e.offer.id for e in held}
    return tuple(
        Applied(a.offer_id, ZERO, a.base, a.code, held_out=True)
        for a in shadow.applied
        if a.offer_id in held_ids
    )


def best_offers(
    offers: Iterable[Offer],
    priced: PricedSession,
    facts: OfferFacts,
    combination: Combination = Combination.ONDC,
) -> OfferResult:
    """Evaluate every offer given, then select."""
    view = SessionView.of(priced)
    return select_in([evaluate_in(o, view, facts) for o in offers], view, facts, combination)


def select_fits(
    outcomes: Sequence[Fit | Rejected],
    view: SessionView,
    facts: OfferFacts,
    combination: Combination = Combination.ONDC,
) -> OfferResult:
    """select_in() for the fast path's outcomes, which stacks Fits as they are: no Eligible
    is built. With another combination policy it hands everything to select_in()."""
    if combination is not _ONDC:
        whole = [o.eligible() if isinstance(o, Fit) else o for o in outcomes]
        return select_in(whole, view, facts, combination)
    fits: list[Fit] = []
    ids: list[str] = []
    rejected: list[Rejected] = [
        Rejected("", Reason.CODE_UNKNOWN, f"Code {code} matches no offer")
        for code in facts.unmatched_codes
    ]
    held_out = False
    for outcome in outcomes:
        if isinstance(outcome, Fit):
            fits.append(outcome)
            ids.append(outcome.offer_id)
        else:
            rejected.append(outcome)
            if outcome.reason is _HELD_OUT:
                held_out = True
    best = _best_ondc(fits, view, facts)
    applied = best.applied
    if held_out:
        applied += _held_out(
            rejected, lambda held: _best_ondc([*fits, *(e.fit() for e in held)], view, facts)
        )
    currency = view.priced.tariff.currency
    fields = (ids, best.applied, best.dropped, best.net, currency)
    left_out: Outranked = _new_tuple(Outranked, fields)  # Outranked(...), cheaper
    return _result(best.lines, applied, (*rejected, *best.dropped), left_out)


def _best_ondc(fits: Sequence[Fit], view: SessionView, facts: OfferFacts) -> Stack:
    """best_stack() with Combination.ONDC, on Fits, in one pass: the best exclusive offer
    (the first of the largest net saving, ties ranked by exclusive_rank) against the
    additive stack.

    The additive stack is not worked out when it cannot win: in a stack each offer gets
    at most what it gets alone (every benefit grows with what is left of its base, and so
    do the cap, the budget and the rounding), so the stack saves at most the sum of the
    additive offers' positive savings alone; below the best exclusive offer's saving, the
    exclusive offer wins outright.
    """
    additive: list[Fit] = []
    winner: Fit | None = None
    additive_gain = ZERO
    for fit in fits:
        if fit.additive:
            additive.append(fit)
            if fit.net > ZERO:
                additive_gain += fit.net
        elif (
            winner is None
            or fit.net > winner.net
            or (fit.net == winner.net and exclusive_rank(fit) < exclusive_rank(winner))
        ):
            winner = fit
    if additive and (winner is None or additive_gain >= winner.net):
        options = [stack(by_priority(additive), view, facts)]
        if winner is not None:
            options.insert(0, single(winner, view.priced))
        return min(options, key=lambda s: s.rank)
    if winner is not None:
        return single(winner, view.priced)
    return Stack((), (), (), ZERO, 0)


def quote_offers(
    index: OfferIndex,
    priced: PricedSession,
    facts: OfferFacts,
    combination: Combination = Combination.ONDC,
    *,
    named: Iterable[Offer] = (),
    rejections: Iterable[Rejected] = (),
) -> OfferResult:
    """best_offers() over every offer of the index, faster: only the index's candidates
    are evaluated (the rest cannot apply to this session, and are not listed as
    rejected), each through its compiled checks, on one QuoteContext. Offers the buyer
    `named` are evaluated too, so each one not applied has its reason; `rejections` are
    named offers already refused (unknown, not active)."""
    ctx = QuoteContext.of(priced, facts)
    candidates = index.compiled_for(ctx)
    outcomes = assess_all(candidates, ctx)
    if named:
        seen = {c.offer.id for c in candidates}
        for offer in named:
            if offer.id not in seen:
                outcome = evaluate_in(offer, ctx.view, facts)
                outcomes.append(outcome.fit() if isinstance(outcome, Eligible) else outcome)
    outcomes.extend(rejections)
    return select_fits(outcomes, ctx.view, facts, combination)
