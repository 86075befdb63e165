"""The week view: a 7 x 24 picture of when each of an operator's surge rules applies.

Server-rendered (pure HTML/CSS): each cell is an hour of the station's local week, full
when the rule covers the whole hour, part when it covers some of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from cpo_portal.models import Operator
from pricing.models import SurgeRule
from pricing.schedule import DAY_NAMES, hour_cover, week_spans, window_text

MIDNIGHT = dt.time(0)
HEAT_LEVELS = 4  # heat-0 .. heat-4 (four or more rules at once)


@dataclass(frozen=True)
class RuleWeek:
    rule: SurgeRule
    when: str
    conditions: list[str]
    scheduled: bool  # takes effect later
    rows: list[tuple[str, list[str]]]  # (day name, 24 css classes)


@dataclass(frozen=True)
class OperatorWeek:
    operator: Operator
    heat: list[tuple[str, list[tuple[str, int]]]]  # (day, 24 (css class, count))
    rules: list[RuleWeek]


def rule_cover(rule: SurgeRule) -> list[list[float]]:
    start = rule.window_start or MIDNIGHT
    end = rule.window_end or MIDNIGHT
    return hour_cover(week_spans(start, end, rule.window_days))


def conditions(rule: SurgeRule) -> list[str]:
    """Everything besides the clock that decides whether the rule applies."""
    out = []
    if rule.holidays_only:
        out.append("on holidays only")
    stations = [s.code for s in rule.stations.all()]
    if stations:
        out.append("stations " + ", ".join(stations))
    if rule.site_kinds:
        out.append("site kinds " + ", ".join(rule.site_kinds))
    if rule.region_codes:
        out.append("regions " + ", ".join(rule.region_codes))
    if rule.min_power_kw is not None:
        out.append(f"chargers of {rule.min_power_kw:g} kW or more")
    if rule.charging_speeds:
        out.append("speeds " + ", ".join(rule.charging_speeds))
    if rule.occupancy_threshold is not None:
        out.append(f"when occupancy is {rule.occupancy_threshold * 100:g}% or more")
    if rule.on_grid_stress:
        out.append("while grid stress is signalled")
    if rule.valid_from or rule.valid_until:
        a = timezone.localtime(rule.valid_from).date() if rule.valid_from else "…"
        b = timezone.localtime(rule.valid_until).date() if rule.valid_until else "…"
        out.append(f"valid {a} to {b}")
    return out


def _cell(fraction: float) -> str:
    return "full" if fraction >= 0.999 else "part" if fraction > 0 else ""


def live_rules(rules: list[SurgeRule], now: dt.datetime) -> list[SurgeRule]:
    return [r for r in rules if not r.paused and (r.valid_until is None or r.valid_until > now)]


def operator_week(operator: Operator, rules: list[SurgeRule]) -> OperatorWeek:
    now = timezone.now()
    counts = [[0] * 24 for _ in range(7)]
    weeks = []
    for rule in live_rules(rules, now):
        cover = rule_cover(rule)
        for day in range(7):
            for hour in range(24):
                counts[day][hour] += cover[day][hour] > 0
        weeks.append(
            RuleWeek(
                rule=rule,
                when=window_text(rule.window_start, rule.window_end, rule.window_days),
                conditions=conditions(rule),
                scheduled=rule.effective_from > now,
                rows=[(DAY_NAMES[d][:3], [_cell(f) for f in cover[d]]) for d in range(7)],
            )
        )
    heat = [
        (DAY_NAMES[d][:3], [(f"heat-{min(c, HEAT_LEVELS)}", c) for c in counts[d]])
        for d in range(7)
    ]
    return OperatorWeek(operator=operator, heat=heat, rules=weeks)
