"""An offer's conditions, in the order evaluate() reads them: validity, place, currency,
local time, amounts, customer (ONDC applicability: intersection across attributes, union
within one; ONDC qualifier: who qualifies, and for how much), then the declared
qualifiers (offers.rules.qualifiers), which the index does not read.

Each is built once per offer (an offer with no windows has no window condition), over
values prepared then (validity in UTC, windows as integers, sets, kWh bounds narrowed by
the energy-trade terms), and is one `Condition`: a test on the quote's QuoteContext and
the wording of its failure, so the decision and the reason given for it are one rule.
`indexed` says whether the candidate index decides the condition exactly
(offers.rules.index): an offer the index returned needs only the others. The place
conditions are in places.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from functools import partial
from typing import NamedTuple, TypeVar

from cpo_portal.formatting.days import day
from offers.rules.construct import HolidayRule, OfferRule
from offers.rules.masks import HOUR_US
from offers.rules.outcome import Reason, Rejected, rupees
from offers.rules.places import always, place
from offers.rules.qualifiers import BY_KEY, Declared
from offers.rules.session_view import QuoteContext
from pricing.engine import WHOLE_DAY, WITHIN, Window, compile_window, energy_text

UTC = dt.UTC
T = TypeVar("T", dt.datetime, Decimal)

# The groups of conditions, in the evaluator's order; the index has a mask for each
VALIDITY, PLACE, CURRENCY, LOCAL_TIME, AMOUNTS, CUSTOMER = range(6)
GROUPS = 6


class Condition(NamedTuple):
    test: Callable[[QuoteContext], bool]  # True: the offer passes
    why: Callable[[QuoteContext], Rejected]  # the reason, worded, when it does not
    indexed: bool = True  # the candidate index decides it exactly
    group: int = VALIDITY


# -- validity


def _narrowed(
    low: T | None, high: T | None, at_least: T | None, at_most: T | None
) -> tuple[T | None, T | None]:
    """The bounds [low, high] narrowed by [at_least, at_most] (None: open)."""
    if at_least is not None:
        low = at_least if low is None else max(low, at_least)
    if at_most is not None:
        high = at_most if high is None else min(high, at_most)
    return low, high


def validity_window(offer: OfferRule) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The offer's own window narrowed by an energy-trade validity window, if any."""
    app, trade = offer.applicability, offer.energy_trade
    if trade is None:
        return app.valid_from, app.valid_until
    return _narrowed(app.valid_from, app.valid_until, trade.valid_from, trade.valid_until)


def without_validity(offer: OfferRule) -> OfferRule:
    """The offer as if it were valid at any time (to tell whether only its dates keep it
    from a session)."""
    trade = offer.energy_trade
    benefit = offer.benefit
    if trade is not None:
        benefit = replace(trade, valid_from=None, valid_until=None)
    app = replace(offer.applicability, valid_from=None, valid_until=None)
    return replace(offer, applicability=app, benefit=benefit)


def validity(offer: OfferRule) -> list[Condition]:
    """Started by the session's start; not ended by it nor by the quote time (`latest`)."""
    valid_from, valid_until = validity_window(offer)
    out = []
    if valid_from is not None:
        since = valid_from.astimezone(UTC)
        started = f"Offer {offer.id} starts {valid_from.isoformat()}"
        out.append(
            Condition(
                lambda c: c.start >= since, always(Rejected(offer.id, Reason.NOT_STARTED, started))
            )
        )
    if valid_until is not None:
        until = valid_until.astimezone(UTC)
        ended = f"Offer {offer.id} ended {valid_until.isoformat()}"
        out.append(
            Condition(
                lambda c: c.latest <= until, always(Rejected(offer.id, Reason.EXPIRED, ended))
            )
        )
    return out


# -- currency


def only_currency(offer: OfferRule) -> str | None:
    """The one currency of the offer's amounts; None if mixed (then it is valid nowhere)."""
    used = offer.currencies
    return next(iter(used)) if len(used) == 1 else None


