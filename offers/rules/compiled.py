"""Offers compiled once, when the index is built, for the quote's hot path.

A compiled offer holds its checks (checks.py) and its benefit's worth function
(compiled_benefits.py). The checks only decide the common case. When every check passes,
the offer's benefit is worked out exactly as evaluate() does (assess_all, for all the
candidates of a quote in one loop); when one fails, the offer goes to evaluate_in()
itself, which finds the first reason in its fixed order and words the message, so a
rejection reads exactly as on the reference path. A check must therefore never pass an
offer that evaluate() would reject (tests compare both on random offers, sessions,
customers and codes).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from offers.rules.benefits import limit
from offers.rules.checks import compile_checks
from offers.rules.compiled_benefits import compile_worth, energy_worth
from offers.rules.context import QuoteContext
from offers.rules.energy_trade import wheeling_line
from offers.rules.evaluate import check_uses, evaluate_in
from offers.rules.holdout import is_held_out
from offers.rules.outcome import Eligible, Fit, Reason, Rejected
from offers.rules.types import Base, FixedOff, Offer, PercentOff, ServiceFeeWaiver
from pricing.engine.money import HUNDRED, PAISA, ZERO

# benefits worked out inline (percent or fixed off, a fee waiver, the energy kinds); any
# other kind calls its compiled worth
_PERCENT, _FIXED, _FEE, _ENERGY = 1, 2, 3, 4
_new_fit = tuple.__new__  # Fit(...) without the NamedTuple's Python-level __new__
_NO_BENEFIT, _HELD_OUT = Reason.NO_BENEFIT, Reason.HELD_OUT  # enum members read once


def _share(percent: Decimal) -> Decimal:
    """A percentage as the factor it multiplies by (12.5 -> 0.125), exactly: the same
    digits, two places down. `amount * _share(p)` is the number percent_of(amount, p)
    gives (each is the exact product rounded to the context's precision, and a power of
    ten moves no digit) without a Decimal division per offer and quote. The two may
    write trailing zeros differently: every worth is compared, or rounded to the paisa,
    before anyone reads it."""
    sign, digits, exponent = percent.as_tuple()
    if not isinstance(exponent, int):  # not finite: as percent_of would have it
        return percent / HUNDRED
    return Decimal((sign, digits, exponent - 2))


class CompiledOffer:
    """An offer ready for quoting: evaluate(ctx) == evaluate_in(offer, ctx.view, ctx.facts)."""

    __slots__ = (
        "_additive",
        "_base",
        "_cap",
        "_checks",
        "_energy",
        "_holdout",
        "_id",
        "_kind",
        "_no_benefit",
        "_residual",
        "_value",
        "_wheeling",
        "_worth",
        "offer",
    )

    def __init__(self, offer: Offer) -> None:
        self.offer = offer
        self._id = offer.id
        self._additive = offer.meta.additive
        self._checks, self._residual = compile_checks(offer)
        self._worth = compile_worth(offer.benefit)
        self._cap = offer.max_discount
        # the same answer on every quote it saves nothing on (immutable: one is enough)
        self._no_benefit = Rejected(offer.id, _NO_BENEFIT, f"Offer {offer.id} saves nothing here")
        holdout = offer.holdout
        self._holdout = holdout if holdout is not None and holdout.share > 0 else None
        line = wheeling_line(offer)
        self._wheeling = ZERO if line is None else line.amount
        benefit = offer.benefit
        self._kind, self._value, self._base = 0, ZERO, Base.GROSS
        self._energy = energy_worth(benefit)
        if isinstance(benefit, PercentOff):
            self._kind, self._value, self._base = _PERCENT, _share(benefit.percent), benefit.base
        elif isinstance(benefit, FixedOff):
            self._kind, self._value, self._base = _FIXED, benefit.amount, benefit.base
        elif isinstance(benefit, ServiceFeeWaiver):
            self._kind, self._value, self._base = _FEE, _share(benefit.percent), Base.SERVICE_FEE
        elif self._energy is not None:
            self._kind, self._base = _ENERGY, Base.ENERGY

    def evaluate(self, ctx: QuoteContext) -> Eligible | Rejected:
        outcome = self.assess(ctx)
        return outcome.eligible() if isinstance(outcome, Fit) else outcome

    def assess(self, ctx: QuoteContext) -> Fit | Rejected:
        """evaluate(), with an eligible offer as a Fit (select_fits reads those)."""
        return assess_all((self,), ctx, candidates=False)[0]

    def assess_candidate(self, ctx: QuoteContext) -> Fit | Rejected:
        """assess() for an offer the index returned for this context: the conditions the
        index decides exactly are not checked again."""
        return assess_all((self,), ctx)[0]

    def reference(self, ctx: QuoteContext) -> Fit | Rejected:
        outcome = evaluate_in(self.offer, ctx.view, ctx.facts)
        return outcome.fit() if isinstance(outcome, Eligible) else outcome


def assess_all(
    offers: Sequence[CompiledOffer], ctx: QuoteContext, *, candidates: bool = True
) -> list[Fit | Rejected]:
    """Each offer's assess(), or assess_candidate() for the index's `candidates`, in one
    loop. When every check passes, the benefit is worked out exactly as evaluate_in()
    does (a percent or fixed amount off inline, other kinds by their compiled worth); the
    use limits are read here, once, as they decide the budget cut too. An offer failing a
    check goes to evaluate_in() itself for its reason and message."""
    facts = ctx.facts
    all_limits, codes, left, kwh = facts.limits, facts.codes, ctx.left, ctx.kwh
    out: list[Fit | Rejected] = []
    append = out.append
    for c in offers:
        for check in c._residual if candidates else c._checks:
            if not check(ctx):
                append(c.reference(ctx))
                break
        else:
            offer_id = c._id
            limits = all_limits.get(offer_id) if all_limits else None
            if limits is not None:  # the last of evaluate_in()'s checks
                failure = check_uses(c.offer, limits)
                if failure is not None:
                    append(Rejected(offer_id, *failure))
                    continue
            kind, base, kwh_drawn = c._kind, c._base, None
            worth: Decimal
            if kind == _PERCENT:
                room = left[base]
                worth = room * c._value  # min(percent_of(room, percent), room)
                if room < worth:
                    worth = room
            elif kind == _FIXED:
                room = left[base]
                worth = c._value  # min(amount, room)
                if room < worth:
                    worth = room
            elif kind == _ENERGY:  # on a session with energy, clipped to [0, energy left]
                if kwh > ZERO:
                    room = left[base]
                    worth = c._energy(kwh, room)  # type: ignore[misc]
                    if worth < ZERO:
                        worth = ZERO
                    if room < worth:
                        worth = room
                else:
                    worth = ZERO
            elif kind == _FEE:
                worth = left[base] * c._value  # percent_of(fee left, percent)
            else:
                worth, base, kwh_drawn = c._worth(ctx)
            cap = c._cap
            if cap is not None and cap < worth:  # min(worth, cap), as limit() does
                worth = cap
            if limits is not None and limits.remaining_budget is not None:
                amount = limit(c.offer, worth, limits, ctx.currency)  # budget: cut or refuse
                if isinstance(amount, tuple):
                    append(Rejected(offer_id, *amount))
                    continue
            else:
                amount = worth.quantize(PAISA, ROUND_HALF_UP)  # money(), as limit() does
            if amount <= ZERO:
                append(c._no_benefit)
                continue
            presented = codes.get(offer_id) if codes else None
            code = presented.code if presented is not None and presented.matched else ""
            wheeling = c._wheeling
            net = amount - wheeling if wheeling else amount
            fields = (c.offer, amount, base, code, wheeling, kwh_drawn, net, offer_id, c._additive)
            fit: Fit = _new_fit(Fit, fields)
            if c._holdout is not None and is_held_out(c._holdout, ctx.customer.key, offer_id):
                message = f"Offer {offer_id} is withheld from this customer (holdout group)"
                append(Rejected(offer_id, _HELD_OUT, message, would_be=fit.eligible()))
                continue
            append(fit)
    return out
