"""What the engine needs to know about a place and a moment: Site and Conditions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, DateField, DateTimeField, QuerySet, Value
from django.db.models.functions import Cast

from cpo_portal.models import Charger, Holiday, Station
from cpo_portal.models.network import EquipmentStatus
from pricing.engine.quantity import MAX_SESSION
from pricing.engine.types import Conditions, Site
from pricing.models import GridSignal
from pricing.models.grid_signals import active_at


def site_for(charger: Charger) -> Site:
    station = charger.station
    return Site(
        station_code=station.code,
        charger_code=charger.code,
        time_zone=station.time_zone,
        power_kw=charger.power_kw,
        site_kind=station.site_kind,
        region_code=station.region_code,
        city_code=station.city_code,
        charging_speed=charger.charging_speed,
        category_codes=frozenset(charger.categories or ()),
    )


def station_site(station: Station) -> Site:
    """A station without a particular charger (charger-specific conditions never match)."""
    return Site(
        station_code=station.code,
        charger_code="",
        time_zone=station.time_zone,
        power_kw=Decimal("0"),
        site_kind=station.site_kind,
        region_code=station.region_code,
        city_code=station.city_code,
    )


def occupancy_by_station(
    stations: Sequence[Station], statuses: Iterable[tuple[int, str]]
) -> dict[int, Decimal]:
    total: Counter[int] = Counter()
    busy: Counter[int] = Counter()
    for station_id, status in statuses:
        total[station_id] += 1
        busy[station_id] += status == EquipmentStatus.OCCUPIED
    out = {s.pk: Decimal("0") for s in stations}
    for station_id, count in total.items():
        out[station_id] = Decimal(busy[station_id]) / Decimal(count)
    return out


# Each read below is one query set of the same seven columns (tag, a, b, date, station,
# raised, cleared), so that ConditionsDuring can send all three as one UNION ALL; the
# single reads evaluate their own. Typed NULLs keep the columns' types alike on every
# database.
_NO_DATE = Cast(Value(None), DateField())
_NO_ID = Cast(Value(None), BigIntegerField())
_NO_TIME = Cast(Value(None), DateTimeField())


def _charger_rows(stations: Sequence[Station]) -> QuerySet:
    """(tag "c", station_id, status, -, -, -, -) of each charger of the stations."""
    rows = Charger.objects.filter(station_id__in=[s.pk for s in stations]).order_by()
    return rows.values_list(
        Value("c"), "station_id", "status", _NO_DATE, _NO_ID, _NO_TIME, _NO_TIME
    )


def _local_days(station: Station, at: dt.datetime) -> tuple[dt.date, dt.date]:
    """The days a session at `station` starting at `at` can touch (from the day before: a
    night window owned by yesterday)."""
    local = at.astimezone(ZoneInfo(station.time_zone)).date()
    return local - dt.timedelta(days=1), local + MAX_SESSION + dt.timedelta(days=1)


def day_ranges(stations: Sequence[Station], at: dt.datetime) -> dict[int, tuple[dt.date, dt.date]]:
    return {s.pk: _local_days(s, at) for s in stations}


def holidays_by_station(
    stations: Sequence[Station],
    days: dict[int, tuple[dt.date, dt.date]],
    rows: Iterable[tuple[int, str, dt.date]],
) -> dict[int, frozenset[dt.date]]:
    """Each station's holidays among (operator_id, region_code, date) rows: its operator's
    national ones and its region's, on the days its session can touch."""
    rows = list(rows)
    return {
        s.pk: frozenset(
            date
            for operator_id, region, date in rows
            if operator_id == s.operator_id
            and region in ("", s.region_code)
            and days[s.pk][0] <= date <= days[s.pk][1]
        )
        for s in stations
    }


def _holiday_rows(
    stations: Sequence[Station], days: dict[int, tuple[dt.date, dt.date]]
) -> QuerySet:
    """(tag "h", operator_id, region_code, date, -, -, -) of the stations' operators'
    national and regional holidays over all their `days` (each station keeps its own)."""
    rows = Holiday.objects.filter(
        operator_id__in={s.operator_id for s in stations},
        region_code__in={"", *(s.region_code for s in stations)},
        date__range=(min(d[0] for d in days.values()), max(d[1] for d in days.values())),
    ).order_by()  # read into sets: no ordering
    return rows.values_list(
        Value("h"), "operator_id", "region_code", "date", _NO_ID, _NO_TIME, _NO_TIME
    )


def holidays_at(stations: Sequence[Station], at: dt.datetime) -> dict[int, frozenset[dt.date]]:
    """Each station's holidays, its operator's national and regional ones, that a session
    starting at `at` can touch."""
    if not stations:
        return {}
    days = day_ranges(stations, at)
    rows = ((a, b, d) for _, a, b, d, *_ in _holiday_rows(stations, days))
    return holidays_by_station(stations, days, rows)


