"""An offer in the words a pricing manager uses: what it gives ("15% off energy, cap
₹100"), when it runs ("weekdays 18:00-22:00", with an en dash), how much of its money
budget is used, and its slabs and time-of-day rates one by one ("0-20 kWh: 5% off energy",
"09:00-17:00: energy at ₹12.00/kWh"), each in the words of the benefit it gives.

Pure: money and rates are written in the product's one format (money in a sentence, a rate
as the tariff pages write it: `cpo_portal.formatting.digits`), in the currency the caller
gives, so every page that words an offer goes through here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from cpo_portal.formatting.digits import in_sentence, rate, stated_percent
from offers.rules.benefit_types import (
    Base,
    Benefit,
    BuyXGetY,
    CreditDrawdown,
    EnergyTradeTerms,
    FixedOff,
    FreeKwh,
    PercentOff,
    RateOverride,
    ServiceFeeWaiver,
    Slab,
    Slabs,
    TimeOfDayRate,
)
from pricing.engine import TimeWindow, plain

Money = Callable[[Decimal], str]

EN_DASH = "\u2013"

BASE_WORDS = {Base.ENERGY: "energy", Base.SERVICE_FEE: "the service fee", Base.GROSS: "the session"}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def benefit_text(benefit: Benefit, currency: str) -> str:
    """What the offer takes off, in one phrase, its money in `currency`."""
    if isinstance(benefit, PercentOff):
        return f"{stated_percent(benefit.percent)} off {BASE_WORDS[benefit.base]}"
    if isinstance(benefit, FixedOff):
        return f"{in_sentence(benefit.amount, currency)} off {BASE_WORDS[benefit.base]}"
    if isinstance(benefit, RateOverride):
        return f"energy at {rate(benefit.rate_per_kwh, currency)}"
    if isinstance(benefit, FreeKwh):
        return f"first {plain(benefit.kwh)} kWh free"
    if isinstance(benefit, BuyXGetY):
        return f"buy {plain(benefit.buy_kwh)} kWh, get {plain(benefit.free_kwh)} kWh free"
    if isinstance(benefit, Slabs):
        return f"bulk prices in {len(benefit.slabs)} kWh slabs"
    if isinstance(benefit, ServiceFeeWaiver):
        if benefit.percent >= 100:
            return "service fee waived"
        return f"{stated_percent(benefit.percent)} off the service fee"
    if isinstance(benefit, CreditDrawdown):
        return f"paid from prepaid credit ({benefit.account})"
    if isinstance(benefit, EnergyTradeTerms):
        return f"energy trade terms ({benefit.pricing_model.value.replace('_', ' ').lower()})"
    return str(benefit.kind)


def value_text(benefit: Benefit, cap: Decimal | None, currency: str) -> str:
    """'15% off energy, cap ₹100'."""
    text = benefit_text(benefit, currency)
    return f"{text}, cap {in_sentence(cap, currency)}" if cap is not None else text


def days_text(days: Iterable[int]) -> str:
    chosen = sorted(set(days))
    if len(chosen) == 7:
        return "every day"
    if chosen == [0, 1, 2, 3, 4]:
        return "weekdays"
    if chosen == [5, 6]:
        return "weekends"
    return ", ".join(_DAYS[d] for d in chosen)


def clock(t: dt.time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def span_text(start: dt.time, end: dt.time) -> str:
    """'18:00-22:00' (an en dash; an end before the start wraps past midnight), 'all day'."""
    if start == end:
        return "all day"
    return f"{clock(start)}{EN_DASH}{clock(end)}"


def window_text(window: TimeWindow) -> str:
    """'weekdays 18:00-22:00' (an en dash), 'weekends all day'."""
    return f"{days_text(window.days)} {span_text(window.start, window.end)}"


def schedule_text(windows: tuple[TimeWindow, ...]) -> str:
    """When in the week the offer runs; 'any time' without a window."""
    if not windows:
        return "any time"
    return "; ".join(window_text(w) for w in windows)


def slab_text(slab: Slab, currency: str) -> str:
    """'0-20 kWh: 5% off energy', 'from 20 kWh: energy at ₹14.00/kWh' (an en dash): the
    slab's kWh and what it gives, in the words of that benefit on its own."""
    low = plain(slab.from_kwh)
    kwh = f"from {low} kWh" if slab.to_kwh is None else f"{low}{EN_DASH}{plain(slab.to_kwh)} kWh"
    if slab.percent is not None:
        return f"{kwh}: {benefit_text(PercentOff(slab.percent, Base.ENERGY), currency)}"
    if slab.rate_per_kwh is not None:
        return f"{kwh}: {benefit_text(RateOverride(slab.rate_per_kwh), currency)}"
    return f"{kwh}: nothing off"


def slabs_text(slabs: Iterable[Slab], currency: str) -> str:
    """The slabs in order, '; ' between them."""
    return "; ".join(slab_text(s, currency) for s in slabs)


def tod_rate_text(tod: TimeOfDayRate) -> str:
    """'09:00-17:00: energy at ₹12.00/kWh' (an en dash; an end before the start wraps past
    midnight), in the rate's own currency."""
    return f"{span_text(tod.start, tod.end)}: {benefit_text(RateOverride(tod.rate), tod.currency)}"


def tod_rates_text(rates: Iterable[TimeOfDayRate]) -> str:
    """The rates in order, '; ' between them, each in its own currency."""
    return "; ".join(tod_rate_text(r) for r in rates)


@dataclass(frozen=True)
class BudgetUse:
    spent: Decimal
    budget: Decimal

    @property
    def share(self) -> Decimal:
        """Spent ÷ budget, 0 to 1."""
        if self.budget <= 0:
            return Decimal(1)
        return min(Decimal(1), max(Decimal(0), self.spent / self.budget))

    def text(self, money: Money) -> str:
        return f"{money(self.spent)} of {money(self.budget)}"


def budget_use(spent: Decimal, budget: Decimal | None) -> BudgetUse | None:
    """None for an offer without a money budget (nothing to draw)."""
    return None if budget is None else BudgetUse(spent=spent, budget=budget)
