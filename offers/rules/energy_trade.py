"""EnergyTradeOffer terms: their price on a charging session, their wheeling line, and
their JSON in the schema's own shape (v0.2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from offers.rules.construct import EnergyTradeTerms, OfferRule, PricingModel
from offers.rules.localtime import in_window, local, overlap
from pricing.engine import ZERO, LineKind, PricedSession, QuoteLine, Segment, TimeWindow, money

JSON_CONTEXT = "./context.jsonld"


def tod_window(start: dt.time, end: dt.time) -> TimeWindow:
    return TimeWindow(start=start, end=end)


def _tod_saving(terms: EnergyTradeTerms, seg: Segment, tz: str) -> Decimal:
    """What the time-of-day rates save on one segment, spread evenly over its duration;
    kWh outside every window stay at the tariff rate, and a dearer window saves nothing."""
    span = seg.end - seg.start
    saving = ZERO
    for tod in terms.time_of_day_rates:
        window = tod_window(tod.start, tod.end)
        if span > dt.timedelta(0):
            inside = overlap(window, seg.start, seg.end, tz)
            kwh = (
                seg.kwh
                * Decimal(inside // dt.timedelta(microseconds=1))
                / Decimal(span // dt.timedelta(microseconds=1))
            )
        else:
            kwh = seg.kwh if in_window(window, local(seg.start, tz)) else ZERO
        saving += max((seg.rate_per_kwh - tod.rate) * kwh, ZERO)
    return saving


def trade_discount(terms: EnergyTradeTerms, priced: PricedSession, energy: Decimal) -> Decimal:
    """The discount the trade terms give on `energy` (what is left of the energy cost).

    PER_KWH: energy - kWh x rate. FIXED: energy - fixed price. SUBSCRIPTION: the whole
    energy (the subscription pays for it). TIME_OF_DAY: per segment, the tariff rate less
    the window's rate on the kWh inside the window. Never negative, never above `energy`.
    """
    model = terms.pricing_model
    if model is PricingModel.SUBSCRIPTION:
        worth = energy
    elif model is PricingModel.PER_KWH:
        assert terms.rate_per_kwh is not None
        worth = energy - priced.kwh * terms.rate_per_kwh
    elif model is PricingModel.FIXED:
        assert terms.fixed_price is not None
        worth = energy - terms.fixed_price
    else:
        tz = priced.request.site.time_zone
        worth = sum((_tod_saving(terms, seg, tz) for seg in priced.segments), ZERO)
    return min(max(worth, ZERO), energy)


def wheeling_line(offer: OfferRule) -> QuoteLine | None:
    """The utility's wheeling charge as its own line, once per session.

    Untaxed here: transmission and distribution of electricity by a utility is exempt
    from GST, and the CPO only passes the charge on.
    """
    terms = offer.energy_trade
    if terms is None or terms.wheeling is None or terms.wheeling.amount <= 0:
        return None
    return QuoteLine(
        kind=LineKind.WHEELING,
        code=offer.id,
        title=terms.wheeling.description or "Wheeling charges",
        amount=money(terms.wheeling.amount),
        tax_rate=None,  # a utility's pass-through charge: outside the CPO's GST
        tags=(("type", "wheeling"),),
    )


def _number(value: Decimal) -> float:
    """JSON numbers leave as floats: exact for the short decimals these fields hold."""
    return float(value)


def _instant(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def energy_trade_json(terms: EnergyTradeTerms) -> dict[str, object]:
    """The terms as an EnergyTradeOffer object (Offer.offerAttributes), camelCase keys."""
    out: dict[str, object] = {
        "@context": JSON_CONTEXT,
        "@type": "EnergyTradeOffer",
        "pricingModel": terms.pricing_model.value,
    }
    if terms.settlement_type is not None:
        out["settlementType"] = terms.settlement_type.value
    if terms.wheeling is not None:
        wheeling: dict[str, object] = {
            "amount": _number(terms.wheeling.amount),
            "currency": terms.wheeling.currency,
        }
        if terms.wheeling.description:
            wheeling["description"] = terms.wheeling.description
        out["wheelingCharges"] = wheeling
    if terms.minimum_quantity is not None:
        out["minimumQuantity"] = _number(terms.minimum_quantity)
    if terms.maximum_quantity is not None:
        out["maximumQuantity"] = _number(terms.maximum_quantity)
    if terms.valid_from is not None or terms.valid_until is not None:
        window: dict[str, object] = {}
        if terms.valid_from is not None:
            window["start"] = _instant(terms.valid_from)
        if terms.valid_until is not None:
            window["end"] = _instant(terms.valid_until)
        out["validityWindow"] = window
    if terms.time_of_day_rates:
        out["timeOfDayRates"] = [
            {
                "timeRange": {"start": f"{r.start:%H:%M}", "end": f"{r.end:%H:%M}"},
                "rate": _number(r.rate),
                "currency": r.currency,
            }
            for r in terms.time_of_day_rates
        ]
    return out
