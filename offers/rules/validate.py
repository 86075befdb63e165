"""Checks an offer's terms before it is saved or priced."""

from __future__ import annotations

from decimal import Decimal

from offers.rules.combo import combo_problems
from offers.rules.construct import (
    Base,
    Benefit,
    BuyXGetY,
    CreditDrawdown,
    EnergyTradeTerms,
    FixedOff,
    FreeKwh,
    OfferDefinitionError,
    OfferRule,
    OndcOfferType,
    PercentOff,
    PricingModel,
    RateOverride,
    ServiceFeeWaiver,
    Slabs,
    ondc_type_of,
)
from pricing.engine import HUNDRED, PAISA, ZERO

REFUSED_TYPES = {
    OndcOfferType.EXCHANGE: "an exchange of an item the buyer owns",
    OndcOfferType.FINANCING: "financing of a catalog item",
}


def _percent(value: Decimal | None, what: str) -> list[str]:
    if value is None or not ZERO < value <= HUNDRED:
        given = "empty" if value is None else f"{value}%"
        return [f"{what} must be more than 0% and at most 100%, not {given}"]
    return []


def _amount(value: Decimal | None, what: str) -> list[str]:
    if value is None or value < 0 or value != value.quantize(PAISA):
        return [f"{what} must be an amount >= 0 in whole paise, not {value}"]
    return []


def _slabs(benefit: Slabs) -> list[str]:
    problems: list[str] = []
    if not benefit.slabs:
        return ["slabs need at least one slab"]
    for i, slab in enumerate(benefit.slabs):
        if slab.from_kwh < 0 or (slab.to_kwh is not None and slab.to_kwh <= slab.from_kwh):
            problems.append(f"slab {i + 1} must run from >= 0 to above its start")
        if (slab.percent is None) == (slab.rate_per_kwh is None):
            problems.append(f"slab {i + 1} needs exactly one of a percent or a rate")
        elif slab.percent is not None:
            problems += _percent(slab.percent, f"slab {i + 1}")
        elif slab.rate_per_kwh is not None and slab.rate_per_kwh < 0:
            problems.append(f"slab {i + 1} rate must be >= 0")
    for i, (a, b) in enumerate(zip(benefit.slabs, benefit.slabs[1:], strict=False)):
        if a.to_kwh is None or b.from_kwh != a.to_kwh:
            problems.append(f"slabs {i + 1} and {i + 2} must be contiguous, not overlapping")
    return problems


def _minutes(start: int, end: int) -> set[int]:
    return set(range(start, end)) if start < end else set(range(start, 1440)) | set(range(end))


def _trade(terms: EnergyTradeTerms) -> list[str]:
    problems: list[str] = []
    model = terms.pricing_model
    if model is PricingModel.PER_KWH and (terms.rate_per_kwh is None or terms.rate_per_kwh < 0):
        problems.append("PER_KWH energy trade needs a rate_per_kwh >= 0")
    if model is PricingModel.FIXED:
        problems += _amount(terms.fixed_price, "FIXED energy trade price")
    if model is PricingModel.TIME_OF_DAY and not terms.time_of_day_rates:
        problems.append("TIME_OF_DAY energy trade needs time_of_day_rates")
    seen: set[int] = set()
    for r in terms.time_of_day_rates:
        if r.rate < 0:
            problems.append(f"time-of-day rate {r.start:%H:%M} must be >= 0")
        span = _minutes(r.start.hour * 60 + r.start.minute, r.end.hour * 60 + r.end.minute)
        if seen & span:
            problems.append(f"time-of-day window {r.start:%H:%M}-{r.end:%H:%M} overlaps another")
        seen |= span
    if terms.wheeling is not None:
        problems += _amount(terms.wheeling.amount, "wheeling charge")
    low, high = terms.minimum_quantity, terms.maximum_quantity
    if (low is not None and low < 0) or (high is not None and high < 0):
        problems.append("energy trade quantities must be >= 0")
    elif low is not None and high is not None and high < low:
        problems.append("energy trade maximumQuantity is below minimumQuantity")
    if terms.valid_from and terms.valid_until and terms.valid_until < terms.valid_from:
        problems.append("energy trade validity window ends before it starts")
    return problems


