"""What each benefit kind is worth on what is left of its base. Pure arithmetic; amounts
come back unrounded and are rounded once, in `limit`, where the discount line is made."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

from offers.rules.bases import Bases
from offers.rules.construct import (
    Base,
    Benefit,
    BudgetPolicy,
    BuyXGetY,
    CreditDrawdown,
    EnergyTradeTerms,
    FixedOff,
    FreeKwh,
    OfferRule,
    PercentOff,
    RateOverride,
    ServiceFeeWaiver,
    Slab,
    SlabMode,
    Slabs,
)
from offers.rules.energy_trade import trade_discount
from offers.rules.facts import CustomerFacts, Limits
from offers.rules.outcome import Failure, Reason, rupees
from pricing.engine import ZERO, PricedSession, money, percent_of


class Grant(NamedTuple):
    amount: Decimal  # unrounded, 0 <= amount <= what is left of `base`
    base: Base
    kwh_drawn: Decimal | None = None


def free_kwh_in(kwh: Decimal, buy: Decimal, free: Decimal) -> Decimal:
    """Buy X get Y on a continuous quantity: in every X + Y kWh, the last Y are free."""
    groups = kwh // (buy + free)
    rest = kwh - groups * (buy + free)
    return groups * free + max(rest - buy, ZERO)


def _slab_for(slabs: tuple[Slab, ...], kwh: Decimal) -> Slab | None:
    return next(
        (s for s in slabs if s.from_kwh <= kwh and (s.to_kwh is None or kwh < s.to_kwh)), None
    )


def _slab_off(slab: Slab, kwh: Decimal, value: Decimal) -> Decimal:
    """A slab's discount on `kwh` worth `value`: its percent, or down to its rate."""
    if slab.percent is not None:
        return percent_of(value, slab.percent)
    assert slab.rate_per_kwh is not None
    return max(value - kwh * slab.rate_per_kwh, ZERO)


def slab_discount(benefit: Slabs, kwh: Decimal, energy: Decimal) -> Decimal:
    if benefit.mode is SlabMode.WHOLE:
        slab = _slab_for(benefit.slabs, kwh)
        return ZERO if slab is None else _slab_off(slab, kwh, energy)
    average, total = energy / kwh, ZERO
    for slab in benefit.slabs:
        top = kwh if slab.to_kwh is None else min(kwh, slab.to_kwh)
        portion = top - slab.from_kwh
        if portion > 0:
            total += _slab_off(slab, portion, portion * average)
    return total


Grant_ = Callable[[Any, PricedSession, Bases, CustomerFacts], Grant]


def _credit(
    benefit: CreditDrawdown, priced: PricedSession, bases: Bases, who: CustomerFacts
) -> Grant:
    balance = who.credit(benefit.account)
    if balance is None:
        return Grant(ZERO, benefit.base)
    if balance.amount is not None:
        return Grant(min(max(balance.amount, ZERO), bases.available(benefit.base)), benefit.base)
    kwh = priced.kwh
    drawn = min(max(balance.kwh or ZERO, ZERO), kwh)
    energy = bases.available(Base.ENERGY)
    return Grant(drawn * energy / kwh if kwh > 0 else ZERO, Base.ENERGY, kwh_drawn=drawn)


def _percent(benefit: PercentOff, _p: PricedSession, bases: Bases, _w: CustomerFacts) -> Grant:
    left = bases.available(benefit.base)
    return Grant(min(percent_of(left, benefit.percent), left), benefit.base)


def _fixed(benefit: FixedOff, _p: PricedSession, bases: Bases, _w: CustomerFacts) -> Grant:
    return Grant(min(benefit.amount, bases.available(benefit.base)), benefit.base)


def _fee(benefit: ServiceFeeWaiver, _p: PricedSession, bases: Bases, _w: CustomerFacts) -> Grant:
    return Grant(percent_of(bases.available(Base.SERVICE_FEE), benefit.percent), Base.SERVICE_FEE)


def _on_energy(worth: Callable[[Any, PricedSession, Decimal, Decimal], Decimal]) -> Grant_:
    """The energy kinds: `worth(benefit, priced, kWh, energy left)` on a session with
    energy, kept within [0, energy left]."""

    def grant_energy(
        benefit: Benefit, priced: PricedSession, bases: Bases, _w: CustomerFacts
    ) -> Grant:
        kwh = priced.kwh
        if kwh <= 0:
            return Grant(ZERO, Base.ENERGY)
        energy = bases.available(Base.ENERGY)
        return Grant(min(max(worth(benefit, priced, kwh, energy), ZERO), energy), Base.ENERGY)

    return grant_energy


_GRANTS: dict[type, Grant_] = {
    CreditDrawdown: _credit,
    PercentOff: _percent,
    FixedOff: _fixed,
    ServiceFeeWaiver: _fee,
    RateOverride: _on_energy(lambda b, _p, kwh, energy: energy - kwh * b.rate_per_kwh),
    FreeKwh: _on_energy(lambda b, _p, kwh, energy: min(b.kwh, kwh) * energy / kwh),
    BuyXGetY: _on_energy(
        lambda b, _p, kwh, energy: free_kwh_in(kwh, b.buy_kwh, b.free_kwh) * energy / kwh
    ),
    Slabs: _on_energy(lambda b, _p, kwh, energy: slab_discount(b, kwh, energy)),
    EnergyTradeTerms: _on_energy(lambda b, priced, _k, energy: trade_discount(b, priced, energy)),
}


def grant_of(benefit: Benefit) -> Grant_:
    """The function that works out what a benefit of this kind is worth (see grant)."""
    return _GRANTS[type(benefit)]


def grant(benefit: Benefit, priced: PricedSession, bases: Bases, who: CustomerFacts) -> Grant:
    """The benefit's worth before cap and budget, on what is left of its base."""
    return _GRANTS[type(benefit)](benefit, priced, bases, who)


def limit(
    offer: OfferRule, amount: Decimal, limits: Limits, currency: str = "INR"
) -> Decimal | Failure:
    """Round the discount after the offer's cap and its remaining budget (CUT or REFUSE)."""
    if offer.max_discount is not None:
        amount = min(amount, offer.max_discount)
    budget = limits.remaining_budget
    if budget is not None and amount > budget:
        if offer.budget_policy is BudgetPolicy.REFUSE or budget <= 0:
            return (
                Reason.BUDGET_EXHAUSTED,
                f"Offer {offer.id} has {rupees(max(budget, ZERO), currency)} of budget left;"
                f" this discount needs {rupees(money(amount), currency)}",
            )
        amount = budget
    return money(amount)