def stress_by_station(
    stations: Sequence[Station], signals: Iterable[tuple[int, int | None, str]]
) -> dict[int, bool]:
    """Whether one of the active (operator_id, station_id, region_code) signals covers
    each station: its own, or its operator's for every region or the station's region."""
    signals = list(signals)
    return {
        s.pk: any(
            operator_id == s.operator_id
            and (station_id == s.pk or (station_id is None and region in ("", s.region_code)))
            for operator_id, station_id, region in signals
        )
        for s in stations
    }


def _signal_rows(stations: Sequence[Station], first: dt.datetime, last: dt.datetime) -> QuerySet:
    """(tag "g", operator_id, region_code, -, station_id, raised_at, cleared_at) of the
    stations' operators' signals that may be active from `first` to `last`."""
    rows = (
        GridSignal.objects.active_during(first, last)
        .filter(operator_id__in={s.operator_id for s in stations})
        .order_by()
    )  # only whether one covers the station: no ordering
    return rows.values_list(
        Value("g"), "operator_id", "region_code", _NO_DATE, "station_id", "raised_at",
        "cleared_at",
    )  # fmt: skip


def grid_stress_at(stations: Sequence[Station], at: dt.datetime) -> dict[int, bool]:
    """Whether a signal raised at `at` and not cleared covers each station."""
    rows = ((a, e, b) for _, a, b, _, e, *_ in _signal_rows(stations, at, at))
    return stress_by_station(stations, rows)


Signal = tuple[int, int | None, str, dt.datetime, dt.datetime | None]


class ConditionsDuring:
    """conditions_for any of `stations` for a session starting at any moment from `first`
    to `last`, read in one query whatever their number and the sessions' (the sessions of
    a batch priced together): the holidays of every day such a session can touch, the
    chargers' statuses as they are now and the grid signals that may be active in the
    span, their three reads sent together as one UNION ALL. `at(station, start)` then
    keeps what conditions_for(station, start) keeps, by the same rules, with no query."""

    def __init__(self, stations: Iterable[Station], first: dt.datetime, last: dt.datetime):
        if last < first:
            raise ValueError(f"the span ends ({last}) before it begins ({first})")
        self.first, self.last = first, last
        self.stations = list({s.pk: s for s in stations}.values())
        self._holidays: dict[int, frozenset[dt.date]] = {}
        self._occupancy: dict[int, Decimal] = {}
        self._signals: dict[int, list[Signal]] = {}
        self._memo: dict[tuple[int, dt.date], frozenset[dt.date]] = {}
        if not self.stations:
            return
        span = {s.pk: (_local_days(s, first)[0], _local_days(s, last)[1]) for s in self.stations}
        reads = _holiday_rows(self.stations, span).union(
            _charger_rows(self.stations), _signal_rows(self.stations, first, last), all=True
        )
        rows = list(reads)
        holidays = ((a, b, d) for tag, a, b, d, *_ in rows if tag == "h")
        self._holidays = holidays_by_station(self.stations, span, holidays)
        statuses = ((a, b) for tag, a, b, *_ in rows if tag == "c")
        self._occupancy = occupancy_by_station(self.stations, statuses)
        signals: list[Signal] = [(a, e, b, r, c) for tag, a, b, _, e, r, c in rows if tag == "g"]
        self._signals = {
            s.pk: [sig for sig in signals if stress_by_station([s], [sig[:3]])[s.pk]]
            for s in self.stations
        }

    def at(self, station: Station, start: dt.datetime) -> Conditions:
        """The conditions of a session at `station` (one of the stations read) starting at
        `start` (in the span)."""
        if not self.first <= start <= self.last:
            raise ValueError(f"{start} is outside the span read ({self.first} to {self.last})")
        first_day, last_day = _local_days(station, start)
        holidays = self._memo.get((station.pk, first_day))
        if holidays is None:  # the station's holidays of the span, cut to the session's days
            span = self._holidays[station.pk]
            holidays = frozenset(d for d in span if first_day <= d <= last_day)
            self._memo[station.pk, first_day] = holidays
        return Conditions(
            holidays=holidays,
            occupancy=self._occupancy[station.pk],
            grid_stress=any(active_at(r, c, start) for *_, r, c in self._signals[station.pk]),
        )


def conditions_for(station: Station, at: dt.datetime) -> Conditions:
    """Holidays, occupancy and grid stress for a session at `station` starting at `at`.

    Occupancy is the station's state now (there is no forecast); a signal counts when it
    is raised at `at` and not cleared by then. Read in one query (ConditionsDuring over
    the one moment `at`).
    """
    return ConditionsDuring([station], at, at).at(station, at)