def _currency(offer: OfferRule) -> list[str]:
    """Every amount is in the offer's currency: a rate or charge in another is refused."""
    problems = []
    if len(offer.currency) != 3 or not offer.currency.isascii() or not offer.currency.isupper():
        problems.append(f"currency must be an ISO 4217 code like INR, not {offer.currency!r}")
    trade = offer.energy_trade
    if trade is not None:
        for r in trade.time_of_day_rates:
            if r.currency != offer.currency:
                problems.append(
                    f"time-of-day rate {r.start:%H:%M} is in {r.currency}, "
                    f"but the offer is in {offer.currency}"
                )
        if trade.wheeling is not None and trade.wheeling.currency != offer.currency:
            problems.append(
                f"wheeling charge is in {trade.wheeling.currency}, "
                f"but the offer is in {offer.currency}"
            )
    return problems


def _benefit(benefit: Benefit) -> list[str]:
    if isinstance(benefit, PercentOff):
        base = [] if benefit.base is not Base.SERVICE_FEE else ["use ServiceFeeWaiver"]
        return _percent(benefit.percent, "percent off") + base
    if isinstance(benefit, FixedOff):
        return _amount(benefit.amount, "fixed discount")
    if isinstance(benefit, RateOverride):
        return [] if benefit.rate_per_kwh >= 0 else ["override rate must be >= 0"]
    if isinstance(benefit, FreeKwh):
        return [] if benefit.kwh > 0 else ["free kWh must be > 0"]
    if isinstance(benefit, BuyXGetY):
        ok = benefit.buy_kwh > 0 and benefit.free_kwh > 0
        return [] if ok else ["buy X get Y needs X > 0 and Y > 0"]
    if isinstance(benefit, Slabs):
        return _slabs(benefit)
    if isinstance(benefit, ServiceFeeWaiver):
        return _percent(benefit.percent, "service fee waiver")
    if isinstance(benefit, CreditDrawdown):
        return [] if benefit.account else ["credit drawdown needs an account"]
    return _trade(benefit)


def validate_offer(offer: OfferRule) -> list[str]:
    """The offer's problems, empty when it can be priced.

    Raises OfferDefinitionError at once for ONDC types that mean nothing for a charging
    session (Exchange, Financing): no fix to the terms can make those work.
    """
    kind = offer.offer_type
    if kind in REFUSED_TYPES:
        raise OfferDefinitionError(
            offer.id,
            [f"ONDC offer type {kind.value} ({REFUSED_TYPES[kind]}) has no meaning for charging"],
        )
    problems = _benefit(offer.benefit)
    problems += _currency(offer)
    combo = offer.combo is not None or offer.ondc_type is OndcOfferType.COMBO
    expected = OndcOfferType.COMBO if combo else ondc_type_of(offer.benefit)
    if offer.ondc_type is not None and offer.ondc_type is not expected:
        problems.append(f"ONDC type {kind.value} does not match a {offer.benefit.kind} benefit")
    problems += combo_problems(offer)
    if not offer.id or not offer.title:
        problems.append("an offer needs an id and a title")
    if offer.max_discount is not None:
        problems += _amount(offer.max_discount, "cap (max discount)")
    app, q = offer.applicability, offer.qualifier
    if app.valid_from and app.valid_until and app.valid_until < app.valid_from:
        problems.append("validity window ends before it starts")
    for at in (app.valid_from, app.valid_until):
        if at is not None and at.utcoffset() is None:
            problems.append("validity window times must be timezone-aware")
    if app.launch_days is not None and app.launch_days <= 0:
        problems.append("launch window must be at least one day")
    if any(c.radius_km <= 0 or abs(c.lat) > 90 or abs(c.lon) > 180 for c in app.circles):
        problems.append("geo circles need a valid centre and a radius > 0")
    if q.min_session_value is not None:
        problems += _amount(q.min_session_value, "minimum session value")
    if q.min_kwh is not None and q.max_kwh is not None and q.max_kwh < q.min_kwh:
        problems.append("maximum kWh is below minimum kWh")
    if q.anniversary_days is not None and q.anniversary_days < 0:
        problems.append("anniversary window must be >= 0 days")
    if offer.holdout is not None and not ZERO <= offer.holdout.share <= 1:
        problems.append("holdout share must be in [0, 1]")
    return problems
