"""Offers compiled once, when the index is built, for the quote's hot path.

Each offer becomes a short tuple of checks, one small closure per condition the offer
really has (an offer with no windows carries no window check), over values prepared at
build time: validity bounds in UTC, windows as integers, sets, kWh bounds narrowed by the
energy-trade terms. A check reads the quote's QuoteContext, so nothing is converted,
summed or formatted per offer.

The checks only decide the common case. When every check passes, the offer's benefit is
worked out exactly as evaluate() does; when one fails, the offer goes to evaluate_in()
itself, which finds the first reason in its fixed order and words the message, so a
rejection reads exactly as on the reference path. A check must therefore never pass an
offer that evaluate() would reject (tests compare both on random offers and sessions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter

from offers.rules.applicability import in_circle, validity_window
from offers.rules.benefits import limit
from offers.rules.compiled_benefits import compile_worth
from offers.rules.context import QuoteContext
from offers.rules.energy_trade import wheeling_line
from offers.rules.evaluate import evaluate_in
from offers.rules.facts import Limits
from offers.rules.holdout import is_held_out
from offers.rules.outcome import Eligible, Fit, Reason, Rejected
from offers.rules.qualifier import is_anniversary, kwh_bounds
from offers.rules.types import GeoCircle, HolidayRule, Offer
from pricing.engine.compiled import WHOLE_DAY, WITHIN, Window, compile_window
from pricing.engine.money import PAISA, ZERO

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


def _uses_left(limits: Limits) -> bool:
    return not (
        (limits.remaining_uses is not None and limits.remaining_uses <= 0)
        or (limits.remaining_customer_uses is not None and limits.remaining_customer_uses <= 0)
        or (limits.remaining_budget is not None and limits.remaining_budget <= 0)
    )


def _limits(offer_id: str) -> Check:
    def left(c: QuoteContext) -> bool:
        limits = c.facts.limits.get(offer_id)
        return limits is None or _uses_left(limits)

    return left


def _place_checks(offer: Offer) -> list[Check]:
    app, checks = offer.applicability, []
    operator = offer.operator_code
    checks.append(lambda c: not c.operator_code or c.operator_code == operator)
    for allowed, path in (
        (app.station_codes, "site.station_code"),
        (app.charger_codes, "site.charger_code"),
        (app.region_codes, "site.region_code"),
        (app.city_codes, "site.city_code"),
        (app.site_kinds, "site.site_kind"),
    ):
        if allowed:
            checks.append(_member(path, allowed))
    if app.category_codes:
        categories = app.category_codes
        checks.append(lambda c: not categories.isdisjoint(c.site.category_codes))
    if app.circles:
        checks.append(_circles(app.circles))
    return checks


def _currency_check(offer: Offer) -> list[Check]:
    trade = offer.energy_trade
    if trade is None:
        return []
    used = {r.currency for r in trade.time_of_day_rates}
    if trade.wheeling is not None:
        used.add(trade.wheeling.currency)
    if not used:
        return []
    only = next(iter(used)) if len(used) == 1 else None
    return [lambda c: c.currency == only]


def _time_checks(offer: Offer) -> list[Check]:
    app, checks = offer.applicability, []
    if app.windows:
        checks.append(_windows(tuple(compile_window(w) for w in app.windows)))
    if app.holidays is HolidayRule.HOLIDAYS_ONLY:
        checks.append(lambda c: c.holiday)
    elif app.holidays is HolidayRule.EXCEPT_HOLIDAYS:
        checks.append(lambda c: not c.holiday)
    if app.launch_days is not None:
        checks.append(_launch(app.launch_days))
    return checks


def _qualifier_checks(offer: Offer) -> list[Check]:
    q, checks = offer.qualifier, []
    if q.min_session_value is not None:
        checks.append(_at_least("gross", q.min_session_value))
    low, high = kwh_bounds(offer)
    if low is not None:
        checks.append(_at_least("kwh", low))
    if high is not None:
        top = high
        checks.append(lambda c: c.kwh <= top)
    if q.segments:
        checks.append(_member("customer.segment", q.segments))
    if q.tiers:
        checks.append(_member("customer.tier", q.tiers))
    if q.members_only:
        checks.append(lambda c: c.customer.member)
    if q.first_session_only:
        checks.append(lambda c: c.customer.first_session)
    if q.referred_only:
        checks.append(lambda c: c.customer.referred)
    if q.anniversary_days is not None:
        checks.append(_anniversary(q.anniversary_days))
    return checks


def compile_checks(offer: Offer) -> tuple[Check, ...]:
    """Every condition evaluate() applies before the benefit, for a quote (not a
    settlement: codes and limits are checked)."""
    checks: list[Check] = []
    valid_from, valid_until = validity_window(offer)
    if valid_from is not None:
        since = valid_from.astimezone(UTC)
        checks.append(lambda c: c.start >= since)
    if valid_until is not None:
        until = valid_until.astimezone(UTC)
        checks.append(lambda c: c.latest <= until)
    checks += _place_checks(offer)
    checks += _currency_check(offer)
    checks += _time_checks(offer)
    checks += _qualifier_checks(offer)
    if not offer.meta.auto:
        checks.append(_code(offer.id))
    checks.append(_limits(offer.id))
    return tuple(checks)


class CompiledOffer:
    """An offer ready for quoting: evaluate(ctx) == evaluate_in(offer, ctx.view, ctx.facts)."""

    __slots__ = ("_cap", "_checks", "_holdout", "_id", "_wheeling", "_worth", "offer")

    def __init__(self, offer: Offer) -> None:
        self.offer = offer
        self._id = offer.id
        self._checks = compile_checks(offer)
        self._worth = compile_worth(offer.benefit)
        self._cap = offer.max_discount
        holdout = offer.holdout
        self._holdout = holdout if holdout is not None and holdout.share > 0 else None
        line = wheeling_line(offer)
        self._wheeling = ZERO if line is None else line.amount

    def evaluate(self, ctx: QuoteContext) -> Eligible | Rejected:
        outcome = self.assess(ctx)
        return outcome.eligible() if isinstance(outcome, Fit) else outcome

    def assess(self, ctx: QuoteContext) -> Fit | Rejected:
        """evaluate(), with an eligible offer as a Fit (select_fits reads those)."""
        for check in self._checks:
            if not check(ctx):
                outcome = evaluate_in(self.offer, ctx.view, ctx.facts)
                return outcome.fit() if isinstance(outcome, Eligible) else outcome
        offer, offer_id, facts = self.offer, self._id, ctx.facts
        worth, base, kwh_drawn = self._worth(ctx)
        cap = self._cap
        if cap is not None and cap < worth:  # min(worth, cap), as limit() does
            worth = cap
        limits = facts.limits.get(offer_id) if facts.limits else None
        if limits is not None and limits.remaining_budget is not None:
            amount = limit(offer, worth, limits, ctx.currency)  # budget: cut or refuse
            if isinstance(amount, tuple):
                return Rejected(offer_id, *amount)
        else:
            amount = worth.quantize(PAISA, ROUND_HALF_UP)  # money(), as limit() does
        if amount <= ZERO:
            return Rejected(offer_id, Reason.NO_BENEFIT, f"Offer {offer_id} saves nothing here")
        presented = facts.codes.get(offer_id) if facts.codes else None
        code = presented.code if presented is not None and presented.matched else ""
        wheeling = self._wheeling
        fit = Fit(offer, amount, base, code, wheeling, kwh_drawn, amount - wheeling)
        if self._holdout is not None and is_held_out(self._holdout, ctx.customer.key, offer_id):
            return Rejected(
                offer_id,
                Reason.HELD_OUT,
                f"Offer {offer_id} is withheld from this customer (holdout group)",
                would_be=fit.eligible(),
            )
        return fit