def currency(offer: OfferRule) -> Condition:
    """Money never crosses currencies: every amount of the offer must be in the session's."""
    only, used = only_currency(offer), ", ".join(sorted(offer.currencies))
    return Condition(
        lambda c: c.currency == only,
        lambda c: Rejected(
            offer.id,
            Reason.NOT_VALID_HERE,
            f"Offer {offer.id} is priced in {used}; this station charges in {c.currency}",
        ),
    )


# -- local time


def _window(window: Window) -> Callable[[QuoteContext], bool]:
    """localtime.in_window on integers: the local wall time in µs and the weekday's bit
    (and the day before's, for the small hours of a wrapping window)."""
    start, end, days, shape = window
    if shape == WHOLE_DAY:
        return lambda c: bool(days >> c.weekday & 1)
    if shape == WITHIN:
        return lambda c: bool(days >> c.weekday & 1) and start <= c.tus < end
    return lambda c: (
        bool(days >> c.weekday & 1)
        if c.tus >= start
        else c.tus < end and bool(days >> (c.weekday + 6) % 7 & 1)
    )


def _any_window(windows: tuple[Window, ...]) -> Callable[[QuoteContext], bool]:
    if len(windows) == 1:
        return _window(windows[0])
    each = tuple(_window(w) for w in windows)
    return lambda c: any(open_at(c) for open_at in each)


def local_time(offer: OfferRule) -> list[Condition]:
    """Local wall-clock conditions, read at the session's local start."""
    app, now = offer.applicability, f"Offer {offer.id} is not valid"
    out = []
    if app.windows:
        windows = tuple(compile_window(w) for w in app.windows)
        on_the_hour = all(w[0] % HOUR_US == 0 and w[1] % HOUR_US == 0 for w in windows)
        out.append(
            Condition(  # the index has hourly buckets: the minutes are checked here
                _any_window(windows),
                lambda c: Rejected(offer.id, Reason.NOT_VALID_NOW, f"{now} at {c.at_text}"),
                indexed=on_the_hour,
            )
        )
    if app.holidays is HolidayRule.HOLIDAYS_ONLY:
        out.append(
            Condition(
                lambda c: c.holiday,
                lambda c: Rejected(
                    offer.id, Reason.NOT_VALID_NOW, f"{now} on {c.day.isoformat()}: holidays only"
                ),
            )
        )
    elif app.holidays is HolidayRule.EXCEPT_HOLIDAYS:
        out.append(
            Condition(
                lambda c: not c.holiday,
                lambda c: Rejected(
                    offer.id, Reason.NOT_VALID_NOW, f"{now} on holidays ({c.day.isoformat()})"
                ),
            )
        )
    if app.launch_days is not None:
        days = app.launch_days
        first = f"{now}: only in the first {days} days after the station opened"

        def launch_why(c: QuoteContext) -> Rejected:
            opened = c.facts.station.opened_on
            if opened is None:
                text = f"{first}, and this station's opening date is not set"
            else:
                text = f"{first} (opened {day(opened)})"
            return Rejected(offer.id, Reason.NOT_VALID_NOW, text)

        out.append(
            Condition(lambda c: c.days_open is not None and 0 <= c.days_open < days, launch_why)
        )
    return out


# -- amounts


def kwh_bounds(offer: OfferRule) -> tuple[Decimal | None, Decimal | None]:
    """The kWh bounds: the qualifier's, narrowed by an energy-trade min/max quantity."""
    q, trade = offer.qualifier, offer.energy_trade
    if trade is None:
        return q.min_kwh, q.max_kwh
    return _narrowed(q.min_kwh, q.max_kwh, trade.minimum_quantity, trade.maximum_quantity)


