"""Offers compiled once, when the index is built, for the quote's hot path.

A compiled offer holds its checks (checks.py) and its benefit's worth function
(compiled_benefits.py). The checks only decide the common case. When every check passes,
the offer's benefit is worked out exactly as evaluate() does; when one fails, the offer
goes to evaluate_in() itself, which finds the first reason in its fixed order and words
the message, so a rejection reads exactly as on the reference path. A check must
therefore never pass an offer that evaluate() would reject (tests compare both on random
offers, sessions, customers and codes).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from offers.rules.benefits import limit
from offers.rules.checks import compile_checks, uses_left
from offers.rules.compiled_benefits import compile_worth
from offers.rules.context import QuoteContext
from offers.rules.energy_trade import wheeling_line
from offers.rules.evaluate import evaluate_in
from offers.rules.holdout import is_held_out
from offers.rules.outcome import Eligible, Fit, Reason, Rejected
from offers.rules.types import Base, FixedOff, Offer, PercentOff
from pricing.engine.money import HUNDRED, PAISA, ZERO

_PERCENT, _FIXED = 1, 2
_new_fit = tuple.__new__  # Fit(...) without the NamedTuple's Python-level __new__


class CompiledOffer:
    """An offer ready for quoting: evaluate(ctx) == evaluate_in(offer, ctx.view, ctx.facts)."""

    __slots__ = (
        "_base",
        "_cap",
        "_checks",
        "_holdout",
        "_id",
        "_kind",
        "_plain",
        "_residual",
        "_value",
        "_wheeling",
        "_worth",
        "offer",
    )

    def __init__(self, offer: Offer) -> None:
        self.offer = offer
        self._id = offer.id
        self._checks, self._residual = compile_checks(offer)
        self._worth = compile_worth(offer.benefit)
        self._cap = offer.max_discount
        holdout = offer.holdout
        self._holdout = holdout if holdout is not None and holdout.share > 0 else None
        line = wheeling_line(offer)
        self._wheeling = ZERO if line is None else line.amount
        # percent or fixed off, nothing to check but what the index decides, no wheeling
        # charge: assess_all() works these out inline
        benefit = offer.benefit
        self._kind, self._value, self._base = 0, ZERO, Base.GROSS
        if isinstance(benefit, PercentOff):
            self._kind, self._value, self._base = _PERCENT, benefit.percent, benefit.base
        elif isinstance(benefit, FixedOff):
            self._kind, self._value, self._base = _FIXED, benefit.amount, benefit.base
        self._plain = bool(self._kind and not self._residual and line is None)

    def evaluate(self, ctx: QuoteContext) -> Eligible | Rejected:
        outcome = self.assess(ctx)
        return outcome.eligible() if isinstance(outcome, Fit) else outcome

    def assess(self, ctx: QuoteContext) -> Fit | Rejected:
        """evaluate(), with an eligible offer as a Fit (select_fits reads those)."""
        for check in self._checks:
            if not check(ctx):
                return self._reference(ctx)
        return self._benefit(ctx)

    def assess_candidate(self, ctx: QuoteContext) -> Fit | Rejected:
        """assess() for an offer the index returned for this context: the conditions the
        index decides exactly are not checked again."""
        for check in self._residual:
            if not check(ctx):
                return self._reference(ctx)
        return self._benefit(ctx)

    def _reference(self, ctx: QuoteContext) -> Fit | Rejected:
        outcome = evaluate_in(self.offer, ctx.view, ctx.facts)
        return outcome.fit() if isinstance(outcome, Eligible) else outcome

    def _benefit(self, ctx: QuoteContext) -> Fit | Rejected:
        """What the offer gives once every condition but its limits holds, as evaluate_in()
        works it out (the limits are read here once: they decide the budget cut too)."""
        offer, offer_id, facts = self.offer, self._id, ctx.facts
        limits = facts.limits.get(offer_id) if facts.limits else None
        if limits is not None and not uses_left(limits):
            return self._reference(ctx)
        worth, base, kwh_drawn = self._worth(ctx)
        cap = self._cap
        if cap is not None and cap < worth:  # min(worth, cap), as limit() does
            worth = cap
        if limits is not None and limits.remaining_budget is not None:
            amount = limit(offer, worth, limits, ctx.currency)  # budget: cut or refuse
            if isinstance(amount, tuple):
                return Rejected(offer_id, *amount)
        else:
            amount = worth.quantize(PAISA, ROUND_HALF_UP)  # money(), as limit() does
        if amount <= ZERO:
            return Rejected(offer_id, Reason.NO_BENEFIT, f"Offer {offer_id} saves nothing here")
        presented = facts.codes.get(offer_id) if facts.codes else None
        code = presented.code if presented is not None and presented.matched else ""
        wheeling = self._wheeling
        fit = Fit(offer, amount, base, code, wheeling, kwh_drawn, amount - wheeling)
        if self._holdout is not None and is_held_out(self._holdout, ctx.customer.key, offer_id):
            return Rejected(
                offer_id,
                Reason.HELD_OUT,
                f"Offer {offer_id} is withheld from this customer (holdout group)",
                would_be=fit.eligible(),
            )
        return fit


def assess_all(candidates: Sequence[CompiledOffer], ctx: QuoteContext) -> list[Fit | Rejected]:
    """[c.assess_candidate(ctx) for c in candidates], the common case worked out inline:
    a percent or fixed amount off, with no check left to the offer, no limits and no
    wheeling charge (the arithmetic of compiled_benefits and _benefit, step for step)."""
    facts = ctx.facts
    limits, codes, left = facts.limits, facts.codes, ctx.left
    out: list[Fit | Rejected] = []
    append = out.append
    for c in candidates:
        offer_id = c._id
        if not c._plain or (limits and offer_id in limits):
            append(c.assess_candidate(ctx))
            continue
        room = left[c._base]
        worth: Decimal
        if c._kind == _PERCENT:
            worth = room * c._value / HUNDRED  # percent_of, then min(worth, room)
            if room < worth:
                worth = room
        else:
            worth = c._value  # min(amount, room)
            if room < worth:
                worth = room
        cap = c._cap
        if cap is not None and cap < worth:
            worth = cap
        amount = worth.quantize(PAISA, ROUND_HALF_UP)
        if amount <= ZERO:
            append(Rejected(offer_id, Reason.NO_BENEFIT, f"Offer {offer_id} saves nothing here"))
            continue
        presented = codes.get(offer_id) if codes else None
        code = presented.code if presented is not None and presented.matched else ""
        fit: Fit = _new_fit(Fit, (c.offer, amount, c._base, code, ZERO, None, amount))
        if c._holdout is not None and is_held_out(c._holdout, ctx.customer.key, offer_id):
            message = f"Offer {offer_id} is withheld from this customer (holdout group)"
            append(Rejected(offer_id, Reason.HELD_OUT, message, would_be=fit.eligible()))
            continue
        append(fit)
    return out
