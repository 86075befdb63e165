"""How much energy, from when to when: resolve a request into (start, end, kWh).

Three ways to ask (DEG and OCPI both use them): an energy amount, a rupee budget, or a
time slot at the charger's rated power. Power is constant over the session, so energy is
proportional to elapsed time; that is what lets the session be split anywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

from pricing.engine.amounts import ZERO, kwh_floor
from pricing.engine.bands import band_at, band_times, rate_of
from pricing.engine.refusals import QuoteInputError
from pricing.engine.text import energy_text, plain
from pricing.engine.types import SessionRequest, Tariff
from pricing.engine.well_formed import is_aware
from pricing.engine.windows import UTC, split_points, zone_of

MAX_SESSION = dt.timedelta(days=31)
# The most energy one session is quoted for: above the largest battery a vehicle that
# charges at a public charger carries (electric trucks and buses: 400-900 kWh). A session
# also never gets more than the charger's rated power times its duration.
MAX_SESSION_KWH = Decimal("1000")
# Session ends are often stored or sent to the second: a session whose end was derived from
# its kWh must still be accepted with that end, so the power ceiling allows one second more.
END_SLACK = dt.timedelta(seconds=1)
Cutter = Callable[[ZoneInfo, dt.datetime, dt.datetime], list[dt.datetime]]
_US_PER_HOUR = Decimal(3_600_000_000)
_ONE_US = dt.timedelta(microseconds=1)
_NANO_KWH = Decimal("1e-9")


@dataclass(frozen=True, slots=True)
class Quantity:
    zone: ZoneInfo
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC
    kwh: Decimal


def micros(delta: dt.timedelta) -> int:
    return delta // _ONE_US


def hours(delta: dt.timedelta) -> Decimal:
    return Decimal(micros(delta)) / _US_PER_HOUR


def duration(hours_: Decimal) -> dt.timedelta:
    us = (hours_ * _US_PER_HOUR).to_integral_value(rounding=ROUND_HALF_UP)
    return dt.timedelta(microseconds=int(us))


def _decimal(what: str, value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool) or not isinstance(value, int):
        raise QuoteInputError(f"{what} must be a Decimal, not {type(value).__name__}")
    else:
        number = Decimal(value)
    if not number.is_finite():
        raise QuoteInputError(f"{what} must be a finite number")
    return number


def undeliverable(kwh: Decimal, power: Decimal, start: dt.datetime, end: dt.datetime) -> str | None:
    """Why a charger of `power` kW cannot deliver `kwh` from `start` to `end`, or None: it
    delivers at most its rated power over the session, END_SLACK more. The one rule for a
    session asked for (a quote) and one that took place (a CDR taken in, then priced)."""
    if kwh <= power * hours(end - start + END_SLACK):
        return None
    most = kwh_floor(power * hours(end - start))
    return (
        f"{energy_text(kwh)} kWh cannot be delivered in that time at {plain(power)} kW "
        f"(at most {energy_text(most)} kWh)"
    )


def _check(request: SessionRequest, tariff: Tariff) -> tuple[Decimal | None, Decimal | None]:
    if not is_aware(request.start) or (request.end is not None and not is_aware(request.end)):
        raise QuoteInputError("session start and end must be timezone-aware datetimes")
    if request.end is not None and request.end <= request.start:
        raise QuoteInputError("session end must be after its start")
    power = _decimal("charger power", request.site.power_kw)
    if power is None or power <= ZERO:
        raise QuoteInputError("charger power must be positive")
    kwh = _decimal("kWh", request.kwh)
    amount = _decimal("amount", request.amount)
    if kwh is not None and amount is not None:
        raise QuoteInputError("give either kWh or an amount, not both")
    if kwh is not None and kwh <= ZERO:
        raise QuoteInputError(f"kWh must be positive (got {kwh})")
    if kwh is not None and kwh > MAX_SESSION_KWH:
        raise QuoteInputError(
            f"{energy_text(kwh)} kWh is more than one session delivers "
            f"(at most {energy_text(MAX_SESSION_KWH)} kWh)"
        )
    if kwh is not None and kwh_floor(kwh) <= ZERO:  # 0.0000001 was quoted as 0.000 kWh
        raise QuoteInputError("the session delivers less than one watt-hour")
    if kwh is not None and request.end is not None:
        problem = undeliverable(kwh, power, request.start, request.end)
        if problem is not None:
            raise QuoteInputError(problem)
    if amount is not None and amount <= tariff.service_fee:
        raise QuoteInputError(
            f"amount {amount} does not exceed the service fee {tariff.service_fee}"
        )
    if kwh is None and amount is None and request.end is None:
        raise QuoteInputError("give an end time, a kWh amount or a money amount")
    if request.idle_minutes < 0:
        raise QuoteInputError("idle minutes must not be negative")
    return kwh, amount


def _kwh_for_budget(
    tariff: Tariff,
    cut: Cutter,
    zone: ZoneInfo,
    start: dt.datetime,
    limit: dt.datetime,
    power: Decimal,
    budget: Decimal,
) -> Decimal | None:
    """Energy whose base cost at constant power is `budget`; None if the budget outlasts
    `limit` (then the caller charges the whole slot)."""
    bought, cursor = ZERO, start
    while cursor < limit:
        chunk = min(cursor + dt.timedelta(days=1), limit)
        for a, b in pairwise(cut(zone, cursor, chunk)):
            rate = rate_of(tariff, band_at(tariff, a.astimezone(zone)))  # reads date and time
            energy = power * hours(b - a)
            cost = energy * rate
            if cost >= budget:
                return bought + budget / rate
            budget -= cost
            bought += energy
        cursor = chunk
    return None


def resolve_quantity(
    request: SessionRequest, tariff: Tariff, band_cuts: Cutter | None = None
) -> Quantity:
    """`band_cuts(zone, a, b)` lists a, b and every instant between where the band may
    change (windows.split_points over the band edges, unless a faster equivalent is given).
    """
    kwh, amount = _check(request, tariff)
    if band_cuts is None:
        times = band_times(tariff)

        def band_cuts(zone: ZoneInfo, a: dt.datetime, b: dt.datetime) -> list[dt.datetime]:
            return split_points(zone, a, b, times)

    zone = zone_of(request.site.time_zone)
    power = Decimal(request.site.power_kw)
    start = request.start.astimezone(UTC)
    end = None if request.end is None else request.end.astimezone(UTC)
    if amount is not None:
        limit = end if end is not None else start + MAX_SESSION
        budget = amount - tariff.service_fee
        bought = _kwh_for_budget(tariff, band_cuts, zone, start, limit, power, budget)
        if bought is None and end is None:
            raise QuoteInputError(f"amount {amount} buys more than {MAX_SESSION.days} days")
        if bought is not None:
            kwh = kwh_floor(bought.quantize(_NANO_KWH))
            end = None
    if kwh is None:  # a slot at rated power (or a budget larger than the slot)
        assert end is not None
        kwh = kwh_floor(power * hours(end - start))
    if kwh <= ZERO:
        raise QuoteInputError("the session delivers less than one watt-hour")
    if end is None:
        end = start + duration(kwh / power)
    if end <= start:
        raise QuoteInputError("the session is shorter than a microsecond")
    if end - start > MAX_SESSION:
        raise QuoteInputError(f"sessions longer than {MAX_SESSION.days} days are not priced")
    if kwh > MAX_SESSION_KWH:
        raise QuoteInputError(
            f"the session would deliver {energy_text(kwh)} kWh; "
            f"at most {energy_text(MAX_SESSION_KWH)} kWh are quoted"
        )
    return Quantity(zone, start, end, kwh)
