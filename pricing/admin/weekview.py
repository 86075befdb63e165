"""The week view: a 7 x 24 picture of when each of an operator's surge rules applies, at
the stations chosen (one station, a region, or all of them).

Server-rendered (pure HTML/CSS): each cell is an hour of the station's local week, full
when the rule covers the whole hour, part when it covers some of it. Rules that apply only
on holidays, at high occupancy or under grid stress are drawn as conditional (their own
style), never as always on. The heat map counts, hour by hour, the most surges any one of
the chosen stations is certain to have, and how many more its conditional rules can add.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from cpo_portal import formatting
from cpo_portal.models import Operator, Station
from pricing.engine import types as e
from pricing.engine.schedule import DAY_NAMES, hour_cover, week_spans, window_text
from pricing.engine.surges import site_matches
from pricing.models import SurgeRule
from pricing.models.surge_text import places_of, surge_text, trigger_text
from pricing.services.convert import engine_surge
from pricing.services.notices import station_sites

MIDNIGHT = dt.time(0)
HEAT_LEVELS = 4  # heat-0 .. heat-4 (four or more rules at once)

Grid = list[list[float]]


@dataclass(frozen=True)
class RuleWeek:
    rule: SurgeRule
    text: str  # what customers read (pricing.models.surge_text)
    when: str
    conditions: list[str]
    conditional: list[str]  # holiday / occupancy / grid-stress triggers; empty: always on
    stations: str  # "all 12 stations", "3 of 12 stations"
    scheduled: bool  # takes effect later
    rows: list[tuple[str, list[str]]]  # (day name, 24 css classes)


@dataclass(frozen=True)
class HeatCell:
    css: str
    count: int  # surges certain to apply (the most at any one chosen station)
    possible: int  # with every conditional rule's trigger holding
    names: tuple[str, ...] = ()  # the rules sure to apply in this hour (at some station)
    maybe: tuple[str, ...] = ()  # the conditional rules that can apply in this hour

    @property
    def more(self) -> int:
        return self.possible - self.count

    @property
    def hover(self) -> str:
        """The rules of the hour, for the cell's tooltip."""
        parts = [", ".join(self.names) if self.names else "no surge"]
        if self.maybe:
            parts.append("when conditions hold: " + ", ".join(self.maybe))
        return "; ".join(parts)


@dataclass(frozen=True)
class OperatorWeek:
    operator: Operator
    heat: list[tuple[str, list[HeatCell]]]  # (day, 24 cells)
    rules: list[RuleWeek]
    station_count: int
    elsewhere: list[SurgeRule]  # live rules that apply at none of the chosen stations

    @property
    def conditional_rules(self) -> list[RuleWeek]:
        """Rules that apply only when a condition holds, counted once for the summary."""
        return [r for r in self.rules if r.conditional]


def rule_cover(rule: SurgeRule) -> Grid:
    start = rule.window_start or MIDNIGHT
    end = rule.window_end or MIDNIGHT
    return hour_cover(week_spans(start, end, rule.window_days))


def engine_rule(rule: SurgeRule) -> e.SurgeRule:
    """The engine's form of a rule whose operator and stations are loaded."""
    return engine_surge(rule, [s.code for s in rule.stations.all()], rule.operator.currency)


def rule_text(rule: SurgeRule) -> str:
    """What customers read about this saved rule."""
    return surge_text(engine_rule(rule))


def conditional(rule: e.SurgeRule) -> list[str]:
    """The triggers that make a rule apply only some of the time it is scheduled."""
    out = ["on public holidays only"] if rule.holidays_only else []
    return out + trigger_text(rule)


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
        kw = formatting.number(rule.min_power_kw, places_of(rule.min_power_kw))
        out.append(f"chargers of {kw} kW or more")
    if rule.charging_speeds:
        out.append("speeds " + ", ".join(rule.charging_speeds))
    if rule.occupancy_threshold is not None:
        share = formatting.stated_percent_of_ratio(rule.occupancy_threshold)
        out.append(f"when occupancy is {share} or more")
    if rule.on_grid_stress:
        out.append("while the grid is under stress")
    if rule.valid_from or rule.valid_until:
        a = timezone.localtime(rule.valid_from).date() if rule.valid_from else "…"
        b = timezone.localtime(rule.valid_until).date() if rule.valid_until else "…"
        out.append(f"valid {a} to {b}")
    return out


