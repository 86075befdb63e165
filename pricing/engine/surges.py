"""Surge rule matching and stacking.

Static conditions (where, what charger, who, the station's state now) are read once per
session; time conditions (window, validity, holidays) per slice of the session. Rules are
referred to by their position in the operator's rule list so every path orders lines the
same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
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


def time_matches(
    rule: SurgeRule, instant: dt.datetime, local: dt.datetime, holidays: frozenset[dt.date]
) -> bool:
    """Whether `rule` is on at `instant`, whose wall-clock reading is `local`."""
    if rule.valid_from is not None and instant < rule.valid_from:
        return False
    if rule.valid_until is not None and instant >= rule.valid_until:
        return False
    owner = local.date() if rule.window is None else window_owner(rule.window, local)
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
