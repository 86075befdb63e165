"""An operator's surge clock: which surge windows are on now, which start next, and which
rule changes are still waiting out the operator's notice period (the staff home page).

Read from the same engine rules the quotes use (`surges_for_operator`: unpaused, a
scheduled version folded into its valid-from) and decided by the engine's own
`clock_spans`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from cpo_portal.models import Holiday, Operator
from pricing.engine.surges import clock_spans
from pricing.engine.types import SurgeRule as EngineRule
from pricing.engine.windows import zone_of
from pricing.models import SurgeRule
from pricing.services.books import surges_for_operator

HORIZON = dt.timedelta(days=7)
NEXT_SHOWN = 3


@dataclass(frozen=True, slots=True)
class SurgeSpan:
    """One stretch of time in which a rule's clock conditions hold."""

    code: str
    name: str
    kind: str
    start: dt.datetime  # now, for a span already running
    end: dt.datetime | None  # None: runs past the horizon
    triggered: bool  # also needs high occupancy or a grid-stress signal
    holidays_only: bool
    some_sites: bool  # limited to some stations, regions, site kinds or chargers


@dataclass(frozen=True, slots=True)
class SurgeClock:
    now: tuple[SurgeSpan, ...]  # windows on now (rules on at every hour are not windows)
    next: tuple[SurgeSpan, ...]  # the soonest next window of each rule, within the horizon
    always_on: int  # rules on at every hour of the horizon (premiums, site fees)
    on_demand: int  # rules whose clock allows every hour, waiting for their demand trigger
    scheduled: tuple[SurgeRule, ...]  # saved changes still inside the notice period


def _span(rule: EngineRule, start: dt.datetime, end: dt.datetime, horizon_end) -> SurgeSpan:
    return SurgeSpan(
        code=rule.code,
        name=rule.name,
        kind=rule.kind.value,
        start=start,
        end=None if end >= horizon_end else end,
        triggered=rule.occupancy_threshold is not None or rule.on_grid_stress,
        holidays_only=rule.holidays_only,
        some_sites=bool(
            rule.station_codes
            or rule.site_kinds
            or rule.region_codes
            or rule.min_power_kw is not None
            or rule.charging_speeds
        ),
    )


def surge_clock(operator: Operator, now: dt.datetime | None = None) -> SurgeClock:
    """The operator's surge windows now and next (in its time zone, over the next week),
    and its rules whose saved version takes effect later."""
    now = now or timezone.now()
    end = now + HORIZON
    zone = zone_of(operator.time_zone)
    # Every holiday of the operator, national or regional: a holiday-only rule may run
    # on any of them somewhere in its network (the span says it is holiday-only).
    holidays = frozenset(
        Holiday.objects.filter(
            operator=operator,
            date__range=(now.astimezone(zone).date() - dt.timedelta(days=1), end.date()),
        ).values_list("date", flat=True)
    )
    running, upcoming, always_on, on_demand = [], [], 0, 0
    for rule in surges_for_operator(operator.pk):
        spans = clock_spans(rule, zone, now, end, holidays)
        if spans and spans[0] == (now, end):
            if rule.occupancy_threshold is not None or rule.on_grid_stress:
                on_demand += 1
            else:
                always_on += 1
            continue
        if spans and spans[0][0] == now:
            running.append(_span(rule, *spans.pop(0), end))
        if spans:  # the rule's next window
            upcoming.append(_span(rule, *spans[0], end))
    upcoming.sort(key=lambda s: (s.start, s.code))
    scheduled = tuple(
        SurgeRule.objects.filter(operator=operator, paused=False, effective_from__gt=now).order_by(
            "effective_from", "code"
        )
    )
    return SurgeClock(
        now=tuple(running),
        next=tuple(upcoming[:NEXT_SHOWN]),
        always_on=always_on,
        on_demand=on_demand,
        scheduled=scheduled,
    )
