"""Surge rule matching and stacking.

Static conditions (where, what charger, who, the station's state now) are read once per
session; time conditions (window, validity, holidays) per slice of the session. Rules are
referred to by their position in the operator's rule list so every path orders lines the
same way.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from zoneinfo import ZoneInfo

from pricing.engine.types import Conditions, Customer, Site, SurgeRule
from pricing.engine.windows import split_points, wall, window_owner, window_times


def site_matches(rule: SurgeRule, site: Site) -> bool:
    """Conditions fixed by the charger; the compiled book indexes exactly these."""
    return (
        (not rule.station_codes or site.station_code in rule.station_codes)
        and (not rule.site_kinds or site.site_kind in rule.site_kinds)
        and (not rule.region_codes or site.region_code in rule.region_codes)
        and (rule.min_power_kw is None or site.power_kw >= rule.min_power_kw)
        and (not rule.charging_speeds or site.charging_speed in rule.charging_speeds)
    )


def moment_matches(rule: SurgeRule, customer: Customer, conditions: Conditions) -> bool:
    """Conditions that vary per quote: station load, grid signal, the customer's exemptions."""
    if rule.occupancy_threshold is not None and conditions.occupancy < rule.occupancy_threshold:
        return False
    if rule.on_grid_stress and not conditions.grid_stress:
        return False
    if customer.segment and customer.segment in rule.exempt_segments:
        return False
    return not (customer.tier and customer.tier in rule.exempt_tiers)


def clock_owner(rule: SurgeRule, instant: dt.datetime, local: dt.datetime) -> dt.date | None:
    """The local day whose occurrence of `rule`'s window covers `instant` (wall-clock
    reading `local`) within its validity, or None: every clock condition but holidays."""
    if rule.valid_from is not None and instant < rule.valid_from:
        return None
    if rule.valid_until is not None and instant >= rule.valid_until:
        return None
    return local.date() if rule.window is None else window_owner(rule.window, local)


def time_matches(
    rule: SurgeRule, instant: dt.datetime, local: dt.datetime, holidays: frozenset[dt.date]
) -> bool:
    """Whether `rule` is on at `instant`, whose wall-clock reading is `local`."""
    owner = clock_owner(rule, instant, local)
    if owner is None:
        return False
    return not rule.holidays_only or owner in holidays


def clock_spans(
    rule: SurgeRule,
    zone: ZoneInfo,
    start: dt.datetime,
    end: dt.datetime,
    holidays: frozenset[dt.date],
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The stretches of [start, end) in which the rule's clock conditions (time_matches)
    hold, merged: decided at the instants where its window can switch (split_points)."""
    bounds = [b for b in (rule.valid_from, rule.valid_until) if b is not None]
    points = split_points(zone, start, end, window_times(rule.window), bounds)
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    for a, b in pairwise(points):
        if not time_matches(rule, a, wall(a, zone), holidays):
            continue
        if spans and spans[-1][1] == a:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return spans


@dataclass(frozen=True, slots=True)
class ClockWindows:
    """Where a rule's clock conditions hold from `first` to `last` at one place, worked
    out once and kept: the stretches within its validity and window (clock_owner), each
    with the day that owns it when the rule is for holidays only (whose holidays depend
    on the session). `meets` then answers clock_spans' question for any session inside
    with a search of the stretches, and nothing decided again."""

    first: dt.datetime
    last: dt.datetime
    starts: tuple[dt.datetime, ...]
    ends: tuple[dt.datetime, ...]
    owners: tuple[dt.date | None, ...]  # None: any day (a rule not for holidays only)

    def covers(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.first <= start < end <= self.last

    def meets(self, start: dt.datetime, end: dt.datetime, holidays: frozenset[dt.date]) -> bool:
        """Whether clock_spans(rule, zone, start, end, holidays) holds anything, for a
        session the windows cover()."""
        i = bisect.bisect_right(self.ends, start)  # the first stretch ending after start
        while i < len(self.starts) and self.starts[i] < end:
            owner = self.owners[i]
            if owner is None or owner in holidays:
                return True
            i += 1
        return False


def clock_windows(
    rule: SurgeRule, zone: ZoneInfo, first: dt.datetime, last: dt.datetime
) -> ClockWindows:
    """`rule`'s ClockWindows in `zone` from `first` to `last`: decided at the same instants
    as clock_spans (split_points), by the same rule (clock_owner), so that
    meets(start, end, holidays) == bool(clock_spans(rule, zone, start, end, holidays))."""
    bounds = [b for b in (rule.valid_from, rule.valid_until) if b is not None]
    points = split_points(zone, first, last, window_times(rule.window), bounds)
    starts: list[dt.datetime] = []
    ends: list[dt.datetime] = []
    owners: list[dt.date | None] = []
    for a, b in pairwise(points):
        owner = clock_owner(rule, a, wall(a, zone))
        if owner is None:
            continue
        kept = owner if rule.holidays_only else None
        if ends and ends[-1] == a and owners[-1] == kept:
            ends[-1] = b
        else:
            starts.append(a)
            ends.append(b)
            owners.append(kept)
    return ClockWindows(first, last, tuple(starts), tuple(ends), tuple(owners))


def _stronger(rule: SurgeRule, than: SurgeRule) -> bool:
    return (-rule.priority, rule.code) < (-than.priority, than.code)


def choose(active: Sequence[int], rules: Sequence[SurgeRule]) -> tuple[int, ...]:
    """Every stackable rule, plus the single strongest non-stackable one (highest priority,
    then lowest code), in rule-list order."""
    best: int | None = None
    chosen: list[int] = []
    for index in active:
        rule = rules[index]
        if rule.stackable:
            chosen.append(index)
        elif best is None or _stronger(rule, rules[best]):
            best = index
    if best is not None:
        chosen.append(best)
        chosen.sort()
    return tuple(chosen)
