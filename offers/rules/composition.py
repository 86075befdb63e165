"""The quote composition, once: price -> candidates -> evaluate -> select -> combos ->
finalize -> granted, over inputs already loaded (no database here).

Every quote of the product is composed by `compose()`: the live quote (Beckn, the admin's
preview, `manage.py quote`), confirm's re-check on locked limits, settlement on the energy
delivered, an order as it stands after a reversal, a replayed redemption, a session
without offers, the what-if replay and the demo. What differs between them is the
`offers` argument, one of:

    Compete    the offers compete for the session: the index's candidates, the offers
               named, the combos (live quotes, the what-if replay, the demo)
    Recheck    confirm: the quote's offers again, no competition; the first that no
               longer applies is refused (Refused)
    Settle     after the session: the redeemed offers on the delivered session, no
               competition; one whose qualifier no longer holds gives nothing
    Recorded   amounts already decided (the ledger's rows, what an order still holds)
    None       no offers at all

and the session: a ToPrice (price book, request, conditions) or a session already priced.
Add-on lines are taxed with the rest and matched by combos; `facts_for` completes the
facts once the offers to evaluate are known (limits, credit: loaded only for those).
`fees` (the buyer finder fee, the overcharge buffer) are added on the finished quote
(pricing.engine.fees).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from offers.rules.bases import SessionView
from offers.rules.choose import Combination, quote_offers
from offers.rules.combo import OrderExtras, combine, combo_line, evaluate_combo, is_combo
from offers.rules.combo import settle_combos as settle_combo_offers
from offers.rules.construct import Base, OfferRule
from offers.rules.evaluate import evaluate_in
from offers.rules.facts import OfferFacts
from offers.rules.index import OfferIndex
from offers.rules.outcome import Applied, Eligible, OfferResult, Rejected
from offers.rules.settle import redeemed_on_delivery
from offers.rules.stacking import stack
from pricing.engine import (
    ZERO,
    Conditions,
    FeeTerms,
    LineKind,
    PricedSession,
    Quote,
    QuoteLine,
    SessionRequest,
    finalize,
    with_fees,
)


class PriceBook(Protocol):
    def price(self, request: SessionRequest, conditions: Conditions) -> PricedSession: ...


@dataclass(frozen=True, slots=True)
class ToPrice:
    """A session still to price: the charger's compiled book, the request, its conditions."""

    book: PriceBook
    request: SessionRequest
    conditions: Conditions


@dataclass(frozen=True, slots=True)
class Compete:
    """The offers compete: the index's candidates for the session, the offers `named`
    (by id, by code, previewed: regular ones and combos alike), the catalog's `combos`,
    and `rejections` (named offers already refused: unknown, not active).

    `explain` evaluates every offer of the place and day, and those only their dates keep
    from the session, so that each one not applied has its reason; without it only the
    candidates and the named are: the same evaluator, and the same quote."""

    index: OfferIndex
    combination: Combination = Combination.ONDC
    named: tuple[OfferRule, ...] = ()
    combos: tuple[OfferRule, ...] = ()
    rejections: tuple[Rejected, ...] = ()
    explain: bool = False


@dataclass(frozen=True, slots=True)
class Recheck:
    """Confirm: the quote's applied offers, in order, on the locked limits."""

    offers: tuple[OfferRule, ...]


@dataclass(frozen=True, slots=True)
class Settle:
    """Settlement: the redeemed offers, in the order applied, re-evaluated as redeemed."""

    offers: tuple[OfferRule, ...]


@dataclass(frozen=True, slots=True)
class Recorded:
    """Amounts decided before: their lines and applied offers, taxed on the session."""

    lines: tuple[QuoteLine, ...]
    applied: tuple[Applied, ...]


Offers = Compete | Recheck | Settle | Recorded | None
FactsFor = Callable[[Sequence[OfferRule]], OfferFacts]


class Refused(Exception):
    """Recheck: an offer of the quote no longer applies (its rejection says why)."""

    def __init__(self, rejected: Rejected) -> None:
        super().__init__(rejected.message)
        self.rejected = rejected


@dataclass(frozen=True, slots=True)
class Composed:
    priced: PricedSession
    quote: Quote
    applied: tuple[Applied, ...]  # given, at the amounts finalize kept
    held_out: tuple[str, ...]  # offer ids withheld from this customer (control group)
    facts: OfferFacts  # as the offers were evaluated (limits and credit included)
    result: OfferResult  # the offers' selection as the rules made it, before finalize

    @property
    def rejected(self) -> tuple[Rejected, ...]:
        """Every offer not applied, with its reason (worded when first read)."""
        return self.result.rejected


