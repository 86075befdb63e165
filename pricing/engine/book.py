"""A per-operator price book compiled once and reused for every quote.

The one pricing path (stage one, `price`; stage two is `finalize`): rules are pre-filtered
per charger through a bitmask index and memoised, window edges are precomputed as sorted
microsecond offsets, and on days without a DST change the session's split points come
from one bisect instead of zone conversions.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from pricing.engine.bands import DEFAULT_BAND, band_times
from pricing.engine.compiled import (
    NOT_ACTIVE,
    TODAY,
    YESTERDAY,
    CompiledRule,
    MomentIndex,
    SiteIndex,
    compile_rule,
    compile_window,
    owner,
)
from pricing.engine.lines import LineTexts, priced_lines
from pricing.engine.quantity import Quantity, micros, resolve_quantity
from pricing.engine.segments import POSITION, SliceKey
from pricing.engine.surges import choose
from pricing.engine.types import (
    Conditions,
    PricedSession,
    Segment,
    SessionRequest,
    Site,
    SurgeRule,
    Tariff,
)
from pricing.engine.well_formed import BASE_CODE, check_rules, check_tariff
from pricing.engine.windows import (
    ONE_DAY,
    UTC,
    day_span,
    instants_at,
    offset_changes,
    time_us,
    window_times,
)

_MEMO_LIMIT = 10_000
_US = dt.timedelta(microseconds=1)
_NONE = Decimal(0)


@dataclass(frozen=True, slots=True)
class _Edges:
    """Where prices can change: wall-clock edges (as sorted µs offsets with midnight, and as
    times for days with a DST change) and absolute instants (validity bounds)."""

    offsets: tuple[int, ...]
    times: tuple[dt.time, ...]
    instants: tuple[dt.datetime, ...]
    deltas: tuple[dt.timedelta, ...]  # the offsets as timedeltas

    @classmethod
    def of(cls, times: set[dt.time], instants: set[dt.datetime]) -> _Edges:
        times = times | {dt.time(0)}
        offsets = tuple(sorted({time_us(t) for t in times}))
        return cls(
            offsets=offsets,
            times=tuple(times),
            instants=tuple(sorted(i.astimezone(UTC) for i in instants)),
            deltas=tuple(edge * _US for edge in offsets),
        )

    def cut(self, zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
        """Like windows.split_points: start, end and every edge between, sorted."""
        points = [start, end]
        day, last = start.astimezone(zone).date(), end.astimezone(zone).date()  # wall dates
        shifting = False
        while day <= last:
            day_start, _next, offset = day_span(zone, day)
            if offset is not None:  # a steady day: edges are plain offsets from its start
                lo = bisect_right(self.offsets, micros(start - day_start))
                hi = bisect_left(self.offsets, micros(end - day_start))
                points.extend([day_start + edge for edge in self.deltas[lo:hi]])
            else:
                shifting = True
                for t in self.times:
                    hits = instants_at(zone, dt.datetime.combine(day, t))
                    points.extend(u for u in hits if start < u < end)
            day += ONE_DAY
        if shifting:
            points.extend(offset_changes(zone, start, end))
        points.extend(i for i in self.instants if start < i < end)
        points.sort()  # then equal instants dropped, the first of each kept (as a set does)
        distinct = [points[0]]
        for point in points:
            if point != distinct[-1]:
                distinct.append(point)
        return distinct

    def slices(self, zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[_Slice]:
        """cut()'s points but the end, each with its wall-clock reading. On steady days
        (no DST change) with no validity bound inside, from the bisects alone: an edge's
        wall time is its offset from the day's start."""
        instants = self.instants
        if not instants or bisect_right(instants, start) >= bisect_left(instants, end):
            day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
            offsets, out = self.offsets, list[_Slice]()
            while day <= last:
                day_start, _next, offset = day_span(zone, day)
                if offset is None:
                    break
                weekday, base = day.weekday(), micros(day_start - start)  # base <= 0
                if not out:
                    out.append((0, day, weekday, -base))
                lo = bisect_right(offsets, -base)
                hi = bisect_left(offsets, micros(end - day_start))
                out.extend([(base + edge, day, weekday, edge) for edge in offsets[lo:hi]])
                day += ONE_DAY
            else:
                return out
        out = []
        for instant in self.cut(zone, start, end)[:-1]:
            local = instant.astimezone(zone)
            tus = ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000
            out.append(
                (micros(instant - start), local.date(), local.weekday(), tus + local.microsecond)
            )
        return out


