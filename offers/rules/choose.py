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
from offers.rules.conditions import VALIDITY
from offers.rules.construct import OfferRule
from offers.rules.evaluate import RESIDUAL, PreparedOffer, assess, prepare, rejection
from offers.rules.facts import NO_LIMITS, OfferFacts
from offers.rules.outcome import Applied, Eligible, OfferResult, Outranked, Reason, Rejected
from offers.rules.session_view import QuoteContext
from offers.rules.stacking import Combination, Stack, best_stack
from pricing.engine import ZERO, PricedSession

__all__ = ["Combination", "quote_offers", "select_in"]

if TYPE_CHECKING:
    from offers.rules.index import OfferIndex

OUT_OF_TIME = (Reason.NOT_STARTED, Reason.EXPIRED)


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
    held = [r.would_be for r in rejected if r.reason is Reason.HELD_OUT and r.would_be]
    if not held:
        return ()
    shadow = best_with(held)
    held_ids = {e.offer.id for e in held}
    return tuple(
        Applied(a.offer_id, ZERO, a.base, a.code, held_out=True)
        for a in shadow.applied
        if a.offer_id in held_ids
    )


def quote_offers(
    index: OfferIndex,
    priced: PricedSession,
    facts: OfferFacts,
    combination: Combination = Combination.ONDC,
    *,
    named: Iterable[OfferRule] = (),
    rejections: Iterable[Rejected] = (),
    explain: bool = False,
) -> OfferResult:
    """The best allowed combination of the index's offers, as evaluating every one and
    selecting gives it (tests/support/offers.py: best_offers), without evaluating them all.

    Without `explain`, only the index's candidates are evaluated (the others cannot apply
    to this session, and are not listed as rejected). With it, every offer of the place
    and day is, and those only their dates keep from the session, so that each one not
    applied has its reason. The lines and applied offers are the same either way. Offers
    the buyer `named` are evaluated too, so each one not applied has its reason;
    `rejections` are named offers already refused (unknown, not active)."""
    ctx = QuoteContext.of(priced, facts)
    found, scopes = index.to_evaluate(ctx, explain=explain)
    outcomes = assess(found, ctx, scopes)
    seen = {p.id for p in found}
    more = [prepare(o) for o in named if o.id not in seen]
    outcomes += assess(more, ctx)
    if explain:
        seen.update(p.id for p in more)
        outcomes += out_of_time([p for p in index.out_of_time(ctx) if p.id not in seen], ctx)
    outcomes.extend(rejections)
    return select_in(outcomes, ctx.view, facts, combination)


def out_of_time(offers: Sequence[PreparedOffer], ctx: QuoteContext) -> list[Rejected]:
    """The offers not yet started or already ended that would otherwise have been
    eligible, each with its NOT_STARTED or EXPIRED reason (offers of other places,
    customers or amounts are left out: their dates are not why)."""
    out = []
    anytime = assess(offers, ctx, RESIDUAL)  # the index passed them on every other group
    for p, outcome in zip(offers, anytime, strict=True):
        if isinstance(outcome, Rejected) and outcome.reason is not Reason.HELD_OUT:
            continue
        dated = rejection(p, ctx, NO_LIMITS, VALIDITY)
        if dated is not None and dated.reason in OUT_OF_TIME:
            out.append(dated)
    return out
