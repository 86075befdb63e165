"""Candidate offers for a session without scanning them all.

Every condition an offer can fail before its benefit is worked out has a bitmask here
(bit i is offer i): place (operator, station, charger, region, city, site kind,
category: each value maps to the offers naming it, plus the offers leaving it open; geo
circles through a coarse grid of cells), validity (bounds sorted once: a bisect and a
prefix or suffix mask), the local weekday and hour (168 masks), holidays and launch days,
the minimum session value and kWh bounds, the currency, the customer (segment, tier,
member, first session, referral, anniversary) and, for opt-in offers, the codes the buyer
presented (by offer id). A candidate is an offer in every mask.

The index may return offers that evaluation later rejects (a window that opens at 14:30
is a candidate all of 14:00-15:00), never the reverse: it only drops offers that cannot
apply. The place part of the mask is remembered per charger.

The index keeps its offers prepared for the evaluator (evaluate.PreparedOffer). Its
queries: candidates_for() (and for_quote()) apply every mask: what a quote evaluates;
to_evaluate(explain=True) applies place, validity and weekday only, and
out_of_time() gives the offers of the place that only their dates may keep from
the session: what a quote evaluates when it tells the buyer why the offers nearby did
not apply to them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import TypeVar

from offers.rules.conditions import kwh_bounds, only_currency, validity_window
from offers.rules.construct import HolidayRule, OfferRule
from offers.rules.evaluate import RESIDUAL, PreparedOffer
from offers.rules.facts import CustomerFacts, OfferFacts, PresentedCode
from offers.rules.geo import GeoGrid
from offers.rules.masks import BoundMask, bits, week_hour_masks
from offers.rules.session_view import QuoteContext
from pricing.engine import PricedSession, ValueMask

__all__ = ["OfferIndex"]

_MEMO_LIMIT = 10_000
T = TypeVar("T")
UTC = dt.UTC


def _utc(at: dt.datetime | None) -> dt.datetime | None:
    return None if at is None else at.astimezone(UTC)


class OfferIndex:
    def __init__(self, offers: Iterable[OfferRule]) -> None:
        self.offers = offers = tuple(offers)
        self.prepared = tuple(PreparedOffer(o) for o in offers)
        apps = [o.applicability for o in offers]
        quals = [o.qualifier for o in offers]
        self._operator = ValueMask([{o.operator_code} for o in offers])
        self._currency = _by_key(map(only_currency, offers))  # mixed currencies: in none
        self._station = ValueMask([a.station_codes for a in apps])
        self._charger = ValueMask([a.charger_codes for a in apps])
        self._region = ValueMask([a.region_codes for a in apps])
        self._city = ValueMask([a.city_codes for a in apps])
        self._kind = ValueMask([a.site_kinds for a in apps])
        self._category = ValueMask([a.category_codes for a in apps])
        self._geo = GeoGrid([(1 << i, a.circles) for i, a in enumerate(apps) if a.circles])
        self._no_geo = bits(i for i, a in enumerate(apps) if not a.circles)
        validity = [validity_window(o) for o in offers]
        self._started = BoundMask([_utc(w[0]) for w in validity], lower=True)
        self._not_ended = BoundMask([_utc(w[1]) for w in validity], lower=False)
        self._week_hours = week_hour_masks([a.windows for a in apps])
        self._week_days = [  # per local weekday: offers with a window open some hour of it
            reduce(or_, self._week_hours[day * 24 : day * 24 + 24]) for day in range(7)
        ]
        self._launch = BoundMask([a.launch_days for a in apps], lower=False)
        self._min_value = BoundMask([q.min_session_value for q in quals], lower=True)
        kwh = [kwh_bounds(o) for o in offers]
        self._min_kwh = BoundMask([low for low, _ in kwh], lower=True)
        self._max_kwh = BoundMask([high for _, high in kwh], lower=False)
        self._segment = ValueMask([q.segments for q in quals])
        self._tier = ValueMask([q.tiers for q in quals])
        self._auto = bits(i for i, o in enumerate(offers) if o.meta.auto)
        self._opt_in = _by_key(None if o.meta.auto else o.id for o in offers)
        self._places: dict[tuple[object, ...], int] = {}
        # the offers a quote's occasion or customer does not rule out, each mask kept
        # positive (cheaper to AND than the negative integers ~ gives)
        holidays = [a.holidays for a in apps]
        self._not_holidays_only = bits(
            i for i, h in enumerate(holidays) if h is not HolidayRule.HOLIDAYS_ONLY
        )
        self._not_except_holidays = bits(
            i for i, h in enumerate(holidays) if h is not HolidayRule.EXCEPT_HOLIDAYS
        )
        self._not_members_only = bits(i for i, q in enumerate(quals) if not q.members_only)
        self._not_first_only = bits(i for i, q in enumerate(quals) if not q.first_session_only)
        self._not_referred_only = bits(i for i, q in enumerate(quals) if not q.referred_only)
        self._not_anniversary = bits(i for i, q in enumerate(quals) if q.anniversary_days is None)

    def __len__(self) -> int:
        return len(self.offers)

    # -- the masks, one per group of conditions

    def _place_of(self, ctx: QuoteContext) -> int:
        site = ctx.site
        key = (site, ctx.operator_code, ctx.lat, ctx.lon)
        mask = self._places.get(key)
        if mask is None:
            mask = self._station.mask(site.station_code) & self._charger.mask(site.charger_code)
            mask &= self._region.mask(site.region_code) & self._city.mask(site.city_code)
            mask &= self._kind.mask(site.site_kind)
            mask &= self._category.mask_any_of(site.category_codes)
            if ctx.operator_code:
                mask &= self._operator.mask(ctx.operator_code)
            if mask & ~self._no_geo:
                mask &= self._no_geo | self._geo.mask(ctx.lat, ctx.lon)
            if len(self._places) >= _MEMO_LIMIT:
                self._places.clear()
            self._places[key] = mask
        return mask

    def _valid(self, ctx: QuoteContext) -> int:
        """Started by the start, not ended by the later of the start and the quote time."""
        return self._started.mask(ctx.start) & self._not_ended.mask(ctx.latest)

    def _groups(self, ctx: QuoteContext, place: int) -> tuple[int, ...]:
        """A mask per group of conditions, in the evaluator's order (conditions.GROUPS)."""
        return (
            self._valid(ctx),
            place,
            self._currency.get(ctx.currency, 0),
            self._week_hours[ctx.weekday * 24 + ctx.hour]
            & self._occasion(ctx.holiday, ctx.days_open),
            self._amounts(ctx.gross, ctx.kwh),
            self._who(ctx.customer),
        )

    def _occasion(self, holiday: bool, days_open: int | None) -> int:
        mask = self._not_except_holidays if holiday else self._not_holidays_only
        if days_open is None or days_open < 0:
            return mask & self._launch.free
        return mask & self._launch.mask(days_open + 1)  # launch_days > days_open

    def _amounts(self, gross: Decimal, kwh: Decimal) -> int:
        mask = self._min_value.mask(gross) & self._min_kwh.mask(kwh)
        return mask & self._max_kwh.mask(kwh)

    def _who(self, customer: CustomerFacts) -> int:
        mask = self._segment.mask(customer.segment) & self._tier.mask(customer.tier)
        if not customer.member:
            mask &= self._not_members_only
        if not customer.first_session:
            mask &= self._not_first_only
        if not customer.referred:
            mask &= self._not_referred_only
        if customer.joined_on is None:
            mask &= self._not_anniversary
        return mask

    def _codes(self, codes: Mapping[str, PresentedCode]) -> int:
        """Auto offers, and the opt-in offers the buyer presented a code for (matched or
        not: an unmatched code is reported by evaluation)."""
        mask = self._auto
        for offer_id in codes:
            mask |= self._opt_in.get(offer_id, 0)
        return mask

    def _mask(self, ctx: QuoteContext) -> int:
        mask = self._codes(ctx.facts.codes)
        for group in self._groups(ctx, self._place_of(ctx)):
            mask &= group
        return mask

    def _day(self, ctx: QuoteContext, place: int) -> int:
        """Place and validity at the start, the local weekday, launch offers only where
        the station's opening date is known."""
        mask = place & self._started.mask(ctx.start) & self._not_ended.mask(ctx.start)
        if ctx.facts.station.opened_on is None:
            mask &= self._launch.free
        return mask & self._week_days[ctx.weekday]

    # -- queries

    def candidates_for(self, ctx: QuoteContext) -> list[PreparedOffer]:
        """The offers that may apply to this quote: its place, time, amounts, customer and
        codes, in the order the offers were given."""
        return [self.prepared[i] for i in _positions(self._mask(ctx))]

    def out_of_time(self, ctx: QuoteContext) -> list[PreparedOffer]:
        """The offers of this place, not of its day, that are not valid at the session's
        start or its quote time, and that pass every other condition the index decides:
        those of them only their dates keep from the session are told so
        (choose.out_of_time)."""
        place = self._place_of(ctx)
        valid, *others = self._groups(ctx, place)
        mask = place & ~valid & ~self._day(ctx, place)
        for group in others:
            mask &= group
        return [self.prepared[i] for i in _positions(mask & self._codes(ctx.facts.codes))]

    def to_evaluate(
        self, ctx: QuoteContext, *, explain: bool = False
    ) -> tuple[list[PreparedOffer], int | list[int]]:
        """What a quote evaluates, with the scope of each (evaluate.assess): the candidates,
        on what the index left open; or, to `explain` the offers not applied, the offers
        of the place and day, each on the first group of conditions the index says it
        fails (and those the index left open before it), which the evaluator words."""
        if not explain:
            return self.candidates_for(ctx), RESIDUAL
        place = self._place_of(ctx)
        left = self._day(ctx, place)
        scoped = []
        for scope, group in enumerate(self._groups(ctx, place)):
            scoped += [(i, scope) for i in _positions(left & ~group)]
            left &= group
        scoped += [(i, RESIDUAL) for i in _positions(left)]
        scoped.sort()  # in the order the offers were given
        return [self.prepared[i] for i, _ in scoped], [scope for _, scope in scoped]

    def for_quote(
        self, priced: PricedSession, facts: OfferFacts, *, explain: bool = False
    ) -> tuple[OfferRule, ...]:
        """The offers to_evaluate() gives."""
        ctx = QuoteContext.of(priced, facts)
        return tuple(p.offer for p in self.to_evaluate(ctx, explain=explain)[0])


def _by_key(keys: Iterable[str | None]) -> dict[str, int]:
    """The bits of the offers under each key (offer i under keys[i]; None: under none)."""
    out: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key is not None:
            out[key] = out.get(key, 0) | 1 << i
    return out


def _positions(mask: int) -> list[int]:
    """The mask's bits, lowest first. Taken from the top bit down: each step shortens the
    integer, cheaper than isolating the lowest bit of the whole mask."""
    found = []
    while mask:
        top = mask.bit_length() - 1
        found.append(top)
        mask ^= 1 << top
    found.reverse()
    return found
