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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from offers.rules.bases import SessionView
from offers.rules.benefits import grant, limit
from offers.rules.context import QuoteContext
from offers.rules.energy_trade import wheeling_line
from offers.rules.evaluate import evaluate_in
from offers.rules.facts import OfferFacts
from offers.rules.outcome import Applied, Eligible, OfferResult, Reason, Rejected, rupees
from offers.rules.types import Offer
from pricing.engine.money import ZERO
from pricing.engine.types import LineKind, PricedSession, QuoteLine

if TYPE_CHECKING:
    from offers.rules.index import OfferIndex


class Combination(StrEnum):
    ONDC = "ondc"  # an exclusive offer is never combined with another offer
    EXCLUSIVE_PLUS_ADDITIVES = "exclusive_plus_additives"  # additives stack on it


@dataclass(frozen=True, slots=True)
class Stack:
    applied: tuple[Applied, ...]
    lines: tuple[QuoteLine, ...]
    dropped: tuple[Rejected, ...]
    net: Decimal
    top_priority: int

    @property
    def rank(self) -> tuple[Decimal, int, int, tuple[str, ...]]:
        """Sort key, best first."""
        ids = tuple(a.offer_id for a in self.applied)
        return (-self.net, -self.top_priority, len(ids), ids)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def discount_line(offer: Offer, amount: Decimal, priced: PricedSession) -> QuoteLine:
    return QuoteLine(
        kind=LineKind.DISCOUNT,
        code=offer.id,
        title=offer.title,
        amount=-amount,
        tax_rate=priced.tariff.tax_rate,  # every line of a session is taxed at one rate
        tags=(
            ("type", "discount"),
            ("additive", _yes(offer.meta.additive)),
            ("auto", _yes(offer.meta.auto)),
        ),
    )


def single(e: Eligible, priced: PricedSession) -> Stack:
    """An offer alone: what evaluate() worked out is already the stack of one."""
    lines = [discount_line(e.offer, e.discount, priced)]
    wheeling = wheeling_line(e.offer)
    if wheeling is not None:
        lines.append(wheeling)
    applied = Applied(
        e.offer.id, e.discount, e.base, e.code, kwh_drawn=e.kwh_drawn, wheeling=e.wheeling
    )
    return Stack((applied,), tuple(lines), (), e.net, e.offer.meta.priority)


def stack(chosen: Sequence[Eligible], view: SessionView, facts: OfferFacts) -> Stack:
    """Apply `chosen` in the given order, each on what the earlier ones left."""
    priced = view.priced
    bases, currency = view.bases, priced.tariff.currency
    applied: list[Applied] = []
    lines: list[QuoteLine] = []
    dropped: list[Rejected] = []
    net = ZERO
    for e in chosen:
        offer = e.offer
        worth = grant(offer.benefit, priced, bases, facts.customer)
        amount = limit(offer, worth.amount, facts.limits_for(offer.id), currency)
        if isinstance(amount, tuple):
            dropped.append(Rejected(offer.id, *amount))
            continue
        if amount <= 0:
            message = f"Offer {offer.id} has nothing left to discount after the offers before it"
            dropped.append(Rejected(offer.id, Reason.NO_BENEFIT, message))
            continue
        bases = bases.take(worth.base, amount)
        lines.append(discount_line(offer, amount, priced))
        wheeling = wheeling_line(offer)
        if wheeling is not None:
            lines.append(wheeling)
        charge = wheeling.amount if wheeling is not None else ZERO
        net += amount - charge
        applied.append(
            Applied(
                offer.id, amount, worth.base, e.code, kwh_drawn=worth.kwh_drawn, wheeling=charge
            )
        )
    top = max((e.offer.meta.priority for e in chosen), default=0)
    return Stack(tuple(applied), tuple(lines), tuple(dropped), net, top)


def _by_priority(offers: Iterable[Eligible]) -> list[Eligible]:
    return sorted(offers, key=lambda e: (-e.offer.meta.priority, e.offer.id))


def _exclusive_rank(e: Eligible) -> tuple[Decimal, int, str]:
    return (-e.net, -e.offer.meta.priority, e.offer.id)


def best_stack(
    eligible: Sequence[Eligible],
    view: SessionView,
    facts: OfferFacts,
    combination: Combination = Combination.ONDC,
) -> Stack:
    exclusive = [e for e in eligible if not e.offer.meta.additive]
    additive = _by_priority(e for e in eligible if e.offer.meta.additive)
    options: list[Stack] = []
    if exclusive:  # the exclusive offers' contest needs no stacking: one rank each
        options.append(single(min(exclusive, key=_exclusive_rank), view.priced))
    if additive:
        options.append(stack(additive, view, facts))
    if additive and combination is Combination.EXCLUSIVE_PLUS_ADDITIVES:
        options += [stack([x, *additive], view, facts) for x in exclusive]
    if not options:
        return Stack((), (), (), ZERO, 0)
    return min(options, key=lambda s: s.rank)


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
    chosen = {a.offer_id for a in best.applied} | {r.offer_id for r in best.dropped}
    given = rupees(best.net, priced.tariff.currency)
    outranked = [
        Rejected(
            e.offer.id,
            Reason.OUTRANKED,
            f"Offer {e.offer.id} cannot be combined with the selected offers, which save {given}",
        )
        for e in eligible
        if e.offer.id not in chosen
    ]
    return OfferResult(
        lines=best.lines,
        applied=best.applied + _held_out(eligible, rejected, view, facts, combination),
        rejected=(*rejected, *best.dropped, *outranked),
    )


def _held_out(
    eligible: list[Eligible],
    rejected: list[Rejected],
    view: SessionView,
    facts: OfferFacts,
    combination: Combination,
) -> tuple[Applied, ...]:
    held = [r.would_be for r in rejected if r.reason is Reason.HELD_OUT and r.would_be]
    if not held:
        return ()
    shadow = best_stack([*eligible, *held], view, facts, combination)
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


def quote_offers(
    index: OfferIndex,
    priced: PricedSession,
    facts: OfferFacts,
    combination: Combination = Combination.ONDC,
) -> OfferResult:
    """best_offers() over every offer of the index, faster: only the index's candidates
    are evaluated (the rest cannot apply to this session, and are not listed as
    rejected), each through its compiled checks, on one QuoteContext."""
    ctx = QuoteContext.of(priced, facts)
    outcomes = [c.evaluate(ctx) for c in index.compiled_for(ctx)]
    return select_in(outcomes, ctx.view, facts, combination)
