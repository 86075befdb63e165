"""Stacks of offers: one offer alone, additive offers in turn on what the earlier ones
left, and the best of the options (the combination policy is in choose.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from offers.rules.bases import SessionView
from offers.rules.benefits import grant, limit
from offers.rules.construct import OfferRule
from offers.rules.energy_trade import wheeling_line
from offers.rules.facts import OfferFacts
from offers.rules.outcome import Applied, Eligible, Reason, Rejected
from pricing.engine import ZERO, LineKind, PricedSession, QuoteLine

_DISCOUNT, _NO_BENEFIT = LineKind.DISCOUNT, Reason.NO_BENEFIT  # enum members read once


class Combination(StrEnum):
    ONDC = "ondc"  # an exclusive offer is never combined with another offer
    EXCLUSIVE_PLUS_ADDITIVES = "exclusive_plus_additives"  # additives stack on it


_PLUS_ADDITIVES = Combination.EXCLUSIVE_PLUS_ADDITIVES


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


_TAGS = {  # (additive, auto) -> the discount line's tags
    (additive, auto): (
        ("type", "discount"),
        ("additive", "yes" if additive else "no"),
        ("auto", "yes" if auto else "no"),
    )
    for additive in (False, True)
    for auto in (False, True)
}


def discount_line(offer: OfferRule, amount: Decimal, priced: PricedSession) -> QuoteLine:
    meta = offer.meta
    return QuoteLine(  # kind, code, title, amount, kWh, rate, tax rate, item, tags
        _DISCOUNT,
        offer.id,
        offer.title,
        -amount,
        None,
        None,
        priced.tariff.tax_rate,  # every line of a session is taxed at one rate
        "",
        _TAGS[meta.additive, meta.auto],
    )


def single(e: Eligible, priced: PricedSession) -> Stack:
    """An offer alone: what evaluate() worked out is already the stack of one."""
    offer = e.offer
    line = discount_line(offer, e.discount, priced)
    wheeling = wheeling_line(offer) if e.wheeling else None
    lines = (line,) if wheeling is None else (line, wheeling)
    # offer id, discount, base, code, held out, kWh drawn, wheeling
    applied = Applied(offer.id, e.discount, e.base, e.code, False, e.kwh_drawn, e.wheeling)
    return Stack((applied,), lines, (), e.net, offer.meta.priority)


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
            dropped.append(Rejected(offer.id, _NO_BENEFIT, message))
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


def by_priority(offers: Iterable[Eligible]) -> list[Eligible]:
    return sorted(offers, key=lambda e: (-e.offer.meta.priority, e.offer.id))


def exclusive_rank(e: Eligible) -> tuple[Decimal, int, str]:
    """Sort key of the exclusive offers' contest, best first."""
    return (-e.net, -e.offer.meta.priority, e.offer.id)


def best_stack(
    eligible: Sequence[Eligible],
    view: SessionView,
    facts: OfferFacts,
    combination: Combination = Combination.ONDC,
) -> Stack:
    exclusive = [e for e in eligible if not e.offer.meta.additive]
    additive = by_priority(e for e in eligible if e.offer.meta.additive)
    options: list[Stack] = []
    if exclusive:  # the exclusive offers' contest needs no stacking: one rank each
        options.append(single(min(exclusive, key=exclusive_rank), view.priced))
    if additive:
        options.append(stack(additive, view, facts))
    if additive and combination is _PLUS_ADDITIVES:
        options += [stack([x, *additive], view, facts) for x in exclusive]
    if not options:
        return Stack((), (), (), ZERO, 0)
    return min(options, key=lambda s: s.rank)