def amounts(offer: OfferRule) -> list[Condition]:
    """The session's pre-tax gross (a combo's: the cart's) and its kWh."""
    oid, least = offer.id, offer.qualifier.min_session_value
    out = []
    if least is not None:
        out.append(
            Condition(
                lambda c: c.gross >= least,
                lambda c: Rejected(
                    oid,
                    Reason.BELOW_MIN_VALUE,
                    f"Offer {oid} needs a session value of at least "
                    f"{rupees(least, c.currency)}; this one is {rupees(c.gross, c.currency)}",
                ),
            )
        )
    low, high = kwh_bounds(offer)
    if low is not None:
        at_least = f"Offer {oid} needs at least {energy_text(low)} kWh"
        out.append(
            Condition(
                lambda c: c.kwh >= low,
                lambda c: Rejected(
                    oid,
                    Reason.BELOW_MIN_KWH,
                    f"{at_least}; this session is {energy_text(c.kwh)} kWh",
                ),
            )
        )
    if high is not None:
        at_most = f"Offer {oid} allows at most {energy_text(high)} kWh"
        out.append(
            Condition(
                lambda c: c.kwh <= high,
                lambda c: Rejected(
                    oid,
                    Reason.ABOVE_MAX_KWH,
                    f"{at_most}; this session is {energy_text(c.kwh)} kWh",
                ),
            )
        )
    return out


# -- the customer


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


def _names(values: frozenset[str]) -> str:
    return " or ".join(sorted(values))


def _fixed(
    test: Callable[[QuoteContext], bool], offer_id: str, reason: Reason, message: str
) -> Condition:
    return Condition(test, always(Rejected(offer_id, reason, message)))


def customer(offer: OfferRule) -> list[Condition]:
    q, oid = offer.qualifier, offer.id
    out = []
    if q.segments:
        segments = q.segments
        text = f"Offer {oid} is for {_names(segments)} customers only"
        out.append(_fixed(lambda c: c.customer.segment in segments, oid, Reason.SEGMENT, text))
    if q.tiers:
        tiers = q.tiers
        text = f"Offer {oid} is for {_names(tiers)} tier members only"
        out.append(_fixed(lambda c: c.customer.tier in tiers, oid, Reason.TIER, text))
    if q.members_only:
        text = f"Offer {oid} is for members only"
        out.append(_fixed(lambda c: c.customer.member, oid, Reason.MEMBERS_ONLY, text))
    if q.first_session_only:
        text = f"Offer {oid} is for a customer's first session only"
        out.append(_fixed(lambda c: c.customer.first_session, oid, Reason.FIRST_SESSION_ONLY, text))
    if q.referred_only:
        text = f"Offer {oid} is for referred customers only"
        out.append(_fixed(lambda c: c.customer.referred, oid, Reason.REFERRAL_ONLY, text))
    if q.anniversary_days is not None:
        within = q.anniversary_days
        text = f"Offer {oid} is valid within {within} days of the customer's joining anniversary"

        def near(c: QuoteContext) -> bool:
            joined = c.customer.joined_on
            return joined is not None and is_anniversary(joined, c.day, within)

        # the index knows only whether a joining date is known
        not_now = Rejected(oid, Reason.NOT_ANNIVERSARY, text)
        out.append(Condition(near, always(not_now), indexed=False))
    return out


def declared(offer: OfferRule) -> list[Condition]:
    """The declared qualifiers (offers.rules.qualifiers), which the index does not read."""
    out = []
    for key, value in offer.qualifier.declared:
        found = BY_KEY[key]
        only = f"Offer {offer.id} is valid only {found.words(value)}"

        def why(c: QuoteContext, found: Declared = found, only: str = only) -> Rejected:
            return Rejected(offer.id, found.reason, f"{only}; {found.found(c)}")

        out.append(Condition(partial(found.holds, value), why, indexed=False))
    return out


def conditions(offer: OfferRule) -> tuple[Condition, ...]:
    """Every condition of the offer before its code, uses and benefit, in order, each
    with its group."""
    groups: list[list[Condition]] = [
        validity(offer),
        [Condition(*p) for p in place(offer)],
        [currency(offer)],
        local_time(offer),
        amounts(offer),
        customer(offer) + declared(offer),
    ]
    return tuple(c._replace(group=g) for g, found in enumerate(groups) for c in found)
