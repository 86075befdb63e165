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
from decimal import Decimal
from operator import attrgetter

from offers.rules.applicability import in_circle, validity_window
from offers.rules.benefits import grant, limit
from offers.rules.context import QuoteContext
from offers.rules.energy_trade import wheeling_line
from offers.rules.evaluate import evaluate_in
from offers.rules.facts import Limits
from offers.rules.holdout import is_held_out
from offers.rules.outcome import Eligible, Reason, Rejected
from offers.rules.qualifier import is_anniversary, kwh_bounds
from offers.rules.types import GeoCircle, HolidayRule, Offer
from pricing.engine.compiled import NOT_ACTIVE, Window, compile_window, owner
from pricing.engine.money import ZERO

Check = Callable[[QuoteContext], bool]
UTC = dt.UTC


def _member(path: str, allowed: frozenset[str]) -> Check:
    field = attrgetter(path)
    return lambda c: field(c) in allowed


def _at_least(path: str, low: Decimal) -> Check:
    field = attrgetter(path)
    return lambda c: field(c) >= low


def _windows(windows: tuple[Window, ...]) -> Check:
    return lambda c: any(owner(w, c.tus, c.weekday) != NOT_ACTIVE for w in windows)


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

    __slots__ = ("_checks", "_wheeling", "offer")

    def __init__(self, offer: Offer) -> None:
        self.offer = offer
        self._checks = compile_checks(offer)
        line = wheeling_line(offer)
        self._wheeling = ZERO if line is None else line.amount

    def evaluate(self, ctx: QuoteContext) -> Eligible | Rejected:
        for check in self._checks:
            if not check(ctx):
                return evaluate_in(self.offer, ctx.view, ctx.facts)
        offer, facts = self.offer, ctx.facts
        worth = grant(offer.benefit, ctx.view.priced, ctx.view.bases, ctx.customer)
        amount = limit(offer, worth.amount, facts.limits_for(offer.id), ctx.currency)
        if isinstance(amount, tuple):
            return Rejected(offer.id, *amount)
        if amount <= 0:
            return Rejected(offer.id, Reason.NO_BENEFIT, f"Offer {offer.id} saves nothing here")
        presented = facts.codes.get(offer.id)
        eligible = Eligible(
            offer=offer,
            discount=amount,
            base=worth.base,
            code=presented.code if presented is not None and presented.matched else "",
            wheeling=self._wheeling,
            kwh_drawn=worth.kwh_drawn,
        )
        if offer.holdout is not None and is_held_out(offer.holdout, ctx.customer.key, offer.id):
            return Rejected(
                offer.id,
                Reason.HELD_OUT,
                f"Offer {offer.id} is withheld from this customer (holdout group)",
                would_be=eligible,
            )
        return eligible
