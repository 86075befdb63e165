"""What a compiled offer's benefit is worth on the whole session, without grant()'s type
dispatch: the kind is known when the index is built, so each offer keeps the one function
for its kind. The arithmetic is grant()'s, expression for expression (tests compare them);
kinds with more to them (slabs, credit, energy trade) call grant() itself.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from offers.rules.benefits import grant
from offers.rules.context import QuoteContext
from offers.rules.types import (
    Base,
    Benefit,
    FixedOff,
    PercentOff,
    RateOverride,
    ServiceFeeWaiver,
)
from pricing.engine.money import ZERO, percent_of

Worth = tuple[Decimal, Base, Decimal | None]  # (unrounded amount, base, kWh drawn)
WorthOf = Callable[[QuoteContext], Worth]


def _percent(percent: Decimal, base: Base) -> WorthOf:
    def worth(c: QuoteContext) -> Worth:
        left = c.left[base]
        return min(percent_of(left, percent), left), base, None

    return worth


def _fixed(amount: Decimal, base: Base) -> WorthOf:
    def worth(c: QuoteContext) -> Worth:
        return min(amount, c.left[base]), base, None

    return worth


def _fee_waiver(percent: Decimal) -> WorthOf:
    fee = Base.SERVICE_FEE
    return lambda c: (percent_of(c.left[fee], percent), fee, None)


def _rate_override(rate: Decimal) -> WorthOf:
    energy_base = Base.ENERGY

    def worth(c: QuoteContext) -> Worth:
        kwh = c.kwh
        if kwh <= 0:
            return ZERO, energy_base, None
        energy = c.left[energy_base]
        return min(max(energy - kwh * rate, ZERO), energy), energy_base, None

    return worth


def _generic(benefit: Benefit) -> WorthOf:
    def worth(c: QuoteContext) -> Worth:
        g = grant(benefit, c.view.priced, c.view.bases, c.customer)
        return g.amount, g.base, g.kwh_drawn

    return worth


def compile_worth(benefit: Benefit) -> WorthOf:
    """grant(benefit, priced, bases, customer) on a quote's full bases, as a function."""
    if isinstance(benefit, PercentOff):
        return _percent(benefit.percent, benefit.base)
    if isinstance(benefit, FixedOff):
        return _fixed(benefit.amount, benefit.base)
    if isinstance(benefit, ServiceFeeWaiver):
        return _fee_waiver(benefit.percent)
    if isinstance(benefit, RateOverride):
        return _rate_override(benefit.rate_per_kwh)
    return _generic(benefit)