# A slice's start: microseconds from the session's start, and its local date, weekday and
# wall time (microseconds since midnight)
_Slice = tuple[int, dt.date, int, int]

# What the wall clock alone decides for a slice: its band, the rules whose window is open
# (with whose day owns the occurrence), and the surges chosen if no rule among them also
# depends on the instant (validity) or the date (holidays), else None.
_Slot = tuple[int, tuple[tuple[CompiledRule, int], ...], tuple[int, ...] | None]


@dataclass(frozen=True, slots=True)
class _SitePlan:
    rules: tuple[CompiledRule, ...]  # rules the charger can see, in rule-list order
    edges: _Edges  # of the bands and those rules
    varying: int  # bits of those whose conditions change per quote
    # bits of the varying rules that hold -> the rules in play, in rule-list order
    in_play: dict[int, tuple[CompiledRule, ...]] = field(default_factory=dict)
    # (bits of the varying rules in play, weekday, edge interval) -> _Slot. Every window edge of
    # these rules and bands is one of edges.offsets, so all wall times between two
    # neighbouring offsets open and close the same windows: the interval stands for the
    # time of day.
    slots: dict[tuple[int, int, int], _Slot] = field(default_factory=dict)


class PriceBook:
    __slots__ = (
        "_band_edges",
        "_band_rates",
        "_band_times",
        "_bands",
        "_codes",
        "_index",
        "_moments",
        "_plans",
        "_position",
        "_rules",
        "_texts",
        "surges",
        "tariff",
    )

    def __init__(self, tariff: Tariff, surges: Sequence[SurgeRule]) -> None:
        check_tariff(tariff)
        check_rules(surges)
        self.tariff = tariff
        self.surges = tuple(surges)
        self._rules = tuple(compile_rule(i, rule) for i, rule in enumerate(self.surges))
        self._bands = tuple(compile_window(band.window) for band in tariff.bands)
        self._index = SiteIndex(self.surges)
        self._moments = MomentIndex(self.surges)
        self._position = {rule.code: i for i, rule in enumerate(self.surges)}
        self._plans: dict[tuple[object, ...], _SitePlan] = {}
        self._band_times = band_times(tariff)
        self._band_edges = _Edges.of(set(self._band_times), set())
        self._texts = LineTexts(tariff, self.surges)
        # (code, rate) by band index; the default band (-1) last
        self._band_rates = (
            *((band.code, band.rate_per_kwh) for band in tariff.bands),
            (BASE_CODE, tariff.energy_rate_per_kwh),
        )
        self._codes: dict[tuple[int, ...], tuple[str, ...]] = {}  # applied rules -> codes

    def _plan(self, site: Site) -> _SitePlan:
        key = (
            site.station_code,
            site.site_kind,
            site.region_code,
            site.charging_speed,
            site.power_kw,
        )
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) >= _MEMO_LIMIT:
                self._plans.clear()
            rules = tuple(self._rules[i] for i in self._index.candidates(site))
            times = set(self._band_times)
            times.update(t for cr in rules for t in window_times(cr.rule.window))
            bounds = {b for cr in rules for b in (cr.valid_from, cr.valid_until) if b is not None}
            varying = sum(cr.bit for cr in rules if cr.varies)
            plan = _SitePlan(rules, _Edges.of(times, bounds), varying)
            self._plans[key] = plan
        return plan

    def _slot(self, rules: Sequence[CompiledRule], tus: int, weekday: int) -> _Slot:
        band = DEFAULT_BAND
        for i, window in enumerate(self._bands):
            if owner(window, tus, weekday) != NOT_ACTIVE:
                band = i
                break
        on = []
        for cr in rules:
            whose = TODAY if cr.window is None else owner(cr.window, tus, weekday)
            if whose != NOT_ACTIVE:
                on.append((cr, whose))
        timeless = not any(cr.timed for cr, _ in on)
        chosen = choose([cr.index for cr, _ in on], self.surges) if timeless else None
        return band, tuple(on), chosen

    def _runs(
        self,
        plan: _SitePlan,
        rules: Sequence[CompiledRule],
        in_play: int,
        slices: Sequence[_Slice],
        start: dt.datetime,
        holidays: frozenset[dt.date],
    ) -> tuple[list[int], list[SliceKey]]:
        """The slices' keys, neighbours with the same key merged: (run starts, keys).
        `in_play` has the bits of the varying rules among `rules`."""
        offsets: list[int] = []
        keys: list[SliceKey] = []
        edges, memo = plan.edges.offsets, plan.slots
        last = None
        for us, day, weekday, tus in slices:
            memo_key = (in_play, weekday, bisect_right(edges, tus))
            slot = memo.get(memo_key)
            if slot is None:
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                slot = memo[memo_key] = self._slot(rules, tus, weekday)
            band, on, chosen = slot
            if chosen is None:
                instant = start + us * _US
                active = []
                for cr, whose in on:
                    if cr.valid_from is not None and instant < cr.valid_from:
                        continue
                    if cr.valid_until is not None and instant >= cr.valid_until:
                        continue
                    if cr.holidays_only:
                        owning_day = day - ONE_DAY if whose == YESTERDAY else day
                        if owning_day not in holidays:
                            continue
                    active.append(cr.index)
                chosen = choose(active, self.surges)
            key = (day, band, chosen)
            if key != last:
                offsets.append(us)
                keys.append(key)
                last = key
        return offsets, keys

    def _segments(
        self, quantity: Quantity, offsets: Sequence[int], keys: Sequence[SliceKey]
    ) -> tuple[tuple[Segment, ...], dict[int, list[Segment]]]:
        """segments_of_runs() of the runs (run starts as µs from the session's start), and
        the segments under each applied rule (by rule index, in session order)."""
        start, end, kwh = quantity.start, quantity.end, quantity.kwh
        total_us = micros(end - start)
        bands, codes, rules = self._band_rates, self._codes, self.surges
        segments: list[Segment] = []
        inside: dict[int, list[Segment]] = {}
        low, since, last = _NONE, start, len(offsets) - 1
        for i, (_day, band, applied) in enumerate(keys):
            if i < last:
                us = offsets[i + 1]
                until, high = start + us * _US, (kwh * us / total_us).quantize(POSITION)
            else:
                until, high = end, kwh
            surge_codes = codes.get(applied)
            if surge_codes is None:
                if len(codes) >= _MEMO_LIMIT:
                    codes.clear()
                surge_codes = codes[applied] = tuple([rules[r].code for r in applied])
            code, rate = bands[band]
            segment = Segment(since, until, high - low, code, rate, surge_codes)
            segments.append(segment)
            for r in applied:
                under = inside.get(r)
                if under is None:
                    inside[r] = [segment]
                else:
                    under.append(segment)
            since, low = until, high
        return tuple(segments), inside

    def price(self, request: SessionRequest, conditions: Conditions) -> PricedSession:
        """Stage one of a quote: energy, fees and surges, before offers and tax. Raises
        QuoteInputError for a request that cannot be priced."""
        quantity = resolve_quantity(request, self.tariff, self._band_edges.cut)
        plan = self._plan(request.site)
        in_play = plan.varying & ~self._moments.off(request.customer, conditions)
        rules = plan.in_play.get(in_play)
        if rules is None:
            if len(plan.in_play) >= _MEMO_LIMIT:
                plan.in_play.clear()
            rules = plan.in_play[in_play] = tuple(
                cr for cr in plan.rules if not cr.varies or in_play & cr.bit
            )
        start = quantity.start
        slices = plan.edges.slices(quantity.zone, start, quantity.end)
        offsets, keys = self._runs(plan, rules, in_play, slices, start, conditions.holidays)
        segments, inside = self._segments(quantity, offsets, keys)
        lines = priced_lines(
            self.tariff, request, segments, self.surges, self._position, self._texts, inside
        )
        # request, tariff, start, end, kWh, segments, lines
        return PricedSession(
            request, self.tariff, start, quantity.end, quantity.kwh, segments, lines
        )


def compile_book(tariff: Tariff, surges: Sequence[SurgeRule]) -> PriceBook:
    """Validate and precompile an operator's tariff and surge rules; reuse for many quotes."""
    return PriceBook(tariff, surges)
