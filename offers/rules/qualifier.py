"""Who qualifies, and for how much (ONDC qualifier), read from the priced session and the
customer facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from offers.rules.facts import CustomerFacts
from offers.rules.outcome import Failure, Reason, kwh_text, rupees
from offers.rules.types import Offer
from pricing.engine.types import PricedSession


def anniversary_on(joined: dt.date, year: int) -> dt.date:
    """The join date's month and day in `year`; 29 February falls on the 28th otherwise."""
    try:
        return joined.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


def is_anniversary(joined: dt.date, day: dt.date, within_days: int) -> bool:
    """`day` is within `within_days` of a joining anniversary (a full year or more on)."""
    for year in (day.year - 1, day.year, day.year + 1):
        if year <= joined.year:
            continue
        if abs((day - anniversary_on(joined, year)).days) <= within_days:
            return True
    return False


def kwh_bounds(offer: Offer) -> tuple[Decimal | None, Decimal | None]:
    """The kWh bounds: the qualifier's, narrowed by an energy-trade min/max quantity."""
    low, high = offer.qualifier.min_kwh, offer.qualifier.max_kwh
    trade = offer.energy_trade
    if trade is not None:
        if trade.minimum_quantity is not None:
            low = trade.minimum_quantity if low is None else max(low, trade.minimum_quantity)
        if trade.maximum_quantity is not None:
            high = trade.maximum_quantity if high is None else min(high, trade.maximum_quantity)
    return low, high


def check_amounts(offer: Offer, priced: PricedSession, gross: Decimal) -> Failure | None:
    """`gross` is the priced session's pre-tax gross (passed in: summed once per quote)."""
    q, currency, value = offer.qualifier, priced.tariff.currency, gross
    if q.min_session_value is not None and value < q.min_session_value:
        return (
            Reason.BELOW_MIN_VALUE,
            f"Offer {offer.id} needs a session value of at least "
            f"{rupees(q.min_session_value, currency)}; this one is {rupees(value, currency)}",
        )
    low, high = kwh_bounds(offer)
    if low is not None and priced.kwh < low:
        return (
            Reason.BELOW_MIN_KWH,
            f"Offer {offer.id} needs at least {kwh_text(low)} kWh; "
            f"this session is {kwh_text(priced.kwh)} kWh",
        )
    if high is not None and priced.kwh > high:
        return (
            Reason.ABOVE_MAX_KWH,
            f"Offer {offer.id} allows at most {kwh_text(high)} kWh; "
            f"this session is {kwh_text(priced.kwh)} kWh",
        )
    return None


def check_customer(offer: Offer, who: CustomerFacts, day: dt.date) -> Failure | None:
    q, oid = offer.qualifier, offer.id
    if q.segments and who.segment not in q.segments:
        return Reason.SEGMENT, f"Offer {oid} is for {_names(q.segments)} customers only"
    if q.tiers and who.tier not in q.tiers:
        return Reason.TIER, f"Offer {oid} is for {_names(q.tiers)} tier members only"
    if q.members_only and not who.member:
        return Reason.MEMBERS_ONLY, f"Offer {oid} is for members only"
    if q.first_session_only and not who.first_session:
        return Reason.FIRST_SESSION_ONLY, f"Offer {oid} is for a customer's first session only"
    if q.referred_only and not who.referred:
        return Reason.REFERRAL_ONLY, f"Offer {oid} is for referred customers only"
    if q.anniversary_days is not None and (
        who.joined_on is None or not is_anniversary(who.joined_on, day, q.anniversary_days)
    ):
        return (
            Reason.NOT_ANNIVERSARY,
            f"Offer {oid} is valid within {q.anniversary_days} days of the customer's "
            "joining anniversary",
        )
    return None


def _names(values: frozenset[str]) -> str:
    return " or ".join(sorted(values))