def _cell(fraction: float, prefix: str) -> str:
    return f"{prefix}full" if fraction >= 0.999 else f"{prefix}part" if fraction > 0 else ""


def live_rules(rules: list[SurgeRule], now: dt.datetime) -> list[SurgeRule]:
    return [r for r in rules if not r.paused and (r.valid_until is None or r.valid_until > now)]


def _counts(covers: Sequence[Grid]) -> list[list[int]]:
    return [[sum(c[d][h] > 0 for c in covers) for h in range(24)] for d in range(7)]


def _heat(
    applying: dict[int, tuple[int, ...]],
    covers: list[Grid],
    is_conditional: list[bool],
    names: list[str],
) -> list[tuple[str, list[HeatCell]]]:
    """Per cell, the most rules any one station is certain to have, and could have, and
    the names of the rules that cover it."""
    wanted = sorted({i for found in applying.values() for i in found})

    def named(d: int, h: int, conditional: bool) -> tuple[str, ...]:
        return tuple(
            names[i] for i in wanted if is_conditional[i] == conditional and covers[i][d][h] > 0
        )

    count = [[0] * 24 for _ in range(7)]
    possible = [[0] * 24 for _ in range(7)]
    for indexes in set(applying.values()):  # stations with the same rules count once
        sure = _counts([covers[i] for i in indexes if not is_conditional[i]])
        every = _counts([covers[i] for i in indexes])
        for d in range(7):
            for h in range(24):
                count[d][h] = max(count[d][h], sure[d][h])
                possible[d][h] = max(possible[d][h], every[d][h])
    return [
        (
            DAY_NAMES[d][:3],
            [
                HeatCell(f"heat-{min(c, HEAT_LEVELS)}", c, p, named(d, h, False), named(d, h, True))
                for h, (c, p) in enumerate(zip(count[d], possible[d], strict=True))
            ],
        )
        for d in range(7)
    ]


def operator_week(
    operator: Operator, rules: list[SurgeRule], stations: Sequence[Station] | None = None
) -> OperatorWeek:
    """The week of `operator`'s live rules at `stations` (default: all its stations).
    `rules` have their operator and stations loaded."""
    if stations is None:
        stations = list(Station.objects.filter(operator=operator).order_by("code"))
    sites = station_sites(stations) if stations else {}
    now = timezone.now()
    live = live_rules(rules, now)
    engine = [engine_rule(r) for r in live]
    applying = {
        pk: tuple(i for i, er in enumerate(engine) if any(site_matches(er, s) for s in found))
        for pk, found in sites.items()
    }
    wanted = sorted({i for found in applying.values() for i in found})
    covers = [rule_cover(r) for r in live]
    triggers = [conditional(er) for er in engine]
    weeks = []
    for i in wanted:
        rule, cover = live[i], covers[i]
        at = sum(i in found for found in applying.values())
        prefix = "cond-" if triggers[i] else ""
        weeks.append(
            RuleWeek(
                rule=rule,
                text=surge_text(engine[i]),
                when=window_text(rule.window_start, rule.window_end, rule.window_days),
                conditions=conditions(rule),
                conditional=triggers[i],
                stations=_stations_text(at, len(stations)),
                scheduled=rule.effective_from > now,
                rows=[(DAY_NAMES[d][:3], [_cell(f, prefix) for f in cover[d]]) for d in range(7)],
            )
        )
    return OperatorWeek(
        operator=operator,
        heat=_heat(applying, covers, [bool(t) for t in triggers], [r.name for r in live]),
        rules=weeks,
        station_count=len(stations),
        elsewhere=[r for i, r in enumerate(live) if i not in set(wanted)],
    )


def _stations_text(at: int, of: int) -> str:
    if of == 1:
        return "at this station"
    return f"at all {of} stations" if at == of else f"at {at} of {of} stations"
