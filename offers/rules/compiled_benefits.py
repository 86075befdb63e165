"""What a compiled offer's benefit is worth on the whole session, without grant()'s type
dispatch: the kind is known when the index is built, so each offer keeps the one function
for its kind. The arithmetic is grant()'s, expression for expression (tests compare them);
energy trades and kWh packages call grant() itself.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from offers.rules.benefits import free_kwh_in, grant, slab_discount
from offers.rules.context import QuoteContext
from offers.rules.types import (
    Base,
    Benefit,
    BuyXGetY,
    CreditDrawdown,
    FixedOff,
    FreeKwh,
    PercentOff,
    RateOverride,
    ServiceFeeWaiver,
    Slabs,
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


def _per_kwh(energy_worth: Callable[[Decimal, Decimal], Decimal]) -> WorthOf:
    """The energy kinds: `energy_worth(kWh, energy left)` on a session with energy,
    clipped to [0, energy left], as grant() does."""
    energy_base = Base.ENERGY

    def worth(c: QuoteContext) -> Worth:
        kwh = c.kwh
        if kwh <= 0:
            return ZERO, energy_base, None
        energy = c.left[energy_base]
        return min(max(energy_worth(kwh, energy), ZERO), energy), energy_base, None

    return worth


def _credit(benefit: CreditDrawdown) -> WorthOf:
    account, base = benefit.account, benefit.base

    def worth(c: QuoteContext) -> Worth:
        balance = c.customer.credit(account)
        if balance is None:
            return ZERO, base, None
        if balance.amount is not None:
            return min(max(balance.amount, ZERO), c.left[base]), base, None
        return _generic(benefit)(c)  # a kWh package

    return worth


def _generic(benefit: Benefit) -> WorthOf:
    def worth(c: QuoteContext) -> Worth:
        g = grant(benefit, c.view.priced, c.view.bases, c.customer)
        return g.amount, g.base, g.kwh_drawn

    return worth


EnergyWorth = Callable[[Decimal, Decimal], Decimal]  # (kWh, energy left) -> unclipped worth


def energy_worth(benefit: Benefit) -> EnergyWorth | None:
    """The energy kinds' worth before grant()'s clipping to [0, energy left], on a session
    with energy; None for any other kind."""
    if isinstance(benefit, RateOverride):
        rate = benefit.rate_per_kwh
        return lambda kwh, energy: energy - kwh * rate
    if isinstance(benefit, FreeKwh):
        free = benefit.kwh
        return lambda kwh, energy: min(free, kwh) * energy / kwh
    if isinstance(benefit, BuyXGetY):
        buy, get = benefit.buy_kwh, benefit.free_kwh
        return lambda kwh, energy: free_kwh_in(kwh, buy, get) * energy / kwh
    if isinstance(benefit, Slabs):
        slabs = benefit
        return lambda kwh, energy: slab_discount(slabs, kwh, energy)
    return None


def compile_worth(benefit: Benefit) -> WorthOf:
    """grant(benefit, priced, bases, customer) on a quote's full bases, as a function."""
    if isinstance(benefit, PercentOff):
        return _percent(benefit.percent, benefit.base)
    if isinstance(benefit, FixedOff):
        return _fixed(benefit.amount, benefit.base)
    if isinstance(benefit, ServiceFeeWaiver):
        return _fee_waiver(benefit.percent)
    per_kwh = energy_worth(benefit)
    if per_kwh is not None:
        return _per_kwh(per_kwh)
    if isinstance(benefit, CreditDrawdown):
        return _credit(benefit)
    return _generic(benefit)