def compose(
    session: ToPrice | PricedSession,
    offers: Offers,
    facts: OfferFacts,
    *,
    add_ons: Sequence[QuoteLine] = (),
    item_id: str = "",
    facts_for: FactsFor | None = None,
    fees: FeeTerms | None = None,
) -> Composed:
    """The quote of `session` with `offers` (see the module), the add-on lines sold with
    it (`item_id`: the charger's code, which a combo's items name) and its `fees`."""
    if isinstance(session, ToPrice):
        priced = session.book.price(session.request, session.conditions)
    else:
        priced = session
    match offers:
        case None:
            result = OfferResult((), ())
        case Recorded(lines, applied):
            result = OfferResult(lines, applied)
        case Compete():
            if offers.explain or offers.named or offers.combos or facts_for is not None:
                extras = OrderExtras.of(item_id, add_ons)
                result, facts = _compete(offers, priced, facts, extras, facts_for)
            else:  # the index's candidates alone
                result = _select(offers, priced, facts, ())
        case Settle(redeemed):
            regular = [o for o in redeemed if not is_combo(o)]
            combos = [o for o in redeemed if is_combo(o)]
            view = SessionView.of(priced)
            result = redeemed_on_delivery(regular, priced, facts)
            extras = OrderExtras.of(item_id, add_ons)
            result = settle_combo_offers(combos, view, facts, extras, result)
        case Recheck(again):
            result = _recheck(again, priced, facts, OrderExtras.of(item_id, add_ons))
    quote = finalize(priced, [*result.lines, *add_ons])
    held = tuple(a.offer_id for a in result.applied if a.held_out)
    applied = granted((a for a in result.applied if not a.held_out), quote)
    quote = with_fees(quote, fees)
    return Composed(priced, quote, applied, held, facts, result)


def granted(applied: Iterable[Applied], quote: Quote) -> tuple[Applied, ...]:
    """Applied offers with the amounts finalize really kept (it clamps a discount that
    would take its tax group below zero); an offer clamped to nothing is dropped."""
    kept = {ln.code: -ln.amount for ln in quote.lines if ln.kind is LineKind.DISCOUNT}
    out = []
    for a in applied:
        amount = kept.get(a.offer_id, ZERO)
        if amount > 0:
            out.append(a if amount == a.discount else dataclasses.replace(a, discount=amount))
    return tuple(out)


def _compete(
    c: Compete,
    priced: PricedSession,
    facts: OfferFacts,
    extras: OrderExtras,
    facts_for: FactsFor | None,
) -> tuple[OfferResult, OfferFacts]:
    combo_ids = {o.id for o in c.combos} | {o.id for o in c.named if is_combo(o)}
    named = [o for o in c.named if o.id not in combo_ids]
    if facts_for is not None:  # the limits and credit of the offers to be evaluated
        found = c.index.for_quote(priced, facts, explain=c.explain)
        facts = facts_for(tuple({o.id: o for o in (*found, *c.named, *c.combos)}.values()))
    combos = [o for o in {o.id: o for o in (*c.named, *c.combos)}.values() if o.id in combo_ids]
    result = _select(c, priced, facts, named)
    if combos:
        view = SessionView.of(priced)
        outcomes = [evaluate_combo(o, view, facts, extras) for o in combos]
        result = combine(result, outcomes, view, facts, extras)
    return result, facts


def _select(
    c: Compete, priced: PricedSession, facts: OfferFacts, named: Sequence[OfferRule]
) -> OfferResult:
    """The offers compete: the one place a quote picks among them."""
    return quote_offers(
        c.index,
        priced,
        facts,
        c.combination,
        named=named,
        rejections=c.rejections,
        explain=c.explain,
    )


def _recheck(
    offers: Sequence[OfferRule], priced: PricedSession, facts: OfferFacts, extras: OrderExtras
) -> OfferResult:
    """The regular offers again and stacked as quoted, then the combos in order after
    them; the first that no longer applies is Refused."""
    view = SessionView.of(priced)
    chosen: list[Eligible] = []
    for offer in offers:
        if is_combo(offer):
            continue
        outcome = evaluate_in(offer, view, facts)
        if isinstance(outcome, Rejected):
            raise Refused(outcome)
        chosen.append(outcome)
    stacked = stack(chosen, view, facts)
    if stacked.dropped:
        raise Refused(stacked.dropped[0])
    lines, applied = list(stacked.lines), list(stacked.applied)
    rate = priced.tariff.tax_rate
    for offer in (o for o in offers if is_combo(o)):
        taken = -sum((ln.amount for ln in lines if ln.kind is LineKind.DISCOUNT), ZERO)
        outcome = evaluate_combo(offer, view, facts, extras, taken=taken)
        if isinstance(outcome, Rejected):
            raise Refused(outcome)
        lines.append(combo_line(offer, outcome.discount, rate))
        applied.append(Applied(offer.id, outcome.discount, Base.GROSS, outcome.code))
    return OfferResult(tuple(lines), tuple(applied))
