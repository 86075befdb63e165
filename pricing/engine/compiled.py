"""Surge rules and rate bands compiled to integers for the PriceBook's hot loop.

Windows become (start µs, end µs, weekday bitmask, shape); the site index keeps one
bitmask of rule positions per station / site kind / region / charging speed, so a site's
candidate rules are a few integer ANDs instead of a scan of every rule.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pricing.engine.types import Conditions, Customer, Site, SurgeRule, TimeWindow
from pricing.engine.windows import time_us

WITHIN, WHOLE_DAY, WRAPS = 0, 1, 2
NOT_ACTIVE, TODAY, YESTERDAY = -1, 0, 1

# (start µs, end µs, weekday bitmask, shape)
Window = tuple[int, int, int, int]


def compile_window(window: TimeWindow) -> Window:
    start, end = time_us(window.start), time_us(window.end)
    shape = WITHIN if start < end else WHOLE_DAY if start == end else WRAPS
    return start, end, sum(1 << day for day in window.days), shape


def owner(window: Window, tus: int, weekday: int) -> int:
    """Which day's occurrence covers wall time `tus` on `weekday`: TODAY, YESTERDAY or none.

    Mirrors windows.window_owner on integers.
    """
    start, end, days, shape = window
    if shape == WITHIN:
        return TODAY if start <= tus < end and days >> weekday & 1 else NOT_ACTIVE
    if shape == WHOLE_DAY or tus >= start:
        return TODAY if days >> weekday & 1 else NOT_ACTIVE
    if tus < end:
        return YESTERDAY if days >> (weekday + 6) % 7 & 1 else NOT_ACTIVE
    return NOT_ACTIVE


@dataclass(frozen=True, slots=True)
class CompiledRule:
    index: int
    bit: int  # 1 << index
    rule: SurgeRule
    window: Window | None
    valid_from: dt.datetime | None  # in UTC, as the instants compared with it
    valid_until: dt.datetime | None
    holidays_only: bool
    varies: bool  # has conditions that change per quote (load, grid, exemptions)
    timed: bool  # also depends on the instant (validity) or the date (holidays)


def compile_rule(index: int, rule: SurgeRule) -> CompiledRule:
    return CompiledRule(
        index=index,
        bit=1 << index,
        rule=rule,
        window=None if rule.window is None else compile_window(rule.window),
        valid_from=None if rule.valid_from is None else rule.valid_from.astimezone(dt.UTC),
        valid_until=None if rule.valid_until is None else rule.valid_until.astimezone(dt.UTC),
        holidays_only=rule.holidays_only,
        timed=(rule.valid_from is not None or rule.valid_until is not None or rule.holidays_only),
        varies=bool(
            rule.occupancy_threshold is not None
            or rule.on_grid_stress
            or rule.exempt_segments
            or rule.exempt_tiers
        ),
    )


class ValueMask:
    """Bitmask index of one set-valued condition of rules (surge rules, offers): bit i is
    set for the value when the i-th rule names it or leaves the condition open (empty set)."""

    __slots__ = ("any", "by_value")

    def __init__(self, values: Iterable[Iterable[str]]) -> None:
        self.any = 0
        self.by_value: dict[str, int] = {}
        for i, rule_values in enumerate(values):
            named = set(rule_values)
            if not named:
                self.any |= 1 << i
            for value in named:
                self.by_value[value] = self.by_value.get(value, 0) | 1 << i

    def mask(self, value: str) -> int:
        return self.any | self.by_value.get(value, 0)

    def mask_any_of(self, values: Iterable[str]) -> int:
        out = self.any
        for value in values:
            out |= self.by_value.get(value, 0)
        return out


class SiteIndex:
    """Which rules a charger can ever see, whatever the time or customer."""

    __slots__ = ("_kinds", "_power", "_regions", "_speeds", "_stations")

    def __init__(self, rules: Sequence[SurgeRule]) -> None:
        self._stations = ValueMask(rule.station_codes for rule in rules)
        self._kinds = ValueMask(rule.site_kinds for rule in rules)
        self._regions = ValueMask(rule.region_codes for rule in rules)
        self._speeds = ValueMask(rule.charging_speeds for rule in rules)
        self._power = [(rule.min_power_kw, 1 << i) for i, rule in enumerate(rules)]

    def candidates(self, site: Site) -> list[int]:
        mask = (
            self._stations.mask(site.station_code)
            & self._kinds.mask(site.site_kind)
            & self._regions.mask(site.region_code)
            & self._speeds.mask(site.charging_speed)
        )
        for minimum, bit in self._power:
            if minimum is not None and site.power_kw < minimum:
                mask &= ~bit
        return [i for i in range(mask.bit_length()) if mask >> i & 1]


class MomentIndex:
    """Which rules the conditions of one quote switch off (surges.moment_matches as bit
    masks): an occupancy below the rule's threshold, no grid stress for a grid-stress
    rule, a customer segment or tier the rule exempts."""

    __slots__ = ("_grid", "_segments", "_thresholds", "_tiers", "_too_busy")

    def __init__(self, rules: Sequence[SurgeRule]) -> None:
        by_threshold = sorted(
            (rule.occupancy_threshold, 1 << i)
            for i, rule in enumerate(rules)
            if rule.occupancy_threshold is not None
        )
        self._thresholds = [threshold for threshold, _ in by_threshold]
        # _too_busy[k]: the rules whose threshold is above the k lowest thresholds
        self._too_busy = [0] * (len(by_threshold) + 1)
        for k in reversed(range(len(by_threshold))):
            self._too_busy[k] = self._too_busy[k + 1] | by_threshold[k][1]
        self._grid = 0
        self._segments: dict[str, int] = {}
        self._tiers: dict[str, int] = {}
        for i, rule in enumerate(rules):
            if rule.on_grid_stress:
                self._grid |= 1 << i
            for segment in rule.exempt_segments:
                self._segments[segment] = self._segments.get(segment, 0) | 1 << i
            for tier in rule.exempt_tiers:
                self._tiers[tier] = self._tiers.get(tier, 0) | 1 << i

    def off(self, customer: Customer, conditions: Conditions) -> int:
        """The rules whose moment conditions fail for this customer and these conditions."""
        off = self._too_busy[bisect_right(self._thresholds, conditions.occupancy)]
        if not conditions.grid_stress:
            off |= self._grid
        if customer.segment:
            off |= self._segments.get(customer.segment, 0)
        if customer.tier:
            off |= self._tiers.get(customer.tier, 0)
        return off
