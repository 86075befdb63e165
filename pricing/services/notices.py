"""Surge notices: which surges a customer looking at a station or charger should be told
about (Beckn on_search badges and the "Know more" text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from cpo_portal.models import Charger, Station
from pricing.engine.schedule import window_text
from pricing.engine.surges import (
    ClockWindows,
    clock_spans,
    clock_windows,
    moment_matches,
    site_matches,
)
from pricing.engine.types import ChargeForm, Conditions, Customer, Site, SurgeKind, SurgeRule
from pricing.engine.windows import zone_of
from pricing.models.surge_text import surge_text

from .books import surges_for_operator
from .sites import ConditionsDuring, site_for, station_site

# Without an end, tell about surges during the next hour: a typical session.
NOTICE_HORIZON = dt.timedelta(hours=1)
# Clock windows are kept for searches ending up to a day after the last start kept.
WINDOWS_BEYOND = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SurgeNotice:
    code: str
    kind: SurgeKind
    name: str
    explanation: str  # pricing.models.surge_text: written from the rule, then the staff's note
    window_text: str  # "between 6 PM - 9 PM every day"
    form: ChargeForm
    amount: Decimal


def station_sites(stations: Sequence[Station]) -> dict[int, list[Site]]:
    """The sites of each station's chargers (the station itself when it has none), in one
    query whatever the number of stations."""
    by_pk = {s.pk: s for s in stations}
    sites: dict[int, list[Site]] = {pk: [] for pk in by_pk}
    for charger in Charger.objects.filter(station__in=list(by_pk)).order_by("pk"):
        charger.station = by_pk[charger.station_id]
        sites[charger.station_id].append(site_for(charger))
    return {pk: found or [station_site(by_pk[pk])] for pk, found in sites.items()}


def describe_window(rule: SurgeRule) -> str:
    window = rule.window
    text = (
        window_text(None, None, range(7))
        if window is None
        else window_text(window.start, window.end, window.days)
    )
    return f"{text}, on holidays only" if rule.holidays_only else text


class NoticesDuring:
    """surge_notices_at for any of `stations` and any search starting from `first` to
    `last`, with no query: each station's rules that match one of its chargers (a fixed
    fact), their notices written once, and the conditions of the span (ConditionsDuring).
    What depends on the moment is kept as windows: each rule's clock windows in each time
    zone (ClockWindows, worked out when a search first asks and kept to `last` and a day),
    and the conditions; `at` decides with the same rules as surge_notices_at, once for
    the stations that share their rules and conditions."""

    def __init__(
        self,
        stations: Sequence[Station],
        first: dt.datetime,
        last: dt.datetime,
        *,
        keep_windows: bool = True,
    ):
        self.stations = {s.pk: s for s in stations}
        self.conditions = ConditionsDuring(self.stations.values(), first, last)
        sites = station_sites(list(self.stations.values())) if self.stations else {}
        books = {op: surges_for_operator(op) for op in {s.operator_id for s in stations}}
        shared: dict[tuple[int, ...], tuple[SurgeRule, ...]] = {}  # one tuple for equal lists
        self.rules = {}
        for pk, s in self.stations.items():
            rules = tuple(
                r for r in books[s.operator_id] if any(site_matches(r, x) for x in sites[pk])
            )
            self.rules[pk] = shared.setdefault(tuple(map(id, rules)), rules)
        self.notices = {id(r): _notice(r) for rules in self.rules.values() for r in rules}
        self.reach = (first.astimezone(dt.UTC), last.astimezone(dt.UTC) + WINDOWS_BEYOND)
        self.windows: dict[tuple[int, str], ClockWindows] | None = {} if keep_windows else None

    def covers(self, start: dt.datetime) -> bool:
        return self.conditions.first <= start <= self.conditions.last

    def at(
        self, pks: Iterable[int], start: dt.datetime, end: dt.datetime | None = None
    ) -> dict[int, list[SurgeNotice]]:
        """The notices at each station (by pk) for a search from `start` (covers())."""
        end = end or start + NOTICE_HORIZON
        during: dict[tuple[int, str, Conditions], list[SurgeNotice]] = {}
        out = {}
        for pk in pks:
            station = self.stations[pk]
            conditions = self.conditions.at(station, start)
            rules = self.rules[pk]
            key = (id(rules), station.time_zone, conditions)
            found = during.get(key)
            if found is None:
                found = during[key] = [
                    self.notices[id(rule)]
                    for rule in rules
                    if moment_matches(rule, Customer(), conditions)
                    and self._clock(rule, station.time_zone, start, end, conditions.holidays)
                ]
            out[pk] = found
        return out

    def _clock(
        self,
        rule: SurgeRule,
        time_zone: str,
        start: dt.datetime,
        end: dt.datetime,
        holidays: frozenset[dt.date],
    ) -> bool:
        """Whether the rule's clock conditions hold somewhere in [start, end): read from its
        windows, or worked out for a search reaching past them."""
        if self.windows is not None:
            windows = self.windows.get((id(rule), time_zone))
            if windows is None:
                windows = self.windows[id(rule), time_zone] = clock_windows(
                    rule, zone_of(time_zone), *self.reach
                )
            if windows.covers(start, end):
                return windows.meets(start, end, holidays)
        return bool(clock_spans(rule, zone_of(time_zone), start, end, holidays))


def _notice(rule: SurgeRule) -> SurgeNotice:
    return SurgeNotice(
        code=rule.code,
        kind=rule.kind,
        name=rule.name,
        explanation=surge_text(rule),
        window_text=describe_window(rule),
        form=rule.form,
        amount=rule.amount,
    )


def surge_notices_at(
    stations: Sequence[Station], start: dt.datetime, end: dt.datetime | None = None
) -> dict[int, list[SurgeNotice]]:
    """surge_notices for each station, by station pk: a fixed number of queries whatever
    the number of stations (a catalog of hundreds of them). NoticesDuring over the one
    moment `start`, each rule's clock worked out for the search alone (no windows kept:
    this is also the reference the kept windows are tested against)."""
    read = NoticesDuring(stations, start, start, keep_windows=False)
    return read.at(read.stations, start, end)
