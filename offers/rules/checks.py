"""Per-offer checks, built once when the index is built: one small closure per condition
the offer really has (an offer with no windows carries no window check), over values
prepared at build time (validity bounds in UTC, windows as integers, sets, kWh bounds
narrowed by the energy-trade terms). A check reads the quote's QuoteContext, so nothing
is converted, summed or formatted per offer.

Each offer gets every check, and separately the few the candidate index does not decide
exactly (the minutes of a window that does not open and close on the hour, a geo circle
inside its box, the anniversary's date, whether a presented code matched):
an offer the index returned needs only those. The use limits are not checks here: the
compiled offer reads them itself, once, with its budget.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from offers.rules.applicability import in_circle, validity_window
from offers.rules.context import QuoteContext
from offers.rules.masks import HOUR_US
from offers.rules.qualifier import is_anniversary, kwh_bounds
from offers.rules.types import GeoCircle, HolidayRule, Offer
from pricing.engine.compiled import WHOLE_DAY, WITHIN, Window, compile_window

Check = Callable[[QuoteContext], bool]
UTC = dt.UTC


def _member(path: str, allowed: frozenset[str]) -> Check:
    field = attrgetter(path)
    return lambda c: field(c) in allowed


def _at_least(path: str, low: Decimal) -> Check:
    field = attrgetter(path)
    return lambda c: field(c) >= low


def _window(window: Window) -> Check:
    """localtime.in_window on integers: the context carries the local wall time in µs and
    the weekday's bit (and the day before's, for the small hours of a wrapping window)."""
    start, end, days, shape = window
    if shape == WHOLE_DAY:
        return lambda c: bool(days & c.today)
    if shape == WITHIN:
        return lambda c: bool(days & c.today) and start <= c.tus < end
    return lambda c: (
        bool(days & c.today) if c.tus >= start else c.tus < end and bool(days & c.yesterday)
    )


def _windows(windows: tuple[Window, ...]) -> Check:
    if len(windows) == 1:
        return _window(windows[0])
    each = tuple(_window(w) for w in windows)
    return lambda c: any(open_at(c) for open_at in each)


def _circles(circles: tuple[GeoCircle, ...]) -> Check:
    def inside(c: QuoteContext) -> bool:
        lat, lon = c.lat, c.lon
        if lat is None or lon is None:
            return False
        return any(in_circle(circle, lat, lon) for circle in circles)

    return inside


def _launch(days: int) -> Check:
    return lambda c: c.days_open is not None and 0 <= c.days_open < days


def _anniversary(within: int) -> Check:
    def near(c: QuoteContext) -> bool:
        joined = c.customer.joined_on
        return joined is not None and is_anniversary(joined, c.day, within)

    return near


def _code(offer_id: str) -> Check:
    def matched(c: QuoteContext) -> bool:
        presented = c.facts.codes.get(offer_id)
        return presented is not None and presented.matched

    return matched


class _Checks:
    def __init__(self) -> None:
        self.every: list[Check] = []
        self.residual: list[Check] = []

    def add(self, check: Check, *, indexed: bool = True) -> None:
        """`indexed`: the candidate index decides this condition exactly."""
        self.every.append(check)
        if not indexed:
            self.residual.append(check)


def _place_checks(offer: Offer, checks: _Checks) -> None:
    app = offer.applicability
    operator = offer.operator_code
    checks.add(lambda c: not c.operator_code or c.operator_code == operator)
    for allowed, path in (
        (app.station_codes, "site.station_code"),
        (app.charger_codes, "site.charger_code"),
        (app.region_codes, "site.region_code"),
        (app.city_codes, "site.city_code"),
        (app.site_kinds, "site.site_kind"),
    ):
        if allowed:
            checks.add(_member(path, allowed))
    if app.category_codes:
        categories = app.category_codes
        checks.add(lambda c: not categories.isdisjoint(c.site.category_codes))
    if app.circles:
        checks.add(_circles(app.circles), indexed=False)  # the index tries boxes


def only_currency(offer: Offer) -> str | None:
    """The one currency of the offer's amounts; None if mixed (then it is valid nowhere)."""
    used = offer.currencies
    return next(iter(used)) if len(used) == 1 else None


def _currency_check(offer: Offer, checks: _Checks) -> None:
    only = only_currency(offer)
    checks.add(lambda c: c.currency == only)


def _time_checks(offer: Offer, checks: _Checks) -> None:
    app = offer.applicability
    if app.windows:
        windows = tuple(compile_window(w) for w in app.windows)
        on_the_hour = all(w[0] % HOUR_US == 0 and w[1] % HOUR_US == 0 for w in windows)
        checks.add(_windows(windows), indexed=on_the_hour)  # the index has hourly buckets
    if app.holidays is HolidayRule.HOLIDAYS_ONLY:
        checks.add(lambda c: c.holiday)
    elif app.holidays is HolidayRule.EXCEPT_HOLIDAYS:
        checks.add(lambda c: not c.holiday)
    if app.launch_days is not None:
        checks.add(_launch(app.launch_days))


def _qualifier_checks(offer: Offer, checks: _Checks) -> None:
    q = offer.qualifier
    if q.min_session_value is not None:
        checks.add(_at_least("gross", q.min_session_value))
    low, high = kwh_bounds(offer)
    if low is not None:
        checks.add(_at_least("kwh", low))
    if high is not None:
        top = high
        checks.add(lambda c: c.kwh <= top)
    if q.segments:
        checks.add(_member("customer.segment", q.segments))
    if q.tiers:
        checks.add(_member("customer.tier", q.tiers))
    if q.members_only:
        checks.add(lambda c: c.customer.member)
    if q.first_session_only:
        checks.add(lambda c: c.customer.first_session)
    if q.referred_only:
        checks.add(lambda c: c.customer.referred)
    if q.anniversary_days is not None:
        checks.add(_anniversary(q.anniversary_days), indexed=False)  # index: joined_on


class CompiledChecks(NamedTuple):
    every: tuple[Check, ...]  # every condition evaluate() applies before the benefit
    residual: tuple[Check, ...]  # those the candidate index does not decide exactly


def compile_checks(offer: Offer) -> CompiledChecks:
    """The conditions of a quote (not a settlement: codes are checked), but for the use
    limits, which the compiled offer reads with its budget."""
    checks = _Checks()
    valid_from, valid_until = validity_window(offer)
    if valid_from is not None:
        since = valid_from.astimezone(UTC)
        checks.add(lambda c: c.start >= since)
    if valid_until is not None:
        until = valid_until.astimezone(UTC)
        checks.add(lambda c: c.latest <= until)
    _place_checks(offer, checks)
    _currency_check(offer, checks)
    _time_checks(offer, checks)
    _qualifier_checks(offer, checks)
    if not offer.meta.auto:
        checks.add(_code(offer.id), indexed=False)  # the index: a code was presented
    return CompiledChecks(tuple(checks.every), tuple(checks.residual))
